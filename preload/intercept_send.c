/* intercept_send: the bodies of send, sendto, sendmsg, sendmmsg, write, writev (preload/calls.h).
 *
 * In bypass mode the shim's send path (src/sys/sys_send.c) answers for the UDP/IPv4 sockets it
 * owns; everything else, and whatever it hands back, goes to libc. Traces show the system call
 * glibc makes: send() is sendto(fd, buf, len, flags, NULL, 0). */
#include "hook.h"

#include "shim/send_fast.h"
#include "shim/stats.h"

/* sendto's body, inlined into send too (no call through the PLT). The per-flow fast entry came
 * first, in the wrapper (preload/interpose.c, kind FAST_CP): this is what it left. */
static inline __attribute__((always_inline)) ssize_t sendto_body(int fd, const void *buf,
								 size_t len, int flags,
								 const struct sockaddr *addr,
								 socklen_t alen)
{
	ssize_t ret;
	long r = SHIM_NOT_OWNED;
	int err, saved;

	shim_init();
	saved = errno;
	if (!shim_bypass || (r = sys_sendto(fd, buf, len, flags, addr, alen), SHIM_PASSES(r)))
		CALL_KERNEL(fd, r, ret, err, real.sendto(fd, buf, len, flags, addr, alen));
	else
		SHIM_RESULT(r, ret, err, saved);
	TRACE_SEND(SYS_sendto, r, ret, err, A(fd), A(buf), A(len), A(flags), A(addr), A(alen));
	errno = err;
	return ret;
}

ssize_t intercept_sendto(int fd, const void *buf, size_t len, int flags,
			 const struct sockaddr *addr, socklen_t alen)
{
	return sendto_body(fd, buf, len, flags, addr, alen);
}

ssize_t intercept_send(int fd, const void *buf, size_t len, int flags)
{
	return sendto_body(fd, buf, len, flags, NULL, 0);
}

ssize_t intercept_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	ssize_t ret;
	long r = SHIM_NOT_OWNED;
	int err, saved;

	shim_init();
	saved = errno;
	if (!shim_bypass || (r = sys_sendmsg(fd, msg, flags), SHIM_PASSES(r)))
		CALL_KERNEL(fd, r, ret, err, real.sendmsg(fd, msg, flags));
	else
		SHIM_RESULT(r, ret, err, saved);
	TRACE_SEND(SYS_sendmsg, r, ret, err, A(fd), A(msg), A(flags));
	errno = err;
	return ret;
}

int intercept_sendmmsg(int fd, struct mmsghdr *vec, unsigned vlen, int flags)
{
	int ret, err, saved;
	long r = SHIM_NOT_OWNED;

	shim_init();
	saved = errno;
	if (!shim_bypass || (r = sys_sendmmsg(fd, vec, vlen, flags), SHIM_PASSES(r)))
		CALL_KERNEL(fd, r, ret, err, real.sendmmsg(fd, vec, vlen, flags));
	else
		SHIM_RESULT(r, ret, err, saved);
	TRACE_SEND(SYS_sendmmsg, r, ret, err, A(fd), A(vec), A(vlen), A(flags));
	errno = err;
	return ret;
}

ssize_t intercept_write(int fd, const void *buf, size_t len)
{
	ssize_t ret;
	long r = SHIM_NOT_OWNED;
	int err, saved;

	shim_init();
	saved = errno;
	if (!shim_bypass || (r = sys_write(fd, buf, len), SHIM_PASSES(r)))
		CALL_KERNEL(fd, r, ret, err, real.write(fd, buf, len));
	else
		SHIM_RESULT(r, ret, err, saved);
	TRACE_SEND(SYS_write, r, ret, err, A(fd), A(buf), A(len));
	errno = err;
	return ret;
}

ssize_t intercept_writev(int fd, const struct iovec *iov, int iovcnt)
{
	ssize_t ret;
	long r = SHIM_NOT_OWNED;
	int err, saved;

	shim_init();
	saved = errno;
	if (!shim_bypass || (r = sys_writev(fd, iov, iovcnt), SHIM_PASSES(r)))
		CALL_KERNEL(fd, r, ret, err, real.writev(fd, iov, iovcnt));
	else
		SHIM_RESULT(r, ret, err, saved);
	TRACE_SEND(SYS_writev, r, ret, err, A(fd), A(iov), A(iovcnt));
	errno = err;
	return ret;
}
