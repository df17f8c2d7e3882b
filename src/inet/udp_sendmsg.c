/* udp_sendmsg: one UDP/IPv4 datagram, step by step as net/ipv4/udp.c udp_sendmsg takes it
 * (docs/udp4-send-path.md 4). What the shim does not reproduce yet is handed to
 * the kernel socket (SHIM_TO_KERNEL) at the first point where it is known, before anything visible
 * happened, and the path trace says why. */
#include "shim/shim_alloc.h"
#include "shim/inet.h"
#include "shim/cmsg.h"
#include "shim/err_ring.h"
#include "shim/ip_ident.h"
#include "shim/ip_output.h"
#include "shim/mcast.h"
#include "shim/neigh_queue.h"
#include "shim/rawsys.h"
#include "shim/route.h"
#include "shim/selfcheck.h"
#include "shim/udp_gso.h"
#include "shim/udp_send_skb.h"
#include "shim/udp_csum.h"
#include "shim/udp_cork.h"
#include "shim/udp_fastpath.h"
#include "shim/udp_wmem.h"
#include "shim/wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#define IPV4_MIN_MTU 68
#define MSG_PROBE    0x10 /* glibc names it MSG_PROXY */

static const char *route_type_name(unsigned type)
{
	static const char *const names[] = {"unspec",	"unicast",   "local",	  "broadcast",
					    "anycast",	"multicast", "blackhole", "unreachable",
					    "prohibit", "throw",     "nat",	  "xresolve"};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

static const char *ip_str(uint32_t a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* S5: the destination from the message, or the connected peer. */
static long udp_destination(const struct sock_view *sk, const struct shim_msg *m, uint32_t *daddr,
			    uint16_t *dport, bool *fastpath)
{
	if (m->has_name) {
		const struct sockaddr_in *usin = (const struct sockaddr_in *)&m->name;

		if (m->namelen < (int)sizeof(struct sockaddr_in))
			return -EINVAL;
		if (usin->sin_family != AF_INET && usin->sin_family != AF_UNSPEC)
			return -EAFNOSUPPORT;
		if (usin->sin_port == 0)
			return -EINVAL;
		*daddr = usin->sin_addr.s_addr;
		*dport = usin->sin_port;
		*fastpath = false;
		return 0;
	}
	if (!sk->connected)
		return -EDESTADDRREQ;
	*daddr = sk->daddr;
	*dport = sk->dport;
	*fastpath = true;
	return 0;
}

/* S12: the route, from the socket's cache on the connected fast path (sk_dst_check). Returns 1
 * for the cached route, 2 for the cached route found current again in a child of fork (to be
 * kept), 0 for a lookup, or SHIM_TO_KERNEL. */
static long udp_route(const struct sock_view *s, const struct shim_flowi *key, bool fastpath,
		      bool fresh, struct route_result *rt)
{
	if (fastpath && s->dst_cache_valid && route_valid(&s->dst_cache)) {
		*rt = s->dst_cache;
		return 1; /* cached: the broadcast permission is not checked again */
	}
	/* the kernel socket's dst is the parent's too: still valid after fork */
	if (fastpath && s->dst_cache_valid && route_still_valid_after_fork(&s->dst_cache, rt))
		return 2;
	if ((fresh ? route_output_fresh(key, rt) : route_output(key, rt)) < 0)
		return SHIM_TO_KERNEL;
	return 0;
}

/* Whether a pending error must be asked for (SO_ERROR) before this send: only when EPOLLERR was
 * reported on the socket since the last look — collected at once when the error ring's flag
 * shows an event (set inside the send that caused it), else by the listener (err_ring.h) — or
 * when it cannot be watched. */
static bool pending_error_possible(int fd, struct shim_sock *sk)
{
	unsigned w;

	if (notify_error_watched(&sk->err_watch)) {
		if (!err_ring_quiet() && err_ring_look()) { /* no ring yet: asked */
			__atomic_store_n(&sk->err_hint, 0, __ATOMIC_RELEASE);
			return true;
		}
		return __atomic_exchange_n(&sk->err_hint, 0, __ATOMIC_ACQ_REL) != 0;
	}
	/* not watched yet, or by the parent's watch (a child after fork) */
	shim_lock_acquire(&sk->lock);
	if (!notify_error_watched(&sk->err_watch) &&
	    (w = notify_watch_errors(fd, &sk->err_hint, false)) != 0)
		__atomic_store_n(&sk->err_watch, w, __ATOMIC_RELEASE);
	shim_lock_release(&sk->lock);
	return true; /* this once: an error may have come before the watch began */
}

long udp_sock_error(int fd, struct shim_sock *sk, bool connected, struct path_trace *t)
{
	if ((connected || __atomic_load_n(&sk->ever_connected, __ATOMIC_RELAXED) ||
	     notify_error_watched(&sk->err_watch)) &&
	    pending_error_possible(fd, sk)) {
		int soerr = 0;
		socklen_t len = sizeof(soerr);
		long r = rawsys5(SYS_getsockopt, fd, SOL_SOCKET, SO_ERROR, &soerr, &len);

		if (notify_error_watched(&sk->err_watch))
			notify_watch_errors(fd, &sk->err_hint, true);
		if (r == 0 && soerr) {
			/* a Packet Too Big / fragmentation needed: the kernel updated the path MTU
			 * before it set the error, so routes asked from now on have it, whether
			 * or not the listener has read the ICMP yet */
			if (soerr == EMSGSIZE)
				route_changed_now();
			__atomic_store_n(&sk->err_peer, ERR_PEER_ERRORS, __ATOMIC_RELAXED);
			path_step(t, "sock_error(%d)", soerr);
			return -soerr;
		}
	}
	return 0;
}

long udp_sendmsg_first_checks(const struct shim_msg *m)
{
	/* S1, S2 */
	if (m->len > IP_MAX_TOTAL)
		return -EMSGSIZE;
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	return 0;
}

long udp_sendmsg(int fd, struct shim_sock *sk, struct shim_msg *m, const struct sock_view *sv)
{
	struct shim_flowi key;
	struct route_result rt;
	struct udp_datagram d;
	struct ipcm ipc;
	struct ip_make_args ipm;
	struct udp_skb skb;
	const struct ip_optset *opt;
	uint32_t daddr = 0, saddr, mtu, maxsize, hlen, gso_size;
	uint8_t tos;
	uint16_t dport = 0;
	bool fastpath = false, multicast;
	enum mc_out mc = MC_XMIT;
	struct udp_wmem_queue wq;
	const char *why = NULL;
	int oif, mttl = 0;
	char a1[INET_ADDRSTRLEN], a2[INET_ADDRSTRLEN];
	long r, cached;
	uint32_t sc, sel;

	/* shim-run --selfcheck found these features different on this kernel (one load, 0 nearly
	 * always): every datagram, or one with control data, corked, UDP-Lite, without checksum */
	sc = shim_selfcheck_differs;
	if (__builtin_expect(sc != 0, 0) &&
	    (sel = sc & (SC_BIT(SC_ALL) | (m->controllen ? SC_BIT(SC_CMSG) : 0) |
			 (m->flags & MSG_MORE ? SC_BIT(SC_CORK) : 0) |
			 (sk->protocol == IPPROTO_UDPLITE ? SC_BIT(SC_UDPLITE) : 0) |
			 (sv->ext.no_check ? SC_BIT(SC_NOCHECK) : 0))) != 0)
		TO_KERNEL(m, KR_SELFCHECK, "kernel(selfcheck: differs on this kernel: %s)",
			  selfcheck_feature_name(selfcheck_first(sel)));

	/* S1, S2 */
	if ((r = udp_sendmsg_first_checks(m)) < 0)
		return r;

	/* S5 */
	r = udp_destination(sv, m, &daddr, &dport, &fastpath);
	if (r < 0)
		return r;
	path_step(m->trace, "udp_sendmsg(to %s:%u%s)", ip_str(daddr, a1), ntohs(dport),
		  fastpath ? " connected" : "");

	/* S7: control messages; any makes this a lookup of its own (no connected fast path) */
	ipc.oif = 0;
	ipc.has_addr = false;
	ipc.ttl = 0;
	ipc.tos = -1;
	ipc.has_gso = false;
	ipc.has_opt = false;
	ipc.has_mark = false;
	ipc.has_priority = false;
	if (m->controllen != 0) {
		r = udp_ip_cmsg_send(m->control, m->controllen, &ipc, sk->family == AF_INET6);
		if (r < 0)
			return r;
		/* connected = 0 only for a message of another level than SOL_UDP: a buffer with
		 * no message, or UDP_SEGMENT alone, keeps the cached route and inet->cork.fl */
		if (ipc.need_ip)
			fastpath = false;
		if (ipc.kernel != NULL)
			TO_KERNEL(m, KR_CMSG, "kernel(%s control message)", ipc.kernel);
	}
	/* S8: the IP options of this datagram: the control message's, else the socket's */
	opt = ipc.has_opt ? &ipc.opt : &sv->ext.opt;
	if (!ipc.has_opt && sv->ext.opt_kernel != NULL)
		TO_KERNEL(m, KR_SOCKOPT, "kernel(IP_OPTIONS: %s)", sv->ext.opt_kernel);
	hlen = IPV4_HLEN_MIN + opt->optlen;
	saddr = ipc.has_addr ? ipc.addr : sv->saddr;
	tos = ipc.tos >= 0 ? (uint8_t)ipc.tos : sv->tos;
	gso_size = ipc.has_gso ? (uint32_t)ipc.gso_size : sv->gso_size;
	if (gso_size && opt->optlen)
		TO_KERNEL(m, KR_SOCKOPT, "kernel(UDP_SEGMENT with IP options)");

	/* S10: RTM_GETROUTE cannot ask for link scope (6.18 ignores rtm_scope); S11: multicast
	 * (udp_mcast.c) */
	if (m->flags & MSG_DONTROUTE)
		TO_KERNEL(m, KR_DONTROUTE, "kernel(MSG_DONTROUTE: link-scope lookup)");
	oif = ipc.oif ? ipc.oif : sv->bound_dev_if;
	multicast = IN_MULTICAST(ntohl(daddr));
	if (__builtin_expect(sc != 0, 0) && (sel = sc & ((gso_size ? SC_BIT(SC_GSO) : 0) |
							 (opt->optlen ? SC_BIT(SC_IP_OPTIONS) : 0) |
							 (multicast ? SC_BIT(SC_MCAST) : 0))) != 0)
		TO_KERNEL(m, KR_SELFCHECK, "kernel(selfcheck: differs on this kernel: %s)",
			  selfcheck_feature_name(selfcheck_first(sel)));
	/* a corked datagram the shim holds is plain unicast UDP without options (udp_cork.c) */
	if ((m->flags & MSG_MORE) &&
	    (gso_size || opt->optlen || sk->protocol == IPPROTO_UDPLITE || multicast))
		TO_KERNEL(m, KR_CORK, "kernel(corked %s)",
			  gso_size			    ? "GSO datagram"
			  : opt->optlen			    ? "datagram with IP options"
			  : sk->protocol == IPPROTO_UDPLITE ? "UDP-Lite datagram"
							    : "multicast datagram");
	if (multicast) {
		fastpath = false;
		mttl = udp_mcast_ttl(sv, ipc.ttl);
		if (udp_mcast_flow(sv, &oif, &saddr) < 0)
			TO_KERNEL(m, KR_NOT_UNICAST,
				  "kernel(IP_MULTICAST_IF set before the shim saw the socket)");
	} else if ((oif = sock_flow_unicast_oif(&sv->flow, daddr, oif)) < 0) {
		TO_KERNEL(m, KR_SOCKOPT, "kernel(IP_UNICAST_IF: limited broadcast, maybe VRF)");
	}

	/* S12 */
	shim_flowi4_init_output(&key, oif, ipc.has_mark ? ipc.mark : sv->mark /* ipc.sockc.mark */,
				tos, sv->uid, daddr, saddr, dport, sv->sport);
	cached = udp_route(sv, &key, fastpath, multicast && udp_mcast_fresh_route(sv, mttl), &rt);
	if (cached == SHIM_TO_KERNEL)
		TO_KERNEL(m, KR_NETLINK, "kernel(route lookup over rtnetlink failed)");
	if (sock_flow_anysrc_failed(&sv->flow, fastpath, rt.err, key.ip4.saddr))
		TO_KERNEL(m, KR_SOCKOPT, "kernel(IP_TRANSPARENT: FLOWI_FLAG_ANYSRC lookup)");
	if (rt.err < 0) {
		path_step(m->trace, "ip_route_output_flow(error %d)", -rt.err);
		return rt.err;
	}
	if (rt.type == RTN_BROADCAST && !cached && !sv->broadcast)
		return -EACCES;
	path_step(m->trace, "ip_route_output_flow(%s dev %s src %s via %s mtu %u%s)",
		  route_type_name(rt.type), rt.dev_name, ip_str(rt.saddr.v4, a1),
		  ip_str(rt.nexthop.v4, a2), rt.mtu, cached ? " cached" : "");
	if (fastpath && cached != 1) { /* sk_dst_set */
		shim_lock_acquire(&sk->lock);
		sk->dst_cache = rt;
		sk->dst_cache_valid = true;
		m->dst_fresh = cached == 0;
		shim_lock_release(&sk->lock);
	}
	/* the cached route's flow is inet->cork.fl, which a corked send may have changed */
	if (fastpath &&
	    udp_cork_fastpath_flow(sk, &rt, &dport, (m->flags & MSG_MORE) != 0, cached != 0) < 0)
		TO_KERNEL(m, KR_CORK,
			  "kernel(inet->cork.fl written by the kernel socket's corked send)");
	/* "Now cork the socket": a corked send writes its flow into inet->cork.fl (even when the
	 * append fails, and for MSG_PROBE), which the connected fast path reads afterwards; one
	 * that changes it is the kernel socket's, whose own connected sends then read the same */
	if ((m->flags & MSG_MORE) && sv->connected &&
	    !udp_cork_flow_current(sk, sv, rt.daddr.v4, rt.saddr.v4, dport))
		TO_KERNEL(m, KR_CORK, "kernel(corked flow other than inet->cork.fl)");

	/* S13: MSG_PROBE stops after routing; MSG_CONFIRM changes nothing on the wire */
	if (m->flags & MSG_PROBE)
		return (long)m->len;

	/* 7.1: what the shim transmits itself is unicast out of an Ethernet device */
	if (rt.type == RTN_LOCAL)
		TO_KERNEL(m, KR_LOCAL_ROUTE,
			  "kernel(local destination: delivered through loopback)");
	if (rt.type == RTN_MULTICAST && (mc = udp_mcast_output(sv, &rt, mttl, &why)) == MC_KERNEL)
		TO_KERNEL(m, KR_NOT_UNICAST, "kernel(%s)", why);
	if (rt.type != RTN_UNICAST && rt.type != RTN_MULTICAST)
		TO_KERNEL(m, KR_NOT_UNICAST, "kernel(%s route: the kernel delivers a local copy)",
			  route_type_name(rt.type));
	if (!rt.dev_ether)
		TO_KERNEL(m, KR_DEVICE, "kernel(dev %s is not Ethernet)", rt.dev_name);

	/* ip_setup_cork / __ip_append_data: MTU and size limit per IP_MTU_DISCOVER (5.3) */
	mtu = sv->pmtudisc >= IP_PMTUDISC_PROBE ? rt.dev_mtu : rt.mtu;
	if (mtu > IP_MAX_TOTAL)
		mtu = IP_MAX_TOTAL;
	if (mtu < IPV4_MIN_MTU)
		return -ENETUNREACH;
	maxsize = (sv->pmtudisc < IP_PMTUDISC_DO || sv->pmtudisc == IP_PMTUDISC_OMIT) ? IP_MAX_TOTAL
										      : mtu;
	maxsize = udp_gso_maxsize(gso_size, maxsize);
	if (UDP_HLEN + m->len > maxsize - hlen)
		return -EMSGSIZE;
	if (__builtin_expect(sc & SC_BIT(SC_FRAG), 0) && !gso_size &&
	    hlen + UDP_HLEN + m->len > mtu)
		TO_KERNEL(m, KR_SELFCHECK, "kernel(selfcheck: differs on this kernel: frag)");

	/* sock_alloc_send_pskb: a pending error (without IP_RECVERR only a connected socket gets
	 * one, and it outlives a disconnect: a socket ever connected, even if every send of it went
	 * to the kernel) is reported and cleared, then the shutdown state */
	if ((r = udp_sock_error(fd, sk, sv->connected, m->trace)) < 0)
		return r;
	if (sv->shut_wr)
		return -EPIPE;
	/* __ip_append_data: each fragment's skb against twice the send buffer (udp_wmem.c; a
	 * corked datagram keeps the queue for its later pieces) */
	memset(&wq, 0, sizeof(wq));
	if (!gso_size && (r = udp_wmem_append(&wq, sv->sndbuf, mtu, hlen, UDP_HLEN + m->len)) < 0) {
		path_step(m->trace, "__ip_append_data(ENOBUFS: sk_sndbuf %d)", sv->sndbuf);
		return r;
	}

	memset(&d, 0, sizeof(d));
	d.saddr = rt.saddr.v4;
	d.daddr = rt.daddr.v4;
	d.sport = sv->sport;
	d.dport = dport;
	ipm.cmsg_ttl = ipc.ttl;
	ipm.uc_ttl = sv->uc_ttl;
	ipm.mc_ttl = sv->mc_ttl;
	ipm.tos = tos;
	ipm.pmtudisc = sv->pmtudisc;
	ipm.connected = sv->connected;
	/* ipcm_init_sk, then the messages: the skb's priority and mark */
	ipm.priority = ipc.has_priority ? ipc.priority : sv->priority;
	ipm.mark = ipc.has_mark ? ipc.mark : sv->mark;
	__ip_make_skb(&d, &ipm, &rt, hlen + UDP_HLEN + m->len);
	d.fragsize = mtu;
	d.oif = rt.oif;
	memcpy(d.src_mac, rt.dev_mac, 6);
	d.iov = m->iov;
	d.iovcnt = m->iovcnt;
	d.len = m->len;
	d.dontwait = (m->flags & MSG_DONTWAIT) || sv->nonblock;
	d.protocol = (uint8_t)sk->protocol;
	d.no_check = sv->ext.no_check;
	d.cscov_set = sv->ext.cscov_set;
	d.cscov = sv->ext.cscov;
	d.opt = opt->optlen ? opt : NULL;
	udp_trace_datagram(m->trace, &d);

	/* S16: corked (UDP_CORK or MSG_MORE): the shim holds the datagram until pushed */
	if (m->flags & MSG_MORE) {
		const struct udp_cork_setup cs = {
		    .family = AF_INET,
		    .rt = &rt,
		    .fragsize = d.fragsize,
		    .wq = &wq,
		    .d4 = &d,
		    .cmsg_ttl = ipc.ttl,
		};

		return udp_cork_begin(sk, m, &cs);
	}

	ip_select_ident(sk, &d, false);
	skb = (struct udp_skb){
	    .sk = sk,
	    .rt = &rt,
	    .nexthop = rt.nexthop,
	    .gso_size = gso_size,
	    .mc_drop = mc == MC_DROP,
	    .batch = m->batch,
	    .trace = m->trace,
	};
	r = udp_send_skb(&d, &skb);
	if (r == SHIM_TO_KERNEL)
		m->kernel_reason = skb.kernel_reason;
	if (r < 0)
		return r;
	/* the next datagram of this flow may take the cached path (not yet the IPv4 path of an
	 * AF_INET6 socket, whose names the flows do not key) */
	if (mc != MC_DROP && !skb.unresolved && sk->family == AF_INET)
		udp_fastpath_learn(fd, sk, m, sv, &rt, &d, mtu);
	return (long)m->len;
}
