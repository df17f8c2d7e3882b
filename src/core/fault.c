/* fault: the shim's SIGSEGV/SIGBUS handler and the program's own actions for them (see
 * include/shim/fault.h). Everything here is async-signal-safe: raw system calls, no allocation,
 * no lock a handler could wait on (the records are read with a sequence count; they are written
 * with every signal blocked). */
#include "shim/fault.h"
#include "shim/rawsys.h"
#include "shim/shim_lock.h"
#include "shim/ucopy.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
#define SIG_BIT(s)  (1ULL << ((s)-1))
#define FAULT_SIGS  (SIG_BIT(SIGSEGV) | SIG_BIT(SIGBUS))
#define LIBC_SIGS   (SIG_BIT(32) | SIG_BIT(33)) /* SIGCANCEL, SIGSETXID: libc never blocks them */
#define NSIG_KERNEL 64

/* The kernel's struct sigaction on x86-64 (rt_sigaction with an 8-byte mask). */
struct k_sigaction {
	void *handler;
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

/* The return path of a handler (what libc's sigaction installs as sa_restorer): rt_sigreturn. */
void fault_restore_rt(void) __attribute__((visibility("hidden")));
__asm__("	.text\n"
	"	.p2align 4\n"
	"	.type	fault_restore_rt, @function\n"
	"fault_restore_rt:\n"
	"	movq	$15, %rax\n"
	"	syscall\n"
	"	.size	fault_restore_rt, .-fault_restore_rt\n");

int fault_safe_global;
__thread __attribute__((tls_model("initial-exec"))) int fault_in_program_handler;

/* What the program believes blocked of SIGSEGV/SIGBUS on this thread. */
static __thread __attribute__((tls_model("initial-exec"))) uint64_t view_blocked;

/* The program's actions: [0] SIGSEGV, [1] SIGBUS. */
static struct {
	unsigned seq; /* odd while written */
	struct sigaction sa;
} prog[2];
static bool installed_once;
static int in_kernel[2];	/* the shim's handler holds the signal in the kernel */
SHIM_LOCK_DEFINE(records_lock); /* taken with every signal blocked */
/* per signal: which of SIGSEGV/SIGBUS the program put in its handler's sa_mask */
static uint64_t mask_given[NSIG_KERNEL + 1];

static int slot(int sig)
{
	return sig == SIGBUS;
}

bool fault_owns(int sig)
{
	return (sig == SIGSEGV || sig == SIGBUS) &&
	       __atomic_load_n(&installed_once, __ATOMIC_ACQUIRE);
}

static uint64_t kmask(const sigset_t *s)
{
	uint64_t m;

	memcpy(&m, s, sizeof(m));
	return m;
}

static void set_kmask(sigset_t *s, uint64_t m)
{
	memcpy(s, &m, sizeof(m));
}

static void block_all(uint64_t *saved)
{
	uint64_t all = ~0ULL;

	rawsys4(SYS_rt_sigprocmask, SIG_BLOCK, &all, saved, 8);
}

static void restore_mask(const uint64_t *saved)
{
	rawsys4(SYS_rt_sigprocmask, SIG_SETMASK, saved, NULL, 8);
}

static void lock_records(uint64_t *saved)
{
	block_all(saved);
	shim_lock_acquire(&records_lock);
}

static void unlock_records(const uint64_t *saved)
{
	shim_lock_release(&records_lock);
	restore_mask(saved);
}

/* The program's action for slot i, as a consistent copy (a handler may read it while another
 * thread writes it). */
static void read_record(int i, struct sigaction *out)
{
	unsigned s1, s2;

	do {
		s1 = __atomic_load_n(&prog[i].seq, __ATOMIC_ACQUIRE);
		memcpy(out, &prog[i].sa, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&prog[i].seq, __ATOMIC_RELAXED);
	} while ((s1 & 1) || s1 != s2);
}

static void write_record(int i, const struct sigaction *sa)
{
	__atomic_store_n(&prog[i].seq, prog[i].seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(&prog[i].sa, sa, sizeof(*sa));
	__atomic_store_n(&prog[i].seq, prog[i].seq + 1, __ATOMIC_RELEASE);
}

static void fault_handler(int sig, siginfo_t *si, void *uc);

/* The kernel's action for slot i from the program's: SIG_IGN as it is, anything else the shim's
 * handler with the program's flags and mask (SIGSEGV/SIGBUS out of the mask). Records lock held.
 */
static int install_kernel(int sig, const struct sigaction *sa)
{
	struct k_sigaction k = {0};
	int i = slot(sig);
	long r;

	if (sa->sa_handler == SIG_IGN) {
		k.handler = SIG_IGN;
		k.flags = SA_RESTORER;
	} else {
		k.handler = (void *)fault_handler;
		k.flags = SA_SIGINFO | SA_RESTORER;
		if (sa->sa_handler != SIG_DFL)
			k.flags |=
			    (unsigned long)sa->sa_flags & (SA_ONSTACK | SA_NODEFER | SA_RESTART);
		k.mask =
		    sa->sa_handler != SIG_DFL ? kmask(&sa->sa_mask) & ~(FAULT_SIGS | LIBC_SIGS) : 0;
	}
	k.restorer = fault_restore_rt;
	r = rawsys4(SYS_rt_sigaction, sig, &k, NULL, 8);
	if (r < 0)
		return (int)r;
	__atomic_store_n(&in_kernel[i], k.handler == (void *)fault_handler, __ATOMIC_RELAXED);
	__atomic_store_n(&fault_safe_global, in_kernel[0] && in_kernel[1], __ATOMIC_RELEASE);
	return 0;
}

int fault_handler_install(void)
{
	static const int sigs[2] = {SIGSEGV, SIGBUS};
	uint64_t saved;
	int err = 0;

	if (__atomic_load_n(&installed_once, __ATOMIC_ACQUIRE))
		return 0;
	lock_records(&saved);
	for (int n = 0; !installed_once && err == 0 && n < 2; n++) {
		struct k_sigaction k;
		struct sigaction sa;

		err = (int)rawsys4(SYS_rt_sigaction, sigs[n], NULL, &k, 8);
		if (err < 0)
			break;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = (__sighandler_t)k.handler;
		sa.sa_flags = (int)k.flags;
		sa.sa_restorer = k.restorer;
		set_kmask(&sa.sa_mask, k.mask);
		write_record(slot(sigs[n]), &sa);
		err = install_kernel(sigs[n], &sa);
	}
	if (err == 0 && !installed_once) {
		/* a mask inherited across exec: the program keeps its view, the kernel unblocks */
		view_blocked = saved & FAULT_SIGS;
		saved &= ~FAULT_SIGS;
		__atomic_store_n(&installed_once, true, __ATOMIC_RELEASE);
	}
	unlock_records(&saved);
	return err;
}

int fault_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct sigaction cur, next;
	uint64_t saved;
	int i = slot(sig), err = 0;

	lock_records(&saved);
	read_record(i, &cur);
	if (act != NULL) {
		memcpy(&next, act, sizeof(next));
		/* as libc's sigaction leaves it in the kernel: its own return path */
		next.sa_flags |= SA_RESTORER;
		next.sa_restorer = fault_restore_rt;
		err = install_kernel(sig, &next);
		if (err == 0)
			write_record(i, &next);
	}
	unlock_records(&saved);
	if (err == 0 && old != NULL)
		memcpy(old, &cur, sizeof(*old));
	return err;
}

/* The default action for a fault: restored in the kernel, and the signal queued again to this
 * thread with its siginfo; it is delivered once the handler returns (the signal is blocked in
 * it), or at once with SA_NODEFER. A fault of an instruction also recurs when it runs again. */
static void take_default(int sig, siginfo_t *si)
{
	struct k_sigaction k = {0};
	struct sigaction dfl;
	uint64_t saved;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	block_all(&saved);
	k.handler = SIG_DFL;
	k.flags = SA_RESTORER;
	k.restorer = fault_restore_rt;
	rawsys4(SYS_rt_sigaction, sig, &k, NULL, 8);
	__atomic_store_n(&in_kernel[slot(sig)], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&fault_safe_global, 0, __ATOMIC_RELEASE);
	restore_mask(&saved);
	rawsys4(SYS_rt_tgsigqueueinfo, rawsys0(SYS_getpid), rawsys0(SYS_gettid), sig, si);
}

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
	struct sigaction sa;
	bool from_kernel = si->si_code > 0; /* SI_USER, SI_QUEUE, SI_TKILL ... are <= 0 */

	if (from_kernel && ucopy_fixup_exception(uc))
		return; /* the copy answers EFAULT */
	read_record(slot(sig), &sa);
	/* a fault the program has blocked is forced to the default action (force_sig_fault) */
	if (sa.sa_handler == SIG_DFL || sa.sa_handler == SIG_IGN ||
	    (from_kernel && (view_blocked & SIG_BIT(sig)))) {
		if (sa.sa_handler == SIG_IGN && !from_kernel)
			return;
		take_default(sig, si);
		return;
	}
	if (sa.sa_flags & SA_RESETHAND) {
		struct sigaction dfl;
		uint64_t saved;

		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		dfl.sa_flags = SA_RESTORER;
		dfl.sa_restorer = fault_restore_rt;
		lock_records(&saved);
		if (install_kernel(sig, &dfl) == 0)
			write_record(slot(sig), &dfl);
		unlock_records(&saved);
	}
	fault_in_program_handler++;
	if (sa.sa_flags & SA_SIGINFO)
		sa.sa_sigaction(sig, si, uc);
	else
		sa.sa_handler(sig);
	fault_in_program_handler--;
}

int fault_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	uint64_t want = 0, k_old = 0, view_old = view_blocked, *pw = NULL;
	long r;

	if (set != NULL) {
		uint64_t s = kmask(set);

		switch (how) {
		case SIG_BLOCK:
			view_blocked |= s & FAULT_SIGS;
			break;
		case SIG_UNBLOCK:
			view_blocked &= ~(s & FAULT_SIGS);
			break;
		case SIG_SETMASK:
			view_blocked = s & FAULT_SIGS;
			break;
		default:
			return -EINVAL;
		}
		want = s & ~(FAULT_SIGS | LIBC_SIGS);
		if (how == SIG_UNBLOCK)
			want = s; /* unblocking is never harmful */
		pw = &want;
	}
	r = rawsys4(SYS_rt_sigprocmask, how, pw, &k_old, 8);
	if (r < 0) {
		view_blocked = view_old;
		return (int)r;
	}
	if (old != NULL) {
		memset(old, 0, sizeof(*old));
		set_kmask(old, (k_old & ~FAULT_SIGS) | view_old);
	}
	return 0;
}

void fault_mask_strip(int sig, sigset_t *mask)
{
	uint64_t m = kmask(mask);

	if (sig > 0 && sig <= NSIG_KERNEL)
		__atomic_store_n(&mask_given[sig], m & FAULT_SIGS, __ATOMIC_RELAXED);
	set_kmask(mask, m & ~FAULT_SIGS);
}

void fault_mask_view(int sig, sigset_t *mask)
{
	if (sig > 0 && sig <= NSIG_KERNEL)
		set_kmask(mask, kmask(mask) | __atomic_load_n(&mask_given[sig], __ATOMIC_RELAXED));
}

int fault_raw_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct k_sigaction ka, ko;
	long r;

	if (sig <= 0 || sig > NSIG_KERNEL || sig == 32 || sig == 33)
		return -EINVAL; /* libc keeps SIGCANCEL and SIGSETXID for itself */
	if (act != NULL) {
		ka.handler = (void *)act->sa_handler;
		ka.flags = (unsigned long)(unsigned)act->sa_flags | SA_RESTORER;
		ka.restorer = fault_restore_rt;
		ka.mask = kmask(&act->sa_mask);
	}
	r = rawsys4(SYS_rt_sigaction, sig, act != NULL ? &ka : NULL, old != NULL ? &ko : NULL, 8);
	if (r < 0)
		return (int)r;
	if (old != NULL) {
		memset(old, 0, sizeof(*old));
		old->sa_handler = (__sighandler_t)ko.handler;
		old->sa_flags = (int)ko.flags;
		old->sa_restorer = ko.restorer;
		set_kmask(&old->sa_mask, ko.mask);
	}
	return 0;
}

int fault_raw_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	uint64_t want = 0, k_old = 0;
	long r;

	if (set != NULL)
		want = how == SIG_UNBLOCK ? kmask(set) : kmask(set) & ~LIBC_SIGS;
	r = rawsys4(SYS_rt_sigprocmask, how, set != NULL ? &want : NULL, &k_old, 8);
	if (r < 0)
		return (int)r;
	if (old != NULL) {
		memset(old, 0, sizeof(*old));
		set_kmask(old, k_old);
	}
	return 0;
}

int fault_thread_recheck(void)
{
	uint64_t cur = 0;

	if (fault_in_program_handler == 0)
		return 1;
	/* a handler left by siglongjmp leaves the count set: what matters is the mask now */
	if (rawsys4(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &cur, 8) == 0 && !(cur & FAULT_SIGS)) {
		fault_in_program_handler = 0;
		return 1;
	}
	return 0;
}

const sigset_t *fault_wait_mask(const sigset_t *m, sigset_t *copy)
{
	uint64_t v;

	/* read as the kernel will (eight bytes); an unreadable one is the kernel's EFAULT */
	if (m == NULL || !__atomic_load_n(&fault_safe_global, __ATOMIC_RELAXED) ||
	    fault_in_program_handler || (uintptr_t)m > 0x00007ffffffff000UL - sizeof(v) ||
	    ucopy_load8(&v, m) || !(v & FAULT_SIGS))
		return m;
	memset(copy, 0, sizeof(*copy));
	set_kmask(copy, v & ~FAULT_SIGS);
	return copy;
}
