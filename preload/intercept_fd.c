/* intercept_fd: close, close_range, closefrom, dup, dup2, dup3 — the calls that end or copy fds
 * (bodies; closefrom whole, preload/calls.h).
 *
 * After the kernel's answer the fd table follows (src/sys/fdevents.c). The shim's own fds sit above
 * the program's fd limit (src/core/internal_fd.c); the program may still see them in /proc/self/fd:
 * closing one moves the shim's fd to another number first and closes the number, as natively, a
 * range close skips them, and a dup2/dup3 onto one moves the shim's fd out of the way first. */
#include "guard.h"
#include "hook.h"

#include "shim/coalesce.h"
#include "shim/fdevents.h"

#include <limits.h>
#include <sys/resource.h>

int intercept_close(int fd)
{
	fd_token_t token;
	int ret, err;

	shim_init();
	coalesce_before_wait(); /* datagrams held for this socket go out before it closes */
	/* one of the shim's own, which the program sees in /proc/self/fd and may close as natively:
	 * the shim's fd moves to another number first (where it cannot move, EBADF) */
	if (fd_is_internal(fd))
		internal_fd_relocate(fd);
	token = fdtable_token(fd);
	CALL_UNLESS_INTERNAL(fd, ret, err, real.close(fd));
	fdev_close(fd, token, ret, err);
	TRACE_SYSCALL(SYS_close, ret, err, A(fd));
	errno = err;
	return ret;
}

/* close_range() split around the shim's internal fds. */
static int close_range_sparing_internal(unsigned first, unsigned last, int flags)
{
	while (first <= last) {
		int internal = internal_fd_next(first, last);
		unsigned end = internal < 0 ? last : (unsigned)internal - 1;
		int ret = 0;

		if (internal < 0 || (unsigned)internal > first)
			ret = real.close_range(first, end, flags);
		if (ret != 0)
			return ret;
		if (internal < 0 || (unsigned)internal == UINT_MAX)
			break;
		first = (unsigned)internal + 1;
	}
	return 0;
}

int intercept_close_range(unsigned first, unsigned last, int flags)
{
	int ret, err;

	shim_init();
	if (first > last || internal_fd_next(first, last) < 0)
		ret = real.close_range(first, last, flags);
	else
		ret = close_range_sparing_internal(first, last, flags);
	err = errno;
	if (ret == 0)
		fdev_close_range(first, last, (unsigned)flags);
	TRACE_SYSCALL(SYS_close_range, ret, err, A(first), A(last), A(flags));
	errno = err;
	return ret;
}

/* glibc's closefrom() is close_range(low, ~0U, 0) made through an internal alias, which the shim
 * would not see: it would close the shim's fds. Like glibc, a negative bound is 0. */
static void closefrom_body(unsigned low)
{
	struct rlimit rl;
	int saved = errno;

	if (intercept_close_range(low, UINT_MAX, 0) == 0) {
		errno = saved;
		return;
	}
	/* Like glibc's fallback: close one by one, here up to the fd limit, sparing internal fds.
	 */
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur > FDTABLE_MAX_FDS)
		rl.rlim_cur = FDTABLE_MAX_FDS;
	for (unsigned fd = low; fd < rl.rlim_cur; fd++) {
		if (!fd_is_internal((int)fd) && real.close((int)fd) == 0)
			fdtable_forget((int)fd);
	}
	errno = saved;
}

SHIM_EXPORT void closefrom(int lowfd)
{
	unsigned low = lowfd < 0 ? 0 : (unsigned)lowfd;

	if (shim_goes_raw()) {
		int saved = errno;

		shim_raw(SYS_close_range, low, UINT_MAX, 0);
		errno = saved;
		return;
	}
	shim_enter();
	closefrom_body(low);
	shim_leave();
}

int intercept_dup(int oldfd)
{
	int ret, err;

	shim_init();
	CALL_UNLESS_INTERNAL(oldfd, ret, err, real.dup(oldfd));
	fdev_dup(oldfd, ret);
	TRACE_SYSCALL(SYS_dup, ret, err, A(oldfd));
	errno = err;
	return ret;
}

/* dup2/dup3 onto an internal fd: move the shim's fd away, then let the program have the number. */
static void make_room(int newfd)
{
	if (fd_is_internal(newfd))
		internal_fd_relocate(newfd);
}

int intercept_dup2(int oldfd, int newfd)
{
	int ret, err;

	shim_init();
	if (!fd_is_internal(oldfd))
		make_room(newfd);
	CALL_UNLESS_INTERNAL(oldfd, ret, err, real.dup2(oldfd, newfd));
	fdev_dup(oldfd, ret);
	TRACE_SYSCALL(SYS_dup2, ret, err, A(oldfd), A(newfd));
	errno = err;
	return ret;
}

int intercept_dup3(int oldfd, int newfd, int flags)
{
	int ret, err;

	shim_init();
	if (!fd_is_internal(oldfd))
		make_room(newfd);
	CALL_UNLESS_INTERNAL(oldfd, ret, err, real.dup3(oldfd, newfd, flags));
	fdev_dup(oldfd, ret);
	TRACE_SYSCALL(SYS_dup3, ret, err, A(oldfd), A(newfd), A(flags));
	errno = err;
	return ret;
}
