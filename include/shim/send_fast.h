/* send_fast: the interposed sendto/send straight into the per-flow fast path (udp_fastpath.c).
 *
 * Called first by the sendto interceptor (preload/intercept_send.c) once the shim is set up in
 * bypass mode without call or path tracing: the fd's slot is read without a reference
 * (fdtable_peek), this thread's flow for it is checked (udp_fastpath_candidate), the import checks
 * of __sys_sendto are made with the general path's own helpers (include/shim/sys_send.h:
 * import_ubuf, move_addr_fast, copy_msghdr_fast: an address of exactly a sockaddr_in read with
 * fault-safe loads, include/shim/ucopy.h), and the
 * datagram goes out. Anything else — an fd the table
 * does not hold as an owned socket, no flow, a buffer or address the general path must judge —
 * is UDP_FP_MISS before anything visible happened, and the caller takes the full path
 * (sys_sendto), which looks the fd up again with a reference. */
#ifndef SHIM_SEND_FAST_H
#define SHIM_SEND_FAST_H

#include "shim/fdtable.h"
#include "shim/shim_proc.h"
#include "shim/stats.h"
#include "shim/sys_send.h"
#include "shim/udp_fastpath.h"
#include "shim/umem.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* set once the shim runs in bypass mode with neither call nor path tracing (preload/init.c) */
extern bool shim_send_fast_ready;

/* shim_sendto_fast for an IPv6 flow (a sockaddr_in6 destination, or none). */
static __attribute__((noinline)) long shim_sendto_fast6(int fd, struct shim_sock *sk,
							const void *buf, size_t len, int flags,
							const struct sockaddr *addr, socklen_t alen)
{
	struct sockaddr_in6 to;

	if (import_ubuf(buf, &len) != 0)
		return UDP_FP_MISS;
	if (addr == NULL)
		return udp_fastpath_send6_peeked(fd, sk, buf, len, flags, NULL);
	if (!move_addr_fast6(addr, alen, &to))
		return UDP_FP_MISS;
	return udp_fastpath_send6_peeked(fd, sk, buf, len, flags, &to);
}

static inline long shim_sendto_fast(int fd, const void *buf, size_t len, int flags,
				    const struct sockaddr *addr, socklen_t alen)
{
	struct shim_sock *sk;
	struct sockaddr_in to;

	shim_proc_check(); /* a child of _Fork or clone is a new process first */
	sk = fdtable_peek(fd);
	if (sk == NULL)
		return UDP_FP_MISS;
	if (!udp_fastpath_candidate(fd, sk)) /* an IPv6 flow's slot fails this test */
		return udp_fastpath_candidate6(fd, sk)
			   ? shim_sendto_fast6(fd, sk, buf, len, flags, addr, alen)
			   : UDP_FP_MISS;
	/* import_ubuf (a length over MAX_RW_COUNT, clamped, is longer than one frame) */
	if (import_ubuf(buf, &len) != 0)
		return UDP_FP_MISS;
	if (addr == NULL)
		return udp_fastpath_send_peeked(fd, sk, buf, len, flags, NULL);
	if (!move_addr_fast(addr, alen, &to))
		return UDP_FP_MISS;
	return udp_fastpath_send_peeked(fd, sk, buf, len, flags, &to);
}

/* send: sendto with no address */
static inline long shim_send_fast(int fd, const void *buf, size_t len, int flags)
{
	return shim_sendto_fast(fd, buf, len, flags, NULL, 0);
}

/* shim_sendmsg_fast for an IPv6 flow. */
static __attribute__((noinline)) long shim_sendmsg_fast6(int fd, struct shim_sock *sk,
							 const struct msghdr *umsg, int flags)
{
	struct sockaddr_in6 to;
	const struct sockaddr_in6 *name;
	struct msghdr k;
	struct iovec one;

	if ((flags & (int)0x80000000u) || !umem_fault_safe() ||
	    umem_load_fixed(&k, umsg, sizeof(k)) != 0 || !copy_msghdr_fast6(&k, &one, &to, &name))
		return UDP_FP_MISS;
	return udp_fastpath_send6_peeked(fd, sk, one.iov_base, one.iov_len, flags, name);
}

/* The same for sendmsg (___sys_sendmsg with sendmsg_fast's shape in src/sys/sys_send.c): one
 * buffer, no control data, no address or a sockaddr_in; the msghdr, its iovec and address read as
 * the general path reads them. */
static inline long shim_sendmsg_fast(int fd, const struct msghdr *umsg, int flags)
{
	struct shim_sock *sk;
	struct sockaddr_in to;
	const struct sockaddr_in *name;
	struct msghdr k;
	struct iovec one;

	shim_proc_check();
	sk = fdtable_peek(fd);
	if (sk == NULL)
		return UDP_FP_MISS;
	if (!udp_fastpath_candidate(fd, sk))
		return udp_fastpath_candidate6(fd, sk) ? shim_sendmsg_fast6(fd, sk, umsg, flags)
						       : UDP_FP_MISS;
	if ((flags & (int)0x80000000u) || !umem_fault_safe())
		return UDP_FP_MISS; /* MSG_CMSG_COMPAT: EINVAL from the general path */
	/* __copy_msghdr: the whole msghdr is read, then its iovec and address (copy_msghdr_fast) */
	if (umem_load_fixed(&k, umsg, sizeof(k)) != 0 || !copy_msghdr_fast(&k, &one, &to, &name))
		return UDP_FP_MISS;
	return udp_fastpath_send_peeked(fd, sk, one.iov_base, one.iov_len, flags, name);
}

/* A fast entry's result r: true when it answered the call — *ret is the length, or -1 with errno
 * set and the error counted — false when the full path must answer (UDP_FP_MISS). */
static inline __attribute__((always_inline)) bool shim_fast_answered(long r, long *ret)
{
	if (__builtin_expect(r >= 0, 1)) {
		*ret = r;
		return true;
	}
	if (r == UDP_FP_MISS)
		return false;
	stats_error((int)-r);
	errno = (int)-r;
	*ret = -1;
	return true;
}

#endif
