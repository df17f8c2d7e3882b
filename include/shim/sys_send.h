/* sys_send: the system-call layer of the send path (net/socket.c __sys_sendto, __sys_sendmsg,
 * __sys_sendmmsg, and the write/writev entry of sock_write_iter), for fds the shim owns.
 *
 * Each returns the call's result (>= 0 or -errno), or:
 *   SHIM_NOT_OWNED  the fd is not a UDP/IPv4 socket the shim owns: call libc
 *   SHIM_TO_KERNEL  the shim hands this whole call to the kernel socket: call libc
 * Argument errors are answered in the kernel's order with its errnos; memory the program points to
 * is read with umem_read, so a bad pointer gives EFAULT, never a crash. */
#ifndef SHIM_SYS_SEND_H
#define SHIM_SYS_SEND_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "shim/inet.h"

#define SHIM_NOT_OWNED (-100001L)

long sys_sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
		socklen_t alen);
long sys_sendmsg(int fd, const struct msghdr *msg, int flags);
long sys_sendmmsg(int fd, struct mmsghdr *vec, unsigned vlen, int flags);
long sys_write(int fd, const void *buf, size_t len);
long sys_writev(int fd, const struct iovec *iov, int iovcnt);

#endif
