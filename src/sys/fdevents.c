/* fdevents: fd table bookkeeping after the kernel's answer (see include/shim/fdevents.h). */
#include "shim/fdevents.h"
#include "shim/rawsys.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

/* The kernel socket's identity, the same through every fd and in every process (0: unknown). */
static uint64_t sock_cookie(int fd)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);

	if (rawsys5(SYS_getsockopt, fd, SOL_SOCKET, SO_COOKIE, &cookie, &len) != 0 ||
	    len != sizeof(cookie))
		return 0;
	return cookie;
}

/* discovered: the socket existed before the shim saw it (settings that cannot be read back are
 * unknown). One object per kernel socket: a socket this process already has an object for (seen
 * through another fd: received with SCM_RIGHTS, taken with pidfd_getfd, duplicated by a call the
 * shim did not see) gets that object. */
static void install_socket(int fd, int family, int type, int protocol, bool discovered)
{
	struct shim_sock *sk, *fresh;
	uint64_t cookie;

	if (fd < 0)
		return;
	if (!shim_sock_is_ownable(family, type, protocol)) {
		fdtable_set_kind(fd, FD_FOREIGN);
		return;
	}
	cookie = sock_cookie(fd);
	sk = discovered ? shim_sock_find(cookie) : NULL;
	if (sk == NULL) {
		fresh = shim_sock_new(family, type, protocol);
		if (fresh == NULL) {
			/* no memory: the kernel path serves this socket */
			fdtable_set_kind(fd, FD_FOREIGN);
			return;
		}
		fresh->discovered = discovered;
		sk = shim_sock_add(fresh, cookie);
		if (sk != fresh)
			shim_sock_put(fresh);
	}
	if (fdtable_install(fd, sk) != 0)
		fdtable_set_kind(fd, FD_FOREIGN);
	shim_sock_put(sk);
}

void fdev_socket(int fd, int family, int type, int protocol)
{
	install_socket(fd, family, type, protocol, false);
}

void fdev_close(int fd, fd_token_t token, int ret, int err)
{
	/* Linux releases the fd even when close() reports an error (EINTR, EIO); only EBADF means
	 * there was nothing to close. */
	if (ret == 0 || err != EBADF)
		fdtable_forget_if(fd, token);
}

void fdev_close_range(unsigned first, unsigned last, unsigned flags)
{
	/* CLOSE_RANGE_CLOEXEC only marks the fds; CLOSE_RANGE_UNSHARE closes too. */
	if (flags & 4u /* CLOSE_RANGE_CLOEXEC */)
		return;
	fdtable_forget_range(first, last);
}

void fdev_dup(int oldfd, int newfd)
{
	if (newfd < 0 || newfd == oldfd)
		return;
	fdtable_dup(oldfd, newfd);
}

enum fd_kind sockfd_lookup_light(int fd, struct shim_sock **skp)
{
	enum fd_kind kind = fdtable_lookup(fd, skp);
	int family, type, protocol, r;

	if (kind != FD_UNKNOWN)
		return kind;
	r = rawsys_getsockopt_int(fd, SOL_SOCKET, SO_DOMAIN, &family);
	if (r == -EBADF)
		return FD_UNKNOWN; /* not open: the kernel will say EBADF */
	if (r < 0 || rawsys_getsockopt_int(fd, SOL_SOCKET, SO_TYPE, &type) < 0 ||
	    rawsys_getsockopt_int(fd, SOL_SOCKET, SO_PROTOCOL, &protocol) < 0 ||
	    !shim_sock_is_ownable(family, type, protocol)) {
		fdtable_set_kind(fd, FD_FOREIGN);
		return FD_FOREIGN;
	}
	install_socket(fd, family, type, protocol, true);
	return fdtable_lookup(fd, skp);
}
