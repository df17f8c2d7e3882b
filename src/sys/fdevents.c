/* fdevents: fd table bookkeeping after the kernel's answer (see include/shim/fdevents.h). */
#include "shim/fdevents.h"
#include "shim/rawsys.h"

#include <errno.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/syscall.h>

/* discovered: the socket existed before the shim saw it (settings that cannot be read back are
 * unknown) */
static void install_socket(int fd, int family, int type, int protocol, bool discovered)
{
	struct shim_sock *sk;

	if (fd < 0)
		return;
	if (!shim_sock_is_ownable(family, type, protocol)) {
		fdtable_set_kind(fd, FD_FOREIGN);
		return;
	}
	sk = shim_sock_new(family, type, protocol);
	if (sk == NULL) {
		fdtable_set_kind(fd,
				 FD_FOREIGN); /* no memory: the kernel path serves this socket */
		return;
	}
	sk->discovered = discovered;
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
