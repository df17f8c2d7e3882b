/* udp_cork: a datagram held by the shim while the socket is corked (MSG_MORE, UDP_CORK) — the
 * shim's up->pending, inet->cork (with inet6_cork) and sk_write_queue, one for both families
 * (net/ipv4/udp.c udp_sendmsg, udp_push_pending_frames, udp_flush_pending_frames; net/ipv4/
 * ip_output.c ip_setup_cork, ip_append_data, __ip_make_skb; net/ipv6/udp.c udpv6_sendmsg,
 * udp_v6_push_pending_frames; net/ipv6/ip6_output.c ip6_setup_cork, ip6_append_data,
 * __ip6_make_skb).
 *
 * The first corked send fixes the flow (route, addresses, ports) and the header fields the kernel
 * takes from it (IPv4: TOS, a cmsg TTL; IPv6: hop limit, traffic class, IPV6_DONTFRAG, extension
 * headers, the automatic flow label of the first skb, UDP_SEGMENT's size; both: the fragment size,
 * skb priority and mark); its payload and every later piece are copied (the program's buffers are
 * not valid later). Later sends append whatever their address, control messages or flags; the
 * datagram leaves at the first send made with neither UDP_CORK nor MSG_MORE, or at
 * setsockopt(UDP_CORK, 0). An error while appending discards it; close discards it. up->pending
 * is the family of the path that began it (udpv6_sendmsg's A4 appends to an AF_INET6 one; a send
 * of the other family is refused before it).
 *
 * When the first corked send is handed to the kernel socket (a reason in udp_sendmsg or
 * udpv6_sendmsg), the kernel holds the datagram: every send goes to the kernel until it was pushed
 * there (cork_kernel, with the family of the kernel's up->pending).
 *
 * All functions taking a locked socket are called with sk->lock held (the kernel's lock_sock). */
#ifndef SHIM_UDP_CORK_H
#define SHIM_UDP_CORK_H

#include <stdbool.h>
#include <sys/socket.h>

#include "shim/inet.h"
#include "shim/ip6_output.h"
#include "shim/ip_output.h"
#include "shim/route.h"
#include "shim/udp_wmem.h"

/* Whether the shim holds a pending datagram for sk (locked). */
bool udp_cork_pending(const struct shim_sock *sk);

/* Locked. up->pending: the family of the shim's pending datagram (AF_INET, AF_INET6), or 0. */
int udp_cork_family(const struct shim_sock *sk);

/* Locked. Whether this send must go to the kernel socket because the kernel holds the pending
 * datagram; a send that pushes it there ends that state (and, when a connect drew another
 * sk_txhash since the datagram began or its first send gave the label, marks m's label as not
 * the socket's automatic one). */
bool udp_cork_in_kernel(struct shim_sock *sk, struct shim_msg *m);

/* Not locked. The send m was handed to the kernel socket. Corked: the kernel now holds it, and on
 * a connected socket it may have written inet->cork.fl with a flow the shim does not know (then
 * the sends that read that flow go to the kernel socket until the next connect). Not corked: as
 * udp_cork_kernel_route. */
void udp_cork_handed_off(struct shim_sock *sk, const struct shim_msg *m);

/* Locked. The kernel socket's answer ret (-1 or -errno: failed) to the send handed to it after
 * udp_cork_handed_off: a corked send that began the kernel's pending datagram and failed left
 * none. */
void udp_cork_kernel_answer(struct shim_sock *sk, long ret);

/* Locked. A send without a name (or control messages) that the kernel socket made on a connected
 * socket whose route the shim has not cached: the kernel socket may have looked its route up and
 * kept it (sk_dst_set), and its next sends then read inet->cork.fl, here not the connect's (a
 * connect that failed in its lookup wrote it): those sends are the kernel socket's. A corked one
 * (MSG_MORE, UDP_CORK) may have written inet->cork.fl: as udp_cork_handed_off's. */
void udp_cork_kernel_route(struct shim_sock *sk, const struct shim_msg *m);

/* Locked, with a pending datagram (S3 → do_append_data; udpv6_sendmsg's A4): append m, and push
 * when no longer corked (neither UDP_CORK nor MSG_MORE); an append that fails discards the
 * datagram. Returns m->len, -errno, or SHIM_BATCH_BROKEN. */
long udp_cork_append(struct shim_sock *sk, struct shim_msg *m);

/* What the first corked send fixes (ip_setup_cork, ip6_setup_cork): every check of udp_sendmsg
 * (udpv6_sendmsg) passed; rt is the route, fragsize the MTU the datagram is laid out for, wq the
 * skbs its first piece took (udp_wmem.c), which the later pieces are charged against. */
struct udp_cork_setup {
	sa_family_t family; /* AF_INET: udp_sendmsg's; AF_INET6: udpv6_sendmsg's */
	const struct route_result *rt;
	uint32_t fragsize;
	const struct udp_wmem_queue *wq;
	/* AF_INET: the header fields; cmsg_ttl the IP_TTL control message (0 = none) */
	const struct udp_datagram *d4;
	int cmsg_ttl;
	/* AF_INET6: the datagram with its header fields (flow, hop limit, traffic class, the
	 * extension headers, skb priority and mark);
	 * headersize 40 + the extension headers; IPV6_DONTFRAG of this send; UDP_SEGMENT's size */
	const struct udp6_datagram *d6;
	size_t headersize;
	bool dontfrag;
	unsigned gso_size;
	uint32_t autolabel; /* the automatic flow label of the first skb, if known (0: not) */
};

/* Not locked. The first corked send (S16, and udpv6_sendmsg's do_append_data): copies the payload
 * and makes the datagram pending (up->pending = the family). Returns m->len or -errno (EINVAL
 * when another thread corked the socket meanwhile, EFAULT). */
long udp_cork_begin(struct shim_sock *sk, struct shim_msg *m, const struct udp_cork_setup *s);

/* Locked. After the kernel's answer to setsockopt: UDP_CORK on/off (off pushes what is pending). */
void udp_cork_setsockopt(struct shim_sock *sk, int level, int name, const void *val, socklen_t len,
			 int ret);

/* Locked. After connect: the kernel's connect routes into the cork's flow (inet->cork.fl), so a
 * pending datagram goes to the new peer; a connect whose route lookup failed leaves the flow
 * pointing at the address it was given (and drops the cached route), which the pending datagram
 * and the connected fast path then use (udp_cork_fastpath_flow). fl_saddr: the flow's source
 * after the connect's lookup (the route's, where the lookup answered). */
void udp_cork_after_connect(struct shim_sock *sk, const struct sockaddr *addr, socklen_t len,
			    int ret, uint32_t fl_saddr);

/* Locked. After connect on an AF_INET6 socket holding a corked IPv6 datagram: a connect to an IPv4
 * peer (an AF_INET name, a v4-mapped address; not under IPV6_V6ONLY) routes into inet->cork.fl,
 * the union whose IPv6 flow the pending datagram is pushed with: its source, destination and
 * ports overwrite the first 12 bytes of the datagram's destination (successful or not; a native
 * IPv6 connect routes a flow of its own and leaves it). A pending IPv4 datagram (of the IPv4 path)
 * follows that flow: its destination, port and the connect's source. */
void udp_cork_after_connect6(struct shim_sock *sk, const struct sockaddr *addr, socklen_t len);

/* Not locked. The connected fast path (udp_sendmsg S12), with the cached route: the kernel takes
 * the source from inet->cork.fl, and a send that is not corked the destination too, which a
 * corked send with another destination (or source) overwrote since connect; the shim does the
 * same (destination, source, port; rt's next hop follows the destination on an on-link route).
 * Returns -1, cached or not, when the kernel socket wrote that flow or may hold a route the shim
 * does not (fl_kernel): the send is the kernel socket's. */
int udp_cork_fastpath_flow(struct shim_sock *sk, struct route_result *rt, uint16_t *dport,
			   bool corked, bool cached);

/* Not locked. Whether a corked send of a connected socket with this flow (destination, the
 * source of its route, destination port) leaves inet->cork.fl as it is. One that would change it
 * is handed to the kernel socket, so the kernel socket's flow, which its own connected sends
 * read, stays the one the shim knows. */
bool udp_cork_flow_current(struct shim_sock *sk, const struct sock_view *sv, uint32_t daddr,
			   uint32_t saddr, uint16_t dport);

/* At sync: whether the kernel socket may hold a corked datagram (SIOCOUTQ, UDP_CORK). */
void udp_cork_sync(struct shim_sock *sk, int fd);

/* The socket object is being released: the pending datagram is discarded (udp_destroy_sock). */
void udp_cork_release(struct shim_sock *sk);

#endif
