/* calls: every function libshim.so interposes, declared once.
 *
 * SHIM_CALLS(X) calls X(kind, ret, name, params, args, nr) for each, and is expanded into
 *  - the real-function table, struct real_libc (preload/real.h), and its resolution with
 *    dlsym(RTLD_NEXT) at set-up (preload/init.c);
 *  - the exported wrappers of kinds SYSCALL and FRAME (preload/interpose.c): the raw system call
 *    nr while the call must go straight to the kernel (preload/guard.h: not set up yet, or
 *    re-entered from inside the shim), otherwise intercept_<name>(args) inside the shim's guard;
 *  - the syscall() switch (preload/intercept_syscall.c): syscall(nr, ...) of a SYSCALL or
 *    OWN_SYSCALL entry's number goes to that interposer; any other number is a bare system call.
 *
 * kind:   SYSCALL      wrapper generated, syscall(nr) routed to it (one entry per number)
 *         FRAME        wrapper generated, not routed (send is sendto's number with no address)
 *         SYSCALL_CP, FRAME_CP  the same for a cancellation point (POSIX, and glibc's sendmmsg):
 *                      a deferred pthread_cancel acts at entry and at exit, outside the shim
 *         FAST_CP, FAST_FRAME_CP  SYSCALL_CP, FRAME_CP whose wrapper first tries the per-flow
 *                      fast entry shim_<name>_fast() (include/shim/send_fast.h), inside the guard;
 *                      intercept_<name> answers what it leaves (UDP_FP_MISS)
 *         OWN_SYSCALL  the file writes the exported function itself (variadic), routed
 *         OWN          the file writes the exported function itself, not routed; nr is 0 when
 *                      there is no single system call behind it
 * params: the prototype's parameter list; args: the same names, in parentheses. For the raw
 *         call, missing trailing arguments are 0 (send: sendto with no address).
 *
 * To add an interposer: add one line here (keep the groups by file); for SYSCALL and FRAME write
 * `ret intercept_<name>(params)` in the preload/intercept_*.c file of its group: the body, which
 * runs inside the shim (set up, on a thread not already inside it) and starts with shim_init();
 * for OWN kinds write the exported function (SHIM_EXPORT) and call libc through real.<name>
 * (REAL(name) where it can run before set-up). The trace decoder of a new system call is
 * src/trace/strace_call.c's table (the core below cannot include this layer's list);
 * unit:check_calls checks that every traced entry has its decoder and that syscall() routes each
 * number to one entry, style.interposers that libshim.so exports exactly this list. */
#ifndef SHIM_PRELOAD_CALLS_H
#define SHIM_PRELOAD_CALLS_H

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* clang-format off */
#define SHIM_CALLS(X)                                                                               \
	/* intercept_socket.c */                                                                   \
	X(SYSCALL, int, socket, (int domain, int type, int protocol), (domain, type, protocol), SYS_socket) \
	X(SYSCALL_CP, int, connect, (int fd, const struct sockaddr *addr, socklen_t len), (fd, addr, len), SYS_connect) \
	X(SYSCALL, int, bind, (int fd, const struct sockaddr *addr, socklen_t len), (fd, addr, len), SYS_bind) \
	X(SYSCALL, int, shutdown, (int fd, int how), (fd, how), SYS_shutdown)                      \
	X(SYSCALL, int, setsockopt, (int fd, int level, int name, const void *val, socklen_t len), (fd, level, name, val, len), SYS_setsockopt) \
	X(SYSCALL, int, getsockopt, (int fd, int level, int name, void *val, socklen_t *len), (fd, level, name, val, len), SYS_getsockopt) \
	X(SYSCALL, int, getsockname, (int fd, struct sockaddr *addr, socklen_t *len), (fd, addr, len), SYS_getsockname) \
	X(SYSCALL, int, getpeername, (int fd, struct sockaddr *addr, socklen_t *len), (fd, addr, len), SYS_getpeername) \
	/* intercept_fd.c */                                                                       \
	X(SYSCALL_CP, int, close, (int fd), (fd), SYS_close)                                          \
	X(SYSCALL, int, close_range, (unsigned first, unsigned last, int flags), (first, last, flags), SYS_close_range) \
	X(OWN, void, closefrom, (int lowfd), (lowfd), 0)                                            \
	X(SYSCALL, int, dup, (int oldfd), (oldfd), SYS_dup)                                        \
	X(SYSCALL, int, dup2, (int oldfd, int newfd), (oldfd, newfd), SYS_dup2)                    \
	X(SYSCALL, int, dup3, (int oldfd, int newfd, int flags), (oldfd, newfd, flags), SYS_dup3)  \
	/* intercept_fcntl.c */                                                                    \
	X(OWN_SYSCALL, int, fcntl, (int fd, int cmd, ...), (fd, cmd), SYS_fcntl)                   \
	X(OWN, int, fcntl64, (int fd, int cmd, ...), (fd, cmd), SYS_fcntl)                         \
	/* intercept_send.c */                                                                     \
	X(FAST_CP, ssize_t, sendto, (int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr, socklen_t alen), (fd, buf, len, flags, addr, alen), SYS_sendto) \
	X(FAST_FRAME_CP, ssize_t, send, (int fd, const void *buf, size_t len, int flags), (fd, buf, len, flags), SYS_sendto) \
	X(FAST_CP, ssize_t, sendmsg, (int fd, const struct msghdr *msg, int flags), (fd, msg, flags), SYS_sendmsg) \
	X(SYSCALL_CP, int, sendmmsg, (int fd, struct mmsghdr *vec, unsigned vlen, int flags), (fd, vec, vlen, flags), SYS_sendmmsg) \
	X(SYSCALL_CP, ssize_t, write, (int fd, const void *buf, size_t len), (fd, buf, len), SYS_write) \
	X(SYSCALL_CP, ssize_t, writev, (int fd, const struct iovec *iov, int iovcnt), (fd, iov, iovcnt), SYS_writev) \
	/* intercept_seccomp.c (and syscall(SYS_seccomp), intercept_syscall.c) */                  \
	X(OWN_SYSCALL, int, prctl, (int option, ...), (option), SYS_prctl)                         \
	/* intercept_cancel.c */                                                                   \
	X(OWN, int, pthread_cancel, (pthread_t thread), (thread), 0)                               \
	/* intercept_syscall.c */                                                                  \
	X(OWN, long, syscall, (long number, ...), (number), 0)                                      \
	/* intercept_signal.c */                                                                   \
	X(OWN, int, sigaction, (int sig, const struct sigaction *act, struct sigaction *old), (sig, act, old), 0) \
	X(OWN, int, __sigaction, (int sig, const struct sigaction *act, struct sigaction *old), (sig, act, old), 0) \
	X(OWN, __sighandler_t, signal, (int sig, __sighandler_t h), (sig, h), 0)                     \
	X(OWN, __sighandler_t, bsd_signal, (int sig, __sighandler_t h), (sig, h), 0)                 \
	X(OWN, __sighandler_t, ssignal, (int sig, __sighandler_t h), (sig, h), 0)                    \
	X(OWN, __sighandler_t, sysv_signal, (int sig, __sighandler_t h), (sig, h), 0)                \
	X(OWN, __sighandler_t, __sysv_signal, (int sig, __sighandler_t h), (sig, h), 0)              \
	X(OWN, __sighandler_t, sigset, (int sig, __sighandler_t disp), (sig, disp), 0)               \
	X(OWN, int, sigprocmask, (int how, const sigset_t *set, sigset_t *old), (how, set, old), 0)  \
	X(OWN, int, pthread_sigmask, (int how, const sigset_t *set, sigset_t *old), (how, set, old), 0) \
	X(OWN, int, sigsuspend, (const sigset_t *m), (m), 0)                                         \
	/* intercept_fork.c */                                                                     \
	X(OWN, pid_t, fork, (void), (), 0)                                                          \
	X(OWN, pid_t, _Fork, (void), (), 0)                                                         \
	X(OWN, pid_t, vfork, (void), (), 0) /* in assembly */                                       \
	/* intercept_ns.c: the listener thread ended for a call that needs a single thread */        \
	X(OWN, int, unshare, (int flags), (flags), 0)                                               \
	X(OWN, int, setns, (int fd, int nstype), (fd, nstype), 0)                                   \
	/* intercept_wait.c: held frames go out first (coalescing) */                              \
	X(OWN, int, poll, (struct pollfd *fds, nfds_t n, int timeout), (fds, n, timeout), 0)         \
	X(OWN, int, ppoll, (struct pollfd *fds, nfds_t n, const struct timespec *t, const sigset_t *m), (fds, n, t, m), 0) \
	X(OWN, int, select, (int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *t), (n, r, w, e, t), 0) \
	X(OWN, int, pselect, (int n, fd_set *r, fd_set *w, fd_set *e, const struct timespec *t, const sigset_t *m), (n, r, w, e, t, m), 0) \
	X(OWN, int, epoll_wait, (int epfd, struct epoll_event *ev, int max, int timeout), (epfd, ev, max, timeout), 0) \
	X(OWN, int, epoll_pwait, (int epfd, struct epoll_event *ev, int max, int timeout, const sigset_t *m), (epfd, ev, max, timeout, m), 0) \
	X(OWN, int, epoll_pwait2, (int epfd, struct epoll_event *ev, int max, const struct timespec *t, const sigset_t *m), (epfd, ev, max, t, m), 0) \
	X(OWN, ssize_t, recv, (int fd, void *buf, size_t len, int flags), (fd, buf, len, flags), 0) \
	X(OWN, ssize_t, recvfrom, (int fd, void *buf, size_t len, int flags, struct sockaddr *a, socklen_t *alen), (fd, buf, len, flags, a, alen), 0) \
	X(OWN, ssize_t, recvmsg, (int fd, struct msghdr *msg, int flags), (fd, msg, flags), 0)       \
	X(OWN, int, recvmmsg, (int fd, struct mmsghdr *vec, unsigned vlen, int flags, struct timespec *t), (fd, vec, vlen, flags, t), 0) \
	X(OWN, ssize_t, read, (int fd, void *buf, size_t len), (fd, buf, len), 0)                   \
	X(OWN, int, nanosleep, (const struct timespec *req, struct timespec *rem), (req, rem), 0)    \
	X(OWN, int, clock_nanosleep, (clockid_t clk, int flags, const struct timespec *req, struct timespec *rem), (clk, flags, req, rem), 0) \
	X(OWN, int, usleep, (useconds_t us), (us), 0)                                               \
	X(OWN, unsigned, sleep, (unsigned s), (s), 0)                                               \
	X(OWN, int, execve, (const char *path, char *const argv[], char *const envp[]), (path, argv, envp), 0) \
	X(OWN, int, execv, (const char *path, char *const argv[]), (path, argv), 0)                 \
	X(OWN, int, execvp, (const char *file, char *const argv[]), (file, argv), 0)                \
	X(OWN, int, execvpe, (const char *file, char *const argv[], char *const envp[]), (file, argv, envp), 0) \
	X(OWN, int, fexecve, (int fd, char *const argv[], char *const envp[]), (fd, argv, envp), 0)
/* clang-format on */

#define SHIM_UNPAREN(...) __VA_ARGS__

/* The bodies of the generated wrappers (kinds SYSCALL and FRAME). */
#define SHIM_BODY_DECL(kind, ret, name, params, args, nr) SHIM_BODY_DECL_##kind(ret, name, params)
#define SHIM_BODY_DECL_SYSCALL(ret, name, params)	  ret intercept_##name params;
#define SHIM_BODY_DECL_FRAME(ret, name, params)		  ret intercept_##name params;
#define SHIM_BODY_DECL_SYSCALL_CP(ret, name, params)	  ret intercept_##name params;
#define SHIM_BODY_DECL_FRAME_CP(ret, name, params)	  ret intercept_##name params;
#define SHIM_BODY_DECL_FAST_CP(ret, name, params)	  ret intercept_##name params;
#define SHIM_BODY_DECL_FAST_FRAME_CP(ret, name, params)	  ret intercept_##name params;
#define SHIM_BODY_DECL_OWN_SYSCALL(ret, name, params)
#define SHIM_BODY_DECL_OWN(ret, name, params)
SHIM_CALLS(SHIM_BODY_DECL)

#endif
