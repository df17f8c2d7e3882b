/* net_compat: socket-option numbers of the running kernel's uapi that Debian 12's glibc headers do
 * not all define, in one place for the send path. */
#ifndef SHIM_NET_COMPAT_H
#define SHIM_NET_COMPAT_H

#include <netinet/in.h>
#include <sys/socket.h>

#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef SOL_UDPLITE
#define SOL_UDPLITE 136
#endif
#ifndef UDP_CORK
#define UDP_CORK 1
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef IP_PROTOCOL
#define IP_PROTOCOL 52
#endif
#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif
#ifndef IP_UNICAST_IF
#define IP_UNICAST_IF 50
#endif

#endif
