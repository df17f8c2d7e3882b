/* udpv6_sendmsg: one datagram of an AF_INET6 UDP socket, step by step as net/ipv6/udp.c
 * udpv6_sendmsg takes it (docs/udp6-send-path.md 2; the letters A1.. are that section's).
 *
 * The shim sends the common case itself: a plain UDP datagram to a global unicast address, out
 * of an Ethernet device, as one frame or as fragments when it is larger than the path MTU (or
 * EMSGSIZE under IPV6_DONTFRAG, option or control message, and the DO, PROBE and INTERFACE
 * modes), with the socket's hop limit, traffic class, automatic flow label and checksum setting.
 * The rest is handed to the kernel socket (SHIM_TO_KERNEL) at the first point where it is known,
 * before anything visible happened, and the path trace says why: control messages other than
 * IPV6_HOPLIMIT, IPV6_TCLASS, IPV6_DONTFRAG, IPV6_PKTINFO, IPV6_FLOWINFO and the extension
 * headers, corked multicast, UDP-Lite and destination-option datagrams, flow labels whose lease the
 * shim cannot judge (udpv6_fl6_sock_lookup), multicast with a local copy (udp_mcast.c), local
 * routes, and sockets with settings listed in inet6_sock.c. A corked datagram (MSG_MORE,
 * UDP_CORK) is held in the cork both families share (udp_cork.c), appended to at A4 and pushed
 * from there.
 *
 * v4-mapped destinations and AF_INET names take the IPv4 path of the dual-stack socket, as the
 * kernel hands them to udp_sendmsg: the shim's udp_sendmsg with the socket's IPv4 settings. */
#include "shim/inet.h"
#include "shim/ident_learn.h"
#include "shim/ip6_exthdrs.h"
#include "shim/ip6_flowlabel.h"
#include "shim/dev.h"
#include "shim/ip6_output.h"
#include "shim/ip_output.h"
#include "shim/mcast.h"
#include "shim/neigh_queue.h"
#include "shim/rawsys.h"
#include "shim/route.h"
#include "shim/sandbox.h"
#include "shim/selfcheck.h"
#include "shim/shim_alloc.h"
#include "shim/sockopt_check.h"
#include "shim/sockopt_verdict.h"
#include "shim/udp_cork.h"
#include "shim/udp_fastpath.h"
#include "shim/net_compat.h"
#include "shim/udp_gso.h"
#include "shim/udp_send_skb.h"
#include "shim/udp_wmem.h"
#include "shim/wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#define IPV6_MIN_MTU	   1280
#define MSG_PROBE	   0x10 /* glibc names it MSG_PROXY */
#define IPV6_MAXPLEN	   65535
#define SIN6_LEN_RFC2133   24
#define IPV6_FLOWINFO_CMSG 11 /* linux/in6.h IPV6_FLOWINFO */
#ifndef IPV6_2292RTHDR
#define IPV6_2292RTHDR 5
#endif
#define IPV6_FLOWINFO_MASK_BE  htonl(0x0fffffffu)
#define IPV6_FLOWLABEL_MASK_BE htonl(0x000fffffu)

void udpv6_take_view(const struct shim_sock *sk, struct sock_view6 *v)
{
	v->saddr = sk->ipv6.saddr;
	v->daddr = sk->v6_daddr;
	v->sport = sk->sport;
	v->dport = sk->dport;
	v->connected = sk->connected;
	v->shut_wr = sk->shut_wr;
	v->nonblock = sk->nonblock;
	v->protocol = sk->protocol;
	v->bound_dev_if = sk->bound_dev_if;
	v->mark = sk->mark;
	v->priority = sk->priority;
	v->uid = sk->uid;
	v->gso_size = sk->gso_size;
	v->cscov_set = sk->ext.cscov_set;
	v->cscov = sk->ext.cscov;
	v->sndbuf = sk->sndbuf;
	v->np = sk->ipv6;
	v->pending = (uint8_t)udp_cork_family(sk);
	v->fp_stamp = sk->fp_stamp;
	v->gen_seen = sk->gen_seen;
}

static bool addr_v4mapped(const struct in6_addr *a)
{
	return a->s6_addr32[0] == 0 && a->s6_addr32[1] == 0 && a->s6_addr32[2] == htonl(0xffff);
}

static bool addr_any(const struct in6_addr *a)
{
	return (a->s6_addr32[0] | a->s6_addr32[1] | a->s6_addr32[2] | a->s6_addr32[3]) == 0;
}

/* What the shim does not send itself among destinations: loopback, and the old site-local and
 * v4-compatible forms. */
static const char *unowned_destination(const struct in6_addr *a)
{
	if (a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0xc0)
		return "site-local destination";
	if (a->s6_addr32[0] == 0 && a->s6_addr32[1] == 0 && a->s6_addr32[2] == 0)
		return "loopback or IPv4-compatible destination";
	return NULL;
}

/* __ipv6_addr_needs_scope_id: a link-local unicast address, or an interface-local or link-local
 * multicast group: a scope id names its interface. */
static bool addr_needs_scope_id(const struct in6_addr *a)
{
	if (a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0x80)
		return true;
	return a->s6_addr[0] == 0xff &&
	       ((a->s6_addr[1] & 0x0f) == 1 || (a->s6_addr[1] & 0x0f) == 2);
}

/* What the control messages the shim takes itself set (struct ipcm6_cookie and the flow's
 * fields that ip6_datagram_send_ctl writes). */
struct ipcm6 {
	int hlimit, tclass, dontfrag; /* -1 unless given (a TCLASS of -1 is given: 6.18 sends it
				       * as 0xff, docs/udp6-send-path.md 3) */
	bool tclass_set;
	struct ipv6_txoptions opt; /* without a dst0opt: ipv6_fixup_options drops it (no routing
				    * header) */
	bool opt_given;		   /* any extension header: the sticky ones do not apply */
	bool need_raw;		   /* ... which needs CAP_NET_RAW */
	int oif;	/* fl6.flowi6_oif: in, the interface chosen so far; out, IPV6_PKTINFO's */
	bool has_saddr; /* IPV6_PKTINFO gave a source (fl6.saddr) */
	struct in6_addr saddr;
	int err;	    /* the first error, in buffer order (IPV6_PKTINFO's EINVAL, ENODEV) */
	int gso;	    /* udp_cmsg_send: SOL_UDP UDP_SEGMENT (a u16), -1 unless given */
	uint32_t flowlabel; /* fl6.flowlabel (network order, IPV6_FLOWINFO_MASK): in, the name's
			     * or the connected flow's; out, an IPV6_FLOWINFO message's */
};

/* dev_get_by_index: whether the socket's namespace has an interface of this index. */
static bool dev_exists(int fd, int ifindex)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = ifindex;
	return rawsys3(SYS_ioctl, fd, SIOCGIFNAME, (long)&ifr) == 0;
}

/* ip6_datagram_send_ctl's IPV6_PKTINFO (and IPV6_2292PKTINFO): the interface, which must not
 * contradict one already chosen (EINVAL) and must exist (ENODEV, also for one chosen before); a
 * link-local source needs an interface (EINVAL); a source other than :: replaces the socket's
 * (whether it is local is checked at the route lookup, udpv6_pktinfo_saddr_local). */
static int ip6_pktinfo_send_ctl(int fd, const struct in6_pktinfo *info, struct ipcm6 *c)
{
	const uint8_t *a = info->ipi6_addr.s6_addr;

	if (info->ipi6_ifindex) {
		if (c->oif && (int)info->ipi6_ifindex != c->oif)
			return -EINVAL;
		c->oif = (int)info->ipi6_ifindex;
	}
	if (c->oif) {
		if (!dev_exists(fd, c->oif))
			return -ENODEV;
	} else if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) {
		return -EINVAL;
	}
	if (!addr_any(&info->ipi6_addr)) {
		c->saddr = info->ipi6_addr;
		c->has_saddr = true;
	}
	return 0;
}

/* include/shim/inet.h */
bool ip6_cmsg_flowinfo_given(const void *control, size_t controllen)
{
	const uint8_t *p = control;
	size_t off = 0;

	while (controllen - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr c;

		memcpy(&c, p + off, sizeof(c));
		if (c.cmsg_len < sizeof(c) || c.cmsg_len > controllen - off)
			return false;
		if (c.cmsg_level == SOL_IPV6 && c.cmsg_type == IPV6_FLOWINFO_CMSG)
			return true;
		off += CMSG_ALIGN(c.cmsg_len);
		if (off >= controllen)
			break;
	}
	return false;
}

/* ip6_datagram_send_ctl, for the control messages the shim takes itself: well-formed SOL_IPV6
 * IPV6_HOPLIMIT and IPV6_TCLASS of an int in -1..255, IPV6_DONTFRAG of an int in 0..1,
 * IPV6_FLOWINFO (ipc->flowlabel; its EINVAL in err), and the
 * extension headers IPV6_HOPOPTS (also the RFC 2292 type), IPV6_DSTOPTS (also RFC 2292's) and
 * IPV6_RTHDRDSTOPTS, each once, their length from their own length byte within the message,
 * and IPV6_PKTINFO (ip6_pktinfo_send_ctl; err: its error, the first in buffer order). Returns
 * false for anything else (another level or type, routing headers, a bad length or
 * value, a repeated header, a malformed message): the kernel's to answer. */
static bool udpv6_cmsg(int fd, const void *control, size_t controllen, struct ipcm6 *ipc)
{
	const uint8_t *p = control;
	size_t off = 0;
	bool dst0 = false;
	struct ipv6_txoptions *opt = &ipc->opt;

	{
		int oif = ipc->oif;
		uint32_t flowlabel = ipc->flowlabel;

		memset(ipc, 0, sizeof(*ipc));
		ipc->oif = oif;
		ipc->flowlabel = flowlabel;
	}
	ipc->hlimit = -1;
	ipc->tclass = -1;
	ipc->dontfrag = -1;
	ipc->gso = -1;
	while (off < controllen) {
		struct cmsghdr c;
		const uint8_t *data = p + off + CMSG_LEN(0);
		size_t len;
		int v;

		if (controllen - off < sizeof(c))
			return false;
		memcpy(&c, p + off, sizeof(c));
		if (c.cmsg_level == SOL_UDP && c.cmsg_type == UDP_SEGMENT &&
		    c.cmsg_len == CMSG_LEN(sizeof(uint16_t)) &&
		    controllen - off >= CMSG_LEN(sizeof(uint16_t))) {
			uint16_t g;

			memcpy(&g, data, sizeof(g));
			ipc->gso = g;
			off += CMSG_SPACE(sizeof(g));
			continue;
		}
		if (c.cmsg_level != SOL_IPV6 || c.cmsg_len < CMSG_LEN(0) ||
		    c.cmsg_len > controllen - off)
			return false;
		switch (c.cmsg_type) {
		case IPV6_HOPOPTS:
		case IPV6_2292HOPOPTS:
		case IPV6_DSTOPTS:
		case IPV6_2292DSTOPTS:
		case IPV6_RTHDRDSTOPTS:
			/* the header's length byte, within the message */
			if (c.cmsg_len < CMSG_LEN(2))
				return false;
			len = ipv6_optlen(data);
			if (c.cmsg_len < CMSG_LEN(len))
				return false;
			ipc->need_raw = ipc->opt_given = true;
			if (c.cmsg_type == IPV6_HOPOPTS || c.cmsg_type == IPV6_2292HOPOPTS) {
				if (opt->hopopt != NULL)
					return false; /* EINVAL */
				opt->hopopt = data;
				opt->opt_nflen += (uint16_t)len;
			} else if (c.cmsg_type == IPV6_RTHDRDSTOPTS) {
				if (dst0)
					return false;
				dst0 = true;
			} else {
				if (opt->dst1opt != NULL)
					return false;
				opt->dst1opt = data;
				opt->opt_flen += (uint16_t)len;
			}
			break;
		case IPV6_RTHDR:
		case IPV6_2292RTHDR:
			/* a type 2 header (one address) only with CONFIG_IPV6_MIP6: the kernel's to
			 * judge; any other type EINVAL (IPV6_RTHDR itself takes type 4) */
			if (c.cmsg_len >= CMSG_LEN(4) && data[2] == 2)
				return false;
			if (ipc->err == 0)
				ipc->err = -EINVAL;
			break;
		case IPV6_PKTINFO:
		case IPV6_2292PKTINFO: {
			struct in6_pktinfo info;

			if (c.cmsg_len < CMSG_LEN(sizeof(info)))
				return false;
			/* the source of an earlier IPV6_PKTINFO was checked when it was read
			 * (ipv6_chk_addr_and_flags: EINVAL, before this one's errors and source),
			 * which the shim does at the route lookup, for the last one: the kernel's
			 */
			if (ipc->has_saddr)
				return false;
			memcpy(&info, data, sizeof(info));
			if (ipc->err == 0)
				ipc->err = ip6_pktinfo_send_ctl(fd, &info, ipc);
			break;
		}
		case IPV6_FLOWINFO_CMSG: {
			uint32_t fi;

			/* the flow label (and traffic class bits) of this datagram; one whose top
			 * bits are set contradicts a label already given */
			if (c.cmsg_len < CMSG_LEN(sizeof(fi))) {
				if (ipc->err == 0)
					ipc->err = -EINVAL;
				break;
			}
			memcpy(&fi, data, sizeof(fi));
			if ((ipc->flowlabel & IPV6_FLOWINFO_MASK_BE) &&
			    ((ipc->flowlabel ^ fi) & ~IPV6_FLOWINFO_MASK_BE)) {
				if (ipc->err == 0)
					ipc->err = -EINVAL;
				break;
			}
			if (ipc->err == 0)
				ipc->flowlabel = fi & IPV6_FLOWINFO_MASK_BE;
			break;
		}
		case IPV6_HOPLIMIT:
		case IPV6_TCLASS:
		case IPV6_DONTFRAG:
			if (c.cmsg_len != CMSG_LEN(sizeof(int)))
				return false;
			memcpy(&v, data, sizeof(v));
			if (v < -1 || v > 255)
				return false;
			if (c.cmsg_type == IPV6_DONTFRAG) {
				if (v < 0 || v > 1) /* -1 too is EINVAL on 6.18 */
					return false;
				ipc->dontfrag = v;
			} else if (c.cmsg_type == IPV6_HOPLIMIT) {
				ipc->hlimit = v;
			} else {
				ipc->tclass = v & 0xff;
				ipc->tclass_set = true;
			}
			break;
		default:
			return false;
		}
		off += CMSG_ALIGN(c.cmsg_len);
	}
	return true;
}

/* txopt_get: the sticky IPV6_HOPOPTS, IPV6_DSTOPTS, IPV6_RTHDR (a segment routing header; others
 * make the socket the kernel's, inet6_sock.c) and IPV6_RTHDRDSTOPTS (ipv6_fixup_options drops it
 * without a routing header). */
static struct ipv6_txoptions ip6_sticky_txoptions(const struct shim_ipv6_pinfo *np)
{
	struct ipv6_txoptions opt;

	memset(&opt, 0, sizeof(opt));
	if (np->sticky_hop_set) {
		opt.hopopt = np->sticky_hop;
		opt.opt_nflen = (uint16_t)ipv6_optlen(np->sticky_hop);
	}
	if (np->sticky_dst1_set) {
		opt.dst1opt = np->sticky_dst1;
		opt.opt_flen = (uint16_t)ipv6_optlen(np->sticky_dst1);
	}
	if (np->sticky_rthdr_set) { /* a segment routing header (inet6_sock.c) */
		opt.srcrt = np->sticky_rthdr;
		opt.opt_nflen += (uint16_t)ipv6_optlen(np->sticky_rthdr);
		if (np->sticky_dst0_set) {
			opt.dst0opt = np->sticky_dst0;
			opt.opt_nflen += (uint16_t)ipv6_optlen(np->sticky_dst0);
		}
	}
	return opt;
}

/* __ipv6_addr_src_scope(__ipv6_addr_type(a)) <= IPV6_ADDR_SCOPE_LINKLOCAL: link-local unicast,
 * the loopback address ::1 (link-local scope in __ipv6_addr_type), and groups of interface- or
 * link-local scope (or the reserved scope 0). */
static bool ipv6_addr_src_scope_linklocal(const struct in6_addr *a)
{
	static const uint8_t loopback[16] = {[15] = 1};

	if (a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0x80)
		return true;
	if (a->s6_addr[0] == 0xff)
		return (a->s6_addr[1] & 0x0f) <= 2;
	return memcmp(a->s6_addr, loopback, sizeof(loopback)) == 0;
}

/* ipv6_chk_addr_and_flags for an IPV6_PKTINFO source: a local address, of the interface oif when
 * the source's scope is link-local or narrower (ip6_datagram_send_ctl's strict: fe80::/10, and
 * ::1, which only lo owns: ::1 with another interface is EINVAL), else of any interface: the
 * kernel's local route to it (RTM_GETROUTE with that oif answers no route for an address the
 * interface does not own). */
static bool udpv6_pktinfo_saddr_local(const struct in6_addr *a, int oif, const struct sock_view6 *v)
{
	struct shim_flowi key;
	struct route_result rt;
	const bool strict = ipv6_addr_src_scope_linklocal(a);

	memset(&key, 0, sizeof(key));
	key.family = AF_INET6;
	key.oif = strict ? oif : 0;
	key.uid = v->uid;
	key.ip6.daddr = *a;
	return route_output(&key, &rt) == 0 && rt.err == 0 && rt.type == RTN_LOCAL;
}

static const char *route_type_name6(unsigned type)
{
	static const char *const names[] = {"unspec",	"unicast",   "local",	  "broadcast",
					    "anycast",	"multicast", "blackhole", "unreachable",
					    "prohibit", "throw",     "nat",	  "xresolve"};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

int __ip6_append_data_sizes(const struct ip6_append_req *a, struct path_trace *t)
{
	/* ip6_sk_ignore_df: the modes below DO, and OMIT, fragment up to the largest payload */
	bool ignore_df = a->pmtudisc < IPV6_PMTUDISC_DO || a->pmtudisc == IPV6_PMTUDISC_OMIT;
	size_t maxnonfragsize = ignore_df ? IPV6_HLEN + IPV6_MAXPLEN : a->mtu;

	if (a->headersize + a->transhdrlen > a->mtu)
		goto emsgsize;
	/* IPV6_DONTFRAG: for UDP, not UDP-Lite (sk_protocol) */
	if (a->dontfrag > 0 && a->protocol == IPPROTO_UDP && a->length > a->mtu - a->headersize) {
		/* ipv6_local_rxpmtu: queued for IPV6_RECVPATHMTU */
		if (a->rxpmtu)
			return IP6_APPEND_RXPMTU;
		goto emsgsize;
	}
	if (a->length <= maxnonfragsize - a->headersize)
		return 0;
emsgsize:
	/* ipv6_local_error: only for IPV6_RECVERR (such a socket is the kernel's) */
	path_step(t, "__ip6_append_data(EMSGSIZE: %zu bytes, mtu %u%s)", a->length, a->mtu,
		  a->dontfrag > 0 ? " dontfrag" : "");
	return -EMSGSIZE;
}

/* __ip6_append_data's size checks for the first piece of a datagram (__ip6_append_data_sizes),
 * what the shim cannot answer handed to the kernel socket. Returns 0, -EMSGSIZE or
 * SHIM_TO_KERNEL. */
static long ip6_append_sizes(struct shim_msg *m, const struct sock_view6 *v, uint32_t mtu,
			     size_t headersize, size_t transhdrlen, size_t length, int dontfrag)
{
	const struct ip6_append_req a = {
	    .pmtudisc = v->np.pmtudisc,
	    .protocol = v->protocol,
	    .rxpmtu = v->np.rxpmtu,
	    .mtu = mtu,
	    .headersize = headersize,
	    .transhdrlen = transhdrlen,
	    .length = length,
	    .dontfrag = dontfrag,
	};
	int r = __ip6_append_data_sizes(&a, m->trace);

	if (r == IP6_APPEND_RXPMTU)
		TO_KERNEL(m, KR_IPV6, "kernel(IPV6_DONTFRAG: the path MTU for IPV6_RECVPATHMTU)");
	if (r < 0)
		return r;
	/* ip6_fragment's datagram: the kernel's when a selfcheck verdict names frag */
	if (__builtin_expect(shim_selfcheck_differs & SC_BIT(SC_FRAG), 0) &&
	    headersize + length - transhdrlen + UDP_HLEN > mtu)
		TO_KERNEL(m, KR_SELFCHECK, "kernel(selfcheck: differs on this kernel: frag)");
	return 0;
}

/* A1, A2 of udpv6_sendmsg: the destination of m (the name's, or the peer's: peer, peer_port)
 * and the path it takes. */
struct udpv6_dest {
	struct in6_addr daddr;
	uint16_t dport;
	bool has_daddr; /* a destination: not so for a send without one while a datagram is pending
			 * (appended to it) */
	bool has_name;	/* an AF_INET6 name */
	bool unspec; /* an AF_UNSPEC name: no name, but a v4-mapped peer stays on the IPv6 path */
	bool ipv4;   /* the IPv4 path: a v4-mapped destination, or an AF_INET name ... */
	bool inet_name; /* ... (this), given to udp_sendmsg as it is */
};

/* Returns 0 or -errno (EINVAL for a short name or another family, EDESTADDRREQ). saddr: np->saddr
 * (:: from a socket bound to a v4-mapped address is IPv4 loopback); pending: up->pending (no
 * destination is needed then). */
static long udpv6_destination(const struct shim_msg *m, const struct in6_addr *saddr,
			      bool connected, const struct in6_addr *peer, uint16_t peer_port,
			      int pending, struct udpv6_dest *u)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&m->name;

	memset(u, 0, sizeof(*u));
	if (m->has_name) {
		if (m->namelen < 2) /* offsetof(struct sockaddr, sa_data) */
			return -EINVAL;
		switch (sin6->sin6_family) {
		case AF_INET6:
			if (m->namelen < SIN6_LEN_RFC2133)
				return -EINVAL;
			u->has_name = true;
			break;
		case AF_INET: /* do_udp_sendmsg: the IPv4 path, with the name as it is */
			u->ipv4 = u->inet_name = true;
			return 0;
		case AF_UNSPEC:
			u->unspec = true;
			break;
		default:
			return -EINVAL;
		}
	}
	if (u->has_name) {
		u->daddr = sin6->sin6_addr;
		u->dport = sin6->sin6_port;
		if (addr_any(&u->daddr) && addr_v4mapped(saddr)) {
			u->daddr.s6_addr32[2] = htonl(0xffff);
			u->daddr.s6_addr32[3] = htonl(INADDR_LOOPBACK);
		}
	} else if (!pending) {
		if (!connected)
			return -EDESTADDRREQ;
		u->daddr = *peer;
		u->dport = peer_port;
	} else {
		return 0;
	}
	u->has_daddr = true;
	u->ipv4 = !u->unspec && addr_v4mapped(&u->daddr);
	return 0;
}

bool udpv6_takes_ipv4_path(const struct shim_sock *sk, const struct shim_msg *m)
{
	struct udpv6_dest u;

	return udpv6_destination(m, &sk->ipv6.saddr, sk->connected, &sk->v6_daddr, sk->dport, 0,
				 &u) == 0 &&
	       u.ipv4;
}

bool udpv6_pending_untouched(const struct shim_sock *sk, const struct shim_msg *m, int pending)
{
	struct udpv6_dest u;

	if (udpv6_destination(m, &sk->ipv6.saddr, sk->connected, &sk->v6_daddr, sk->dport, pending,
			      &u) < 0)
		return true;
	if (u.ipv4 && sk->ipv6.v6only)
		return true; /* ENETUNREACH */
	if (!u.ipv4 && m->len > INT_MAX - UDP_HLEN)
		return true;
	/* udp_sendmsg: its first checks, then a pending IPv6 datagram is EINVAL */
	if (u.ipv4 || pending == AF_INET)
		return udp_sendmsg_first_checks(m) < 0 || (u.ipv4 && pending != AF_INET);
	return false;
}

/* fl6_sock_lookup answered by the kernel socket, for a label this socket holds no lease of: the
 * lookup is made only while the namespace has (or had) exclusive leases, then refusing it
 * (EINVAL), which no socket can read. A MSG_PROBE send (nothing is made, nothing sent) of an
 * empty datagram to the same destination (the name without its flow information, else the peer)
 * with the label in an IPV6_FLOWINFO control message. True when it passed: no lookup is made. */
static bool fl6_sock_lookup_kernel(int fd, const struct shim_msg *m, bool has_name, uint32_t label)
{
	struct sockaddr_in6 to;
	union {
		struct cmsghdr c;
		uint8_t b[CMSG_SPACE(sizeof(uint32_t))];
	} ctl;
	struct msghdr mh;

	memset(&mh, 0, sizeof(mh));
	memset(&ctl, 0, sizeof(ctl));
	if (has_name) {
		memset(&to, 0, sizeof(to));
		memcpy(&to, &m->name,
		       (size_t)m->namelen < sizeof(to) ? (size_t)m->namelen : sizeof(to));
		to.sin6_flowinfo = 0;
		mh.msg_name = &to;
		mh.msg_namelen = (socklen_t)m->namelen;
	}
	ctl.c.cmsg_len = CMSG_LEN(sizeof(label));
	ctl.c.cmsg_level = SOL_IPV6;
	ctl.c.cmsg_type = IPV6_FLOWINFO_CMSG;
	memcpy(CMSG_DATA(&ctl.c), &label, sizeof(label));
	mh.msg_control = &ctl;
	mh.msg_controllen = sizeof(ctl);
	return rawsys3(SYS_sendmsg, fd, &mh, MSG_PROBE | MSG_DONTWAIT | MSG_NOSIGNAL) == 0;
}

/* fl6_sock_lookup of the datagram's label (network order, label bits not 0) among the socket's
 * leases (ip6_flowlabel.c): a lease the socket holds without options, or, for one it does not
 * hold, the kernel socket's answer that no lookup is made (no exclusive leases). Returns 0: the
 * datagram goes with the label (no lease options merged); else SHIM_TO_KERNEL (the kernel
 * decides, EINVAL included). *held: the socket holds the lease (found if a lookup is made);
 * *probed: the kernel socket was asked. */
static long udpv6_fl6_sock_lookup(int fd, struct shim_msg *m, bool has_name,
				  const struct ip6_fl_socklist *fl, uint32_t label, bool *held,
				  bool *probed)
{
	unsigned l = ntohl(label & IPV6_FLOWLABEL_MASK_BE);
	const char *why = "";

	switch (fl6_sock_lookup(fl, label, &why)) {
	case FL6_HELD:
		path_step(m->trace, "fl6_sock_lookup(0x%05x: the socket's lease)", l);
		*held = true;
		return 0;
	case FL6_UNKNOWN:
		TO_KERNEL(m, KR_IPV6, "kernel(flow label 0x%05x: %s)", l, why);
	case FL6_NOT_HELD:
		break;
	}
	/* the probe would write or push a corked datagram (corkreq) */
	if ((m->flags & MSG_MORE) || shim_sandboxed())
		TO_KERNEL(
		    m, KR_IPV6,
		    "kernel(flow label 0x%05x without a lease of the socket: fl6_sock_lookup)", l);
	*probed = true;
	if (!fl6_sock_lookup_kernel(fd, m, has_name, label))
		TO_KERNEL(m, KR_IPV6,
			  "kernel(flow label 0x%05x without a lease of the socket: the namespace's "
			  "exclusive leases make fl6_sock_lookup refuse it)",
			  l);
	path_step(m->trace, "fl6_sock_lookup(0x%05x: no exclusive leases: not looked up)", l);
	return 0;
}

/* LOOPBACK4_IPV6: the IPv4 word of a dual-stack socket bound or connected to an IPv6 address */
#define LOOPBACK4_IPV6 htonl(0x7f000006)

/* do_udp_sendmsg: a v4-mapped destination (daddr, dport: the name's, or the peer's), or an
 * AF_INET name given as it is (daddr NULL), goes the IPv4 path of the dual-stack socket:
 * udp_sendmsg with an AF_INET name, the socket's IPv4 settings (IP_TTL, IP_TOS, IP_MULTICAST_*,
 * IP_OPTIONS, ..., read by inet6_sock.c) and its IPv4 words (inet_saddr: a v4-mapped bound or
 * connected source), the IPv4 control messages. Under IPV6_V6ONLY: ENETUNREACH. */
static long udpv6_sendmsg_ipv4(int fd, struct shim_sock *sk, struct shim_msg *m,
			       const struct sock_view6 *v, const struct in6_addr *daddr,
			       uint16_t dport)
{
	struct shim_msg m4 = *m;
	struct sock_view v4;
	char a[INET6_ADDRSTRLEN];
	long r;

	if (v->np.v6only)
		return -ENETUNREACH;
	/* udp_sendmsg with the shim's pending IPv6 datagram: its first checks, then EINVAL (the
	 * datagram stays pending) */
	if (v->pending == AF_INET6) {
		long e = udp_sendmsg_first_checks(m);

		return e < 0 ? e : -EINVAL;
	}
	/* ... and with its pending IPv4 datagram: appended to it (do_append_data) */
	if (v->pending == AF_INET) {
		shim_lock_acquire(&sk->lock);
		if (udp_cork_family(sk) == AF_INET) {
			r = udp_cork_append(sk, m);
			shim_lock_release(&sk->lock);
			return r;
		}
		shim_lock_release(&sk->lock);
	}
	if (daddr != NULL) {
		struct sockaddr_in sin;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = dport;
		sin.sin_addr.s_addr = daddr->s6_addr32[3];
		memset(&m4.name, 0, sizeof(m4.name));
		memcpy(&m4.name, &sin, sizeof(sin));
		m4.has_name = true;
		m4.namelen = sizeof(sin);
		path_step(m->trace, "udpv6_sendmsg(to [%s]:%u%s: the IPv4 path)",
			  inet_ntop(AF_INET6, daddr, a, sizeof(a)), ntohs(dport),
			  m->has_name ? "" : " connected");
	} else {
		path_step(m->trace, "udpv6_sendmsg(AF_INET name: the IPv4 path)");
	}
	shim_lock_acquire(&sk->lock);
	udp_take_view(sk, &v4);
	shim_lock_release(&sk->lock);
	/* a socket connected to a native IPv6 peer (bound to one, it is IPV6_V6ONLY): its IPv4
	 * words are LOOPBACK4_IPV6 (inet_daddr; the IDs come from its counter), not kept here */
	if (v4.saddr == LOOPBACK4_IPV6 || (v4.connected && v4.daddr == LOOPBACK4_IPV6))
		TO_KERNEL(m, KR_IPV6,
			  "kernel(IPv4 path of a socket connected to an IPv6 address: "
			  "LOOPBACK4_IPV6)");
	/* up->pending = AF_INET: the shim holds the corked datagram of an unconnected socket's IPv4
	 * path (udp_sendmsg, udp_cork.c); a connected one's is the kernel socket's (its connected
	 * sends read inet->cork.fl, which the IPv6 path writes too) */
	if ((m->flags & MSG_MORE) && v4.connected)
		TO_KERNEL(m, KR_CORK, "kernel(corked datagram of a connected socket's IPv4 path)");
	r = udp_sendmsg(fd, sk, &m4, &v4);
	m->kernel_reason = m4.kernel_reason;
	return r;
}

long udpv6_sendmsg(int fd, struct shim_sock *sk, struct shim_msg *m, const struct sock_view6 *v)
{
	const struct shim_ipv6_pinfo *np = &v->np;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&m->name;
	struct udpv6_dest u;
	bool has_name;
	struct in6_addr daddr;
	uint16_t dport;
	struct shim_flowi key;
	struct route_result rt;
	struct udp6_datagram d;
	char a1[INET6_ADDRSTRLEN], a2[INET6_ADDRSTRLEN];
	const char *why;
	uint32_t mtu, label, cork_label = 0, sc = shim_selfcheck_differs;
	int oif, hlimit, sock_hlimit, cmsg_hlimit, tclass, dontfrag;
	unsigned gso_size, segs_gso = 0;
	bool multicast;
	struct ipcm6 ipc;
	struct ipv6_txoptions opt;
	uint8_t ext[IP6_EXTHDRS_MAX];
	size_t length, fraghdrlen;
	struct in6_addr fl_saddr; /* fl6.saddr */
	struct in6_addr first;	  /* fl6.daddr for the route: a routing header's first address */
	struct udp_wmem_queue wq;
	struct udp_skb skb;
	bool kconnected, fl_held = false, fl_probed = false;
	uint32_t fl_label; /* fl6.flowlabel: IPV6_FLOWINFO_MASK bits, network order */
	long r;

	/* shim-run --selfcheck found IPv6 (or everything) different on this kernel */
	if (__builtin_expect(sc != 0, 0) && (sc & (SC_BIT(SC_ALL) | SC_BIT(SC_IPV6))) != 0)
		TO_KERNEL(m, KR_SELFCHECK, "kernel(selfcheck: differs on this kernel: %s)",
			  selfcheck_feature_name(
			      selfcheck_first(sc & (SC_BIT(SC_ALL) | SC_BIT(SC_IPV6)))));

	/* A1, A2: the destination, and which path it takes */
	if ((r = udpv6_destination(m, &v->saddr, v->connected, &v->daddr, v->dport, v->pending,
				   &u)) < 0)
		return r;
	/* A2: a v4-mapped destination goes the IPv4 path, with the IPv4 options; but an AF_UNSPEC
	 * name leaves daddr unset there, and the v4-mapped peer goes the IPv6 path (a route lookup
	 * for a v4-mapped IPv6 address): the kernel's */
	if (u.unspec && u.has_daddr && addr_v4mapped(&u.daddr))
		TO_KERNEL(m, KR_IPV6,
			  "kernel(AF_UNSPEC name with a v4-mapped peer: the IPv6 path's lookup)");
	if (u.ipv4)
		return udpv6_sendmsg_ipv4(fd, sk, m, v, u.inet_name ? NULL : &u.daddr, u.dport);
	/* A3 */
	if (m->len > INT_MAX - UDP_HLEN)
		return -EMSGSIZE;
	/* A4: a corked datagram pending: this send appends to it (the name, control messages and
	 * flags but MSG_MORE ignored), and pushes it unless corked */
	if (v->pending) {
		shim_lock_acquire(&sk->lock);
		if (udp_cork_pending(sk)) {
			r = udp_cork_append(sk, m);
			shim_lock_release(&sk->lock);
			return r;
		}
		shim_lock_release(&sk->lock);
		/* pushed by another thread meanwhile: the peer (an application bug) */
		if (!u.has_daddr) {
			if (!v->connected)
				return -EDESTADDRREQ;
			u.daddr = v->daddr;
			u.dport = v->dport;
		}
	}
	has_name = u.has_name;
	daddr = u.daddr;
	dport = u.dport;
	if (v->saddr.s6_addr[0] ==
	    0xff) /* bound to a group: np->saddr is :: (getsockname's is not) */
		TO_KERNEL(m, KR_IPV6, "kernel(socket bound to a multicast address)");
	inet_ntop(AF_INET6, &daddr, a1, sizeof(a1));
	path_step(m->trace, "udpv6_sendmsg(to [%s]:%u%s)", a1, ntohs(dport),
		  has_name ? "" : " connected");
	/* A5: the port; the flow label: the name's sin6_flowinfo under IPV6_FLOWINFO_SEND (a label
	 * looked up among the socket's leases), else none; without a name the connected flow's,
	 * not looked up again; the scope id of a destination that needs one names the output
	 * interface */
	if (has_name && dport == 0)
		return -EINVAL;
	fl_label = has_name ? (np->sndflow ? sin6->sin6_flowinfo & IPV6_FLOWINFO_MASK_BE : 0)
			    : np->flow_label;
	m->label_given = (fl_label & IPV6_FLOWLABEL_MASK_BE) != 0; /* not the automatic one */
	if (has_name && (fl_label & IPV6_FLOWLABEL_MASK_BE) &&
	    (r = udpv6_fl6_sock_lookup(fd, m, has_name, &np->fl_list, fl_label, &fl_held,
				       &fl_probed)) != 0)
		return r;
	oif = 0;
	if (has_name && m->namelen >= (int)sizeof(struct sockaddr_in6) &&
	    sin6->sin6_scope_id != 0 && addr_needs_scope_id(&daddr))
		oif = (int)sin6->sin6_scope_id;
	/* A6: else SO_BINDTODEVICE, else the sticky IPV6_PKTINFO's interface */
	if (!oif)
		oif = v->bound_dev_if;
	if (!oif)
		oif = np->sticky_oif;
	/* A7: control messages (SOL_UDP, then ip6_datagram_send_ctl): IPV6_HOPLIMIT, IPV6_TCLASS,
	 * IPV6_DONTFRAG, IPV6_PKTINFO and the extension headers but routing headers are the
	 * shim's, anything else the kernel's */
	ipc.oif = oif;
	ipc.flowlabel = fl_label;
	if (!udpv6_cmsg(fd, m->control, m->controllen, &ipc))
		TO_KERNEL(m, KR_CMSG, "kernel(IPv6 control messages)");
	if (ipc.err < 0) {
		path_step(m->trace, "ip6_datagram_send_ctl(error %d)", -ipc.err);
		return ipc.err;
	}
	oif = ipc.oif;
	/* with control messages, the label they leave (an IPV6_FLOWINFO's, or the one before) is
	 * looked up unless the name's was */
	if (m->controllen != 0) {
		fl_label = ipc.flowlabel;
		m->label_given = (fl_label & IPV6_FLOWLABEL_MASK_BE) != 0;
		if (!(has_name && np->sndflow && (sin6->sin6_flowinfo & IPV6_FLOWLABEL_MASK_BE)) &&
		    (fl_label & IPV6_FLOWLABEL_MASK_BE) &&
		    (r = udpv6_fl6_sock_lookup(fd, m, has_name, &np->fl_list, fl_label, &fl_held,
					       &fl_probed)) != 0)
			return r;
	}
	/* fl6.saddr: IPV6_PKTINFO's source, else np->saddr (bound, or chosen at connect) */
	fl_saddr = ipc.has_saddr ? ipc.saddr : v->saddr;
	/* the extension headers' CAP_NET_RAW (ns_capable): the kernel's EPERM without it */
	if (ipc.need_raw && sock_net_capable(SOV_CAP_NET_RAW) != 1)
		TO_KERNEL(m, KR_CMSG,
			  "kernel(extension header control messages without CAP_NET_RAW)");
	cmsg_hlimit = ipc.hlimit;
	/* ip6_make_skb: ipc6.dontfrag, else the socket's */
	dontfrag = ipc.dontfrag >= 0 ? ipc.dontfrag : np->dontfrag;
	/* ipc6.tclass: the socket's unless a control message gave one */
	tclass = ipc.tclass_set ? ipc.tclass : np->tclass & 0xff;
	/* the control messages' extension headers, else the sticky ones (txopt_get) */
	opt = ipc.opt_given ? ipc.opt : ip6_sticky_txoptions(np);
	if (opt.opt_nflen + opt.opt_flen > sizeof(ext))
		TO_KERNEL(m, KR_IPV6, "kernel(%u bytes of extension headers)",
			  opt.opt_nflen + opt.opt_flen);
	/* fl6_merge_options: a lease found replaces the unfragmentable headers with its own
	 * (none), a lookup the shim cannot see made or not */
	if (fl_held && opt.opt_nflen != 0)
		TO_KERNEL(m, KR_IPV6,
			  "kernel(a flow label lease with unfragmentable extension headers: "
			  "fl6_merge_options)");
	/* a corked datagram the shim holds is unicast UDP whose layout does not depend on its
	 * final size (no destination options: ip6_fragment would put its fragment header behind
	 * them), without a routing header, and whose appends need no IPV6_RECVPATHMTU report */
	if ((m->flags & MSG_MORE) && (daddr.s6_addr[0] == 0xff || v->protocol != IPPROTO_UDP ||
				      opt.opt_flen != 0 || opt.srcrt != NULL || np->rxpmtu))
		TO_KERNEL(m, KR_CORK, "kernel(corked IPv6 %s)",
			  daddr.s6_addr[0] == 0xff     ? "multicast datagram"
			  : v->protocol != IPPROTO_UDP ? "UDP-Lite datagram"
			  : opt.opt_flen != 0	       ? "datagram with destination options"
			  : opt.srcrt != NULL	       ? "datagram with a routing header"
						       : "datagram with IPV6_RECVPATHMTU");
	gso_size = ipc.gso >= 0 ? (unsigned)ipc.gso : v->gso_size; /* ipc6.gso_size */
	/* a super-packet's checksum seed and its segments with a routing header: not built */
	if (gso_size && opt.srcrt != NULL)
		TO_KERNEL(m, KR_IPV6, "kernel(UDP_SEGMENT with a routing header)");
	if (m->flags & MSG_DONTROUTE)
		TO_KERNEL(m, KR_DONTROUTE, "kernel(MSG_DONTROUTE: link-scope lookup)");
	/* A9, A10: :: means ::1 (local); multicast destinations are the kernel's */
	if (addr_any(&daddr))
		TO_KERNEL(m, KR_LOCAL_ROUTE, "kernel(destination ::: loopback delivery)");
	if ((why = unowned_destination(&daddr)) != NULL)
		TO_KERNEL(m, KR_IPV6, "kernel(%s)", why);
	/* fl6_update_dst: with a routing header the route is looked up for its first address,
	 * which the IPv6 header carries; the final destination stays the flow's (the checksum,
	 * the flow label's hash) */
	first = daddr;
	if (opt.srcrt != NULL) {
		fl6_update_dst(opt.srcrt, first.s6_addr);
		inet_ntop(AF_INET6, &first, a2, sizeof(a2));
		if (daddr.s6_addr[0] == 0xff || first.s6_addr[0] == 0xff || addr_any(&first) ||
		    addr_v4mapped(&first) || addr_needs_scope_id(&first) ||
		    unowned_destination(&first) != NULL)
			TO_KERNEL(m, KR_IPV6,
				  "kernel(routing header with a group or to [%s]: not built)", a2);
		path_step(m->trace, "fl6_update_dst([%s])", a2);
	}
	/* A10: a group without an interface yet: IPV6_MULTICAST_IF's */
	multicast = daddr.s6_addr[0] == 0xff;
	/* the kernel's send would look the route up for the connected socket and keep it
	 * (ip6_sk_dst_lookup_flow with connected: no name, no control messages, no routing header,
	 * not a group without an interface) */
	kconnected =
	    !has_name && m->controllen == 0 && opt.srcrt == NULL && !(multicast && oif == 0);
	if (oif == 0 && multicast)
		oif = np->mcast_oif;
	/* ... else, for a unicast destination, IPV6_UNICAST_IF's */
	else if (oif == 0)
		oif = np->ucast_oif;
	/* ip6_datagram_send_ctl's ipv6_chk_addr: a source the kernel may take as non-local
	 * (IP_FREEBIND, IP_TRANSPARENT) or refuse (EINVAL) is the kernel's to decide */
	if (ipc.has_saddr && !udpv6_pktinfo_saddr_local(&ipc.saddr, ipc.oif, v))
		TO_KERNEL(m, KR_CMSG, "kernel(IPV6_PKTINFO source not a local address)");

	/* A11: ip6_sk_dst_lookup_flow, the traffic class in the flow (ip6_make_flowinfo) */
	memset(&key, 0, sizeof(key));
	key.family = AF_INET6;
	key.oif = oif;
	key.mark = v->mark;
	key.uid = v->uid;
	key.ip6.daddr = first;
	if (!addr_any(&fl_saddr) && !addr_v4mapped(&fl_saddr))
		key.ip6.saddr = fl_saddr;
	key.ip6.flowlabel = htonl((uint32_t)tclass << 20) | fl_label; /* ip6_make_flowinfo */
	key.ip6.sport = v->sport;
	key.ip6.dport = dport;
	/* a v4-mapped source is not a source RTM_GETROUTE takes, and a flow with an interface and
	 * no source is looked up strictly, the kernel's with that source is not: the kernel's */
	if (addr_v4mapped(&fl_saddr) && key.oif != 0 && v->bound_dev_if == 0)
		TO_KERNEL(m, KR_IPV6,
			  "kernel(a v4-mapped source with an output interface: the lookup is not "
			  "strict)");
	/* cached as IPv4's are while the ICMPv6 watch sees what changes an IPv6 route without a
	 * notification (Packet Too Big, redirects, router advertisements: notify.c); asked afresh
	 * for each datagram without it */
	if ((route_icmp6_watched() ? route_output(&key, &rt) : route_output_fresh(&key, &rt)) < 0)
		TO_KERNEL(m, KR_NETLINK, "kernel(route lookup over rtnetlink failed)");
	/* ip6_route_output_flags: a socket bound to a device looks up strictly on its interface
	 * (RT6_LOOKUP_F_IFACE), so a reject route, which is on no device, does not match and the
	 * lookup goes on to shorter prefixes, nor does a route through another device;
	 * RTM_GETROUTE has no socket and is strict only for a flow with an interface and no
	 * source: an answer that failed or left by another device is asked again so */
	if ((rt.err < 0 || rt.oif != key.oif) && v->bound_dev_if != 0 && key.oif != 0 &&
	    !addr_any(&key.ip6.saddr)) {
		memset(&key.ip6.saddr, 0, sizeof(key.ip6.saddr));
		if ((route_icmp6_watched() ? route_output(&key, &rt)
					   : route_output_fresh(&key, &rt)) < 0)
			TO_KERNEL(m, KR_NETLINK, "kernel(route lookup over rtnetlink failed)");
	}
	if (rt.err < 0) {
		path_step(m->trace, "ip6_dst_lookup_flow(error %d)", -rt.err);
		return rt.err;
	}
	/* ip6_dst_lookup_tail, after the route: a v4-mapped source (the socket bound or connected
	 * to a v4-mapped address) cannot send to an IPv6 destination */
	if (addr_v4mapped(&fl_saddr)) {
		path_step(m->trace, "ip6_dst_lookup_flow(v4-mapped source: EAFNOSUPPORT)");
		return -EAFNOSUPPORT;
	}
	/* ip6_sk_dst_store_flow: the kernel's send keeps the route of a connected socket now,
	 * whatever comes after (a pending error, EMSGSIZE); dropped since the kernel socket last
	 * looked it up, it is looked up again there (inet_sendmsg) */
	m->dst_fresh = kconnected && np->kdst_stale;
	/* the source: fl6.saddr (IPV6_PKTINFO's, or np->saddr: bound, or chosen at connect) if
	 * any, else the one ipv6_dev_get_saddr chose for the route (RTA_PREFSRC answers that
	 * whatever RTA_SRC was) */
	if (!addr_any(&fl_saddr))
		rt.saddr = shim_addr_v6(&fl_saddr);
	inet_ntop(AF_INET6, rt.saddr.v6, a1, sizeof(a1));
	inet_ntop(AF_INET6, rt.nexthop.v6, a2, sizeof(a2));
	path_step(m->trace, "ip6_dst_lookup_flow(%s dev %s src %s via %s mtu %u)",
		  route_type_name6(rt.type), rt.dev_name, a1, a2, rt.mtu);
	/* a local destination is the kernel's, MSG_PROBE too: RTM_GETROUTE answers its local route
	 * on lo, where the socket's lookup, strict about a bound device, matches the route's
	 * nexthop device (the one owning the address) and fails for another (ENETUNREACH) */
	if (rt.type == RTN_LOCAL)
		TO_KERNEL(m, KR_LOCAL_ROUTE,
			  "kernel(local destination: delivered through loopback)");
	/* A13: ip6_make_skb makes nothing for MSG_PROBE (no size check, no pending error) */
	if (m->flags & MSG_PROBE) {
		path_step(m->trace, "ip6_make_skb(MSG_PROBE: nothing made)");
		return (long)m->len;
	}
	if (rt.type != (multicast ? RTN_MULTICAST : RTN_UNICAST))
		TO_KERNEL(m, KR_NOT_UNICAST, "kernel(%s route)", route_type_name6(rt.type));
	if (!rt.dev_ether)
		TO_KERNEL(m, KR_DEVICE, "kernel(dev %s is not Ethernet)", rt.dev_name);
	if (rt.saddr.family != AF_INET6 || shim_addr_any(&rt.saddr))
		TO_KERNEL(m, KR_IPV6, "kernel(no source address in the route's answer)");

	/* A12: ip6_sk_dst_hoplimit: the socket's (IPV6_MULTICAST_HOPS for a group), else the
	 * route's metric, else the device's */
	sock_hlimit = multicast ? np->mcast_hops : np->hop_limit;
	hlimit = cmsg_hlimit >= 0	 ? cmsg_hlimit
		 : sock_hlimit >= 0	 ? sock_hlimit
		 : rt.hoplimit > 0	 ? rt.hoplimit
		 : rt.dev_hop_limit6 > 0 ? rt.dev_hop_limit6
					 : -1;
	if (hlimit < 0 || hlimit > 255)
		TO_KERNEL(m, KR_IPV6, "kernel(the device's hop limit is unknown)");

	/* ip6_finish_output2: a local copy of a group's datagram is the kernel's to make */
	if (multicast && udpv6_mcast_output(np->mc_loop, rt.oif, daddr.s6_addr, &why) == MC_KERNEL)
		TO_KERNEL(m, KR_NOT_UNICAST, "kernel(%s)", why);

	/* ip6_setup_cork: the MTU per IPV6_MTU_DISCOVER (the route's, learnt path MTUs included, or
	 * the device's), capped by IPV6_MTU */
	mtu = np->pmtudisc >= IPV6_PMTUDISC_PROBE ? rt.dev_mtu : rt.mtu;
	if (np->frag_size != 0 && np->frag_size < mtu)
		mtu = np->frag_size;
	if (mtu < IPV6_MIN_MTU)
		TO_KERNEL(m, KR_IPV6, "kernel(MTU %u below the IPv6 minimum)", mtu);
	/* __ip6_append_data: the sizes (headersize: 40 + the extension headers; transhdrlen and
	 * length: the fragmentable ones, the UDP header and payload; fraghdrlen: the unfragmentable
	 * part) */
	length = opt.opt_flen + UDP_HLEN + m->len;
	fraghdrlen = IPV6_HLEN + opt.opt_nflen;
	/* a GSO datagram is built for IP6_MAX_MTU (the largest payload and the IPv6 header: also
	 * the limit under IPV6_PMTUDISC_DO); udp_v6_send_skb checks it against the MTU */
	if ((r = ip6_append_sizes(m, v, gso_size ? IPV6_HLEN + IPV6_MAXPLEN : mtu,
				  fraghdrlen + opt.opt_flen, opt.opt_flen + UDP_HLEN, length,
				  dontfrag)) < 0)
		return r;
	/* ip6_fragment finds the first fragmentable header by walking the packet
	 * (ip6_find_1stfragopt): destination options not behind a routing header count as
	 * unfragmentable there, so the fragment header goes behind them and the pieces are cut
	 * again: the kernel's to lay out */
	if (!gso_size && opt.opt_flen != 0 && opt.srcrt == NULL &&
	    fraghdrlen + length > (np->pmtudisc >= IPV6_PMTUDISC_PROBE ? rt.dev_mtu : rt.mtu))
		TO_KERNEL(m, KR_IPV6,
			  "kernel(ip6_fragment with destination options: the fragment header "
			  "behind them)");

	/* ip6_make_flowlabel: automatic (the socket's choice or the auto_flowlabels sysctl's), the
	 * kernel's label, learnt from the flow's first datagram, which the kernel sends
	 * (ip6_flowlabel.h) */
	if (fl_label & IPV6_FLOWLABEL_MASK_BE) {
		label = ntohl(fl_label & IPV6_FLOWLABEL_MASK_BE); /* the program's */
	} else if (!np->autoflowlabel) {
		label = 0;
		/* a corked datagram's label is made at its push, with IPV6_AUTOFLOWLABEL as it is
		 * then: the first skb's hash (sk_txhash), else its flow's, if learnt */
		if ((m->flags & MSG_MORE) &&
		    !(np->txhash != 0 ? (cork_label = np->txlabel) != 0
				      : ip6_flowlabel_lookup(rt.saddr.v6, daddr.s6_addr, v->sport,
							     dport, &cork_label)))
			cork_label = 0;
	} else if (np->txhash != 0 ? (label = np->txlabel) != 0
				   : ip6_flowlabel_lookup(rt.saddr.v6, daddr.s6_addr, v->sport,
							  dport, &label)) {
		/* learnt */
	} else if (ident_tap_available()) {
		TO_KERNEL(
		    m, KR_FLOWLABEL,
		    "kernel(the first datagram of the %s: its automatic flow label is learnt)",
		    np->txhash != 0 ? "connection" : "flow");
	} else {
		label = ip6_own_flowlabel(rt.saddr.v6, daddr.s6_addr, v->sport, dport, np->txhash);
	}

	/* sock_alloc_send_pskb: a pending error, then the shutdown state */
	if ((r = udp_sock_error(fd, sk, v->connected, m->trace)) < 0)
		return r;
	if (v->shut_wr)
		return -EPIPE;
	/* __ip6_append_data: each piece's skb against twice the send buffer (udp_wmem.c) */
	memset(&wq, 0, sizeof(wq));
	/* udp_v6_send_skb's GSO checks, after the payload was copied (udp_gso.c, IPv4's too); a
	 * corked datagram's at its push */
	if (gso_size && !(m->flags & MSG_MORE)) {
		r = udp_v6_gso_decide(m->len, gso_size, mtu, fraghdrlen + opt.opt_flen,
				      np->no_check6_tx, v->protocol, m->trace);
		if (r < 0)
			return udp_gso_error((int)r, m->iov, m->iovcnt, m->len);
		segs_gso = (unsigned)r;
	}
	/* (a GSO datagram's paged skb is not counted, as for IPv4) */
	if (!gso_size &&
	    (r = udp_wmem_append6(&wq, v->sndbuf, mtu, (unsigned)fraghdrlen, length)) < 0) {
		path_step(m->trace, "__ip6_append_data(ENOBUFS: sk_sndbuf %d)", v->sndbuf);
		return r;
	}

	/* ip6_make_skb / __ip6_make_skb's header; udp_v6_send_skb's UDP header */
	memset(&d, 0, sizeof(d));
	memcpy(d.saddr, rt.saddr.v6, 16);
	memcpy(d.daddr, &first, 16);
	/* udp_v6_send_skb's fl6->daddr, the final destination (only with a routing header, whose
	 * datagrams are never corked: the pointer does not outlive this call) */
	d.final_daddr = opt.srcrt != NULL ? daddr.s6_addr : NULL;
	d.sport = v->sport;
	d.dport = dport;
	d.tclass = (uint8_t)tclass;
	d.hop_limit = (uint8_t)hlimit;
	d.no_check6 = np->no_check6_tx;
	d.protocol = (uint8_t)v->protocol; /* udp_v6_send_skb: UDP-Lite summed over its coverage */
	d.cscov_set = v->cscov_set;
	d.cscov = v->cscov;
	d.gso_size = (uint16_t)segs_gso;
	d.oif = rt.oif;
	memcpy(d.src_mac, rt.dev_mac, 6);
	d.iov = m->iov;
	d.iovcnt = m->iovcnt;
	d.len = m->len;
	d.dontwait = (m->flags & MSG_DONTWAIT) || v->nonblock;
	/* ipcm6_init_sk: sockc.priority and sockc.mark are the socket's (control messages go to the
	 * kernel socket), the skb's in __ip6_make_skb */
	d.priority = v->priority;
	d.mark = v->mark;
	if (d.iovcnt > IP6_OUTPUT_MAX_IOV)
		TO_KERNEL(m, KR_RESOURCES, "kernel(resources: %d buffers)", d.iovcnt);
	d.flowlabel = label;
	/* __ip6_make_skb: ipv6_push_frag_opts, ipv6_push_nfrag_opts */
	d.ext_proto = ipv6_push_exthdrs(&opt, d.protocol, daddr.s6_addr, ext);
	d.ext = ext;
	d.ext_nflen = opt.opt_nflen;
	d.ext_flen = opt.opt_flen;
	/* S16's twin: corked (UDP_CORK or MSG_MORE), the shim holds the datagram until pushed
	 * (ip6_setup_cork: the flow, the route, the header fields and MTU of this first send) */
	if (m->flags & MSG_MORE) {
		const struct udp_cork_setup cs = {
		    .family = AF_INET6,
		    .rt = &rt,
		    .fragsize = mtu,
		    .wq = &wq,
		    .d6 = &d,
		    .headersize = fraghdrlen + opt.opt_flen,
		    .dontfrag = dontfrag > 0,
		    .gso_size = gso_size,
		    .autolabel = np->autoflowlabel ? label : cork_label,
		};

		return udp_cork_begin(sk, m, &cs);
	}
	/* __ip6_finish_output: fragments or one frame, and the checksum mode */
	if (!gso_size)
		ip6_finish_output_layout(&d, fraghdrlen + length,
					 np->pmtudisc >= IPV6_PMTUDISC_PROBE ? rt.dev_mtu : rt.mtu,
					 mtu, false);
	skb = (struct udp_skb){
	    .sk = sk, .rt = &rt, .nexthop = rt.nexthop, .batch = m->batch, .trace = m->trace};
	r = udp_v6_send_skb(&d, &skb);
	if (r == SHIM_TO_KERNEL)
		m->kernel_reason = skb.kernel_reason;
	if (r < 0)
		return r;
	udp_count_sent(m->len);
	/* the next datagram of this flow may take the cached path (a queued one's d.dst_mac is not
	 * the neighbour's: not learnt); routes cached only with the ICMPv6 watch */
	if (route_icmp6_watched() && !fl_probed &&
	    !(has_name && (fl_label & IPV6_FLOWLABEL_MASK_BE)))
		udp_fastpath_learn6(fd, sk, m, v, &rt, &d, mtu);
	return (long)m->len;
}
