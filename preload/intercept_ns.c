/* intercept_ns: unshare and setns — calls that need a single-threaded caller.
 *
 * The kernel answers EINVAL to unshare(CLONE_NEWUSER) (and CLONE_THREAD, CLONE_SIGHAND, CLONE_VM)
 * and to setns into a user namespace when the process has other threads. The shim's route
 * listener is one (started at set-up: src/route/notify.c), which a program that is single-threaded
 * itself does not know of. So when such a call answers EINVAL, the listener is ended, the call made
 * again, and the listener started again after it (the call is not async-signal-safe: libc may make
 * a thread here). The call goes to libc as the program made it otherwise. */
#include "real.h"

#include "shim/guard.h"
#include "shim/rawsys.h"
#include "shim/route.h"
#include "shim/sandbox.h"

#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>

#include "export.h"

static int raw_answer(long r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return (int)r;
}

static int do_unshare(int flags)
{
	return real.unshare != NULL ? real.unshare(flags) : raw_answer(rawsys1(SYS_unshare, flags));
}

static int do_setns(int fd, int nstype)
{
	return real.setns != NULL ? real.setns(fd, nstype)
				  : raw_answer(rawsys2(SYS_setns, fd, nstype));
}

/* After an EINVAL: whether the shim's listener thread could be the reason, and was ended. */
static bool listener_paused(void)
{
	bool paused;

	if (!shim_bypass || shim_seccomp_active() || shim_depth != 0)
		return false;
	shim_enter();
	paused = route_listener_pause();
	shim_leave();
	return paused;
}

static void listener_resume(void)
{
	shim_enter();
	route_listener_start();
	shim_leave();
}

SHIM_EXPORT int unshare(int flags)
{
	int r = do_unshare(flags), saved;

	if (r == 0 || errno != EINVAL ||
	    !(flags & (CLONE_NEWUSER | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) ||
	    !listener_paused())
		return r;
	r = do_unshare(flags);
	saved = errno;
	listener_resume();
	errno = saved;
	return r;
}

SHIM_EXPORT int setns(int fd, int nstype)
{
	int r = do_setns(fd, nstype), saved;

	if (r == 0 || errno != EINVAL || (nstype != 0 && nstype != CLONE_NEWUSER) ||
	    !listener_paused())
		return r;
	r = do_setns(fd, nstype);
	saved = errno;
	listener_resume();
	errno = saved;
	return r;
}
