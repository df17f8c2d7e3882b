/* udp_fastpath: the per-flow cached send path for single-frame UDP datagrams.
 *
 * What udp_sendmsg decides per flow (route, next hop's MAC, TTL, TOS, DF rule, MTU, ID rule, the
 * header bytes) cannot change while three generations stay the same: the route generation and the
 * neighbour generation (rtnetlink notifications, src/route/notify.c) and the socket's settings
 * stamp (sk->fp_stamp, renewed by every bind, connect, shutdown, setsockopt and fcntl(F_SETFL) on
 * the socket, and when its state is first read from the kernel). Each thread keeps the flow of the
 * last slow-path datagram per socket (a few sockets, by fd); a later datagram of the same flow
 * (same socket and stamp, same destination or none, generations unchanged) skips the general path:
 * the per-datagram checks that do not depend on those generations (flags, length, cork state,
 * pending error hint, queued frames to the next hop) are made again, then the ID, the header patch
 * and the transmit. Anything else, and anything unusual, is a miss: the slow path (the reference)
 * answers.
 */
#ifndef SHIM_UDP_FASTPATH_H
#define SHIM_UDP_FASTPATH_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "shim/result.h"
#include "shim/sock.h"

struct shim_msg;
struct sock_view;
struct sock_view6;
struct route_result;
struct udp_datagram;
struct udp6_datagram;
struct xmit_batch;

/* Flows per thread: one per socket, by fd modulo this. */
#define UDP_FP_SLOTS 8

/* The socket whose flow each slot holds (NULL: none), for the inlined first check. */
extern __thread
    __attribute__((tls_model("initial-exec"))) struct shim_sock *udp_fp_owner[UDP_FP_SLOTS];

/* Whether this thread holds an IPv4 flow of sk for fd: without one the fast path is not tried. */
static inline bool udp_fastpath_candidate(int fd, const struct shim_sock *sk)
{
	return udp_fp_owner[(unsigned)fd % UDP_FP_SLOTS] == sk;
}

/* The same for an IPv6 flow (its slot holds the socket tagged with bit 0: the IPv4 test above
 * fails for it at no cost to IPv4). */
static inline bool udp_fastpath_candidate6(int fd, const struct shim_sock *sk)
{
	return (uintptr_t)udp_fp_owner[(unsigned)fd % UDP_FP_SLOTS] == ((uintptr_t)sk | 1);
}

/* Not answered by the fast path: UDP_FP_MISS (shim/result.h). */

extern uint64_t udp_fp_stamp_counter;

/* The socket's settings changed (called with sk->lock held): flows cached for it are stale. */
static inline void sock_settings_changed(struct shim_sock *sk)
{
	__atomic_store_n(&sk->fp_stamp,
			 __atomic_add_fetch(&udp_fp_stamp_counter, 1, __ATOMIC_RELAXED),
			 __ATOMIC_RELEASE);
}

/* One datagram of a cached flow: iov/iovcnt/len as imported (len already clamped and the buffers
 * range-checked), name the destination already read from the program (NULL: none), batch the
 * sendmmsg batch (NULL: transmit now). Returns the length sent, -errno from the transmit, or
 * UDP_FP_MISS. */
long udp_fastpath_send(int fd, struct shim_sock *sk, const struct iovec *iov, int iovcnt,
		       size_t len, int flags, const struct sockaddr_in *name,
		       struct xmit_batch *batch);

/* The same for one buffer, with sk from fdtable_peek (no reference held): the entry of the
 * interposed sendto and send (include/shim/send_fast.h). */
long udp_fastpath_send_peeked(int fd, struct shim_sock *sk, const void *buf, size_t len, int flags,
			      const struct sockaddr_in *name);

/* sendmmsg entries of a cached flow, built straight into the TX ring and sent with one kick (where
 * the device stack allows it: netdev_ring_direct): iov[i] the one buffer of entry i (imported:
 * range-checked), name the destination every one of them names (NULL: none), n entries, flags
 * the call's. The checks of udp_fastpath_send that do not depend on the entry are made once for
 * the batch. Takes the entries from the first on while each is one frame of the flow; returns
 * how many were sent (their lengths in lens), with *err the answer of the entry after them when it
 * failed here (-EFAULT: its payload is unreadable, or the transmit's error), else 0: that entry,
 * if any, is the general path's. */
#define UDP_FP_BATCH_MAX 64 /* entries of one udp_fastpath_sendmmsg: one kick */
unsigned udp_fastpath_sendmmsg(int fd, struct shim_sock *sk, const struct iovec *iov, unsigned n,
			       const struct sockaddr_in *name, int flags, unsigned *lens,
			       long *err);

/* After udp_sendmsg sent d (one frame) itself: remember its flow for this thread if it qualifies.
 */
void udp_fastpath_learn(int fd, struct shim_sock *sk, const struct shim_msg *m,
			const struct sock_view *sv, const struct route_result *rt,
			const struct udp_datagram *d, uint32_t mtu);

/* The IPv6 entries, the same code with the IPv6 frame (udp_frame_ipv6) and a sockaddr_in6
 * destination (the whole of it compared; one of exactly 28 bytes), for a flow
 * udp_fastpath_candidate6 finds. In a sendmmsg call's batch an IPv6 datagram goes out by itself
 * (the batch is empty: IPv6 sends are never batched). */
long udp_fastpath_send6(int fd, struct shim_sock *sk, const struct iovec *iov, int iovcnt,
			size_t len, int flags, const struct sockaddr_in6 *name,
			struct xmit_batch *batch);
long udp_fastpath_send6_peeked(int fd, struct shim_sock *sk, const void *buf, size_t len, int flags,
			       const struct sockaddr_in6 *name);
unsigned udp_fastpath_sendmmsg6(int fd, struct shim_sock *sk, const struct iovec *iov, unsigned n,
				const struct sockaddr_in6 *name, int flags, unsigned *lens,
				long *err);
/* After udpv6_sendmsg sent d (one frame) itself. */
void udp_fastpath_learn6(int fd, struct shim_sock *sk, const struct shim_msg *m,
			 const struct sock_view6 *v, const struct route_result *rt,
			 const struct udp6_datagram *d, uint32_t mtu);

#endif
