/* intercept_socket: the bodies of socket, connect, bind, shutdown, setsockopt, getsockopt,
 * getsockname, getpeername (preload/calls.h). */
#include "hook.h"

#include "shim/fdevents.h"
#include "shim/sockevents.h"
#include "shim/umem.h"

int intercept_socket(int domain, int type, int protocol)
{
	int ret, err;

	shim_init();
	ret = real.socket(domain, type, protocol);
	err = errno;
	fdev_socket(ret, domain, type, protocol);
	TRACE_SYSCALL(SYS_socket, ret, err, A(domain), A(type), A(protocol));
	errno = err;
	return ret;
}

int intercept_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	int ret, err;

	shim_init();
	CALL_UNLESS_INTERNAL(fd, ret, err, real.connect(fd, addr, len));
	if (shim_bypass)
		sockev_connect(fd, addr, len, ret, err);
	TRACE_SYSCALL(SYS_connect, ret, err, A(fd), A(addr), A(len));
	errno = err;
	return ret;
}

int intercept_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	int ret, err;

	shim_init();
	CALL_UNLESS_INTERNAL(fd, ret, err, real.bind(fd, addr, len));
	if (shim_bypass)
		sockev_bind(fd, len, ret, err);
	TRACE_SYSCALL(SYS_bind, ret, err, A(fd), A(addr), A(len));
	errno = err;
	return ret;
}

int intercept_shutdown(int fd, int how)
{
	int ret, err;

	shim_init();
	CALL_UNLESS_INTERNAL(fd, ret, err, real.shutdown(fd, how));
	if (shim_bypass)
		sockev_shutdown(fd, how, ret, err);
	TRACE_SYSCALL(SYS_shutdown, ret, err, A(fd), A(how));
	errno = err;
	return ret;
}

int intercept_setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	int ret, err;

	shim_init();
	CALL_UNLESS_INTERNAL(fd, ret, err, real.setsockopt(fd, level, name, val, len));
	if (shim_bypass)
		sockev_setsockopt(fd, level, name, val, len, ret, err);
	TRACE_SYSCALL(SYS_setsockopt, ret, err, A(fd), A(level), A(name), A(val), A(len));
	errno = err;
	return ret;
}

int intercept_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	unsigned long len_before = 0;
	socklen_t before;
	int ret, err;

	shim_init();
	/* strace prints the optlen the call started with when the call fails (or when it changed:
	 * "[8 => 4]"): keep it for the trace in the sixth, unused argument slot */
	if (trace_calls_enabled && len != NULL && umem_read(&before, len, sizeof(before)) == 0)
		len_before = (1UL << 32) | before;
	CALL_UNLESS_INTERNAL(fd, ret, err, real.getsockopt(fd, level, name, val, len));
	TRACE_SYSCALL(SYS_getsockopt, ret, err, A(fd), A(level), A(name), A(val), A(len),
		      len_before);
	errno = err;
	return ret;
}

/* getsockname, getpeername: the kernel's inet_getname holds the socket lock, whose release may
 * look a stale connected route up again (sockev_getname) */
int intercept_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	unsigned long len_before = 0;
	socklen_t before;
	int ret, err;

	shim_init();
	if (trace_calls_enabled && len != NULL && umem_read(&before, len, sizeof(before)) == 0)
		len_before = (1UL << 32) | before;
	CALL_UNLESS_INTERNAL(fd, ret, err, real.getsockname(fd, addr, len));
	if (shim_bypass)
		sockev_getname(fd);
	TRACE_SYSCALL(SYS_getsockname, ret, err, A(fd), A(addr), A(len), len_before);
	errno = err;
	return ret;
}

int intercept_getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	unsigned long len_before = 0;
	socklen_t before;
	int ret, err;

	shim_init();
	if (trace_calls_enabled && len != NULL && umem_read(&before, len, sizeof(before)) == 0)
		len_before = (1UL << 32) | before;
	CALL_UNLESS_INTERNAL(fd, ret, err, real.getpeername(fd, addr, len));
	if (shim_bypass)
		sockev_getname(fd);
	TRACE_SYSCALL(SYS_getpeername, ret, err, A(fd), A(addr), A(len), len_before);
	errno = err;
	return ret;
}
