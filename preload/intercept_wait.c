/* intercept_wait: the calls before which datagrams held by the coalescing mode go out (see
 * include/shim/coalesce.h) — the program waits, sleeps, reads or replaces itself. With coalescing
 * off (the default) each is one predictable branch in front of libc's function. They are not
 * traced: the trace shows the calls the shim answers or passes on. */
#include "real.h"
#include "shim/coalesce.h"
#include "shim/guard.h"
#include "shim/fault.h"

#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "export.h"

/* Held datagrams go out first, unless this thread is inside the shim: a call the shim made, or a
 * vfork child (preload/intercept_fork.c), whose memory is the parent's. */
static inline void held_out(void)
{
	if (!shim_inside())
		coalesce_before_wait();
}

SHIM_EXPORT int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	held_out();
	return REAL(poll)(fds, n, timeout);
}

SHIM_EXPORT int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *t, const sigset_t *m)
{
	sigset_t k;

	held_out();
	return REAL(ppoll)(fds, n, t, fault_wait_mask(m, &k));
}

SHIM_EXPORT int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *t)
{
	held_out();
	return REAL(select)(n, r, w, e, t);
}

SHIM_EXPORT int pselect(int n, fd_set *r, fd_set *w, fd_set *e, const struct timespec *t,
			const sigset_t *m)
{
	sigset_t k;

	held_out();
	return REAL(pselect)(n, r, w, e, t, fault_wait_mask(m, &k));
}

SHIM_EXPORT int epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
	held_out();
	return REAL(epoll_wait)(epfd, ev, max, timeout);
}

SHIM_EXPORT int epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout,
			    const sigset_t *m)
{
	sigset_t k;

	held_out();
	return REAL(epoll_pwait)(epfd, ev, max, timeout, fault_wait_mask(m, &k));
}

SHIM_EXPORT int epoll_pwait2(int epfd, struct epoll_event *ev, int max, const struct timespec *t,
			     const sigset_t *m)
{
	sigset_t k;

	held_out();
	return REAL(epoll_pwait2)(epfd, ev, max, t, fault_wait_mask(m, &k));
}

SHIM_EXPORT ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	held_out();
	return REAL(recv)(fd, buf, len, flags);
}

SHIM_EXPORT ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *a,
			     socklen_t *alen)
{
	held_out();
	return REAL(recvfrom)(fd, buf, len, flags, a, alen);
}

SHIM_EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	held_out();
	return REAL(recvmsg)(fd, msg, flags);
}

SHIM_EXPORT int recvmmsg(int fd, struct mmsghdr *vec, unsigned vlen, int flags, struct timespec *t)
{
	held_out();
	return REAL(recvmmsg)(fd, vec, vlen, flags, t);
}

SHIM_EXPORT ssize_t read(int fd, void *buf, size_t len)
{
	held_out();
	return REAL(read)(fd, buf, len);
}

SHIM_EXPORT int nanosleep(const struct timespec *req, struct timespec *rem)
{
	held_out();
	return REAL(nanosleep)(req, rem);
}

SHIM_EXPORT int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req,
				struct timespec *rem)
{
	held_out();
	return REAL(clock_nanosleep)(clk, flags, req, rem);
}

SHIM_EXPORT int usleep(useconds_t us)
{
	held_out();
	return REAL(usleep)(us);
}

SHIM_EXPORT unsigned sleep(unsigned s)
{
	held_out();
	return REAL(sleep)(s);
}

SHIM_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	held_out();
	return REAL(execve)(path, argv, envp);
}

SHIM_EXPORT int execv(const char *path, char *const argv[])
{
	held_out();
	return REAL(execv)(path, argv);
}

SHIM_EXPORT int execvp(const char *file, char *const argv[])
{
	held_out();
	return REAL(execvp)(file, argv);
}

SHIM_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	held_out();
	return REAL(execvpe)(file, argv, envp);
}

SHIM_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	held_out();
	return REAL(fexecve)(fd, argv, envp);
}
