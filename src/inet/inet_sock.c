/* inet_sock: the shim's copy of a UDP socket's TX state, read from the kernel socket once and then
 * kept in step with the calls the program makes (see include/shim/inet.h). */
#include "shim/inet.h"
#include "shim/dev.h"
#include "shim/net_compat.h"
#include "shim/udp_fastpath.h"
#include "shim/rawsys.h"
#include "shim/udp_cork.h"
#include "shim/route.h"
#include "shim/sandbox.h"
#include "shim/sockgen.h"
#include "shim/umem.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <linux/udp.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

static uint16_t random_u16(void)
{
	uint16_t v = 0;

	if (rawsys3(SYS_getrandom, &v, sizeof(v), 0x1 /* GRND_NONBLOCK */) != sizeof(v))
		v = (uint16_t)(rawsys0(SYS_getpid) * 2654435761u);
	return v;
}

/* inet_addr_type (net/ipv4/fib_frontend.c): 0.0.0.0 and 255.255.255.255 are RTN_BROADCAST, a
 * group RTN_MULTICAST, any other address the type of the kernel's route to it, which the local
 * table (its rule comes first) gives for local and broadcast addresses: a local subnet's
 * broadcast address is RTN_BROADCAST there. */
static int inet_addr_type(uint32_t addr)
{
	struct shim_flowi k;
	struct route_result r;

	if (addr == INADDR_ANY || addr == INADDR_BROADCAST)
		return RTN_BROADCAST;
	if (IN_MULTICAST(ntohl(addr)))
		return RTN_MULTICAST;
	shim_flowi4_init_output(&k, 0, 0, 0, 0, addr, 0, 0, 0);
	if (route_output(&k, &r) != 0 || r.err != 0)
		return RTN_UNICAST;
	return r.type;
}

/* __inet_bind: the source of a socket bound to addr (inet_saddr). An address the kernel treats
 * as broadcast or multicast for the socket gives none: routing chooses one per datagram (or at
 * connect, which keeps it). */
static uint32_t inet_bind_saddr(uint32_t addr)
{
	const int type = inet_addr_type(addr);

	return type == RTN_BROADCAST || type == RTN_MULTICAST ? 0 : addr;
}

/* The bound address and port (getsockname). */
static void read_local(struct shim_sock *sk, int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	memset(&sin, 0, sizeof(sin));
	if (rawsys3(SYS_getsockname, fd, &sin, &len) == 0) {
		/* inet_saddr moves with the bound address (bind, autobind, the connect of an
		 * unbound socket, a disconnect that releases it); while that stays, it keeps what
		 * bind or connect made it (sockev_connect: the route's source for a socket bound to
		 * a broadcast address, kept by a disconnect as SOCK_BINDADDR_LOCK keeps it) */
		if (sin.sin_addr.s_addr != sk->rcv_saddr) {
			/* a port bound with no address gets one only by connect, which takes the
			 * route's source, a local unicast address: no lookup for that */
			const bool by_connect = sk->rcv_saddr == INADDR_ANY && sk->sport != 0 &&
						sin.sin_port == sk->sport;

			sk->saddr =
			    by_connect ? sin.sin_addr.s_addr : inet_bind_saddr(sin.sin_addr.s_addr);
		}
		sk->rcv_saddr = sin.sin_addr.s_addr;
		sk->sport = sin.sin_port;
	}
}

/* Whether the kernel socket is still connected (TCP_ESTABLISHED) when getpeername cannot say:
 * inet_getname answers ENOTCONN for a peer with port 0 too. udp_sendmsg without a name answers
 * EDESTADDRREQ only when it is not; with MSG_PROBE a connected one stops after routing (ip_make_skb
 * makes nothing: no datagram, no pending error taken, no shutdown check). Not asked where the
 * call could change something — no port yet (the send would autobind), the kernel's cork (the
 * probe would be appended or push it) — nor under a seccomp filter: then it stays as it was. */
static bool still_connected(const struct shim_sock *sk, int fd)
{
	if (sk->sport == 0 || sk->cork_kernel || sk->cork_opt || shim_sandboxed())
		return sk->connected;
	return rawsys6(SYS_sendto, fd, 0, 0,
		       MSG_PROXY /* the kernel's MSG_PROBE */ | MSG_DONTWAIT | MSG_NOSIGNAL, 0,
		       0) != -EDESTADDRREQ;
}

/* The peer (getpeername). recheck: the socket is read again after another process changed it, or
 * first seen in use — it may be connected to port 0, which getpeername does not show: one the shim
 * saw connected to port 0 keeps that peer; one connected there by another process has a peer
 * that cannot be read back: returns true (its datagrams go to the kernel socket). */
static bool read_peer(struct shim_sock *sk, int fd, bool recheck)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	memset(&sin, 0, sizeof(sin));
	if (rawsys3(SYS_getpeername, fd, &sin, &len) == 0) {
		sk->connected = true;
		sk->daddr = sin.sin_addr.s_addr;
		sk->dport = sin.sin_port;
		return false;
	}
	if (recheck && still_connected(sk, fd)) {
		if (sk->connected && sk->dport == 0)
			return false;
		sk->connected = true;
		sk->daddr = 0;
		sk->dport = 0;
		return true;
	}
	sk->connected = false;
	sk->daddr = 0;
	sk->dport = 0;
	return false;
}

/* Options that change what goes on the wire in ways the shim does not reproduce yet: while any
 * is set, the kernel socket sends. */
static const struct {
	int level, name;
	const char *why;
	int reason; /* enum shim_kernel_reason */
} kernel_only_options[] = {
    {SOL_SOCKET, SO_DONTROUTE, "SO_DONTROUTE", KR_SOCKOPT},
    {SOL_SOCKET, SO_ZEROCOPY, "SO_ZEROCOPY", KR_SOCKOPT},
    {SOL_SOCKET, SO_TIMESTAMPING, "SO_TIMESTAMPING", KR_SOCKOPT},
    {SOL_SOCKET, SO_TXTIME, "SO_TXTIME", KR_SOCKOPT},
    {SOL_IP, IP_RECVERR, "IP_RECVERR", KR_SOCKOPT},
};

/* IP_MULTICAST_TTL, IP_MULTICAST_LOOP and IP_MULTICAST_IF's address, as the kernel socket has them
 */
static void read_mc(struct shim_sock *sk, int fd)
{
	struct in_addr a = {0};
	socklen_t len = sizeof(a);
	int v;

	sk->mc_ttl = rawsys_getsockopt_int(fd, SOL_IP, IP_MULTICAST_TTL, &v) == 0 ? (uint8_t)v : 1;
	sk->mc_loop = rawsys_getsockopt_int(fd, SOL_IP, IP_MULTICAST_LOOP, &v) != 0 || v != 0;
	sk->mc_addr =
	    rawsys5(SYS_getsockopt, fd, SOL_IP, IP_MULTICAST_IF, &a, &len) == 0 ? a.s_addr : 0;
}

/* After a successful IP_MULTICAST_IF (do_ip_setsockopt): struct ip_mreqn (12 bytes or more),
 * struct ip_mreq (8..11: the interface address) or struct in_addr (4..7). An ifindex names the
 * interface; an address alone names the device that owns it (ip_dev_find); neither resets. */
static void set_mc_if(struct shim_sock *sk, const void *val, socklen_t len)
{
	struct ip_mreqn mreq;

	memset(&mreq, 0, sizeof(mreq));
	if (umem_read(&mreq, val,
		      len >= sizeof(struct ip_mreqn)  ? sizeof(struct ip_mreqn)
		      : len >= sizeof(struct ip_mreq) ? sizeof(struct ip_mreq)
						      : sizeof(struct in_addr)) != 0) {
		sk->mc_index_known = false;
		return;
	}
	if (len < sizeof(struct ip_mreq)) { /* struct in_addr: the address is the first field */
		mreq.imr_address = mreq.imr_multiaddr;
		mreq.imr_ifindex = 0;
	} else if (len < sizeof(struct ip_mreqn)) {
		mreq.imr_ifindex = 0;
	}
	sk->mc_index = mreq.imr_ifindex;
	sk->mc_index_known = true;
	if (mreq.imr_ifindex == 0 && mreq.imr_address.s_addr != INADDR_ANY) {
		int ifindex = route_dev_of_addr(mreq.imr_address.s_addr);

		sk->mc_index = ifindex > 0 ? ifindex : 0;
		sk->mc_index_known = ifindex > 0;
	}
}

void inet_sock_read_ipv4(struct shim_sock *sk, int fd)
{
	int v;

	sk->uc_ttl = -1;
	if (rawsys_getsockopt_int(fd, SOL_IP, IP_TTL, &v) == 0) {
		/* the kernel shows ip_default_ttl for "not set" (-1) */
		sk->uc_ttl = v == sysctl_ip_default_ttl() ? -1 : v;
	}
	sk->tos = rawsys_getsockopt_int(fd, SOL_IP, IP_TOS, &v) == 0 ? (uint8_t)v : 0;
	sk->pmtudisc = rawsys_getsockopt_int(fd, SOL_IP, IP_MTU_DISCOVER, &v) == 0
			   ? (uint8_t)v
			   : IP_PMTUDISC_WANT;
	sk->broadcast = rawsys_getsockopt_int(fd, SOL_SOCKET, SO_BROADCAST, &v) == 0 && v;
	read_mc(sk, fd);
}

/* A socket belongs to the network namespace of the thread that made it (a program may switch with
 * setns or unshare(CLONE_NEWNET) at any time, per thread) and sends there for its whole life; the
 * packet socket sends in the namespace of load time, and routes are asked there. A socket of
 * another namespace is handed to the kernel, never sent in the wrong one. */
static bool sock_in_dev_netns(int fd)
{
	unsigned long long dev = dev_netns_cookie();

	return dev == 0 || rawsys_netns_cookie(fd) == dev;
}

/* A page the program never has: a buffer there faults in the kernel's copy (probe_shut_wr). */
static const void *fault_page(void)
{
	static long page; /* atomic: mapped once, PROT_NONE */
	long p = __atomic_load_n(&page, __ATOMIC_ACQUIRE), expected = 0;

	if (p != 0)
		return (const void *)p;
	p = rawsys6(SYS_mmap, 0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p < 0 && p > -4096)
		return NULL;
	if (!__atomic_compare_exchange_n(&page, &expected, p, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		rawsys2(SYS_munmap, p, 4096);
		p = expected;
	}
	return (const void *)p;
}

/* Whether another process shut the socket down for writing: sk_shutdown cannot be read back, and
 * poll shows SEND_SHUTDOWN only together with RCV_SHUTDOWN (EPOLLHUP). The kernel's own send
 * answers without sending: a one-byte datagram whose buffer faults fails in __ip_append_data's
 * sock_alloc_send_skb with EPIPE when the socket is shut for writing, and otherwise in the copy
 * that follows (EFAULT, the datagram discarded). It goes to 0.0.0.0 (the local route, which every
 * namespace has; port 9). Asked after another process changed the socket, and for a socket first
 * seen in use (inherited, received). Not asked under a seccomp filter (which may kill the process
 * for a call it never makes), where the kernel sends anyway, nor where it would change something:
 * a pending socket error (the send would take it), the kernel's cork (the failed append would
 * discard the corked datagram), a socket without a port (the send would autobind). */
static bool probe_shut_wr(struct shim_sock *sk, int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	struct sockaddr_in any;
	const void *bad;

	/* under a seccomp filter a call the program never makes may kill it (sandbox.h) */
	if (sk->kernel_only != NULL || shim_sandboxed() || rawsys3(SYS_poll, &p, 1, 0) != 1)
		return false;
	if ((p.revents & POLLHUP) != 0)
		return true; /* both directions shut */
	bad = fault_page();
	if ((p.revents & POLLERR) != 0 || bad == NULL || sk->sport == 0 || sk->cork_opt ||
	    sk->cork_kernel)
		return false;
	memset(&any, 0, sizeof(any));
	any.sin_family = AF_INET;
	any.sin_port = htons(9);
	return rawsys6(SYS_sendto, fd, (long)bad, 1, MSG_DONTWAIT | MSG_NOSIGNAL, (long)&any,
		       sizeof(any)) == -EPIPE;
}

void inet_sock_sync(struct shim_sock *sk, int fd)
{
	/* the generation first: a change made after this read moves it again */
	unsigned gen = sockgen_read(sk->gen_cell), seen = sk->gen_seen;
	bool again = sk->synced, was_connected = sk->connected, peer_unknown;
	uint32_t daddr = sk->daddr, saddr = sk->saddr, mark = sk->mark;
	uint16_t dport = sk->dport;
	uint8_t tos = sk->tos;
	int v, bound_dev_if = sk->bound_dev_if;

	if (sk->family == AF_INET6) {
		inet6_sock_sync(sk, fd);
		return;
	}
	if (again && (gen == sk->gen_seen || udp_cork_pending(sk)))
		return; /* current; or a datagram the shim holds is completed first (udp_cork.c) */
	sk->gen_seen = gen;
	read_local(sk, fd);
	peer_unknown = read_peer(sk, fd, again || sk->discovered);
	if (sk->connected)
		__atomic_store_n(&sk->ever_connected, true, __ATOMIC_RELAXED);
	/* the connected socket's ID counter goes on unless another process connected it elsewhere
	 * (connect reseeds it) */
	if (!again || !sk->connected || !was_connected || sk->daddr != daddr ||
	    sk->dport != dport) {
		sk->ip_id = random_u16();
		sk->ip_id_used = false;
	}
	inet_sock_read_ipv4(sk, fd);
	sk->bound_dev_if = rawsys_getsockopt_int(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &v) == 0 ? v : 0;
	sk->mark = rawsys_getsockopt_int(fd, SOL_SOCKET, SO_MARK, &v) == 0 ? (uint32_t)v : 0;
	sk->priority =
	    rawsys_getsockopt_int(fd, SOL_SOCKET, SO_PRIORITY, &v) == 0 ? (uint32_t)v : 0;
	sk->uid = (uint32_t)rawsys0(SYS_geteuid);
	sk->gso_size = rawsys_getsockopt_int(fd, SOL_UDP, UDP_SEGMENT, &v) == 0 ? (uint16_t)v : 0;
	sk->sndbuf = rawsys_getsockopt_int(fd, SOL_SOCKET, SO_SNDBUF, &v) == 0 ? v : 0;
	/* mc_index cannot be read back: known (none) only for a socket seen from its creation,
	 * whose every IP_MULTICAST_IF the shim saw (the one that made this sync is applied right
	 * after) */
	sk->mc_index = 0;
	sk->mc_index_known = !sk->discovered && !again; /* another process may have set it */
	v = (int)rawsys2(SYS_fcntl, fd, F_GETFL);
	sk->nonblock = v >= 0 && (v & O_NONBLOCK);
	/* shut_wr is not readable back: it keeps what shutdown() calls seen so far recorded, and
	 * what another process may have done is asked (below, with the cork state known) */
	/* sk_dst_cache is the kernel socket's: another process's change drops it only where the
	 * kernel does (connect, disconnect, SO_BINDTODEVICE, IP_TOS, SO_MARK: sk_dst_reset), not
	 * for IP_UNICAST_IF and the rest */
	if (!again || !was_connected || !sk->connected || sockgen_connected_since(seen, gen) ||
	    sk->daddr != daddr || sk->dport != dport || sk->saddr != saddr ||
	    sk->bound_dev_if != bound_dev_if || sk->tos != tos || sk->mark != mark)
		sk->dst_cache_valid = false;
	udp_cork_sync(sk, fd);

	sk->kernel_only = NULL;
	udp_ext_sync(sk, fd); /* SO_NO_CHECK, UDP-Lite coverage, IP_OPTIONS */
	sock_flow_sync(&sk->flow, fd);
	for (size_t i = 0; i < sizeof(kernel_only_options) / sizeof(kernel_only_options[0]); i++)
		if (rawsys_getsockopt_int(fd, kernel_only_options[i].level,
					  kernel_only_options[i].name, &v) == 0 &&
		    v != 0)
			sock_set_kernel_only(sk, kernel_only_options[i].why,
					     kernel_only_options[i].reason);
	if (peer_unknown)
		sock_set_kernel_only(sk, "a peer with port 0 (connected by another process)",
				     KR_SOCKOPT);
	if (!sock_in_dev_netns(fd))
		sock_set_kernel_only(
		    sk, "the socket's network namespace is not the packet socket's", KR_NETNS);
	if ((again || sk->discovered) && !sk->shut_wr && probe_shut_wr(sk, fd))
		sk->shut_wr = true;
	sk->synced = true;
	sock_settings_changed(sk); /* udp_fastpath.c: flows learnt from now on */
}

bool inet_autobind_by_kernel(struct shim_sock *sk, int fd, const struct shim_msg *m)
{
	struct sockaddr_in any;

	if (!sk->flow.bind_no_port && sk->rcv_saddr == 0)
		return false;
	read_local(sk, fd); /* a send through the kernel socket may have bound the port since */
	if (sk->sport != 0)
		return false;
	/* a datagram the shim holds (pending since before a disconnect released the port) is
	 * appended by this send after the autobind (inet_send_prepare, then do_append_data): the
	 * kernel's autobind alone, by a MSG_PROBE send to the local 0.0.0.0 that sends nothing */
	if (udp_cork_pending(sk) && !shim_sandboxed()) {
		memset(&any, 0, sizeof(any));
		any.sin_family = AF_INET;
		any.sin_port = htons(9);
		(void)rawsys6(SYS_sendto, fd, 0, 0, 0x10 /* MSG_PROBE */ | MSG_DONTWAIT, (long)&any,
			      sizeof(any));
		read_local(sk, fd);
		return false;
	}
	if (sk->cork_opt || (m->flags & MSG_MORE))
		sk->cork_kernel = AF_INET; /* the kernel socket holds the corked datagram */
	return true;
}

void inet_after_bind(struct shim_sock *sk, int fd, int ret)
{
	if (ret != 0 || !sk->synced)
		return;
	read_local(sk, fd); /* bind leaves the peer as it is */
	/* __inet_bind sets inet_saddr whatever it was, also to the bound address it already had
	 * (a socket bound to a broadcast address, connected, disconnected: the connect's source,
	 * kept by the disconnect, is gone again) */
	sk->saddr = inet_bind_saddr(sk->rcv_saddr);
}

void inet_after_connect(struct shim_sock *sk, int fd, const struct sockaddr *addr, socklen_t len,
			int ret)
{
	struct sockaddr_in sin;

	if (!sk->synced)
		return;
	/* connect may have autobound even when it failed (inet_dgram_connect); a failed connect
	 * keeps the peer and the connected state (__ip4_datagram_connect changes them last) */
	read_local(sk, fd);
	if (ret != 0)
		return;
	read_peer(sk, fd, false);
	/* A peer with port 0 is accepted, but getpeername calls it "not connected": take the
	 * peer from the address the kernel just accepted (0.0.0.0 routed as the source, or
	 * loopback: ip_route_output_key_hash_rcu). */
	if (!sk->connected && len >= sizeof(sin) && umem_read(&sin, addr, sizeof(sin)) == 0 &&
	    sin.sin_family == AF_INET) {
		sk->connected = true;
		sk->daddr = sin.sin_addr.s_addr != INADDR_ANY ? sin.sin_addr.s_addr
			    : sk->saddr != INADDR_ANY	      ? sk->saddr
							      : htonl(INADDR_LOOPBACK);
		sk->dport = sin.sin_port;
	}
	if (sk->connected)
		__atomic_store_n(&sk->ever_connected, true, __ATOMIC_RELAXED);
	if (ret == 0) {
		int v;

		sk->dst_cache_valid = false;
		sk->ip_id = random_u16(); /* reseeded at every connect (__ip4_datagram_connect) */
		__atomic_store_n(&sk->err_peer, ERR_PEER_UNKNOWN,
				 __ATOMIC_RELAXED); /* a new peer */
		sk->ip_id_used = false;
		sock_flow_after_connect(&sk->flow);
		/* disconnect also drops SO_BINDTODEVICE */
		sk->bound_dev_if =
		    rawsys_getsockopt_int(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &v) == 0 ? v : 0;
	}
}

void inet_after_shutdown(struct shim_sock *sk, int how, int ret, int err)
{
	/* On an unconnected socket the kernel answers ENOTCONN yet records the shutdown. */
	if ((ret == 0 || err == ENOTCONN) && (how == SHUT_WR || how == SHUT_RDWR))
		sk->shut_wr = true;
}

/* The int value setsockopt stores from optval/optlen for "int or char" IP options: 0 when
 * optlen is 0 (do_ip_setsockopt reads nothing then, and optval may be NULL). */
static int int_or_char(const void *val, socklen_t len)
{
	int v = 0;

	if (val == NULL)
		return 0;
	if (len >= sizeof(int))
		memcpy(&v, val, sizeof(int));
	else if (len >= 1)
		v = *(const unsigned char *)val;
	return v;
}

void inet_after_setsockopt(struct shim_sock *sk, int fd, int level, int name, const void *val,
			   socklen_t len, int ret)
{
	int v;

	if (ret != 0 || !sk->synced || udp_ext_after_setsockopt(sk, fd, level, name) ||
	    sock_flow_after_setsockopt(&sk->flow, fd, level, name))
		return;
	if (level == SOL_IP && name == IP_TTL) {
		sk->uc_ttl = int_or_char(val, len);
	} else if (level == SOL_IP && name == IP_TOS) {
		int tos = int_or_char(val, len);

		/* __ip_sock_set_tos: sk_dst_reset when the int given differs from the u8 kept (256
		 * resets the route and keeps 0) */
		if (tos != sk->tos)
			sk->dst_cache_valid = false;
		sk->tos = (uint8_t)tos;
		/* ... and sk_priority = rt_tos2priority, when the TOS changed: read back */
		sk->priority = rawsys_getsockopt_int(fd, SOL_SOCKET, SO_PRIORITY, &v) == 0
				   ? (uint32_t)v
				   : sk->priority;
	} else if (level == SOL_IP && name == IP_MTU_DISCOVER) {
		sk->pmtudisc = (uint8_t)int_or_char(val, len);
	} else if (level == SOL_SOCKET && name == SO_BROADCAST) {
		sk->broadcast = rawsys_getsockopt_int(fd, SOL_SOCKET, SO_BROADCAST, &v) == 0 && v;
	} else if (level == SOL_SOCKET && (name == SO_BINDTODEVICE || name == SO_BINDTOIFINDEX)) {
		sk->bound_dev_if =
		    rawsys_getsockopt_int(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &v) == 0 ? v : 0;
		sk->dst_cache_valid = false;
	} else if ((level == SOL_UDP || level == SOL_UDPLITE) && name == UDP_SEGMENT) {
		sk->gso_size = (uint16_t)int_or_char(val, len); /* accepted: 0..65535 */
	} else if (level == SOL_IP && (name == IP_MULTICAST_TTL || name == IP_MULTICAST_LOOP)) {
		read_mc(sk, fd);
	} else if (level == SOL_IP && name == IP_MULTICAST_IF) {
		read_mc(sk, fd);
		set_mc_if(sk, val, len);
	} else if (level == SOL_SOCKET && (name == SO_SNDBUF || name == SO_SNDBUFFORCE)) {
		sk->sndbuf = rawsys_getsockopt_int(fd, SOL_SOCKET, SO_SNDBUF, &v) == 0 ? v : 0;
	} else if (level == SOL_SOCKET && name == SO_PRIORITY) {
		sk->priority = rawsys_getsockopt_int(fd, SOL_SOCKET, SO_PRIORITY, &v) == 0
				   ? (uint32_t)v
				   : sk->priority;
	} else if (level == SOL_SOCKET && name == SO_MARK) {
		uint32_t mark =
		    rawsys_getsockopt_int(fd, SOL_SOCKET, SO_MARK, &v) == 0 ? (uint32_t)v : 0;

		if (mark != sk->mark) /* sock_set_mark: sk_dst_reset when it changed */
			sk->dst_cache_valid = false;
		sk->mark = mark;
	} else {
		int lvl = level == SOL_UDPLITE ? SOL_UDP : level;

		if (level == SOL_SOCKET && name == SO_DONTROUTE)
			sk->dst_cache_valid = false; /* sk_setsockopt: sk_dst_reset */
		for (size_t i = 0; i < sizeof(kernel_only_options) / sizeof(kernel_only_options[0]);
		     i++)
			if (kernel_only_options[i].level == lvl &&
			    kernel_only_options[i].name == name && int_or_char(val, len) != 0)
				sock_set_kernel_only(sk, kernel_only_options[i].why,
						     kernel_only_options[i].reason);
	}
}

void inet_after_setfl(struct shim_sock *sk, int flags)
{
	sk->nonblock = (flags & O_NONBLOCK) != 0;
}
