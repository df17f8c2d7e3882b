/* real: the libc functions libshim.so stands in front of, resolved with dlsym(RTLD_NEXT). */
#ifndef SHIM_PRELOAD_REAL_H
#define SHIM_PRELOAD_REAL_H

#include "calls.h"

#include <dlfcn.h>

#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

/* One pointer per interposed function (preload/calls.h), resolved at set-up. */
#define SHIM_REAL_FIELD(kind, ret, name, params, args, nr) ret(*name) params;
struct real_libc {
	SHIM_CALLS(SHIM_REAL_FIELD)
};

extern struct real_libc real;

/* libc's function name, also before the set-up resolved it (a call from another library's
 * constructor): then looked up now. */
#define REAL(name)                                                                                 \
	(__builtin_expect(real.name != NULL, 1) ? real.name                                        \
						: (__typeof__(real.name))dlsym(RTLD_NEXT, #name))

/* SHIM_MODE=bypass and the packet socket is open: owned sockets send through the shim. */
extern bool shim_bypass;

/* The prologue of every interposer's body: a forked child becomes a new process, SHIM_SUMMARY
 * times the call. The one-time set-up (real libc symbols, configuration) is the constructor's
 * (preload/init.c); until it is done interposed calls go straight to the kernel (preload/guard.h).
 */
void shim_init(void);

/* Before the program installs a seccomp filter: the shim steps aside for good (preload/init.c). */
void shim_seccomp_begin(void);

/* syscall(SYS_seccomp, op, ...): before the system call (preload/intercept_seccomp.c). */
void shim_seccomp_syscall(long op);

/* syscall(SYS_rt_sigaction / SYS_rt_sigprocmask) for SIGSEGV/SIGBUS and masks
 * (preload/intercept_signal.c): the raw answer, or SHIM_NOT_OWNED for libc's syscall(). */
long shim_rt_sigaction(long sig, const void *kact, void *kold, long size);
long shim_rt_sigprocmask(long how, const void *set, void *old, long size);

#endif
