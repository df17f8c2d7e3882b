/* internal_fd: the shim's own fds (trace output, packet socket, netlink and ICMP sockets) are moved
 * near the top of the fd range, where programs rarely look, made close-on-exec, and marked
 * FD_INTERNAL so the program can neither see nor close them. */
#include "shim/fdtable.h"
#include "shim/rawsys.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

int internal_fd_adopt(int fd, bool close_original)
{
	struct rlimit rl;
	long lim = 1024, nfd;

	if (rawsys2(SYS_getrlimit, RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		lim = (long)rl.rlim_cur;
	if (lim > FDTABLE_MAX_FDS)
		lim = FDTABLE_MAX_FDS;
	nfd = rawsys3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, lim > 64 ? lim - 32 : 3);
	if (nfd < 0)
		nfd = rawsys3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 3);
	if (nfd < 0) {
		if (!close_original)
			return -1;
		nfd = fd; /* keep the number it has; it was opened close-on-exec */
	} else if (close_original) {
		rawsys1(SYS_close, fd);
	}
	fdtable_set_kind((int)nfd, FD_INTERNAL);
	return (int)nfd;
}
