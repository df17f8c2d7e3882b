/* sys_send: argument import and checks of the send system calls (see include/shim/sys_send.h and
 * udp4-send-path.md section 2). */
#include "shim/err_ring.h"
#include "shim/shim_alloc.h"
#include "shim/sys_send.h"
#include "shim/fdevents.h"
#include "shim/ident_watch.h"
#include "shim/ip_output.h"
#include "shim/neigh_queue.h"
#include "shim/path_trace.h"
#include "shim/pcap.h"
#include "shim/stats.h"
#include "shim/rawsys.h"
#include "shim/umem.h"
#include "shim/udp_fastpath.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#ifndef UIO_MAXIOV
#define UIO_MAXIOV 1024
#endif
/* how long a hand-off waits for the shim's neighbour queue to flush (account_kernel) */
#define HANDOFF_QUEUE_WAIT_MS 50
#define MSG_CMSG_COMPAT_FLAG  0x80000000
#define MSG_PROBE_FLAG	      0x10 /* glibc: MSG_PROXY */
#define UIO_FASTIOV	      8

static struct shim_sock *owned_socket(int fd)
{
	struct shim_sock *sk;

	/* the table first; an fd it does not know yet is looked at (sockfd_lookup_light) */
	enum fd_kind kind = fdtable_lookup(fd, &sk);

	if (__builtin_expect(kind == FD_UNKNOWN, 0))
		kind = sockfd_lookup_light(fd, &sk);
	return kind == FD_OWNED ? sk : NULL;
}

/* import_iovec(): copy and check the iovec array, clamp the total to MAX_RW_COUNT. too_many is the
 * errno for more than UIO_MAXIOV entries (EMSGSIZE for sendmsg, EINVAL for writev). */
static long import_iovec(const struct iovec *uvec, size_t n, int too_many, struct iovec *fast,
			 struct shim_msg *m)
{
	struct iovec *iov = fast;
	size_t total = 0;

	if (n > UIO_MAXIOV)
		return -too_many;
	if (n > UIO_FASTIOV) {
		iov = shim_alloc(n * sizeof(*iov));
		if (iov == NULL) { /* the shim's memory: the kernel socket takes the call */
			m->kernel_reason = KR_RESOURCES;
			path_step(m->trace, "kernel(resources: no memory for the iovec array)");
			return SHIM_TO_KERNEL;
		}
	}
	if (n && umem_read_inline(iov, uvec, n * sizeof(*iov)) != 0) {
		if (iov != fast)
			shim_free(iov);
		return -EFAULT;
	}
	/* copy_iovec_from_user rejects a negative length in any entry before __import_iovec
	 * checks any range */
	for (size_t i = 0; i < n; i++) {
		if ((ssize_t)iov[i].iov_len < 0) {
			if (iov != fast)
				shim_free(iov);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!access_ok(iov[i].iov_base, iov[i].iov_len)) {
			if (iov != fast)
				shim_free(iov);
			return -EFAULT;
		}
		if (iov[i].iov_len > MAX_RW_COUNT - total)
			iov[i].iov_len = MAX_RW_COUNT - total;
		total += iov[i].iov_len;
	}
	m->iov = iov;
	m->iovcnt = (int)n;
	m->len = total;
	return 0;
}

static void release_msg(struct shim_msg *m, struct iovec *fast)
{
	if (m->iov != fast)
		shim_free(m->iov);
}

/* End of a call the shim answers: the path line, and the error count. */
static void finish(struct path_trace *t, long r)
{
	path_end(t, r);
	if (r < 0 && r != SHIM_TO_KERNEL && r != SHIM_NOT_OWNED)
		stats_error((int)-r);
}

/* A message handed to the kernel socket: counted by reason, and recorded in the capture file
 * marked as the kernel's (the kernel builds its frames; the shim records what it knows). */
/* The capture record of an AF_INET6 socket's datagram handed to the kernel socket: an IPv6 one, or
 * an IPv4 one for the IPv4 path of a dual-stack socket (an AF_INET or a v4-mapped destination;
 * the source the v4-mapped bound address, else unknown: 0). */
static void account_kernel6(struct shim_sock *sk, const struct shim_msg *m)
{
	const struct sockaddr_in6 *to6 = (const struct sockaddr_in6 *)&m->name;
	const struct sockaddr_in *to4 = (const struct sockaddr_in *)&m->name;
	const enum shim_kernel_reason why = (enum shim_kernel_reason)m->kernel_reason;
	const struct in6_addr *src = &sk->ipv6.saddr;
	struct in6_addr dst = sk->v6_daddr;
	uint16_t dport = sk->dport;

	if (m->has_name && to6->sin6_family == AF_INET) {
		pcap_kernel_datagram(IN6_IS_ADDR_V4MAPPED(src) ? src->s6_addr32[3] : 0,
				     to4->sin_addr.s_addr, sk->sport, to4->sin_port, m->iov,
				     m->iovcnt, m->len, why);
		return;
	}
	if (m->has_name && to6->sin6_family == AF_INET6) {
		dst = to6->sin6_addr;
		dport = to6->sin6_port;
	}
	if (IN6_IS_ADDR_V4MAPPED(&dst))
		pcap_kernel_datagram(IN6_IS_ADDR_V4MAPPED(src) ? src->s6_addr32[3] : 0,
				     dst.s6_addr32[3], sk->sport, dport, m->iov, m->iovcnt, m->len,
				     why);
	else
		pcap_kernel_datagram6(src, &dst, sk->sport, dport, m->iov, m->iovcnt, m->len, why);
}

static void account_kernel(struct shim_sock *sk, const struct shim_msg *m)
{
	const struct sockaddr_in *to = (const struct sockaddr_in *)&m->name;

	/* The kernel would queue this datagram behind the ones the shim holds for an unresolved
	 * neighbour (one arp_queue per neighbour) and send them in order; handed to the kernel now,
	 * it would overtake them when the kernel's own neighbour entry resolves first. So it waits
	 * for the listener's flush, bounded: a neighbour that does not answer within
	 * HANDOFF_QUEUE_WAIT_MS of the last datagram queued for it keeps its frames for the
	 * resolution time, seconds, which no send waits for (neigh_queue_wait_young). */
	if (!neigh_queue_idle())
		neigh_queue_wait_young(HANDOFF_QUEUE_WAIT_MS);
	/* the kernel's datagram shows the automatic flow label unless label_given says otherwise
	 * or the program gave one in a control message, on whichever path the send was handed
	 * over (before its control messages were read, too: the kernel socket holding a corked
	 * datagram) */
	ident_watch_label_given(
	    m->label_given ||
	    (sk->family == AF_INET6 && ip6_cmsg_flowinfo_given(m->control, m->controllen)));
	stats_kernel((enum shim_kernel_reason)m->kernel_reason);
	if (!pcap_enabled)
		return;
	if (sk->family == AF_INET6)
		account_kernel6(sk, m);
	else
		pcap_kernel_datagram(sk->saddr, m->has_name ? to->sin_addr.s_addr : sk->daddr,
				     sk->sport, m->has_name ? to->sin_port : sk->dport, m->iov,
				     m->iovcnt, m->len, (enum shim_kernel_reason)m->kernel_reason);
}

/* The common tail: O_NONBLOCK is folded into the flags inside udp_sendmsg. */
static long send_imported(int fd, struct shim_sock *sk, struct shim_msg *m)
{
	return inet_sendmsg(fd, sk, m);
}

/* send_buffer on a flow cached by udp_fastpath.c: the same import checks (a buffer or address
 * that fails them is the general path's to answer), without building the message. */
static long send_buffer_fast(int fd, struct shim_sock *sk, const void *buf, size_t len, int flags,
			     const struct sockaddr *addr, socklen_t alen)
{
	struct sockaddr_in to;
	struct iovec one;

	if (!udp_fastpath_candidate(fd, sk)) {
		struct sockaddr_in6 to6;

		if (!udp_fastpath_candidate6(fd, sk) || import_ubuf(buf, &len) != 0 ||
		    (addr != NULL && !move_addr_fast6(addr, alen, &to6)))
			return UDP_FP_MISS;
		one.iov_base = (void *)buf;
		one.iov_len = len;
		return udp_fastpath_send6(fd, sk, &one, 1, len, flags, addr != NULL ? &to6 : NULL,
					  NULL);
	}
	if (import_ubuf(buf, &len) != 0)
		return UDP_FP_MISS;
	if (addr != NULL && !move_addr_fast(addr, alen, &to))
		return UDP_FP_MISS;
	one.iov_base = (void *)buf;
	one.iov_len = len;
	return udp_fastpath_send(fd, sk, &one, 1, len, flags, addr != NULL ? &to : NULL, NULL);
}

/* __sys_sendto, and write() (sock_write_iter: the same with no flags and no address), the general
 * path; the caller holds sk. */
static __attribute__((noinline)) long send_buffer(const char *entry, int fd, struct shim_sock *sk,
						  const void *buf, size_t len, int flags,
						  const struct sockaddr *addr, socklen_t alen)
{
	struct path_trace t;
	struct iovec one;
	struct shim_msg m;
	long r;

	path_begin(&t, entry, fd);
	m.has_name = false; /* every other field is set below, m.name only when there is one */
	m.namelen = 0;
	m.control = NULL;
	m.controllen = 0;
	m.batch = NULL;
	m.kernel_reason = 0;
	m.dst_fresh = false;
	m.label_given = false;
	m.trace = &t;
	r = import_ubuf(buf, &len);
	if (r < 0)
		goto out;
	if (addr != NULL) {
		r = move_addr_to_kernel(addr, alen, &m.name);
		if (r < 0)
			goto out;
		m.has_name = true;
		m.namelen = (int)alen;
	}
	one.iov_base = (void *)buf;
	one.iov_len = len;
	m.iov = &one;
	m.iovcnt = 1;
	m.len = len;
	m.flags = flags;
	r = send_imported(fd, sk, &m);
	if (r == SHIM_TO_KERNEL)
		account_kernel(sk, &m);
out:
	finish(&t, r);
	return r;
}

/* The cached flow first (udp_fastpath.c), then the general path. */
static inline long send_buffer_entry(const char *entry, int fd, const void *buf, size_t len,
				     int flags, const struct sockaddr *addr, socklen_t alen)
{
	struct shim_sock *sk = owned_socket(fd);
	long r;

	if (sk == NULL)
		return SHIM_NOT_OWNED;
	r = send_buffer_fast(fd, sk, buf, len, flags, addr, alen);
	if (__builtin_expect(r == UDP_FP_MISS, 0))
		r = send_buffer(entry, fd, sk, buf, len, flags, addr, alen);
	else if (r < 0)
		stats_error((int)-r);
	shim_sock_put(sk);
	return r;
}

long sys_sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
		socklen_t alen)
{
	return send_buffer_entry("__sys_sendto", fd, buf, len, flags, addr, alen);
}

/* net.core.optmem_max: a control buffer must be smaller to be allocated (sock_kmalloc). */
static size_t optmem_max(void)
{
	static size_t cached;
	char buf[24];
	long fd, n;
	size_t v = 0;

	if (cached)
		return cached;
	fd =
	    rawsys4(SYS_openat, AT_FDCWD, "/proc/sys/net/core/optmem_max", O_RDONLY | O_CLOEXEC, 0);
	n = fd >= 0 ? rawsys3(SYS_read, fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		rawsys1(SYS_close, fd);
	for (long i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		v = v * 10 + (size_t)(buf[i] - '0');
	if (v ==
	    0) /* unreadable now (the program's fd limit): the default, asked again next time */
		return 131072;
	cached = v;
	return cached;
}

/* ____sys_sendmsg's control buffer: ENOBUFS when it cannot be allocated (over INT_MAX, or not
 * below optmem_max once it is larger than the on-stack 36 bytes), EFAULT when it cannot be read. */
static long import_control(const struct msghdr *k, void *fast, size_t fast_len, void **out)
{
	size_t len = k->msg_controllen;
	void *buf = fast;

	*out = NULL;
	if (len > INT_MAX)
		return -ENOBUFS;
	if (len > 36 && len >= optmem_max())
		return -ENOBUFS;
	if (len > fast_len && (buf = shim_alloc(len)) == NULL)
		return SHIM_TO_KERNEL; /* the shim's memory (the caller sets the reason) */
	if (umem_read(buf, k->msg_control, len) != 0) {
		if (buf != fast)
			shim_free(buf);
		return -EFAULT;
	}
	*out = buf;
	return 0;
}

/* ___sys_sendmsg on a flow cached by udp_fastpath.c, for the common shape (one buffer, no control
 * data, no address or a sockaddr_in): the same import checks, whatever fails them is the general
 * path's to answer. */
static inline long sendmsg_fast(int fd, struct shim_sock *sk, const struct msghdr *k, int flags,
				struct xmit_batch *batch)
{
	struct sockaddr_in to;
	const struct sockaddr_in *name;
	struct iovec one;

	if (!udp_fastpath_candidate(fd, sk)) {
		struct sockaddr_in6 to6;
		const struct sockaddr_in6 *name6;

		if (!udp_fastpath_candidate6(fd, sk) || !copy_msghdr_fast6(k, &one, &to6, &name6))
			return UDP_FP_MISS;
		return udp_fastpath_send6(fd, sk, &one, 1, one.iov_len, flags, name6, batch);
	}
	if (!copy_msghdr_fast(k, &one, &to, &name))
		return UDP_FP_MISS;
	return udp_fastpath_send(fd, sk, &one, 1, one.iov_len, flags, name, batch);
}

/* ___sys_sendmsg for one msghdr already copied from the program; the caller holds sk. */
static long sendmsg_copied(int fd, struct shim_sock *sk, struct msghdr k, int flags,
			   struct path_trace *t, struct xmit_batch *batch)
{
	struct iovec fast[UIO_FASTIOV];
	unsigned char ctl_fast[256] __attribute__((aligned(8)));
	void *ctl = NULL;
	struct shim_msg m;
	long r;

	r = sendmsg_fast(fd, sk, &k, flags, batch);
	if (r != UDP_FP_MISS)
		return r;
	memset(&m, 0, sizeof(m));
	m.trace = t;
	m.batch = batch;
	/* __copy_msghdr: no name makes the length 0 before a negative length is refused */
	if (k.msg_name == NULL)
		k.msg_namelen = 0;
	if ((int)k.msg_namelen < 0)
		return -EINVAL;
	if (k.msg_namelen > sizeof(struct sockaddr_storage))
		k.msg_namelen = sizeof(struct sockaddr_storage);
	if (k.msg_name != NULL && k.msg_namelen > 0) {
		if (umem_read_inline(&m.name, k.msg_name, k.msg_namelen) != 0)
			return -EFAULT;
		m.has_name = true; /* a name of length 0 means "no name" here, unlike sendto */
		m.namelen = (int)k.msg_namelen;
	}
	r = import_iovec(k.msg_iov, k.msg_iovlen, EMSGSIZE, fast, &m);
	if (r == SHIM_TO_KERNEL)
		account_kernel(sk, &m);
	if (r < 0)
		return r;
	if (k.msg_controllen == 0 && k.msg_iovlen > 1 && udp_fastpath_candidate(fd, sk) &&
	    (!m.has_name || m.namelen == sizeof(struct sockaddr_in))) {
		/* several buffers: the cached flow after the general import */
		r = udp_fastpath_send(fd, sk, m.iov, m.iovcnt, m.len, flags,
				      m.has_name ? (const struct sockaddr_in *)&m.name : NULL,
				      batch);
		if (r != UDP_FP_MISS) {
			release_msg(&m, fast);
			return r;
		}
	} else if (k.msg_controllen == 0 && k.msg_iovlen > 1 && udp_fastpath_candidate6(fd, sk) &&
		   (!m.has_name || m.namelen == sizeof(struct sockaddr_in6))) {
		r = udp_fastpath_send6(fd, sk, m.iov, m.iovcnt, m.len, flags,
				       m.has_name ? (const struct sockaddr_in6 *)&m.name : NULL,
				       batch);
		if (r != UDP_FP_MISS) {
			release_msg(&m, fast);
			return r;
		}
	}
	if (k.msg_controllen != 0) {
		r = import_control(&k, ctl_fast, sizeof(ctl_fast), &ctl);
		if (r == SHIM_TO_KERNEL) {
			m.kernel_reason = KR_RESOURCES;
			path_step(t, "kernel(resources: no memory for the control buffer)");
			account_kernel(sk, &m);
		}
		if (r < 0) {
			release_msg(&m, fast);
			return r;
		}
		m.control = ctl;
		m.controllen = k.msg_controllen;
	}
	m.flags = flags;
	r = send_imported(fd, sk, &m);
	if (r == SHIM_TO_KERNEL)
		account_kernel(sk, &m);
	if (ctl != NULL && ctl != ctl_fast)
		shim_free(ctl);
	release_msg(&m, fast);
	return r;
}

/* ___sys_sendmsg for one user msghdr (__copy_msghdr: EFAULT when unreadable). */
static long sendmsg_one(int fd, struct shim_sock *sk, const struct msghdr *umsg, int flags,
			struct path_trace *t)
{
	struct msghdr k;

	if (umem_read_inline(&k, umsg, sizeof(k)) != 0)
		return -EFAULT;
	return sendmsg_copied(fd, sk, k, flags, t, NULL);
}

long sys_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct shim_sock *sk;
	struct path_trace t;
	long r;

	sk = owned_socket(fd);
	if (sk == NULL)
		return SHIM_NOT_OWNED;
	path_begin(&t, "__sys_sendmsg", fd);
	if (flags & MSG_CMSG_COMPAT_FLAG)
		r = -EINVAL;
	else
		r = sendmsg_one(fd, sk, msg, flags, &t);
	finish(&t, r);
	shim_sock_put(sk);
	return r;
}

#define MMSG_CHUNK XMIT_BATCH_MAX

/* One batch per thread (about 2 KiB), not on the stack of the program's thread. */
static struct xmit_batch *batch_for_this_thread(void)
{
	static __thread __attribute__((tls_model("initial-exec"))) struct xmit_batch batch;

	return &batch;
}

/* put_user of each sent entry's msg_len, for n entries from first. Returns how many were written
 * (they stop at the first that cannot be). */
static unsigned write_msg_lens(struct mmsghdr *vec, unsigned first, const unsigned *lens,
			       unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		void *at = (void *)((uintptr_t)vec + (first + i) * sizeof(*vec) +
				    offsetof(struct mmsghdr, msg_len));

		if (umem_write4(at, lens[i]) != 0)
			return i;
	}
	return n;
}

/* The batch (one entry) out now, before the next entry is judged: an ICMP error it brings back
 * (on veth, inside the transmit) fails the next entry, as the kernel's next entry sees sk_err.
 * Done while the connected peer's answer is not known to be quiet, with the error ring live
 * (err_ring.h: the error is then seen without a system call): a datagram that went out alone and
 * brought nothing back makes the peer quiet, and the batches whole again. False when the transmit
 * failed (batch->err). */
static void mmsg_peer_look(struct shim_sock *sk)
{
	if (err_ring_quiet())
		__atomic_store_n(&sk->err_peer, ERR_PEER_QUIET, __ATOMIC_RELAXED);
	else
		(void)err_ring_look(); /* the next entry's check finds the socket's hint */
}

static bool mmsg_entry_alone(struct shim_sock *sk, struct xmit_batch *batch)
{
	if (xmit_batch_flush(batch) < 0)
		return false;
	mmsg_peer_look(sk);
	return true;
}

/* Whether an entry just sent went out alone with the connected peer's answer not known to be
 * quiet: an IPv6 one (IPv6 datagrams are never batched), so its answer is looked at as
 * mmsg_entry_alone does. */
static inline bool mmsg_sent_alone_unknown(const struct shim_sock *sk,
					   const struct xmit_batch *batch)
{
	return sk->family == AF_INET6 && batch->n == 0 && err_ring_live() &&
	       __atomic_load_n(&sk->err_peer, __ATOMIC_RELAXED) != ERR_PEER_QUIET &&
	       __atomic_load_n(&sk->ever_connected, __ATOMIC_RELAXED);
}

/* The entries from vec on that the fast path takes as one batch (udp_fastpath_sendmmsg: built in
 * the TX ring, one kick): each read with fault-safe loads from the program's array and imported
 * as sendmsg_fast would (one buffer, no control data, no address or a sockaddr_in), all to the
 * first one's destination (or none), each msg_len writable (put_user follows each send). Their
 * msg_len written. Returns how many were sent; *err the answer of the entry after them when it
 * failed in the fast path, else 0 (that entry, if any, is the general path's). */
static inline __attribute__((always_inline)) unsigned
mmsg_fast_batch_as(int fd, struct shim_sock *sk, struct mmsghdr *vec, unsigned n, int flags,
		   long *err, const bool v6)
{
	struct iovec iov[UDP_FP_BATCH_MAX];
	unsigned lens[UDP_FP_BATCH_MAX], k, sent, wrote;
	uint64_t first_to[4] = {0, 0, 0, 0}; /* a sockaddr_in's 16 bytes or a sockaddr_in6's 28 */
	bool named = false;
	const uint32_t tolen = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

	*err = 0;
	/* the loads below are the fault-safe ones: checked once for the whole batch */
	if (!umem_fault_safe())
		return 0;
	if (n > UDP_FP_BATCH_MAX)
		n = UDP_FP_BATCH_MAX;
	for (k = 0; k < n; k++) {
		const char *e = (const char *)((uintptr_t)vec + k * sizeof(*vec));
		uint64_t name, namelen, uiov, iovlen, ctllen, base, len, to[4] = {0, 0, 0, 0};

		/* __copy_msghdr: the fields sendmsg reads (msg_name, msg_namelen, msg_iov,
		 * msg_iovlen, msg_controllen), then the one iovec and the sockaddr_in */
		if ((uintptr_t)e > UMEM_TASK_SIZE_MAX - sizeof(*vec) ||
		    ucopy_load8(&name, e + offsetof(struct msghdr, msg_name)) ||
		    ucopy_load8(&namelen, e + offsetof(struct msghdr, msg_namelen)) ||
		    ucopy_load8(&uiov, e + offsetof(struct msghdr, msg_iov)) ||
		    ucopy_load8(&iovlen, e + offsetof(struct msghdr, msg_iovlen)) ||
		    ucopy_load8(&ctllen, e + offsetof(struct msghdr, msg_controllen)))
			break;
		if (ctllen != 0 || iovlen != 1 ||
		    uiov > UMEM_TASK_SIZE_MAX - sizeof(struct iovec) ||
		    ucopy_load8(&base, (const void *)uiov) ||
		    ucopy_load8(&len, (const char *)uiov + 8) || len > 65535 ||
		    !access_ok((const void *)base, len))
			break;
		if (name != 0 && ((uint32_t)namelen != tolen || name > UMEM_TASK_SIZE_MAX - tolen ||
				  ucopy_load8(&to[0], (const void *)name) ||
				  ucopy_load8(&to[1], (const char *)name + 8)))
			break;
		/* an IPv6 flow's: the sockaddr_in6's address and scope id too (its last 8 bytes
		 * read at 20, no byte after it) */
		if (v6 && name != 0) {
			uint64_t tail;

			if (ucopy_load8(&to[2], (const char *)name + 16) ||
			    ucopy_load8(&tail, (const char *)name + 20))
				break;
			to[3] = tail >> 32;
		}
		/* the flow is the first entry's destination (or none): its family, port and
		 * address, as the fast path compares them */
		if (k == 0) {
			named = name != 0;
			if (v6)
				memcpy(first_to, to, sizeof(first_to));
			else
				first_to[0] = to[0];
		} else if (named != (name != 0) || to[0] != first_to[0] ||
			   (v6 && ((to[1] ^ first_to[1]) | (to[2] ^ first_to[2]) |
				   (to[3] ^ first_to[3])) != 0)) {
			break;
		}
		/* put_user of msg_len follows each send: it must be writable */
		if (ucopy_touch4((void *)(e + offsetof(struct mmsghdr, msg_len))))
			break;
		iov[k].iov_base = (void *)base;
		iov[k].iov_len = len;
	}
	if (k == 0)
		return 0;
	if (v6) {
		struct sockaddr_in6 to6;

		memcpy(&to6, first_to, sizeof(to6)); /* the 28 bytes: scope id from first_to[3] */
		sent =
		    udp_fastpath_sendmmsg6(fd, sk, iov, k, named ? &to6 : NULL, flags, lens, err);
	} else {
		sent = udp_fastpath_sendmmsg(fd, sk, iov, k,
					     named ? (struct sockaddr_in *)first_to : NULL, flags,
					     lens, err);
	}
	wrote = sent ? write_msg_lens(vec, 0, lens, sent) : 0;
	if (wrote < sent) /* a msg_len that cannot be written ends the call there */
		*err = -EFAULT;
	return wrote;
}

/* The same for an IPv4 flow and for an IPv6 one (udp_fastpath_candidate6): each its own code. */
static __attribute__((noinline)) unsigned
mmsg_fast_batch(int fd, struct shim_sock *sk, struct mmsghdr *vec, unsigned n, int flags, long *err)
{
	return mmsg_fast_batch_as(fd, sk, vec, n, flags, err, false);
}

static __attribute__((noinline)) unsigned mmsg_fast_batch6(int fd, struct shim_sock *sk,
							   struct mmsghdr *vec, unsigned n,
							   int flags, long *err)
{
	return mmsg_fast_batch_as(fd, sk, vec, n, flags, err, true);
}

long sys_sendmmsg(int fd, struct mmsghdr *vec, unsigned vlen, int flags)
{
	struct mmsghdr chunk[MMSG_CHUNK];
	unsigned lens[MMSG_CHUNK], done = 0;
	struct xmit_batch *batch;
	struct shim_sock *sk;
	bool stop = false;
	long r = 0;

	sk = owned_socket(fd);
	if (sk == NULL)
		return SHIM_NOT_OWNED;
	if (flags & MSG_CMSG_COMPAT_FLAG) {
		shim_sock_put(sk);
		return -EINVAL;
	}
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	batch = batch_for_this_thread();
	batch->n = 0;
	batch->tagged = false;
	while (done < vlen && !stop) {
		/* the program's array may be a bad pointer: addresses are only computed here */
		struct mmsghdr *first = (struct mmsghdr *)((uintptr_t)vec + done * sizeof(*vec));
		unsigned n, sent = 0, wrote;
		bool have;
		const bool fast4 = batch->n == 0 && udp_fastpath_candidate(fd, sk);

		/* a cached flow: as many entries as it takes, straight into the ring, one kick
		 * (not while a connected peer's answer is not known to be quiet: then each entry
		 * goes out alone below, mmsg_entry_alone) */
		if (batch->n == 0 && (fast4 || udp_fastpath_candidate6(fd, sk)) &&
		    !trace_path_enabled &&
		    !(err_ring_live() &&
		      __atomic_load_n(&sk->err_peer, __ATOMIC_RELAXED) != ERR_PEER_QUIET &&
		      __atomic_load_n(&sk->ever_connected, __ATOMIC_RELAXED))) {
			long err;
			unsigned took =
			    fast4 ? mmsg_fast_batch(fd, sk, first, vlen - done, flags, &err)
				  : mmsg_fast_batch6(fd, sk, first, vlen - done, flags, &err);

			done += took;
			if (err != 0) {
				stats_error((int)-err);
				r = err;
				break;
			}
			if (took > 0)
				continue;
		}
		/* the general path (and the fast path's single entries) for a chunk of entries */
		n = vlen - done < MMSG_CHUNK ? vlen - done : MMSG_CHUNK;
		/* one read for the chunk's headers; entry by entry when part of it is unreadable */
		have = umem_read_inline(chunk, first, n * sizeof(*vec)) == 0;

		for (unsigned i = 0; i < n && !stop; i++) {
			struct mmsghdr *entry =
			    (struct mmsghdr *)((uintptr_t)first + i * sizeof(*vec));
			struct path_trace t;
			/* put_user of msg_len follows each send: an entry whose msg_len cannot be
			 * written is sent, not counted, and ends the call with EFAULT */
			bool len_ok = umem_writable4(
			    (void *)((uintptr_t)entry + offsetof(struct mmsghdr, msg_len)));

			if (batch->n > 0 && err_ring_live() &&
			    __atomic_load_n(&sk->err_peer, __ATOMIC_RELAXED) != ERR_PEER_QUIET &&
			    __atomic_load_n(&sk->ever_connected, __ATOMIC_RELAXED) &&
			    !mmsg_entry_alone(sk, batch)) {
				sent = batch->failed_entry;
				r = batch->err;
				stop = true;
				break;
			}
			batch->current_entry = i;
			/* the cached flow first, straight into the batch (no path line to write:
			 * with one, the fast path is not taken; it never answers MSG_PROBE) */
			if (have && !trace_path_enabled) {
				r = sendmsg_fast(fd, sk, &chunk[i].msg_hdr, flags, batch);
				if (r >= 0 && !len_ok) {
					r = -EFAULT;
					stop = true;
					break;
				}
				if (r >= 0) {
					lens[sent++] = (unsigned)r;
					if (mmsg_sent_alone_unknown(sk, batch))
						mmsg_peer_look(sk);
					continue;
				}
			}
			path_begin(&t, "__sys_sendmmsg", fd);
			r = have ? sendmsg_copied(fd, sk, chunk[i].msg_hdr, flags, &t, batch)
				 : sendmsg_one(fd, sk, (struct msghdr *)entry, flags, &t);
			if (r == SHIM_TO_KERNEL) { /* this entry through the kernel socket, after
						      the ones batched before it */
				struct ident_watch w;

				if (xmit_batch_flush(batch) < 0) {
					r = SHIM_BATCH_BROKEN;
				} else {
					ident_watch_begin(fd, &w);
					r = rawsys3(SYS_sendmsg, fd, entry, flags);
					ident_watch_end(&w, r);
				}
			}
			if (r == SHIM_BATCH_BROKEN) { /* an earlier entry failed going out */
				path_end(&t, r);
				sent = batch->failed_entry;
				r = batch->err;
				stop = true;
				break;
			}
			if (r >= 0 && !len_ok)
				r = -EFAULT;
			finish(&t, r);
			if (r < 0) {
				stop = true;
				break;
			}
			lens[sent++] = (unsigned)r;
			if (mmsg_sent_alone_unknown(sk, batch))
				mmsg_peer_look(sk);
			/* the loop stops after an entry whose data was not consumed: MSG_PROBE
			 * sends nothing */
			if ((flags & MSG_PROBE_FLAG) && r > 0)
				stop = true;
		}
		/* what waits in the batch goes out before the lengths are reported */
		if (batch->n > 0 && xmit_batch_flush(batch) < 0) {
			sent = batch->failed_entry;
			r = batch->err;
			stop = true;
		}
		wrote = sent ? write_msg_lens(vec, done, lens, sent) : 0;
		done += wrote;
		if (wrote < sent) { /* a msg_len that cannot be written ends the call there */
			r = -EFAULT;
			stop = true;
		}
	}
	batch->n = 0;
	shim_sock_put(sk);
	/* the error of a later entry is dropped once one was sent */
	return done > 0 ? (long)done : r;
}

long sys_write(int fd, const void *buf, size_t len)
{
	return send_buffer_entry("write", fd, buf, len, 0, NULL, 0);
}

long sys_writev(int fd, const struct iovec *iov, int iovcnt)
{
	struct shim_sock *sk = owned_socket(fd);
	struct iovec fast[UIO_FASTIOV];
	struct path_trace t;
	struct shim_msg m;
	long r;

	if (sk == NULL)
		return SHIM_NOT_OWNED;
	path_begin(&t, "writev", fd);
	memset(&m, 0, sizeof(m));
	m.trace = &t;
	if (iovcnt < 0) {
		r = -EINVAL;
		goto out;
	}
	r = import_iovec(iov, (size_t)iovcnt, EINVAL, fast, &m);
	if (r == SHIM_TO_KERNEL)
		account_kernel(sk, &m);
	if (r < 0)
		goto out;
	if (m.len == 0)
		r = 0; /* a writev of nothing does nothing at all: no datagram, no autobind */
	else
		r = send_imported(fd, sk, &m);
	if (r == SHIM_TO_KERNEL)
		account_kernel(sk, &m);
	release_msg(&m, fast);
out:
	finish(&t, r);
	shim_sock_put(sk);
	return r;
}
