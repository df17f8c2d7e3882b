/* inet6_sock: the shim's copy of an AF_INET6 UDP socket's TX state (the kernel's sock_common IPv6
 * addresses and struct ipv6_pinfo), read from the kernel socket and kept in step with bind,
 * connect and setsockopt (see include/shim/inet.h). Every readable setting is read back from the
 * kernel socket after each change, so the shim's copy is the kernel's; what cannot be read back
 * (IPV6_UNICAST_HOPS, which getsockopt answers with the route's value for "not set"; IPV6_MTU,
 * answered with the path MTU; a sticky IPV6_PKTINFO's interface; flow label leases) is taken from
 * the program's own setsockopt, and a socket changed where the shim could not see it is the
 * kernel's to send from then on. */
#include "shim/inet.h"
#include "shim/dev.h"
#include "shim/ip6_exthdrs.h"
#include "shim/net_compat.h"
#include "shim/rawsys.h"
#include "shim/sockgen.h"
#include "shim/udp_cork.h"
#include "shim/udp_fastpath.h"
#include "shim/umem.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/udp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/syscall.h>

#ifndef UDP_NO_CHECK6_TX
#define UDP_NO_CHECK6_TX 101
#endif
#ifndef IPV6_AUTOFLOWLABEL
#define IPV6_AUTOFLOWLABEL 70
#endif
#ifndef IPV6_FLOWINFO_SEND
#define IPV6_FLOWINFO_SEND 33
#endif
#ifndef IPV6_FLOWLABEL_MGR
#define IPV6_FLOWLABEL_MGR 32
#endif
#ifndef IPV6_ADDRFORM
#define IPV6_ADDRFORM 1
#endif
#ifndef IPV6_2292PKTOPTIONS
#define IPV6_2292PKTOPTIONS 6
#endif
#ifndef IPV6_UNICAST_IF
#define IPV6_UNICAST_IF 76
#endif

/* The IPv4 word the kernel keeps for an IPv6 address of the socket (inet_rcv_saddr, inet_saddr,
 * inet_daddr; __inet6_bind, __ip6_datagram_connect): a v4-mapped address's IPv4 address, 0 for ::,
 * and LOOPBACK4_IPV6 (127.0.0.6) for any other, which the IPv4 path of a dual-stack socket then
 * sends from or to. */
static uint32_t ipv4_word(const struct in6_addr *a)
{
	if (a->s6_addr32[0] == 0 && a->s6_addr32[1] == 0 && a->s6_addr32[2] == htonl(0xffff))
		return a->s6_addr32[3];
	if ((a->s6_addr32[0] | a->s6_addr32[1] | a->s6_addr32[2] | a->s6_addr32[3]) == 0)
		return 0;
	return htonl(0x7f000006); /* LOOPBACK4_IPV6 */
}

/* The bound address and port (getsockname: sk_v6_rcv_saddr, or np->saddr when that is ::), and
 * the IPv4 words of the bound address and the source. */
static void read_local6(struct shim_sock *sk, int fd)
{
	struct sockaddr_in6 sin6;
	socklen_t len = sizeof(sin6);

	memset(&sin6, 0, sizeof(sin6));
	if (rawsys3(SYS_getsockname, fd, &sin6, &len) == 0 && sin6.sin6_family == AF_INET6) {
		sk->v6_rcv_saddr = sin6.sin6_addr;
		sk->ipv6.saddr = sin6.sin6_addr;
		sk->sport = sin6.sin6_port;
		sk->rcv_saddr = ipv4_word(&sin6.sin6_addr);
		sk->saddr = sk->rcv_saddr;
	}
}

static int opt_int(int fd, int level, int name, int dflt)
{
	int v;

	return rawsys_getsockopt_int(fd, level, name, &v) == 0 ? v : dflt;
}

/* The peer (getpeername); false when there is none to read. connect: right after a connect. */
static bool read_peer6(struct shim_sock *sk, int fd, bool connect)
{
	struct sockaddr_in6 sin6;
	socklen_t len = sizeof(sin6);

	memset(&sin6, 0, sizeof(sin6));
	if (rawsys3(SYS_getpeername, fd, &sin6, &len) == 0 && sin6.sin6_family == AF_INET6) {
		sk->connected = true;
		__atomic_store_n(&sk->ever_connected, true, __ATOMIC_RELAXED);
		sk->v6_daddr = sin6.sin6_addr;
		sk->daddr = ipv4_word(&sin6.sin6_addr);
		sk->dport = sin6.sin6_port;
		/* inet6_getname shows np->flow_label only under IPV6_FLOWINFO_SEND; without it the
		 * connect set none (__ip6_datagram_connect), or the one kept is still the one */
		if (opt_int(fd, SOL_IPV6, IPV6_FLOWINFO_SEND, 0) != 0)
			sk->ipv6.flow_label = sin6.sin6_flowinfo & htonl(0x0fffffff);
		else if (connect)
			sk->ipv6.flow_label = 0;
		return true;
	}
	sk->connected = false;
	memset(&sk->v6_daddr, 0, sizeof(sk->v6_daddr));
	sk->daddr = 0;
	sk->dport = 0;
	sk->ipv6.flow_label = 0;
	return false;
}

/* A sticky extension header option (IPV6_HOPOPTS, IPV6_RTHDR, IPV6_DSTOPTS, IPV6_RTHDRDSTOPTS):
 * getsockopt copies its bytes (ipv6_getsockopt_sticky: as many as fit), none when unset.
 * Returns 0 (unset), 1 (its bytes in buf, whole), -1 (set, but larger than buf). */
static int sticky_exthdr(int fd, int name, uint8_t *buf, size_t size)
{
	socklen_t len = (socklen_t)size;

	if (rawsys5(SYS_getsockopt, fd, SOL_IPV6, name, buf, &len) != 0 || len == 0)
		return 0;
	return len >= 2 && ((size_t)buf[1] + 1) * 8 == (size_t)len ? 1 : -1;
}

/* Settings that change what goes on the wire (or how errors are reported) in ways the IPv6 send
 * path does not reproduce yet: while any is set, the kernel socket sends. */
static const struct {
	int level, name;
	const char *why;
} kernel_only6[] = {
    {SOL_SOCKET, SO_DONTROUTE, "SO_DONTROUTE"},	      {SOL_SOCKET, SO_ZEROCOPY, "SO_ZEROCOPY"},
    {SOL_SOCKET, SO_TIMESTAMPING, "SO_TIMESTAMPING"}, {SOL_SOCKET, SO_TXTIME, "SO_TXTIME"},
    {SOL_IPV6, IPV6_RECVERR, "IPV6_RECVERR"},	      {SOL_IP, IP_RECVERR, "IP_RECVERR"},
};

/* Every setting that can be read back, and the verdict on the socket (sk->kernel_only). */
static void read_opts6(struct shim_sock *sk, int fd)
{
	struct shim_ipv6_pinfo *np = &sk->ipv6;
	int v;

	sk->bound_dev_if = opt_int(fd, SOL_SOCKET, SO_BINDTOIFINDEX, 0);
	sk->mark = (uint32_t)opt_int(fd, SOL_SOCKET, SO_MARK, 0);
	sk->priority = (uint32_t)opt_int(fd, SOL_SOCKET, SO_PRIORITY, 0); /* the skb's */
	sk->uid = (uint32_t)rawsys0(SYS_geteuid);
	sk->gso_size = (uint16_t)opt_int(fd, SOL_UDP, UDP_SEGMENT, 0);
	sk->sndbuf = opt_int(fd, SOL_SOCKET, SO_SNDBUF, 0);
	v = (int)rawsys2(SYS_fcntl, fd, F_GETFL);
	sk->nonblock = v >= 0 && (v & O_NONBLOCK);
	np->tclass = opt_int(fd, SOL_IPV6, IPV6_TCLASS, 0);
	np->v6only = opt_int(fd, SOL_IPV6, IPV6_V6ONLY, 0) != 0;
	np->pmtudisc = (uint8_t)opt_int(fd, SOL_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_WANT);
	np->dontfrag = opt_int(fd, SOL_IPV6, IPV6_DONTFRAG, 0) != 0;
	np->rxpmtu = opt_int(fd, SOL_IPV6, IPV6_RECVPATHMTU, 0) != 0;
	np->sndflow = opt_int(fd, SOL_IPV6, IPV6_FLOWINFO_SEND, 0) != 0;
	/* ip6_autoflowlabel(): the socket's choice, or the auto_flowlabels sysctl's */
	np->autoflowlabel = opt_int(fd, SOL_IPV6, IPV6_AUTOFLOWLABEL, 0) != 0;
	/* the kernel answers it in network order, as it is set */
	np->ucast_oif = (int)ntohl((uint32_t)opt_int(fd, SOL_IPV6, IPV6_UNICAST_IF, 0));
	np->mcast_oif = opt_int(fd, SOL_IPV6, IPV6_MULTICAST_IF, 0);
	np->mcast_hops = opt_int(fd, SOL_IPV6, IPV6_MULTICAST_HOPS, 1);
	np->mc_loop = opt_int(fd, SOL_IPV6, IPV6_MULTICAST_LOOP, 1) != 0;
	np->no_check6_tx = opt_int(fd, SOL_UDP, UDP_NO_CHECK6_TX, 0) != 0;
	inet_sock_read_ipv4(sk, fd); /* the IPv4 path's (v4-mapped destinations) */

	sk->kernel_only = NULL;
	if (np->kernel_only != NULL)
		sock_set_kernel_only(sk, np->kernel_only, KR_SOCKOPT);
	for (size_t i = 0; i < sizeof(kernel_only6) / sizeof(kernel_only6[0]); i++)
		if (rawsys_getsockopt_int(fd, kernel_only6[i].level, kernel_only6[i].name, &v) ==
			0 &&
		    v != 0)
			sock_set_kernel_only(sk, kernel_only6[i].why, KR_SOCKOPT);
	/* the sticky extension headers: hop-by-hop and destination options (up to
	 * SHIM_STICKY_OPT_MAX bytes each), a segment routing header without an HMAC (up to
	 * SHIM_STICKY_RTHDR_MAX bytes) with the destination options before it are the shim's;
	 * other routing headers the kernel's */
	{
		const char *why;
		int hop = sticky_exthdr(fd, IPV6_HOPOPTS, np->sticky_hop, sizeof(np->sticky_hop));
		int dst = sticky_exthdr(fd, IPV6_DSTOPTS, np->sticky_dst1, sizeof(np->sticky_dst1));
		int rt = sticky_exthdr(fd, IPV6_RTHDR, np->sticky_rthdr, sizeof(np->sticky_rthdr));
		int dst0 =
		    sticky_exthdr(fd, IPV6_RTHDRDSTOPTS, np->sticky_dst0, sizeof(np->sticky_dst0));

		np->sticky_hop_set = hop == 1;
		np->sticky_dst1_set = dst == 1;
		np->sticky_rthdr_set = rt == 1;
		np->sticky_dst0_set = dst0 == 1;
		if (hop < 0)
			sock_set_kernel_only(sk, "IPV6_HOPOPTS (large)", KR_SOCKOPT);
		if (dst < 0)
			sock_set_kernel_only(sk, "IPV6_DSTOPTS (large)", KR_SOCKOPT);
		if (rt < 0)
			sock_set_kernel_only(sk, "IPV6_RTHDR (large)", KR_SOCKOPT);
		else if (rt == 1 && (why = ipv6_rthdr_unbuilt(np->sticky_rthdr)) != NULL)
			sock_set_kernel_only(sk, why, KR_SOCKOPT);
		if (dst0 < 0 && rt != 0)
			sock_set_kernel_only(sk, "IPV6_RTHDRDSTOPTS (large)", KR_SOCKOPT);
	}
	if (sk->ext.cscov_kernel != NULL) /* udp_ext.c */
		sock_set_kernel_only(sk, sk->ext.cscov_kernel, KR_SOCKOPT);
	if (dev_netns_cookie() != 0 && rawsys_netns_cookie(fd) != dev_netns_cookie())
		sock_set_kernel_only(
		    sk, "the socket's network namespace is not the packet socket's", KR_NETNS);
}

/* sk_set_txhash(): a random per-socket hash, never 0 */
static uint32_t random_txhash(void)
{
	uint32_t v = 0;

	if (rawsys3(SYS_getrandom, &v, sizeof(v), 0x1 /* GRND_NONBLOCK */) != sizeof(v))
		v = (uint32_t)rawsys0(SYS_getpid) * 2654435761u ^ (uint32_t)rawsys0(SYS_gettid);
	return v != 0 ? v : 1;
}

void inet6_sock_sync(struct shim_sock *sk, int fd)
{
	unsigned gen = sockgen_read(sk->gen_cell);
	bool again = sk->synced;

	if (again && gen == sk->gen_seen)
		return;
	sk->gen_seen = gen;
	if (!again && !sk->discovered) {
		sk->ipv6.hop_limit = -1; /* the kernel's default: the route's, else the device's */
		sk->ipv6.frag_size = 0;	 /* IPV6_MTU: none (getsockopt answers the path MTU) */
		sk->ipv6.sticky_oif = 0; /* no sticky IPV6_PKTINFO */
	} else {
		/* inherited, received, or changed by another process: what it set that does not
		 * read back is unknown, and it may have dropped the kernel socket's route */
		sk->ipv6.kdst_stale = true;
		sk->ipv6.fl_list.unknown = true;
		if (sk->ipv6.kernel_only == NULL)
			sk->ipv6.kernel_only =
			    "an IPv6 socket changed outside this process (IPV6_UNICAST_HOPS, a "
			    "sticky IPV6_PKTINFO do not read back)";
	}
	read_local6(sk, fd);
	read_peer6(sk, fd, !again);
	udp_ext_sync(sk, fd); /* UDP-Lite coverage; SO_NO_CHECK, IP_OPTIONS for the IPv4 path */
	if (sk->connected && sk->ipv6.txhash == 0)
		sk->ipv6.txhash = 1; /* connected before the shim saw it: kernel_only above */
	if (!again) {
		/* the IPv4 path's settings that do not read back: IP_MULTICAST_IF's index (known
		 * to be none only for a socket seen from its creation), the connected socket's ID
		 * counter (inet_id, random: its increments are what the wire shows) */
		sk->mc_index = 0;
		sk->mc_index_known = !sk->discovered;
		sk->ip_id = (uint16_t)random_txhash();
		sk->ip_id_used = false;
	}
	read_opts6(sk, fd);
	/* UDP_CORK, and what the kernel socket may hold corked (not at a setting's read-back:
	 * the shim's pending datagram stays) */
	udp_cork_sync(sk, fd);
	sock_flow_sync(&sk->flow, fd); /* IP_UNICAST_IF, IP_TRANSPARENT, ... for the IPv4 path */
	sk->dst_cache_valid = false;
	sk->synced = true;
	sock_settings_changed(sk);
}

long inet6_autobind(int fd, struct shim_sock *sk, struct path_trace *t)
{
	struct sockaddr_in6 any;
	long r;

	/* an address bound without a port (a disconnect released the port and SOCK_BINDADDR_LOCK
	 * kept the address, ::ffff:0.0.0.0 included): the kernel's autobind keeps the address, a
	 * bind to :: would replace it */
	if (!IN6_IS_ADDR_UNSPECIFIED(&sk->v6_rcv_saddr)) {
		read_local6(sk, fd); /* a send through the kernel socket may have bound it since */
		if (sk->sport != 0)
			return 0;
		if (!IN6_IS_ADDR_UNSPECIFIED(&sk->v6_rcv_saddr))
			return SHIM_TO_KERNEL;
	}
	memset(&any, 0, sizeof(any));
	any.sin6_family = AF_INET6;
	r = rawsys3(SYS_bind, fd, &any, sizeof(any));
	if (r < 0 && r != -EINVAL) /* EINVAL: bound meanwhile (by a call the shim did not see) */
		return r;
	read_local6(sk, fd);
	if (sk->sport == 0)
		return SHIM_TO_KERNEL; /* an address bound without a port: the kernel's autobind */
	path_step(t, "inet_autobind(port %u)", ntohs(sk->sport));
	return 0;
}

void inet6_after_bind(struct shim_sock *sk, int fd, int ret)
{
	read_local6(sk, fd); /* a failed bind may have changed nothing: read anyway */
	/* __inet6_bind: the scope id of an address that needs one binds the device */
	if (ret == 0 && !IN6_IS_ADDR_UNSPECIFIED(&sk->v6_rcv_saddr) &&
	    (IN6_IS_ADDR_LINKLOCAL(&sk->v6_rcv_saddr) || IN6_IS_ADDR_MULTICAST(&sk->v6_rcv_saddr)))
		sk->bound_dev_if = opt_int(fd, SOL_SOCKET, SO_BINDTOIFINDEX, 0);
}

void inet6_after_connect(struct shim_sock *sk, int fd, const struct sockaddr *addr, socklen_t len,
			 int ret)
{
	sa_family_t family = AF_UNSPEC;

	read_local6(sk, fd);
	if (ret != 0) {
		/* __ip6_datagram_connect binds the device of a scoped peer before its route lookup
		 * fails: a failed connect keeps it */
		sk->bound_dev_if = opt_int(fd, SOL_SOCKET, SO_BINDTOIFINDEX, 0);
		/* ... and may have dropped the route of the connection the socket keeps
		 * (__ip4_datagram_connect's sk_dst_reset for a v4-mapped peer) */
		sk->ipv6.kdst_stale = true;
		return;
	}
	if (len >= sizeof(family) && umem_read(&family, addr, sizeof(family)) != 0)
		family = AF_UNSPEC;
	if (!read_peer6(sk, fd, true) && family != AF_UNSPEC && sk->ipv6.kernel_only == NULL)
		sk->ipv6.kernel_only = "a peer getpeername does not show (port 0)";
	if (family != AF_UNSPEC) {
		sk->ipv6.txhash = random_txhash(); /* ip6_datagram_connect: sk_set_txhash */
		sk->ipv6.txlabel = 0;		   /* the kernel's new one is learnt again */
		/* a v4-mapped peer: __ip4_datagram_connect reseeds inet_id */
		sk->ip_id = (uint16_t)random_txhash();
		sk->ip_id_used = false;
		__atomic_store_n(&sk->err_peer, ERR_PEER_UNKNOWN, __ATOMIC_RELAXED);
		sock_flow_after_connect(&sk->flow);
		sk->ipv6.kdst_stale = false; /* ip6_datagram_dst_update stored the connect's */
	}
	sk->dst_cache_valid = false;
	read_opts6(sk, fd); /* a scope id binds the device; a disconnect unbinds it */
}

void inet6_after_setsockopt(struct shim_sock *sk, int fd, int level, int name, const void *val,
			    socklen_t len, int ret)
{
	int v = 0;

	if (ret != 0)
		return;
	/* SO_BINDTODEVICE, SO_MARK, the sticky headers (ipv6_update_options), ... drop the kernel
	 * socket's route (sk_dst_reset): any setting may have */
	sk->ipv6.kdst_stale = true;
	(void)udp_ext_after_setsockopt(sk, fd, level, name); /* UDPLITE_SEND_CSCOV */
	if (level == SOL_IPV6 && name == IPV6_UNICAST_HOPS) {
		if (len >= sizeof(int) && umem_read(&v, val, sizeof(v)) == 0)
			sk->ipv6.hop_limit = v; /* -1..255, the kernel checked it */
		else if (sk->ipv6.kernel_only == NULL)
			sk->ipv6.kernel_only = "IPV6_UNICAST_HOPS (value not readable)";
	} else if (level == SOL_IPV6 && name == IPV6_MTU) {
		if (len >= sizeof(int) && umem_read(&v, val, sizeof(v)) == 0)
			sk->ipv6.frag_size = (uint32_t)v; /* 0 or >= 1280, the kernel checked it */
		else if (sk->ipv6.kernel_only == NULL)
			sk->ipv6.kernel_only = "IPV6_MTU (value not readable)";
	} else if (level == SOL_IPV6 && name == IPV6_PKTINFO) {
		/* np->sticky_pktinfo: udpv6_sendmsg takes its ifindex when nothing else names
		 * the output interface (the kernel checked the length: struct in6_pktinfo) */
		struct in6_pktinfo info;

		if (len >= sizeof(info) && umem_read(&info, val, sizeof(info)) == 0)
			sk->ipv6.sticky_oif = (int)info.ipi6_ifindex;
		else if (sk->ipv6.kernel_only == NULL)
			sk->ipv6.kernel_only = "IPV6_PKTINFO (value not readable)";
	} else if (level == SOL_IPV6 && name == IPV6_TRANSPARENT) {
		/* one bit for both families (inet->transparent): the IPv4 path's lookups of a
		 * dual-stack socket take FLOWI_FLAG_ANYSRC from it */
		(void)sock_flow_after_setsockopt(&sk->flow, fd, SOL_IP, IP_TRANSPARENT);
	} else if (level == SOL_IPV6 && sk->ipv6.kernel_only == NULL && name == IPV6_2292PKTINFO) {
		sk->ipv6.kernel_only = "IPV6_2292PKTINFO";
	} else if (level == SOL_IPV6 && name == IPV6_FLOWLABEL_MGR) {
		/* the socket's leases (ip6_flowlabel.c): the request as the call left it */
		uint8_t req[32];

		if (len >= sizeof(req) && umem_read(req, val, sizeof(req)) == 0)
			ipv6_flowlabel_opt_learn(&sk->ipv6.fl_list, req, len, &sk->ipv6.flow_label);
		else
			sk->ipv6.fl_list.unknown = true;
	} else if (level == SOL_IPV6 && sk->ipv6.kernel_only == NULL &&
		   (name == IPV6_ADDRFORM || name == IPV6_2292PKTOPTIONS)) {
		sk->ipv6.kernel_only =
		    name == IPV6_ADDRFORM ? "IPV6_ADDRFORM" : "IPV6_2292PKTOPTIONS";
	}
	read_opts6(sk, fd);
	/* the IPv4 options (SOL_IP, SO_BROADCAST, SO_NO_CHECK, ...) as an AF_INET socket keeps
	 * them: the IPv4 path of the dual-stack socket sends with them */
	inet_after_setsockopt(sk, fd, level, name, val, len, ret);
}
