/* intercept_wait: the calls before which datagrams held by the coalescing mode go out (see
 * include/shim/coalesce.h) — the program waits, sleeps, reads or replaces itself. With coalescing
 * off (the default) each is one predictable branch in front of libc's function. They are not
 * traced: the trace shows the calls the shim answers or passes on. */
#include "shim/coalesce.h"
#include "shim/fault.h"

#include <dlfcn.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SHIM_EXPORT __attribute__((visibility("default")))

/* libc's own function, looked up on first use (a race only looks it up twice). */
#define REAL(name)                                                                                 \
	({                                                                                         \
		static __typeof__(&name) p_;                                                       \
		if (__builtin_expect(p_ == NULL, 0))                                               \
			p_ = (__typeof__(&name))dlsym(RTLD_NEXT, #name);                           \
		p_;                                                                                \
	})

SHIM_EXPORT int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	coalesce_before_wait();
	return REAL(poll)(fds, n, timeout);
}

SHIM_EXPORT int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *t, const sigset_t *m)
{
	sigset_t k;

	coalesce_before_wait();
	return REAL(ppoll)(fds, n, t, fault_wait_mask(m, &k));
}

SHIM_EXPORT int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *t)
{
	coalesce_before_wait();
	return REAL(select)(n, r, w, e, t);
}

SHIM_EXPORT int pselect(int n, fd_set *r, fd_set *w, fd_set *e, const struct timespec *t,
			const sigset_t *m)
{
	sigset_t k;

	coalesce_before_wait();
	return REAL(pselect)(n, r, w, e, t, fault_wait_mask(m, &k));
}

SHIM_EXPORT int epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
	coalesce_before_wait();
	return REAL(epoll_wait)(epfd, ev, max, timeout);
}

SHIM_EXPORT int epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout,
			    const sigset_t *m)
{
	sigset_t k;

	coalesce_before_wait();
	return REAL(epoll_pwait)(epfd, ev, max, timeout, fault_wait_mask(m, &k));
}

SHIM_EXPORT int epoll_pwait2(int epfd, struct epoll_event *ev, int max, const struct timespec *t,
			     const sigset_t *m)
{
	sigset_t k;

	coalesce_before_wait();
	return REAL(epoll_pwait2)(epfd, ev, max, t, fault_wait_mask(m, &k));
}

SHIM_EXPORT ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	coalesce_before_wait();
	return REAL(recv)(fd, buf, len, flags);
}

SHIM_EXPORT ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *a,
			     socklen_t *alen)
{
	coalesce_before_wait();
	return REAL(recvfrom)(fd, buf, len, flags, a, alen);
}

SHIM_EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	coalesce_before_wait();
	return REAL(recvmsg)(fd, msg, flags);
}

SHIM_EXPORT int recvmmsg(int fd, struct mmsghdr *vec, unsigned vlen, int flags, struct timespec *t)
{
	coalesce_before_wait();
	return REAL(recvmmsg)(fd, vec, vlen, flags, t);
}

SHIM_EXPORT ssize_t read(int fd, void *buf, size_t len)
{
	coalesce_before_wait();
	return REAL(read)(fd, buf, len);
}

SHIM_EXPORT int nanosleep(const struct timespec *req, struct timespec *rem)
{
	coalesce_before_wait();
	return REAL(nanosleep)(req, rem);
}

SHIM_EXPORT int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req,
				struct timespec *rem)
{
	coalesce_before_wait();
	return REAL(clock_nanosleep)(clk, flags, req, rem);
}

SHIM_EXPORT int usleep(useconds_t us)
{
	coalesce_before_wait();
	return REAL(usleep)(us);
}

SHIM_EXPORT unsigned sleep(unsigned s)
{
	coalesce_before_wait();
	return REAL(sleep)(s);
}

SHIM_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	coalesce_before_wait();
	return REAL(execve)(path, argv, envp);
}

SHIM_EXPORT int execv(const char *path, char *const argv[])
{
	coalesce_before_wait();
	return REAL(execv)(path, argv);
}

SHIM_EXPORT int execvp(const char *file, char *const argv[])
{
	coalesce_before_wait();
	return REAL(execvp)(file, argv);
}

SHIM_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	coalesce_before_wait();
	return REAL(execvpe)(file, argv, envp);
}

SHIM_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	coalesce_before_wait();
	return REAL(fexecve)(fd, argv, envp);
}
