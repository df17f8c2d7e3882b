/* fault: the shim's SIGSEGV/SIGBUS handler, which turns a fault in a ucopy instruction into an
 * EFAULT answer and hands every other fault to the program's own action, as if the shim were not
 * there.
 *
 * The program's actions for SIGSEGV and SIGBUS are recorded here (what it set through sigaction,
 * signal, sigset ... interposed by preload/intercept_signal.c, or what was in place when the
 * shim started), and sigaction(old) answers with them; the kernel holds the shim's handler with
 * the program's flags and mask. The handler, for a fault outside ucopy:
 *  - the program's handler: called with the same (signal, siginfo, context), after SA_RESETHAND
 *    took effect; the kernel already applied the program's sa_mask, SA_NODEFER and SA_ONSTACK;
 *  - the default action (or a fault the program had blocked, which the kernel forces): the
 *    default is restored in the kernel and the signal queued again with its siginfo, so the
 *    process ends (with a core) as it would have;
 *  - SIG_IGN is the kernel's own (the shim's handler is not installed then; umem reads through
 *    process_vm_readv).
 * SIGSEGV and SIGBUS are never blocked in the kernel (a fault in ucopy while they are would be
 * forced to the default action): the program's sigprocmask/pthread_sigmask and the sa_mask of its
 * handlers are kept in its view only (fault_sigmask, fault_mask_strip/fault_mask_view). */
#ifndef SHIM_FAULT_H
#define SHIM_FAULT_H

#include <signal.h>
#include <stdbool.h>

/* Record the current actions of SIGSEGV and SIGBUS as the program's and put the shim's handler in
 * their place. Once per process (a forked child inherits both). Returns 0 or -errno. */
int fault_handler_install(void);

/* Whether sig's action is the shim's to record (SIGSEGV or SIGBUS, once installed). */
bool fault_owns(int sig);

/* sigaction for SIGSEGV/SIGBUS: old gets the program's recorded action, act (if any) becomes it.
 * Returns 0 or -errno. */
int fault_sigaction(int sig, const struct sigaction *act, struct sigaction *old);

/* Whether the shim's handler holds both signals in the kernel: ucopy may then fault. Read on the
 * send path (one load). */
extern int fault_safe_global;

/* Non-zero on a thread while the program's own SIGSEGV/SIGBUS handler runs, called from the
 * shim's (the signal is blocked there unless SA_NODEFER: a ucopy fault would end the process). */
extern __thread __attribute__((tls_model("initial-exec"))) int fault_in_program_handler;

/* Where fault_in_program_handler is set: whether SIGSEGV and SIGBUS are blocked in the kernel on
 * this thread now (one system call); when they are not (the program's handler returned with
 * siglongjmp, or runs with SA_NODEFER), the count is cleared and 1 returned. */
int fault_thread_recheck(void);

/* pthread_sigmask for the program: SIGSEGV and SIGBUS are never blocked in the kernel, and the
 * program sees them as it set them. Returns 0 or -errno (SIGCANCEL and SIGSETXID are left as
 * libc leaves them: never blocked). */
int fault_sigmask(int how, const sigset_t *set, sigset_t *old);

/* An sa_mask on its way to the kernel (SIGSEGV and SIGBUS taken out), and the program's view of
 * the mask of sig's action (put back what it gave). */
void fault_mask_strip(int sig, sigset_t *mask);
void fault_mask_view(int sig, sigset_t *mask);

/* The mask of a sigsuspend, ppoll, pselect or epoll_pwait on its way to the kernel: m itself, or
 * its copy in *copy without SIGSEGV and SIGBUS (a handler run during the wait may send). */
const sigset_t *fault_wait_mask(const sigset_t *m, sigset_t *copy);

/* libc's sigaction and pthread_sigmask over raw system calls, for the calls that come before the
 * shim resolved libc's (another library's constructor, a sanitizer's start): never run the shim's
 * initialisation from there. Return 0 or -errno. */
int fault_raw_sigaction(int sig, const struct sigaction *act, struct sigaction *old);
int fault_raw_sigmask(int how, const sigset_t *set, sigset_t *old);

#endif
