/* real: the libc functions libshim.so stands in front of, resolved with dlsym(RTLD_NEXT). */
#ifndef SHIM_PRELOAD_REAL_H
#define SHIM_PRELOAD_REAL_H

#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

struct real_libc {
	int (*socket)(int, int, int);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*close)(int);
	int (*close_range)(unsigned, unsigned, int);
	void (*closefrom)(int);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
	int (*fcntl64)(int, int, ...);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	int (*sendmmsg)(int, struct mmsghdr *, unsigned, int);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*writev)(int, const struct iovec *, int);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	int (*shutdown)(int, int);
	long (*syscall)(long, ...);
	int (*sigaction)(int, const struct sigaction *, struct sigaction *);
	__sighandler_t (*signal)(int, __sighandler_t);
	__sighandler_t (*sysv_signal)(int, __sighandler_t);
	__sighandler_t (*sigset)(int, __sighandler_t);
	int (*sigprocmask)(int, const sigset_t *, sigset_t *);
	int (*pthread_sigmask)(int, const sigset_t *, sigset_t *);
	int (*sigsuspend)(const sigset_t *);
};

extern struct real_libc real;

/* SHIM_MODE=bypass and the packet socket is open: owned sockets send through the shim. */
extern bool shim_bypass;

/* The prologue of every interposer's body: a forked child becomes a new process, SHIM_SUMMARY
 * times the call. The one-time set-up (real libc symbols, configuration) is the constructor's
 * (preload/init.c); until it is done interposed calls go straight to the kernel (preload/guard.h).
 */
void shim_init(void);

/* syscall(SYS_rt_sigaction / SYS_rt_sigprocmask) for SIGSEGV/SIGBUS and masks
 * (preload/intercept_signal.c): the raw answer, or SHIM_NOT_OWNED for libc's syscall(). */
long shim_rt_sigaction(long sig, const void *kact, void *kold, long size);
long shim_rt_sigprocmask(long how, const void *set, void *old, long size);

#endif
