/* udp_cork: the pending (corked) datagram of a socket, held by the shim (see
 * include/shim/udp_cork.h and udp4-send-path.md 5.11). */
#include "shim/shim_alloc.h"
#include "shim/udp_cork.h"
#include "shim/net_compat.h"
#include "shim/dev.h"
#include "shim/ip_make_skb.h"
#include "shim/ip6_output.h"
#include "shim/ip6_exthdrs.h"
#include "shim/ip6_flowlabel.h"
#include "shim/udp_send_skb.h"
#include "shim/rawsys.h"
#include "shim/stats.h"
#include "shim/umem.h"
#include "shim/wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#define MSG_PROBE_FLAG	 0x10 /* glibc: MSG_PROXY */
#define IP_MAX_MTU	 0xFFFF
#define SIN6_LEN_RFC2133 24

/* inet->cork (inet6_cork too) with its flow and the queued bytes. */
struct udp_cork {
	/* up->pending: 0, or the family of the pending datagram (AF_INET; AF_INET6 for one that
	 * udpv6_sendmsg began, which it appends to and pushes) */
	sa_family_t pending;
	/* the flow below was written by a corked send since the last connect: the connected fast
	 * path, which reads inet->cork.fl, sends there too */
	bool fl_override;
	/* a corked send the kernel socket made (a hand-off) may have written inet->cork.fl with a
	 * flow the shim did not compute: until the next connect, the sends that read it (the
	 * connected fast path with the cached route) are the kernel socket's */
	bool fl_kernel;
	/* inet->cork.fl of an IPv4 datagram: addresses and the destination port (fl.ip4); the
	 * source port is the socket's at the push (udp_send_skb). An IPv6 datagram's is in d6 */
	struct shim_flowi fl;
	/* ip_setup_cork / ip6_setup_cork: the route and what is taken from the first send */
	struct route_result rt;
	uint32_t fragsize;
	uint8_t ttl; /* IPv4: IP_TTL control message, 0 = none */
	uint8_t tos; /* IPv4 */
	/* IPv6: the datagram as __ip6_make_skb makes it from the cork (fl6 with the source port,
	 * hop limit, traffic class, the first skb's automatic flow label, skb priority and mark,
	 * the extension headers in ext6), without payload; headersize (40 + the extension headers),
	 * dontfrag and gso_size of ip6_setup_cork */
	struct udp6_datagram d6;
	uint8_t ext6[IP6_EXTHDRS_MAX];
	size_t headersize;
	bool dontfrag;
	unsigned gso_size;
	uint32_t autolabel;	 /* IPv6: the first skb's automatic flow label (0: not known) */
	uint32_t priority, mark; /* cork->priority, cork->mark */
	bool dontwait;
	struct udp_wmem_queue wmem; /* the kernel's skbs for it, charged to sk_wmem_alloc */
	/* cork->length: the first piece's headers (trans: UDP, and IPv6's fragmentable extension
	 * headers) plus the payload appended so far, which is in data */
	size_t length, trans;
	uint8_t *data;
	size_t cap;
};

/* inet->cork.fl of an IPv4 datagram: destination, source, destination port */
static void cork_set_flow4(struct udp_cork *c, uint32_t daddr, uint32_t saddr, uint16_t dport)
{
	memset(&c->fl, 0, sizeof(c->fl));
	c->fl.family = AF_INET;
	c->fl.ip4.daddr = daddr;
	c->fl.ip4.saddr = saddr;
	c->fl.ip4.dport = dport;
}

bool udp_cork_pending(const struct shim_sock *sk)
{
	return sk->cork != NULL && sk->cork->pending;
}

int udp_cork_family(const struct shim_sock *sk)
{
	return sk->cork != NULL ? sk->cork->pending : 0;
}

/* Copy m's payload behind what is queued: the kernel's getfrag, EFAULT for an unreadable byte. */
static int cork_copy(struct udp_cork *c, const struct shim_msg *m)
{
	size_t have = c->length - c->trans, need = have + m->len;

	if (need > c->cap) {
		size_t cap = c->cap ? c->cap : 2048;
		uint8_t *p;

		while (cap < need)
			cap *= 2;
		p = shim_realloc(c->data, cap);
		if (p == NULL)
			return -ENOBUFS;
		c->data = p;
		c->cap = cap;
	}
	return umem_read_iov(c->data + have, m->iov, m->iovcnt, m->len) != 0 ? -EFAULT : 0;
}

/* udp_flush_pending_frames */
static void cork_flush(struct udp_cork *c)
{
	c->pending = 0;
	c->length = 0;
}

/* udp_push_pending_frames: __ip_make_skb (header fields of push time where the kernel takes them
 * then: DF, ID, a TTL not given by a cmsg), udp_send_skb. The datagram is no longer pending,
 * whatever happens. Called with sk->lock held. Returns 0 or -errno. */
static int cork_push4(struct shim_sock *sk, struct path_trace *t)
{
	struct udp_cork *c = sk->cork;
	struct udp_datagram d;
	struct ip_make_args ipm = {
	    .cmsg_ttl = c->ttl,
	    .uc_ttl = sk->uc_ttl,
	    .mc_ttl = sk->mc_ttl,
	    .tos = c->tos,
	    .pmtudisc = sk->pmtudisc,
	    .connected = sk->connected,
	    .priority = c->priority,
	    .mark = c->mark,
	};
	struct udp_skb skb = {.sk = sk, .locked = true, .rt = &c->rt, .held = true, .trace = t};
	struct iovec one;
	size_t total = IPV4_HLEN_MIN + c->length;
	char a[INET_ADDRSTRLEN];

	memset(&d, 0, sizeof(d));
	d.saddr = c->fl.ip4.saddr;
	d.daddr = c->fl.ip4.daddr;
	d.sport = sk->sport; /* udp_send_skb takes the socket's port, the flow's is not used */
	d.dport = c->fl.ip4.dport;
	__ip_make_skb(&d, &ipm, &c->rt, total);
	d.fragsize = c->fragsize;
	d.oif = c->rt.oif;
	memcpy(d.src_mac, c->rt.dev_mac, 6);
	one.iov_base = c->data;
	one.iov_len = c->length - c->trans;
	d.iov = &one;
	d.iovcnt = 1;
	d.len = c->length - c->trans;
	d.dontwait = c->dontwait;
	cork_flush(c);

	/* ip_fragment: a DF datagram larger than the MTU, not to be fragmented locally */
	if (d.df && total > d.fragsize && !ip_ignore_df(sk->pmtudisc))
		return -EMSGSIZE;
	ip_select_ident(sk, &d, true);
	/* on an on-link route the next hop is the destination, which a connect may have changed;
	 * a route bound to an exception keeps its own (rt_gw4 = the old destination) */
	skb.nexthop = shim_addr_equal(&c->rt.nexthop, &c->rt.daddr) && !c->rt.gw_is_dst
			  ? shim_addr_v4(d.daddr)
			  : c->rt.nexthop;
	path_step(t, "udp_push_pending_frames(%zu bytes to %s:%u)", d.len,
		  inet_ntop(AF_INET, &d.daddr, a, sizeof(a)), ntohs(d.dport));
	d.no_check = sk->ext.no_check; /* udp_send_skb reads SO_NO_CHECK at the push */
	/* the first piece was appended with MSG_MORE: CHECKSUM_NONE, summed in software by
	 * udp_send_skb (udp_csum), also when the datagram fits one frame */
	d.csum_sw = true;
	return (int)udp_send_skb(&d, &skb);
}

/* udp_v6_push_pending_frames: ip6_finish_skb (__ip6_make_skb: the cork's header fields; the
 * automatic flow label as IPV6_AUTOFLOWLABEL says now), udp_v6_send_skb (its GSO checks with the
 * cork's gso_size, UDP_NO_CHECK6_TX now), ip6_send_skb (fragments above the route's MTU, whose
 * kind IPV6_MTU_DISCOVER says now). The datagram is no longer pending, whatever happens. Called
 * with sk->lock held. Returns 0 or -errno. */
static int cork_push6(struct shim_sock *sk, struct path_trace *t)
{
	struct udp_cork *c = sk->cork;
	const struct shim_ipv6_pinfo *np = &sk->ipv6;
	struct udp6_datagram d = c->d6;
	struct udp_skb skb = {.sk = sk,
			      .locked = true,
			      .rt = &c->rt,
			      .nexthop = c->rt.nexthop,
			      .held = true,
			      .trace = t};
	struct iovec one;
	char a[INET6_ADDRSTRLEN];
	/* the IPv6 header, its unfragmentable extension headers and cork->length */
	size_t total = IPV6_HLEN + c->d6.ext_nflen + c->length;
	long r;

	one.iov_base = c->data;
	one.iov_len = c->length - c->trans;
	d.iov = &one;
	d.iovcnt = 1;
	d.len = one.iov_len;
	d.ext = c->ext6;
	d.no_check6 = np->no_check6_tx;
	/* ip6_make_flowlabel with IPV6_AUTOFLOWLABEL as it is now */
	d.flowlabel = !np->autoflowlabel ? 0
		      : c->autolabel
			  ? c->autolabel
			  : ip6_own_flowlabel(d.saddr, d.daddr, d.sport, d.dport, np->txhash);
	/* rt6_nexthop: on an on-link route the next hop is the datagram's destination (which an
	 * IPv4 connect may have overwritten: udp_cork_after_connect6) */
	if (shim_addr_equal(&c->rt.nexthop, &c->rt.daddr))
		skb.nexthop = shim_addr_v6(d.daddr);
	cork_flush(c);
	path_step(t, "udp_v6_push_pending_frames(%zu bytes to [%s]:%u)", d.len,
		  inet_ntop(AF_INET6, d.daddr, a, sizeof(a)), ntohs(d.dport));
	if (c->gso_size) {
		r = udp_v6_gso_decide(d.len, c->gso_size, c->fragsize, c->headersize, d.no_check6,
				      sk->protocol, t);
		if (r < 0)
			return (int)r;
		d.gso_size = (uint16_t)r;
	} else {
		/* ip6_fragment: the path MTU and IPV6_MTU of now; pieces already laid out
		 * smaller (at cork->fragsize) are kept (its fast path over the frag list) */
		uint32_t path = np->pmtudisc >= IPV6_PMTUDISC_PROBE ? c->rt.dev_mtu : c->rt.mtu,
			 mtu = np->frag_size != 0 && np->frag_size < path ? np->frag_size : path;

		ip6_finish_output_layout(&d, total, path, mtu < c->fragsize ? mtu : c->fragsize,
					 true);
	}
	r = udp_v6_send_skb(&d, &skb);
	if (r < 0)
		return (int)r;
	udp_count_sent(d.len);
	return 0;
}

/* udp_v6_push_pending_frames, udp_push_pending_frames */
static int cork_push(struct shim_sock *sk, struct path_trace *t)
{
	return sk->cork->pending == AF_INET6 ? cork_push6(sk, t) : cork_push4(sk, t);
}

void udp_cork_kernel_answer(struct shim_sock *sk, long ret)
{
	/* a corked send that fails leaves nothing pending: refused before, or flushed */
	if (sk->cork_kernel_fresh && ret < 0)
		sk->cork_kernel = 0;
	sk->cork_kernel_fresh = false;
}

bool udp_cork_in_kernel(struct shim_sock *sk, struct shim_msg *m)
{
	bool corkreq = sk->cork_opt || (m->flags & MSG_MORE);
	bool untouched;

	if (!sk->cork_kernel)
		return false;
	/* the kernel appends and pushes (or discards) unless it refuses the call first: S1/S2 of
	 * udp_sendmsg, or udpv6_sendmsg's checks before its pending datagram */
	untouched = sk->family == AF_INET6 ? udpv6_pending_untouched(sk, m, sk->cork_kernel)
					   : udp_sendmsg_first_checks(m) < 0;
	if (!corkreq && !untouched) {
		/* the datagram's first skb took the sk_txhash of then (skb_set_hash_from_sk): a
		 * connect since drew another, and the label it leaves with is not the socket's
		 * automatic one now; nor is a label its first send gave (not learnt) */
		if (sk->family == AF_INET6 &&
		    (sk->cork_kernel_given || sk->cork_kernel_txhash != sk->ipv6.txhash))
			m->label_given = true;
		sk->cork_kernel = 0;
	}
	return true;
}

/* Whether a corked send of a connected socket writes inet->cork.fl other than it is: one with
 * control messages, or a name other than the peer's, or a socket whose flow is not the connect's
 * (udp_sendmsg's "Now cork the socket": the destination given, the source of its route). */
static bool cork_flow_rewritten(const struct shim_sock *sk, const struct shim_msg *m)
{
	const struct udp_cork *c = sk->cork;
	struct sockaddr_in sin;

	if (c != NULL && (c->fl_override || c->fl_kernel))
		return true;
	if (m->controllen != 0)
		return true;
	if (!m->has_name)
		return false;
	if (m->namelen < (int)sizeof(sin))
		return true; /* refused before (EINVAL): nothing written, nothing lost by asking */
	memcpy(&sin, &m->name, sizeof(sin));
	return sin.sin_addr.s_addr != sk->daddr || sin.sin_port != sk->dport;
}

/* Locked. A corked send the kernel socket made on a connected socket: its udp_sendmsg wrote
 * inet->cork.fl ("Now cork the socket"; udpv6_sendmsg's flow is its own) unless it appended to a
 * datagram pending there, which the shim cannot tell for sure (a hand-off whose append failed,
 * EFAULT or EMSGSIZE, flushed it): a flow other than the one it is makes the sends that read it
 * the kernel socket's until the next connect. */
static void cork_fl_handed_off(struct shim_sock *sk, const struct shim_msg *m)
{
	struct udp_cork *c;

	if (sk->family != AF_INET || !sk->connected || !cork_flow_rewritten(sk, m))
		return;
	c = sk->cork;
	if (c == NULL && (c = shim_zalloc(sizeof(*c))) != NULL)
		__atomic_store_n(&sk->cork, c, __ATOMIC_RELEASE);
	if (c != NULL) {
		c->fl_kernel = true;
		c->fl_override = false;
	} else {
		sock_set_kernel_only(sk, "an unknown inet->cork.fl", KR_RESOURCES);
	}
}

void udp_cork_handed_off(struct shim_sock *sk, const struct shim_msg *m)
{
	shim_lock_acquire(&sk->lock);
	if (!(m->flags & MSG_MORE)) {
		udp_cork_kernel_route(sk, m);
		shim_lock_release(&sk->lock);
		return;
	}
	/* MSG_PROBE appends nothing: the kernel leaves nothing pending (up->pending back to 0) */
	if (!udp_cork_pending(sk) && !sk->cork_kernel && !(m->flags & MSG_PROBE_FLAG)) {
		/* up->pending of the path the send took: udpv6_sendmsg's IPv4 one for a v4-mapped
		 * destination or an AF_INET name */
		sk->cork_kernel =
		    sk->family == AF_INET6 && !udpv6_takes_ipv4_path(sk, m) ? AF_INET6 : AF_INET;
		sk->cork_kernel_txhash = sk->ipv6.txhash;
		/* an IPV6_FLOWINFO control message's label is the datagram's (fl6.flowlabel) */
		sk->cork_kernel_given =
		    sk->family == AF_INET6 && ip6_cmsg_flowinfo_given(m->control, m->controllen);
		sk->cork_kernel_fresh = true; /* udp_cork_kernel_answer */
	}
	cork_fl_handed_off(sk, m);
	shim_lock_release(&sk->lock);
}

/* __ip_append_data's and __ip6_append_data's size limits for len more bytes: the largest
 * datagram of the IP_MTU_DISCOVER (IPV6_MTU_DISCOVER) mode of now, at the MTU the first send fixed
 * (IPv6: IPV6_DONTFRAG's of the first send; IP6_MAX_MTU with UDP_SEGMENT). 0 or -EMSGSIZE. */
static int cork_append_sizes(const struct shim_sock *sk, const struct udp_cork *c, size_t len,
			     struct path_trace *t)
{
	uint32_t maxnonfragsize;

	if (c->pending == AF_INET6) {
		const struct ip6_append_req a = {
		    .pmtudisc = sk->ipv6.pmtudisc,
		    .protocol = sk->protocol,
		    .mtu = c->gso_size ? IPV6_HLEN + IP_MAX_TOTAL : c->fragsize,
		    .headersize = c->headersize,
		    .length = c->length + len,
		    .dontfrag = c->dontfrag,
		};

		return __ip6_append_data_sizes(&a, t) < 0 ? -EMSGSIZE : 0;
	}
	maxnonfragsize = ip_ignore_df(sk->pmtudisc) ? IP_MAX_MTU : c->fragsize;
	return c->length + len > maxnonfragsize - IPV4_HLEN_MIN ? -EMSGSIZE : 0;
}

/* __ip_append_data's, __ip6_append_data's skbs for len more bytes against twice the send buffer
 * (udp_wmem.c; an IPv6 GSO datagram's paged skb is not counted) */
static int cork_append_wmem(const struct shim_sock *sk, struct udp_cork *c, size_t len)
{
	if (c->pending == AF_INET6)
		return c->gso_size ? 0
				   : udp_wmem_append6(&c->wmem, sk->sndbuf, c->fragsize,
						      (unsigned)(IPV6_HLEN + c->d6.ext_nflen), len);
	return udp_wmem_append(&c->wmem, sk->sndbuf, c->fragsize, IPV4_HLEN_MIN, len);
}

long udp_cork_append(struct shim_sock *sk, struct shim_msg *m)
{
	struct udp_cork *c = sk->cork;
	bool corkreq = sk->cork_opt || (m->flags & MSG_MORE);
	int err;

	/* udp_sendmsg's S1, S2 come before the pending check and leave the datagram pending
	 * (udpv6_sendmsg's own checks came before it calls this) */
	if (c->pending == AF_INET && (err = (int)udp_sendmsg_first_checks(m)) < 0)
		return err;
	/* what waits in a sendmmsg batch leaves before this push */
	if (!corkreq && m->batch != NULL && m->batch->n > 0 && xmit_batch_flush(m->batch) < 0)
		return SHIM_BATCH_BROKEN;
	path_step(m->trace, "%s(corked: %zu bytes appended to %zu pending%s)",
		  c->pending == AF_INET6 ? "udpv6_sendmsg" : "udp_sendmsg", m->len,
		  c->length - c->trans, corkreq ? "" : ", then pushed");
	/* ip_append_data, ip6_append_data: MSG_PROBE appends nothing */
	if (!(m->flags & MSG_PROBE_FLAG)) {
		if ((err = cork_append_sizes(sk, c, m->len, m->trace)) < 0) {
			cork_flush(c);
			return err;
		}
		if ((err = cork_append_wmem(sk, c, m->len)) < 0) {
			path_step(m->trace, "__ip_append_data(ENOBUFS: sk_sndbuf %d)", sk->sndbuf);
			cork_flush(c);
			return err;
		}
		err = cork_copy(c, m);
		if (err < 0) {
			cork_flush(c);
			return err;
		}
		c->length += m->len;
	}
	if (!corkreq) {
		err = cork_push(sk, m->trace);
		if (err < 0)
			return err;
	}
	return (long)m->len;
}

long udp_cork_begin(struct shim_sock *sk, struct shim_msg *m, const struct udp_cork_setup *s)
{
	struct udp_cork *c;
	int err;

	shim_lock_acquire(&sk->lock);
	if (udp_cork_pending(sk)) {
		/* corked by another thread since this send looked (an application bug) */
		shim_lock_release(&sk->lock);
		return -EINVAL;
	}
	c = sk->cork;
	if (c == NULL) {
		c = shim_zalloc(sizeof(*c));
		if (c == NULL) {
			shim_lock_release(&sk->lock);
			return -ENOBUFS;
		}
		__atomic_store_n(&sk->cork, c, __ATOMIC_RELEASE);
	}
	c->rt = *s->rt;
	c->fragsize = s->fragsize;
	c->wmem = *s->wq;
	if (s->family == AF_INET6) {
		/* ip6_setup_cork; inet->cork.fl.u.ip6 = fl6 */
		c->d6 = *s->d6;
		c->d6.iov = NULL;
		c->d6.iovcnt = 0;
		c->d6.len = 0;
		memcpy(c->ext6, s->d6->ext, (size_t)s->d6->ext_nflen + s->d6->ext_flen);
		c->d6.ext = NULL;
		c->headersize = s->headersize;
		c->dontfrag = s->dontfrag;
		c->gso_size = s->gso_size;
		c->autolabel = s->autolabel;
		c->priority = s->d6->priority;
		c->mark = s->d6->mark;
		c->dontwait = s->d6->dontwait;
		c->trans = s->d6->ext_flen + UDP_HLEN;
	} else {
		const struct udp_datagram *d = s->d4;

		cork_set_flow4(c, d->daddr, d->saddr, d->dport);
		c->ttl = (uint8_t)s->cmsg_ttl;
		c->tos = d->tos;
		c->priority = d->priority;
		c->mark = d->mark;
		c->dontwait = d->dontwait;
		c->trans = UDP_HLEN;
	}
	c->length = c->trans;
	err = cork_copy(c, m);
	if (err < 0) {
		cork_flush(c);
		shim_lock_release(&sk->lock);
		return err;
	}
	c->length += m->len;
	c->pending = s->family;
	if (s->family == AF_INET) {
		c->fl_override = true;
		c->fl_kernel = false;
	}
	path_step(m->trace, "%s(corked: %zu bytes pending)",
		  s->family == AF_INET6 ? "ip6_append_data" : "ip_append_data", m->len);
	shim_lock_release(&sk->lock);
	return (long)m->len;
}

void udp_cork_setsockopt(struct shim_sock *sk, int level, int name, const void *val, socklen_t len,
			 int ret)
{
	int v;

	if (ret != 0 || (level != SOL_UDP && level != SOL_UDPLITE) || name != UDP_CORK ||
	    len < sizeof(int) || umem_read(&v, val, sizeof(v)) != 0)
		return;
	if (v != 0) {
		sk->cork_opt = true;
		return;
	}
	/* udp_lib_setsockopt: uncork and push at once; the answer is 0 whatever the push gives */
	sk->cork_opt = false;
	sk->cork_kernel = false; /* the kernel pushed its own */
	if (udp_cork_pending(sk))
		(void)cork_push(sk, NULL);
}

/* A connect that failed in its route lookup (ENETUNREACH, EACCES ...): __ip4_datagram_connect
 * dropped the cached route and had already written the new destination into inet->cork.fl. */
static void connect_failed(struct shim_sock *sk, const struct sockaddr *addr, socklen_t len,
			   uint32_t fl_saddr)
{
	struct sockaddr_in sin;
	struct udp_cork *c = sk->cork;

	if (len < sizeof(sin) || umem_read(&sin, addr, sizeof(sin)) != 0 ||
	    sin.sin_family != AF_INET)
		return;		     /* refused before the route lookup: nothing changed */
	sk->dst_cache_valid = false; /* sk_dst_reset */
	if (c == NULL) {
		c = shim_zalloc(sizeof(*c));
		if (c == NULL)
			return;
		__atomic_store_n(&sk->cork, c, __ATOMIC_RELEASE);
	}
	cork_set_flow4(c, sin.sin_addr.s_addr, fl_saddr, sin.sin_port);
	c->fl_override = true;
	c->fl_kernel = false;
}

void udp_cork_after_connect(struct shim_sock *sk, const struct sockaddr *addr, socklen_t len,
			    int ret, uint32_t fl_saddr)
{
	struct udp_cork *c = sk->cork;

	if (ret != 0) {
		connect_failed(sk, addr, len, fl_saddr);
		return;
	}
	if (!sk->connected || c == NULL)
		return;
	c->fl_override = false;
	c->fl_kernel = false;
	if (!c->pending)
		return;
	/* __ip4_datagram_connect routes into inet->cork.fl: the pending datagram follows */
	cork_set_flow4(c, sk->daddr, fl_saddr, sk->dport);
}

void udp_cork_after_connect6(struct shim_sock *sk, const struct sockaddr *addr, socklen_t len)
{
	struct udp_cork *c = sk->cork;
	struct sockaddr_in6 sin6;
	uint32_t v4[2];
	uint16_t ports[2];

	memset(&sin6, 0, sizeof(sin6));
	if (c == NULL || !c->pending || sk->ipv6.v6only || len < sizeof(sa_family_t) ||
	    umem_read(&sin6, addr, len < sizeof(sin6) ? len : sizeof(sin6)) != 0)
		return;
	/* an IPv4 peer (an AF_INET name, a v4-mapped one) goes to __ip4_datagram_connect, which
	 * refuses a short name before it routes into inet->cork.fl.u.ip4 */
	if (sin6.sin6_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin;

		memcpy(&sin, &sin6, sizeof(sin));
		v4[1] = sin.sin_addr.s_addr;
		ports[0] = sin.sin_port;
	} else if (sin6.sin6_family == AF_INET6 && len >= SIN6_LEN_RFC2133 &&
		   sin6.sin6_addr.s6_addr32[0] == 0 && sin6.sin6_addr.s6_addr32[1] == 0 &&
		   sin6.sin6_addr.s6_addr32[2] == htonl(0xffff)) {
		v4[1] = sin6.sin6_addr.s6_addr32[3];
		ports[0] = sin6.sin6_port;
	} else {
		return;
	}
	/* inet->cork.fl is one union: the IPv4 flow (saddr, daddr, then the ports) lands on the
	 * first 12 bytes of the pending IPv6 datagram's destination, which it is pushed to (along
	 * the route it was corked on). The source: the connect's (a failed one's: the bound one) */
	v4[0] = sk->ipv6.saddr.s6_addr32[2] == htonl(0xffff) ? sk->ipv6.saddr.s6_addr32[3] : 0;
	if (c->pending == AF_INET) {
		/* a pending IPv4 datagram follows the flow (__ip4_datagram_connect) */
		cork_set_flow4(c, v4[1], v4[0], ports[0]);
		return;
	}
	ports[1] = sk->sport;
	memcpy(c->d6.daddr, v4, sizeof(v4));
	memcpy(c->d6.daddr + sizeof(v4), ports, sizeof(ports));
}

void udp_cork_kernel_route(struct shim_sock *sk, const struct shim_msg *m)
{
	struct udp_cork *c = sk->cork;

	if (sk->cork_opt || (m->flags & MSG_MORE)) {
		cork_fl_handed_off(sk, m);
		return;
	}
	if (c != NULL && c->fl_override && sk->connected && !m->has_name && m->controllen == 0 &&
	    !sk->dst_cache_valid)
		c->fl_kernel = true;
}

int udp_cork_fastpath_flow(struct shim_sock *sk, struct route_result *rt, uint16_t *dport,
			   bool corked, bool cached)
{
	struct udp_cork *c;
	int ret = 0;

	/* set once under the lock, kept until the socket is released: no cork yet, no lock */
	if (__atomic_load_n(&sk->cork, __ATOMIC_ACQUIRE) == NULL)
		return 0;
	shim_lock_acquire(&sk->lock);
	c = sk->cork;
	if (c != NULL && c->fl_kernel) {
		ret = -1;
	} else if (c != NULL && c->fl_override && cached) {
		/* udp_sendmsg takes saddr from the flow; a corked send writes the peer into it
		 * ("Now cork the socket"), a plain one sends to the flow's destination */
		rt->saddr = shim_addr_v4(c->fl.ip4.saddr);
		if (!corked) {
			/* on an on-link route the next hop is the destination (a route bound
			 * to an exception keeps its own: rt_bind_exception's rt_gw4) */
			if (shim_addr_equal(&rt->nexthop, &rt->daddr) && !rt->gw_is_dst)
				rt->nexthop = shim_addr_v4(c->fl.ip4.daddr);
			rt->daddr = shim_addr_v4(c->fl.ip4.daddr);
			*dport = c->fl.ip4.dport;
		}
	}
	shim_lock_release(&sk->lock);
	return ret;
}

bool udp_cork_flow_current(struct shim_sock *sk, const struct sock_view *sv, uint32_t daddr,
			   uint32_t saddr, uint16_t dport)
{
	struct udp_cork *c;
	bool same;

	if (__atomic_load_n(&sk->cork, __ATOMIC_ACQUIRE) == NULL)
		return daddr == sv->daddr && saddr == sv->saddr && dport == sv->dport;
	shim_lock_acquire(&sk->lock);
	c = sk->cork;
	if (c->fl_kernel)
		same = false;
	else if (c->fl_override)
		same = daddr == c->fl.ip4.daddr && saddr == c->fl.ip4.saddr &&
		       dport == c->fl.ip4.dport;
	else
		same = daddr == sv->daddr && saddr == sv->saddr && dport == sv->dport;
	shim_lock_release(&sk->lock);
	return same;
}

void udp_cork_sync(struct shim_sock *sk, int fd)
{
	int v;

	sk->cork_opt = rawsys_getsockopt_int(fd, SOL_UDP, UDP_CORK, &v) == 0 && v != 0;
	/* bytes charged to the socket may be a corked datagram of the kernel socket (an fd from
	 * before exec): send through the kernel until it was pushed */
	v = 0;
	sk->cork_kernel = rawsys3(SYS_ioctl, fd, SIOCOUTQ, &v) == 0 && v > 0;
	if (sk->cork != NULL)
		cork_flush(sk->cork);
}

void udp_cork_release(struct shim_sock *sk)
{
	if (sk->cork != NULL) {
		shim_free(sk->cork->data);
		shim_free(sk->cork);
		sk->cork = NULL;
	}
	sk->cork_opt = false;
	sk->cork_kernel = false;
}
