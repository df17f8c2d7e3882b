/* udp_ext: the socket settings behind UDP-Lite checksum coverage, SO_NO_CHECK and IP_OPTIONS, read
 * from the kernel socket and kept in step with setsockopt (udp_lib_setsockopt UDPLITE_SEND_CSCOV,
 * sk_setsockopt SO_NO_CHECK, do_ip_setsockopt IP_OPTIONS). */
#ifndef SHIM_UDP_EXT_H
#define SHIM_UDP_EXT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "shim/ip_options.h"

struct udp_ext {
	bool no_check;	/* sk_no_check_tx */
	bool cscov_set; /* UDPLITE_SEND_CC */
	uint16_t cscov; /* pcslen */
	/* a UDP-Lite socket whose coverage setting is unknown (read back as 0 after another
	 * process may have set it): its datagrams are the kernel socket's until the program sets
	 * UDPLITE_SEND_CSCOV (the reason; NULL: known) */
	const char *cscov_kernel;
	/* While non-NULL, a datagram that would carry the socket's own options goes to the kernel
	 * socket, for this reason (a source route, or a setting that could not be read back). */
	const char *opt_kernel;
	struct ip_optset opt; /* the socket's IP_OPTIONS, compiled (optlen 0: none) */
};

struct shim_sock;

/* From inet_sock_sync (sk->lock held): read the three settings from the kernel socket. */
void udp_ext_sync(struct shim_sock *sk, int fd);

/* After a setsockopt the kernel accepted (sk->lock held). Returns true when it was one of the
 * options kept here. */
bool udp_ext_after_setsockopt(struct shim_sock *sk, int fd, int level, int name);

#endif
