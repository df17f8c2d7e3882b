/* udp_fastpath: the per-flow cached send path (see include/shim/udp_fastpath.h).
 *
 * The slow path (udp_sendmsg.c) stays the reference: a flow is learnt only from a datagram it has
 * just sent itself as one frame, and the fast path answers only when every per-datagram check the
 * kernel makes comes out the way it did then; otherwise it says UDP_FP_MISS before anything
 * visible happened. */
#include "shim/udp_fastpath.h"
#include "shim/coalesce.h"
#include "shim/config.h"
#include "shim/dev.h"
#include "shim/dev_xmit_fast.h"
#include "shim/err_ring.h"
#include "shim/hdr_template.h"
#include "shim/sock_alloc.h"
#include "shim/inet.h"
#include "shim/ip_ident.h"
#include "shim/ip_make_skb.h"
#include "shim/ip_output.h"
#include "shim/ip6_output.h"
#include "shim/neigh_queue.h"
#include "shim/netdev.h"
#include "shim/packet_ring.h"
#include "shim/path_trace.h"
#include "shim/route.h"
#include "shim/stats.h"
#include "shim/udp_gso.h"
#include "shim/udp_send_skb.h"
#include "shim/umem.h"
#include "shim/wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

uint64_t udp_fp_stamp_counter;

/* The frames of a flow: vnet header, then the family's headers (udp_frame_desc, wire.h). One
 * implementation for both families: the functions below take the family's descriptor, a constant
 * at each entry (udp_frame_ipv4 for the IPv4 ones, udp_frame_ipv6 for the *6 ones), so the code
 * inlined at an entry is that family's own (an IPv4 datagram runs no IPv6 instruction). A flow's
 * family is told by its owner slot: the socket itself for IPv4, the socket tagged with bit 0 for
 * IPv6 (udp_fastpath_candidate, udp_fastpath_candidate6). */
#define FP_ETH_OFF   DEV_VNET_HDR_LEN
#define FP_HDR(desc) (FP_ETH_OFF + (desc)->hdr_len) /* vnet and the family's headers */
#define FP_HDR_MAX   (DEV_VNET_HDR_LEN + UDP_FRAME_HDR_MAX)
_Static_assert(DEV_VNET_HDR_LEN + UDP_FRAME_HDR_IPV4 == HDR_TEMPLATE_LEN,
	       "the fast path's IPv4 frames are the template's");
_Static_assert(FP_HDR_MAX <= HDR_TEMPLATE_MAX, "a template holds either family's headers");
#define FP_IOVS 8 /* payload buffers of one fast datagram */
#define FP_V4	(&udp_frame_ipv4)
#define FP_V6	(&udp_frame_ipv6)

struct fp_flow {
	struct shim_sock *sk; /* with stamp: the socket and its settings this flow belongs to */
	uint64_t stamp;
	const unsigned *gen_cell; /* with gen: no other process changed the socket (sockgen.h) */
	unsigned gen;
	uint64_t neigh_gen; /* at learning; the route generation was the route's own */
	uint64_t has_name;  /* 1: learnt from a send with an address (0: the connected peer) */
	sa_family_t family; /* of the frames: their descriptor (AF_INET: udp_frame_ipv4) */
	uint64_t to;	    /* ... the first 8 bytes of that sockaddr_in: family, port, address */
	uint64_t to6[3];    /* IPv6: the rest of the sockaddr_in6 (address, scope id) */
	bool connected;	    /* the ID comes from the socket's counter */
	int nonblock;	    /* O_NONBLOCK on the file: MSG_DONTWAIT, else 0 */
	uint8_t id_rule;    /* enum ip_id_rule (__ip_make_skb) */
	uint32_t df_upto; /* DF for datagrams (IP total length) up to this: 0 never, 65535 always */
	size_t max_len;	  /* largest payload that is one frame (fragsize - 28) */
	uint16_t gso_size; /* the socket's UDP_SEGMENT: a longer payload is a super-packet */
	int oif;
	struct shim_addr nexthop;
	_Atomic uint32_t *id_bucket; /* the per-destination ID counter (IP_ID_DEST, ZERO_IF_DF) */
	uint16_t id_offset;	     /* ... and its starting point (ip_ident_bucket) */
	struct hdr_template tpl;     /* the flow's headers (hdr_template_build, as ip_output.c's) */
	/* the skb's priority and mark (__ip_make_skb) and their control messages for the packet
	 * socket (dev_skb_ctl; ctl_len 0: both 0, the common case) */
	uint32_t priority, mark;
	size_t ctl_len;
	uint64_t ctl[DEV_SKB_CTL_MAX / 8];
	/* the previous general-path datagram on this slot: a flow is learnt from the second one of
	 * it in a row, so a socket that alternates destinations does not pay for learning */
	const struct shim_sock *seen_sk;
	uint64_t seen_to;
	bool seen_name;
};

__thread __attribute__((tls_model("initial-exec"))) struct shim_sock *udp_fp_owner[UDP_FP_SLOTS];

static __thread __attribute__((tls_model("initial-exec"))) struct fp_flow flows[UDP_FP_SLOTS];

static inline struct fp_flow *flow_slot(int fd)
{
	return &flows[(unsigned)fd % UDP_FP_SLOTS];
}

/* A sockaddr_in6's bytes after the first 8 (the address, the scope id) as the flow keeps them. */
static inline __attribute__((always_inline)) void name6_words(const void *name, uint64_t w[3])
{
	uint32_t scope;

	memcpy(&w[0], (const char *)name + 8, 8);
	memcpy(&w[1], (const char *)name + 16, 8);
	memcpy(&scope, (const char *)name + 24, 4);
	w[2] = scope;
}

/* The flow's owner slot (see FP_V6 above). */
static inline struct shim_sock *owner_tag(struct shim_sock *sk, const struct udp_frame_desc *desc)
{
	return (struct shim_sock *)((uintptr_t)sk | (desc->family == AF_INET6));
}

/* The per-flow checks of udp_sendmsg that a cached flow answers once: only a plain unicast UDP
 * datagram without control messages, options, GSO or corking, sent as one frame out of an
 * Ethernet device to a resolved next hop with nothing queued for it. */
static bool learnable(const struct shim_sock *sk, const struct shim_msg *m,
		      const struct sock_view *sv, const struct route_result *rt,
		      const struct udp_datagram *d, uint32_t mtu)
{
	return sv->fp_stamp != 0 && m->controllen == 0 &&
	       __atomic_load_n(&sk->cork, __ATOMIC_ACQUIRE) == NULL &&
	       !__atomic_load_n(&sk->cork_kernel, __ATOMIC_RELAXED) &&
	       !(m->flags & (MSG_MORE | MSG_OOB | MSG_DONTROUTE | 0x10 /* MSG_PROBE */)) &&
	       sk->protocol == IPPROTO_UDP && rt->err == 0 && rt->type == RTN_UNICAST &&
	       rt->expires_at == 0 /* an expiring route is asked again when it expires */ &&
	       rt->dev_ether && !IN_MULTICAST(ntohl(d->daddr)) && d->opt == NULL && !d->no_check &&
	       !d->cscov_set && (d->protocol == 0 || d->protocol == IPPROTO_UDP) && !sv->shut_wr &&
	       sv->ext.opt.optlen == 0 && sv->ext.opt_kernel == NULL && mtu >= 68 &&
	       /* one frame, or a super-packet of the socket's UDP_SEGMENT (not a message's) */
	       (d->gso_size != 0 ? d->gso_size == sv->gso_size
				 : FP_V4->l3_len + UDP_HLEN + d->len <= mtu);
}

/* The settings of the flow that both families learn the same way. */
struct fp_learn {
	uint64_t fp_stamp;
	unsigned gen_seen;
	bool connected, nonblock;
	int oif;
	const uint8_t *dst_mac;
	uint32_t priority, mark;
};

/* The first part of learning: whether this datagram's flow is worth learning (the second of a
 * socket's datagrams to one destination in a row: a socket that alternates destinations does not
 * pay for learning); key_to is the destination's first 8 bytes mixed with the rest. */
static struct fp_flow *learn_begin(int fd, const struct shim_sock *sk, const struct shim_msg *m,
				   uint64_t key_to)
{
	struct fp_flow *f = flow_slot(fd);

	if (!shim_config.fastpath) /* SHIM_FASTPATH=0: every datagram takes the general path */
		return NULL;
	if (f->seen_sk != sk || f->seen_name != m->has_name || f->seen_to != key_to) {
		f->seen_sk = sk;
		f->seen_name = m->has_name;
		f->seen_to = key_to;
		return NULL;
	}
	return f;
}

/* The second part, common to both families: the slot emptied, the generations and the next hop
 * confirmed, the destination and the socket's identity kept. Returns false when the flow cannot be
 * cached (then the slot holds none). */
static bool learn_common(struct fp_flow *f, struct shim_sock *sk, const struct shim_msg *m,
			 const struct route_result *rt, const struct fp_learn *l,
			 const struct udp_frame_desc *desc)
{
	uint64_t rgen, ngen;
	uint8_t mac[6];

	/* the fields change below: no fast send takes this slot until they are complete */
	f->sk = NULL;
	udp_fp_owner[f - flows] = NULL;
	/* the neighbour generation is taken before the MAC is confirmed, so an entry that changes
	 * meanwhile leaves the flow stale rather than wrong */
	if (!notify_generations_live(&rgen, &ngen) || rt->generation != rgen ||
	    neigh_queue_waiting(rt->oif, &rt->nexthop) ||
	    neigh_output_lookup(rt->oif, &rt->nexthop, mac) < 0 || memcmp(mac, l->dst_mac, 6) != 0)
		return false;
	f->to = 0;
	memset(f->to6, 0, sizeof(f->to6));
	if (m->has_name) {
		if (desc->family == AF_INET6) {
			const struct sockaddr_in6 *to = (const struct sockaddr_in6 *)&m->name;

			if (m->namelen != sizeof(struct sockaddr_in6) ||
			    to->sin6_family != AF_INET6)
				return false;
			memcpy(&f->to, to, sizeof(f->to));
			name6_words(to, f->to6);
		} else {
			const struct sockaddr_in *to = (const struct sockaddr_in *)&m->name;

			if (m->namelen != sizeof(struct sockaddr_in) || to->sin_family != AF_INET)
				return false;
			memcpy(&f->to, to, sizeof(f->to));
		}
	}
	/* a socket that may get a pending error and that this process's error watch does not
	 * report (a failed registration): every send asks the general path */
	if ((l->connected || __atomic_load_n(&sk->ever_connected, __ATOMIC_RELAXED)) &&
	    !notify_error_watched(&sk->err_watch))
		return false;
	f->has_name = m->has_name;
	f->stamp = l->fp_stamp;
	f->gen_cell = sk->gen_cell;
	f->gen = l->gen_seen;
	if (ngen == 0)
		return false; /* 0 is what the fast path reads while no listener runs */
	f->neigh_gen = ngen;
	f->connected = l->connected;
	f->nonblock = l->nonblock ? MSG_DONTWAIT : 0;
	f->oif = l->oif;
	f->nexthop = rt->nexthop;
	f->priority = l->priority;
	f->mark = l->mark;
	f->ctl_len = dev_skb_ctl(f->ctl, l->priority, l->mark);
	f->family = desc->family;
	return true;
}

void udp_fastpath_learn(int fd, struct shim_sock *sk, const struct shim_msg *m,
			const struct sock_view *sv, const struct route_result *rt,
			const struct udp_datagram *d, uint32_t mtu)
{
	uint64_t key_to = 0;
	struct fp_flow *f;

	if (m->has_name && m->namelen >= (int)sizeof(key_to))
		memcpy(&key_to, &m->name, sizeof(key_to));
	f = learn_begin(fd, sk, m, key_to);
	if (f == NULL || !learnable(sk, m, sv, rt, d, mtu) ||
	    !learn_common(f, sk, m, rt,
			  &(struct fp_learn){.fp_stamp = sv->fp_stamp,
					     .gen_seen = sv->gen_seen,
					     .connected = sv->connected,
					     .nonblock = sv->nonblock,
					     .oif = d->oif,
					     .dst_mac = d->dst_mac,
					     .priority = d->priority,
					     .mark = d->mark},
			  FP_V4))
		return;
	/* __ip_make_skb's rules, kept for the flow: DF up to a length, where the ID comes from */
	f->df_upto = ip_df_upto(sv->pmtudisc, rt);
	f->id_rule = d->id_rule;
	f->max_len = mtu - FP_V4->l3_len - UDP_HLEN;
	f->gso_size = sv->gso_size;
	f->id_bucket = ip_ident_bucket(d->daddr, d->saddr, IPPROTO_UDP, &f->id_offset);
	/* the headers with the fields udp_frame_patch writes zero: the general path's template */
	hdr_template_build(&f->tpl, d);
	f->sk = sk;
	udp_fp_owner[f - flows] = owner_tag(sk, FP_V4);
}

/* udpv6_sendmsg's per-flow checks for the IPv6 flows: a plain UDP datagram (no control messages,
 * extension headers, cork, GSO, UDP-Lite, UDP_NO_CHECK6_TX, multicast) of a unicast route out of an
 * Ethernet device, sent as one frame (not ip6_fragment's). */
static bool learnable6(const struct shim_sock *sk, const struct shim_msg *m,
		       const struct sock_view6 *v, const struct route_result *rt,
		       const struct udp6_datagram *d, uint32_t mtu)
{
	return v->fp_stamp != 0 && m->controllen == 0 &&
	       __atomic_load_n(&sk->cork, __ATOMIC_ACQUIRE) == NULL &&
	       !__atomic_load_n(&sk->cork_kernel, __ATOMIC_RELAXED) &&
	       !(m->flags & (MSG_MORE | MSG_OOB | MSG_DONTROUTE | 0x10 /* MSG_PROBE */)) &&
	       sk->protocol == IPPROTO_UDP && rt->err == 0 && rt->type == RTN_UNICAST &&
	       rt->dev_ether && rt->expires_at == 0 && d->daddr[0] != 0xff && !d->no_check6 &&
	       (d->protocol == 0 || d->protocol == IPPROTO_UDP) && !d->cscov_set &&
	       d->frag_mtu == 0 && d->ext_nflen == 0 && d->ext_flen == 0 && v->gso_size == 0 &&
	       !v->shut_wr && mtu >= 1280 && FP_V6->l3_len + UDP_HLEN + d->len <= mtu;
}

void udp_fastpath_learn6(int fd, struct shim_sock *sk, const struct shim_msg *m,
			 const struct sock_view6 *v, const struct route_result *rt,
			 const struct udp6_datagram *d, uint32_t mtu)
{
	uint64_t key_to = 0, w[3] = {0, 0, 0};
	struct fp_flow *f;

	if (m->has_name && m->namelen >= (int)sizeof(struct sockaddr_in6)) {
		memcpy(&key_to, &m->name, sizeof(key_to));
		name6_words(&m->name, w);
		key_to ^= w[0] ^ (w[1] << 1) ^ (w[2] << 2);
	}
	f = learn_begin(fd, sk, m, key_to);
	if (f == NULL || !learnable6(sk, m, v, rt, d, mtu) ||
	    !learn_common(f, sk, m, rt,
			  &(struct fp_learn){.fp_stamp = v->fp_stamp,
					     .gen_seen = v->gen_seen,
					     .connected = v->connected,
					     .nonblock = v->nonblock,
					     .oif = d->oif,
					     .dst_mac = d->dst_mac,
					     .priority = d->priority,
					     .mark = d->mark},
			  FP_V6))
		return;
	/* IPv6 has neither DF nor an ID in its header (a datagram that needs fragments is the
	 * general path's: max_len) */
	f->df_upto = 0;
	f->id_rule = IP_ID_DEST;
	f->id_bucket = NULL;
	f->max_len = mtu - FP_V6->l3_len - UDP_HLEN;
	f->gso_size = 0;
	/* the headers: ip6_output_udp's, with the flow's hop limit, traffic class and label */
	ip6_udp_template(f->tpl.hdr, &f->tpl.pseudo_base, d);
	f->tpl.ip_base = 0;
	f->sk = sk;
	udp_fp_owner[f - flows] = owner_tag(sk, FP_V6);
}

/* Whether f, this thread's flow for the socket, answers a datagram of sk to name (NULL: none)
 * with these flags: every per-datagram check of udp_sendmsg that does not depend on the datagram's
 * length or buffers, as it came out when the flow was learnt. */
static inline __attribute__((always_inline)) bool fp_flow_ok(const struct fp_flow *f,
							     struct shim_sock *sk, const void *name,
							     int flags,
							     const struct udp_frame_desc *desc)
{
	uint64_t ngen, to = 0;

	/* the flow: this socket with the settings it had, the same destination (or none) */
	if (name != NULL)
		memcpy(&to, name, sizeof(to));
	/* ... with routes and neighbours as when the flow was learnt (the neighbour generation
	 * moves with the route generation too; 0, never a flow's, while no listener keeps it):
	 * one test of all the differences together */
	ngen = notify_live_generation_inline();
	if (((uintptr_t)f->sk ^ (uintptr_t)sk) |
	    (f->stamp ^ __atomic_load_n(&sk->fp_stamp, __ATOMIC_ACQUIRE)) | (f->neigh_gen ^ ngen) |
	    (f->to ^ to) | ((uint64_t)(name != NULL) ^ f->has_name))
		return false;
	/* ... the rest of an IPv6 destination */
	if (desc->family == AF_INET6 && name != NULL) {
		uint64_t w[3];

		name6_words(name, w);
		if ((w[0] ^ f->to6[0]) | (w[1] ^ f->to6[1]) | (w[2] ^ f->to6[2]))
			return false;
	}
	/* ... and unchanged by any other process that shares the socket (sockgen.h; the flow is
	 * this socket's, so its cell is set) */
	if (__atomic_load_n(f->gen_cell, __ATOMIC_ACQUIRE) != f->gen)
		return false;
	/* flags with no effect on a plain datagram; MSG_OOB, MSG_PROBE, MSG_MORE, MSG_DONTROUTE
	 * ... take the general path */
	if ((flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_CONFIRM)) ||
	    __builtin_expect(trace_path_enabled, 0))
		return false;
	/* inet_sendmsg: a corked datagram held by the kernel socket; the shim's cork state (made by
	 * the first corked send or a connect that routed into the cork's flow, kept until close)
	 * may hold a pending datagram or a flow the connected route is used with (udp_cork.c) */
	if (__atomic_load_n(&sk->cork_kernel, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&sk->cork, __ATOMIC_ACQUIRE) != NULL)
		return false;
	/* sock_alloc_send_pskb: a pending error is the general path's to report: an error reported
	 * on the socket, or an event the error ring's flag shows not collected yet (err_ring.h); a
	 * socket that may have one has a flow only while this process's error watch has it */
	if ((f->connected || __atomic_load_n(&sk->ever_connected, __ATOMIC_RELAXED) ||
	     __atomic_load_n(&sk->err_watch, __ATOMIC_RELAXED) != 0) &&
	    ((__atomic_load_n(&sk->err_hint, __ATOMIC_ACQUIRE) != 0) | !err_ring_quiet()))
		return false;
	/* neigh_output: frames already waiting for this next hop go first */
	if (!neigh_queue_idle() && neigh_queue_waiting(f->oif, &f->nexthop))
		return false;
	return true;
}

/* A flow's super-packet through the device stack, which sends a frame of several segments from
 * its GSO ring (packet_ring.h): what it is told of the frame, as ip_output_gso.c tells it. */
static __attribute__((noinline)) int fp_xmit_gso(const struct fp_flow *f, const struct iovec *iov,
						 int iovcnt, size_t len, unsigned segs,
						 int dontwait)
{
	const struct udp_frame_desc *desc = FP_V4; /* (IPv6 flows have no UDP_SEGMENT here) */
	const uint8_t *eth = (const uint8_t *)iov[0].iov_base + FP_ETH_OFF;
	struct dev_meta m = {
	    .proto = desc->ethertype,
	    .l3_off = FP_ETH_OFF + desc->l3_off,
	    .l4_off = FP_ETH_OFF + desc->l4_off,
	    .hdr_len = FP_HDR(desc),
	    .flags = DEV_META_SKB,
	    .segs = (uint16_t)segs,
	    .id = desc->id_off ? (uint16_t)(eth[desc->id_off] << 8 | eth[desc->id_off + 1]) : 0,
	    .payload_len = (uint32_t)len,
	    .priority = f->priority,
	    .mark = f->mark,
	};

	return dev_xmit(f->oif, iov, iovcnt, &m, dontwait != 0);
}

/* held: the caller holds a reference on sk; without one (fdtable_peek) sk may be closed and
 * reused at any moment, so it is only read until the flow has been matched, and a reference is
 * taken (shim_sock_hold_peeked) before its lock is (a socket-counter ID) */
static inline __attribute__((always_inline)) long
fp_send(int fd, struct shim_sock *sk, const struct iovec *iov, int iovcnt, size_t len, int flags,
	const void *name, struct xmit_batch *batch, bool held, const struct udp_frame_desc *desc)
{
	struct fp_flow *f = flow_slot(fd);
	uint8_t hdr[FP_HDR_MAX], *out;
	struct iovec parts[1 + FP_IOVS], *pp;
	uint16_t ulen, tot, id, frag;
	int dontwait; /* MSG_DONTWAIT or 0 */
	int n;
	unsigned segs = 1;
	long err;

	/* an opaque value from here on: the compiler keeps the pointer rather than computing the
	 * thread-local address again after every call (perf) */
	__asm__("" : "+r"(f));
	if (!fp_flow_ok(f, sk, name, flags, desc))
		return UDP_FP_MISS;
	/* an IPv6 datagram of a sendmmsg call goes out by itself (the general path's IPv6 sends
	 * are never batched: nothing waits in the batch before it); the batch's slots are IPv4's */
	if (desc->family == AF_INET6 && batch != NULL) {
		if (batch->n != 0)
			return UDP_FP_MISS;
		batch = NULL;
	}
	/* udp_send_skb's GSO block, for the socket's UDP_SEGMENT: a payload above gso_size leaves
	 * as one super-packet the device segments, where the kernel takes it (a segment that fits
	 * the MTU, up to UDP_GSO_MAX_SEGMENTS, within the 65535 bytes of IP); its errors and a
	 * batch's entries are the general path's */
	if (__builtin_expect(f->gso_size != 0 && len > f->gso_size, 0)) {
		if (batch != NULL || f->gso_size > f->max_len ||
		    len > (size_t)f->gso_size * UDP_GSO_MAX_SEGMENTS ||
		    len > 0xFFFFu - UDP_HLEN - desc->iplen_hdr || (unsigned)iovcnt > FP_IOVS)
			return UDP_FP_MISS;
		segs = (unsigned)((len + f->gso_size - 1) / f->gso_size);
	} else if (len > f->max_len ||
		   (unsigned)iovcnt > (batch != NULL ? XMIT_SLOT_IOVS - 1 : FP_IOVS)) {
		/* lengths that need fragments or give EMSGSIZE take the general path */
		return UDP_FP_MISS;
	}
	dontwait = (flags | f->nonblock) & MSG_DONTWAIT;
	/* a datagram with a skb priority or mark is batched by the general path (ip_output_defer:
	 * the slots here carry neither) */
	if (batch != NULL &&
	    (batch->n == XMIT_BATCH_MAX || f->ctl_len != 0 ||
	     (batch->n > 0 && (batch->oif != f->oif || batch->dontwait != (dontwait != 0)))))
		return UDP_FP_MISS; /* the general path flushes the batch first */

	/* __ip_make_skb: DF and the ID (ip_select_ident_segs), by the flow's rules (IPv6: none) */
	ulen = (uint16_t)(UDP_HLEN + len);
	tot = (uint16_t)(desc->l3_len + ulen); /* the IP total length */
	frag = tot <= f->df_upto ? htons(IP_DF) : 0;
	if (desc->id_off == 0) {
		id = 0;
		frag = 0;
	} else if (f->id_rule == IP_ID_SOCKET) {
		if (!held && !shim_sock_hold_peeked(fd, sk))
			return UDP_FP_MISS; /* closed meanwhile: the general path looks again */
		/* closed and the object reused for a new socket on the same fd before the
		 * reference was taken: the new one has another stamp (stamps are never reused) */
		if (!held && __atomic_load_n(&sk->fp_stamp, __ATOMIC_ACQUIRE) != f->stamp) {
			shim_sock_put(sk);
			return UDP_FP_MISS;
		}
		id = ip_ident_sock_next(sk, false);
	} else if (f->id_rule == IP_ID_ZERO_IF_DF && frag) {
		id = 0;
	} else {
		id = ip_ident_next(f->id_bucket, f->id_offset); /* ip_ident_unconnected */
	}

	/* the headers: the flow's bytes, lengths, ID, flags and checksums patched in */
	out = batch != NULL ? batch->slot[batch->n].hdr : hdr;
	memcpy(out, f->tpl.hdr, FP_HDR(desc));
	udp_frame_patch(desc, out + FP_ETH_OFF, ulen, htons(id), frag, f->tpl.ip_base,
			f->tpl.pseudo_base);
	if (segs > 1) /* the super-packet's: segments of gso_size, as ip_output_gso.c's frame */
		dev_vnet_hdr_set_gso_udp_l4(out, f->gso_size);

	pp = batch != NULL ? batch->slot[batch->n].parts : parts;
	pp[0] = (struct iovec){out, FP_HDR(desc)};
	if (iovcnt == 1) {
		pp[1] = iov[0];
		n = iov[0].iov_len ? 2 : 1;
	} else {
		n = 1;
		for (int i = 0; i < iovcnt; i++)
			if (iov[i].iov_len)
				pp[n++] = iov[i];
	}
	if (batch != NULL) { /* ip_output_defer: out with the rest of the sendmmsg batch */
		batch->slot[batch->n].nparts = n;
		batch->slot[batch->n].entry = batch->current_entry;
		batch->slot[batch->n].len = (uint32_t)len; /* counted when it goes out */
		batch->slot[batch->n].priority = 0;	   /* read when another entry has one */
		batch->slot[batch->n].mark = 0;
		batch->oif = f->oif;
		batch->dontwait = dontwait != 0;
		batch->n++;
		if (f->has_name)
			stats_add_inline(STAT_ROUTE_HIT, 1);
		return (long)len;
	}
	if (__builtin_expect(segs > 1, 0))
		err = fp_xmit_gso(f, parts, n, len, segs, dontwait);
	else
		err =
		    dev_xmit_fast(f->oif, parts, n, dontwait, desc->ethertype, f->ctl, f->ctl_len);
	if (__builtin_expect(err != 0, 0)) {
		if (err == DEV_XMIT_SLOW) /* a wrapper in the stack: with what it needs to know */
			err = desc->family == AF_INET6
				  ? ip6_output_frame(f->oif, parts, n, len, dontwait != 0,
						     f->priority, f->mark)
				  : ip_output_frame(f->oif, parts, n, len, dontwait != 0,
						    f->priority, f->mark);
		err = udp_xmit_errno((int)err); /* udp_send_skb's answer */
		if (err < 0) {
			if (desc->id_off != 0 && f->id_rule == IP_ID_SOCKET) {
				ip_ident_sock_undo(sk, id, false); /* host order */
				if (!held)
					shim_sock_put(sk);
			}
			/* the skb's mark or priority refused (no CAP_NET_RAW/ADMIN now): the
			 * general path hands the datagram to the kernel socket; the flow is
			 * dropped, its sends go that way */
			if (err == -EPERM && f->ctl_len) {
				f->sk = NULL;
				udp_fp_owner[f - flows] = NULL;
				return UDP_FP_MISS;
			}
			return err;
		}
	}
	if (!held && desc->id_off != 0 && f->id_rule == IP_ID_SOCKET)
		shim_sock_put(sk);
	/* the general path would have found the route of a named send in the route cache (a
	 * connected one uses the socket's own route, counted nowhere) */
	if (f->has_name)
		stats_add_inline(STAT_ROUTE_HIT, 1);
	udp_count_sent(len);
	return (long)len;
}

long udp_fastpath_send(int fd, struct shim_sock *sk, const struct iovec *iov, int iovcnt,
		       size_t len, int flags, const struct sockaddr_in *name,
		       struct xmit_batch *batch)
{
	return fp_send(fd, sk, iov, iovcnt, len, flags, name, batch, true, FP_V4);
}

long udp_fastpath_send_peeked(int fd, struct shim_sock *sk, const void *buf, size_t len, int flags,
			      const struct sockaddr_in *name)
{
	struct iovec one = {(void *)buf, len};

	return fp_send(fd, sk, &one, 1, len, flags, name, NULL, false, FP_V4);
}

long udp_fastpath_send6(int fd, struct shim_sock *sk, const struct iovec *iov, int iovcnt,
			size_t len, int flags, const struct sockaddr_in6 *name,
			struct xmit_batch *batch)
{
	return fp_send(fd, sk, iov, iovcnt, len, flags, name, batch, true, FP_V6);
}

long udp_fastpath_send6_peeked(int fd, struct shim_sock *sk, const void *buf, size_t len, int flags,
			       const struct sockaddr_in6 *name)
{
	struct iovec one = {(void *)buf, len};

	return fp_send(fd, sk, &one, 1, len, flags, name, NULL, false, FP_V6);
}

/* The IDs of a batch's k datagrams (ip_select_ident_segs for each, in order): a connected socket's
 * counter advanced once for them all under its lock. */
static inline uint16_t batch_ident(const struct fp_flow *f, uint16_t first, unsigned i,
				   uint16_t frag)
{
	if (f->id_rule == IP_ID_SOCKET)
		return (uint16_t)(first + i);
	if (f->id_rule == IP_ID_ZERO_IF_DF && frag)
		return 0;
	return ip_ident_next(f->id_bucket, f->id_offset); /* ip_ident_unconnected */
}

_Static_assert(UDP_FP_BATCH_MAX <= PACKET_RING_DIRECT_MAX, "a batch is one kick of the ring");

static inline __attribute__((always_inline)) unsigned
fp_sendmmsg(int fd, struct shim_sock *sk, const struct iovec *iov, unsigned n, const void *name,
	    int flags, unsigned *lens, long *err, const struct udp_frame_desc *desc)
{
	struct fp_flow *f = flow_slot(fd);
	uint8_t *frame[UDP_FP_BATCH_MAX];
	uint64_t bytes = 0;
	uint16_t id0 = 0;
	unsigned k, sent;
	int dontwait, room;

	__asm__("" : "+r"(f));
	*err = 0;
	/* fp_send's checks, once for the batch: they do not depend on the entry; a flow with a skb
	 * priority or mark is the general path's batch (ip_output_defer), as for fp_send */
	if (!netdev_ring_direct || n == 0 || n > UDP_FP_BATCH_MAX ||
	    !fp_flow_ok(f, sk, name, flags, desc) || f->ctl_len != 0 || f->gso_size != 0 ||
	    !umem_fault_safe())
		return 0; /* (a flow with UDP_SEGMENT: its entries may be super-packets) */
	dontwait = (flags | f->nonblock) & MSG_DONTWAIT;
	room = packet_ring_direct_begin(frame, n);
	if (room < 0)
		return 0; /* no ring here, or another thread's batch: the general path's batch */

	/* each frame: the flow's headers, then the payload copied in from the program (a fault is
	 * that entry's EFAULT: ip_append_data's copy failed, no ID taken) */
	for (k = 0; k < (unsigned)room; k++) {
		size_t len = iov[k].iov_len;

		if (len > f->max_len)
			break;
		memcpy(frame[k], f->tpl.hdr, FP_HDR(desc));
		if (len && ucopy(frame[k] + FP_HDR(desc), iov[k].iov_base, len) != 0) {
			*err = -EFAULT;
			break;
		}
		lens[k] = (unsigned)len;
	}
	/* __ip_make_skb for each: DF and the ID, by the flow's rules; the header patched */
	if (desc->id_off != 0 && k > 0 && f->id_rule == IP_ID_SOCKET) {
		shim_lock_acquire(&sk->lock);
		id0 = (uint16_t)(sk->ip_id + 1);
		sk->ip_id = (uint16_t)(sk->ip_id + k);
		sk->ip_id_used = true;
		shim_lock_release(&sk->lock);
	}
	for (unsigned i = 0; i < k; i++) {
		uint16_t ulen = (uint16_t)(UDP_HLEN + lens[i]);
		uint16_t frag = desc->l3_len + ulen <= f->df_upto ? htons(IP_DF) : 0;
		uint16_t id = desc->id_off != 0 ? batch_ident(f, id0, i, frag) : 0;

		udp_frame_patch(desc, frame[i] + FP_ETH_OFF, ulen, htons(id), frag, f->tpl.ip_base,
				f->tpl.pseudo_base);
	}
	packet_ring_direct_put(lens, FP_HDR(desc), k);

	/* one kick; what the kernel did not take is handled as xmit_batch_flush does: kicked again
	 * while it takes some, a queue drop (ENOBUFS) is sent for UDP, another error is the answer
	 * of that entry, and the ones after it are not sent */
	for (sent = 0; sent < k;) {
		int kerr = 0;
		int took =
		    packet_ring_direct_kick(f->oif, sent, k, dontwait, desc->ethertype, &kerr);

		sent += (unsigned)took;
		if (sent == k || took > 0)
			continue;
		packet_ring_direct_drop(sent);
		if (udp_xmit_errno(kerr) == 0) { /* dropped by the queue: no error for UDP */
			sent++;
			continue;
		}
		for (unsigned i = sent + 1; i < k; i++)
			packet_ring_direct_drop(i);
		/* the IDs of the failed datagram and the ones after it are given back, as
		 * udp_send_skb gives back the ID of a datagram that did not leave */
		if (desc->id_off != 0 && f->id_rule == IP_ID_SOCKET) {
			shim_lock_acquire(&sk->lock);
			if (sk->ip_id == (uint16_t)(id0 + k - 1))
				sk->ip_id = (uint16_t)(id0 + sent - 1);
			shim_lock_release(&sk->lock);
		}
		*err = udp_xmit_errno(kerr);
		break;
	}
	packet_ring_direct_end();
	for (unsigned i = 0; i < sent; i++)
		bytes += lens[i];
	if (sent > 0) {
		stats_add_inline(STAT_DGRAMS_SENT, sent);
		stats_add_inline(STAT_BYTES_SENT, bytes);
		if (f->has_name)
			stats_add_inline(STAT_ROUTE_HIT, sent);
	}
	return sent;
}

unsigned udp_fastpath_sendmmsg(int fd, struct shim_sock *sk, const struct iovec *iov, unsigned n,
			       const struct sockaddr_in *name, int flags, unsigned *lens, long *err)
{
	return fp_sendmmsg(fd, sk, iov, n, name, flags, lens, err, FP_V4);
}

unsigned udp_fastpath_sendmmsg6(int fd, struct shim_sock *sk, const struct iovec *iov, unsigned n,
				const struct sockaddr_in6 *name, int flags, unsigned *lens,
				long *err)
{
	return fp_sendmmsg(fd, sk, iov, n, name, flags, lens, err, FP_V6);
}
