/* intercept_signal: sigaction, signal and their relatives, sigprocmask and pthread_sigmask.
 *
 * The shim keeps its SIGSEGV/SIGBUS handler in the kernel (src/core/fault.c: a fault in one of
 * its copies of the program's memory is an EFAULT answer; any other goes to the program's
 * action). What the program sets for those two signals is recorded there, and what it asks back
 * is its own; SIGSEGV and SIGBUS are left out of the masks it hands to the kernel and kept in its
 * view. Every other signal goes to libc as it was.
 *
 * None of these runs the shim's initialisation: a sanitizer runtime or another library may set
 * signal actions while it starts, before the shim resolved libc (AddressSanitizer's start calls
 * sigaction, and must not find the shim initialising inside it). Until then the calls go to the
 * kernel directly, as libc would make them; the shim's handler takes over the actions in place
 * when it is installed (preload/init.c). */
#include "hook.h"

#include "shim/fault.h"
#include "shim/rawsys.h"
#include "shim/umem.h"

#include <signal.h>
#include <string.h>

static int ret_errno(int r)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

/* libc's sigaction (the kernel's directly before libc was resolved), with SIGSEGV/SIGBUS kept out
 * of the mask the kernel gets and put back in the program's view. */
static int other_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct sigaction k;
	int r;

	if (real.sigaction == NULL)
		return ret_errno(fault_raw_sigaction(sig, act, old));
	if (!fault_owns(SIGSEGV))
		return real.sigaction(sig, act, old);
	if (act != NULL) {
		memcpy(&k, act, sizeof(k));
		fault_mask_strip(sig, &k.sa_mask);
		act = &k;
	}
	r = real.sigaction(sig, act, old);
	if (r == 0 && old != NULL)
		fault_mask_view(sig, &old->sa_mask);
	return r;
}

SHIM_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (!fault_owns(sig))
		return other_sigaction(sig, act, old);
	return ret_errno(fault_sigaction(sig, act, old));
}

/* glibc exports these without declaring them */
int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);
__sighandler_t bsd_signal(int sig, __sighandler_t h);

SHIM_EXPORT int __sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	return sigaction(sig, act, old);
}

/* signal() and friends as libc sets the action (BSD semantics: the signal itself masked,
 * SA_RESTART; System V: one shot, not masked): recorded as the program's for SIGSEGV/SIGBUS, and
 * for any signal before libc was resolved. */
static __sighandler_t set_signal(int sig, __sighandler_t h, int flags, bool mask_self)
{
	struct sigaction sa, old;
	int r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = h;
	sa.sa_flags = flags;
	if (mask_self && sig > 0 && sig < 65)
		sigaddset(&sa.sa_mask, sig);
	r = fault_owns(sig) ? fault_sigaction(sig, &sa, &old) : fault_raw_sigaction(sig, &sa, &old);
	if (r < 0) {
		errno = -r;
		return SIG_ERR;
	}
	return old.sa_handler;
}

SHIM_EXPORT __sighandler_t signal(int sig, __sighandler_t h)
{
	if (!fault_owns(sig) && real.signal != NULL)
		return real.signal(sig, h);
	return set_signal(sig, h, SA_RESTART, true);
}

SHIM_EXPORT __sighandler_t bsd_signal(int sig, __sighandler_t h)
{
	return signal(sig, h);
}

SHIM_EXPORT __sighandler_t ssignal(int sig, __sighandler_t h)
{
	return signal(sig, h);
}

SHIM_EXPORT __sighandler_t sysv_signal(int sig, __sighandler_t h)
{
	if (!fault_owns(sig) && real.sysv_signal != NULL)
		return real.sysv_signal(sig, h);
	return set_signal(sig, h, SA_RESETHAND | SA_NODEFER, false);
}

SHIM_EXPORT __sighandler_t __sysv_signal(int sig, __sighandler_t h)
{
	return sysv_signal(sig, h);
}

static int mask(int how, const sigset_t *set, sigset_t *old)
{
	if (fault_owns(SIGSEGV))
		return fault_sigmask(how, set, old);
	if (real.pthread_sigmask != NULL)
		return -real.pthread_sigmask(how, set, old);
	return fault_raw_sigmask(how, set, old);
}

SHIM_EXPORT int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	return -mask(how, set, old);
}

SHIM_EXPORT int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	return ret_errno(mask(how, set, old));
}

/* sigsuspend: the program's mask while it waits, SIGSEGV/SIGBUS left unblocked (a handler run
 * during the wait may send). */
SHIM_EXPORT int sigsuspend(const sigset_t *m)
{
	sigset_t k;
	long r;

	if (real.sigsuspend != NULL) /* libc's: a cancellation point */
		return real.sigsuspend(fault_wait_mask(m, &k));
	r = rawsys2(SYS_rt_sigsuspend, fault_wait_mask(m, &k), 8);
	errno = (int)-r; /* always -1: EINTR, or EFAULT for an unreadable mask */
	return -1;
}

/* sigset (System V): SIG_HOLD blocks the signal; any other disposition is set and the signal
 * unblocked. The answer is SIG_HOLD when it was blocked, else the previous disposition. */
SHIM_EXPORT __sighandler_t sigset(int sig, __sighandler_t disp)
{
	sigset_t one, was;
	struct sigaction sa, old;
	int r;

	if (!fault_owns(sig) && real.sigset != NULL)
		return real.sigset(sig, disp);
	if (sig <= 0 || sig >= 65) {
		errno = EINVAL;
		return SIG_ERR;
	}
	sigemptyset(&one);
	sigaddset(&one, sig);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = disp;
	if (disp == SIG_HOLD) {
		r = mask(SIG_BLOCK, &one, &was);
		if (r == 0)
			r = fault_owns(sig) ? fault_sigaction(sig, NULL, &old)
					    : fault_raw_sigaction(sig, NULL, &old);
	} else {
		r = fault_owns(sig) ? fault_sigaction(sig, &sa, &old)
				    : fault_raw_sigaction(sig, &sa, &old);
		if (r == 0)
			r = mask(SIG_UNBLOCK, &one, &was);
	}
	if (r < 0) {
		errno = -r;
		return SIG_ERR;
	}
	return sigismember(&was, sig) ? SIG_HOLD : old.sa_handler;
}

/* syscall(SYS_rt_sigaction) and syscall(SYS_rt_sigprocmask) (preload/intercept_syscall.c): the
 * kernel's structures, the same rules. Returns the raw answer (>= 0 or -errno). */
struct k_sigaction_user {
	void *handler;
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

long shim_rt_sigaction(long sig, const void *kact, void *kold, long size)
{
	struct k_sigaction_user ka, ko;
	struct sigaction a, o;
	int r;

	if (!fault_owns((int)sig) || size != 8)
		return SHIM_NOT_OWNED;
	/* the kernel's copy_from_user/copy_to_user: a bad pointer is EFAULT */
	if (kact != NULL && umem_read(&ka, kact, sizeof(ka)) != 0)
		return -EFAULT;
	if (kold != NULL && !umem_writable4(kold))
		return -EFAULT;
	if (kact != NULL) {
		memset(&a, 0, sizeof(a));
		a.sa_handler = (__sighandler_t)ka.handler;
		a.sa_flags = (int)ka.flags;
		a.sa_restorer = ka.restorer;
		memcpy(&a.sa_mask, &ka.mask, sizeof(ka.mask));
	}
	r = fault_sigaction((int)sig, kact != NULL ? &a : NULL, &o);
	if (r < 0)
		return r;
	if (kold != NULL) {
		struct iovec l = {&ko, sizeof(ko)}, rem = {kold, sizeof(ko)};

		ko.handler = (void *)o.sa_handler;
		ko.flags = (unsigned long)(unsigned)o.sa_flags;
		ko.restorer = o.sa_restorer;
		memcpy(&ko.mask, &o.sa_mask, sizeof(ko.mask));
		if (umem_write_parts(&l, &rem, 1) != (long)sizeof(ko))
			return -EFAULT;
	}
	return 0;
}

long shim_rt_sigprocmask(long how, const void *set, void *old, long size)
{
	sigset_t s, o;
	int r;

	if (!fault_owns(SIGSEGV) || size != 8)
		return SHIM_NOT_OWNED;
	if (set != NULL) {
		memset(&s, 0, sizeof(s));
		if (umem_read(&s, set, 8) != 0)
			return -EFAULT;
	}
	r = fault_sigmask((int)how, set != NULL ? &s : NULL, &o);
	if (r == 0 && old != NULL) {
		struct iovec l = {&o, 8}, rem = {old, 8};

		if (umem_write_parts(&l, &rem, 1) != 8)
			return -EFAULT;
	}
	return r;
}
