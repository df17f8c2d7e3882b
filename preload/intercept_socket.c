/* intercept_socket: socket, connect, bind, shutdown, setsockopt, getsockopt. */
#include "guard.h"
#include "hook.h"

#include "shim/fdevents.h"
#include "shim/sockevents.h"
#include "shim/umem.h"

static inline int socket_body(int domain, int type, int protocol)
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

SHIM_EXPORT int socket(int domain, int type, int protocol)
{
	SHIM_RAW_UNLESS_READY(int, SYS_socket, domain, type, protocol);
	return SHIM_INSIDE(int, socket_body(domain, type, protocol));
}

static inline int connect_body(int fd, const struct sockaddr *addr, socklen_t len)
{
	int ret, err;

	shim_init();
	CALL_UNLESS_INTERNAL(fd, ret, err, real.connect(fd, addr, len));
	if (shim_bypass)
		sockev_connect(fd, addr, len, ret);
	TRACE_SYSCALL(SYS_connect, ret, err, A(fd), A(addr), A(len));
	errno = err;
	return ret;
}

SHIM_EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	SHIM_RAW_UNLESS_READY(int, SYS_connect, fd, addr, len);
	return SHIM_INSIDE(int, connect_body(fd, addr, len));
}

static inline int bind_body(int fd, const struct sockaddr *addr, socklen_t len)
{
	int ret, err;

	shim_init();
	CALL_UNLESS_INTERNAL(fd, ret, err, real.bind(fd, addr, len));
	if (shim_bypass)
		sockev_bind(fd, ret);
	TRACE_SYSCALL(SYS_bind, ret, err, A(fd), A(addr), A(len));
	errno = err;
	return ret;
}

SHIM_EXPORT int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	SHIM_RAW_UNLESS_READY(int, SYS_bind, fd, addr, len);
	return SHIM_INSIDE(int, bind_body(fd, addr, len));
}

static inline int shutdown_body(int fd, int how)
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

SHIM_EXPORT int shutdown(int fd, int how)
{
	SHIM_RAW_UNLESS_READY(int, SYS_shutdown, fd, how);
	return SHIM_INSIDE(int, shutdown_body(fd, how));
}

static inline int setsockopt_body(int fd, int level, int name, const void *val, socklen_t len)
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

SHIM_EXPORT int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	SHIM_RAW_UNLESS_READY(int, SYS_setsockopt, fd, level, name, val, len);
	return SHIM_INSIDE(int, setsockopt_body(fd, level, name, val, len));
}

static inline int getsockopt_body(int fd, int level, int name, void *val, socklen_t *len)
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

SHIM_EXPORT int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	SHIM_RAW_UNLESS_READY(int, SYS_getsockopt, fd, level, name, val, len);
	return SHIM_INSIDE(int, getsockopt_body(fd, level, name, val, len));
}
