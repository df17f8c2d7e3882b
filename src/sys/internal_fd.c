/* internal_fd: the shim's own fds (trace output, packet socket, netlink and ICMP sockets) are moved
 * near the top of the fd range, where programs rarely look, made close-on-exec, and marked
 * FD_INTERNAL so the program can neither see nor close them. */
#include "shim/shim_lock.h"
#include "shim/fdtable.h"
#include "shim/rawsys.h"

#include <fcntl.h>
#include <pthread.h>
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

/* Where each internal fd is kept, so it can be moved when the program wants its number. */
#define TRACKED_MAX 16

static int *tracked[TRACKED_MAX];
static int ntracked;
SHIM_LOCK_DEFINE(tracked_lock);

void internal_fd_track(int *slot)
{
	shim_lock_acquire(&tracked_lock);
	for (int i = 0; i < ntracked; i++)
		if (tracked[i] == slot)
			goto out;
	if (ntracked < TRACKED_MAX)
		tracked[ntracked++] = slot;
out:
	shim_lock_release(&tracked_lock);
}

int internal_fd_relocate(int fd)
{
	int moved = -1;

	shim_lock_acquire(&tracked_lock);
	for (int i = 0; i < ntracked; i++) {
		if (__atomic_load_n(tracked[i], __ATOMIC_ACQUIRE) != fd)
			continue;
		/* the copy takes over; the old number is about to be replaced by the program's
		 * dup2/dup3, which closes it */
		moved = internal_fd_adopt(fd, false);
		if (moved >= 0)
			__atomic_store_n(tracked[i], moved, __ATOMIC_RELEASE);
		break;
	}
	shim_lock_release(&tracked_lock);
	return moved;
}
