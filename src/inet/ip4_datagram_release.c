/* ip4_datagram_release: what release_sock does to a connected IPv4 socket's cached route
 * (net/ipv4/datagram.c ip4_datagram_release_cb, the UDP socket's release_cb; a UDP-Lite socket
 * has none: udplite_prot sets no release_cb), and which calls take the socket lock on the way.
 *
 * When the kernel releases the socket lock and finds the cached route (sk_dst_cache) present but
 * no longer valid (a route cache flush since: a group's first join or last leave on a device,
 * route, address, link changes), it looks the connected peer up again — inet_daddr, inet_saddr,
 * the ports, the TOS, SO_MARK, SO_BINDTODEVICE; not IP_UNICAST_IF, and into a flow of its own,
 * not inet->cork.fl — and keeps that route (sk_dst_set; none when the lookup fails). The next
 * connected send then finds a valid route and sends along inet->cork.fl, which a failed connect or
 * a corked send may have pointed elsewhere; without the lock taken in between it would have
 * dropped the stale route and looked the peer up itself.
 *
 * Which calls take the lock was measured on Linux 6.18 (a connected socket whose connect to a
 * broadcast address failed, a flush by another socket's join, the call, a send: to the broadcast
 * address when the call took the lock): getsockname and getpeername; shutdown; bind past its
 * address checks; a connect refused under the lock before it drops the route (an address too
 * short, a family not AF_INET); setsockopt of the socket options except SO_PRIORITY and the
 * other lockless ones, of IP_OPTIONS, IP_MULTICAST_IF, IP_UNICAST_IF, the group options and
 * unknown IP options, of IP_TOS (ip_sock_set_tos; it drops the route only when the value
 * changes), of UDP_CORK 0 and UDP_GRO — not IP_TTL, IP_MTU_DISCOVER,
 * IP_RECVERR, IP_PKTINFO, IP_MULTICAST_TTL/LOOP/ALL, IP_FREEBIND, IP_TRANSPARENT,
 * IP_BIND_ADDRESS_NO_PORT, UDP_SEGMENT; no getsockopt, fcntl, ioctl, poll or receive. */
#include "shim/inet.h"
#include "shim/route.h"
#include "shim/umem.h"

#include <errno.h>
#include <linux/udp.h>
#include <netinet/in.h>

#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef SOL_UDPLITE
#define SOL_UDPLITE 136
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif
#ifndef IP_RECVERR_RFC4884
#define IP_RECVERR_RFC4884 26
#endif
#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE 51
#endif

void ip4_datagram_release_cb(struct shim_sock *sk)
{
	struct shim_flowi key;
	struct route_result rt;

	/* UDP's release_cb; UDP-Lite's proto (udplite_prot) has none */
	if (sk->family != AF_INET || sk->protocol == IPPROTO_UDPLITE || !sk->connected ||
	    !sk->dst_cache_valid || route_valid(&sk->dst_cache))
		return;
	shim_flowi4_init_output(&key, sk->bound_dev_if, sk->mark, sk->tos, sk->uid, sk->daddr,
				sk->saddr, sk->dport, sk->sport);
	if (route_output_fresh(&key, &rt) < 0 || rt.err != 0) {
		sk->dst_cache_valid = false; /* sk_dst_set(sk, NULL) */
		return;
	}
	sk->dst_cache = rt;
}

/* sk_setsockopt: the options it answers before taking the lock */
static bool sol_socket_lockless(int name)
{
	switch (name) {
	case SO_PRIORITY:
	case SO_TYPE:
	case SO_PROTOCOL:
	case SO_DOMAIN:
	case SO_ERROR:
	case SO_PEEK_OFF:
	case 46: /* SO_BUSY_POLL */
	case 47: /* SO_MAX_PACING_RATE */
	case 69: /* SO_PREFER_BUSY_POLL */
	case 70: /* SO_BUSY_POLL_BUDGET */
	case 74: /* SO_TXREHASH */
		return true;
	}
	return false;
}

/* do_ip_setsockopt: the options it stores without the lock (inet flags, WRITE_ONCE fields) */
static bool sol_ip_lockless(int name)
{
	switch (name) {
	case IP_PKTINFO:
	case IP_RECVTTL:
	case IP_RECVTOS:
	case IP_RECVOPTS:
	case IP_RETOPTS:
	case IP_PASSSEC:
	case IP_RECVORIGDSTADDR:
	case IP_CHECKSUM:
	case IP_RECVFRAGSIZE:
	case IP_RECVERR:
	case IP_RECVERR_RFC4884:
	case IP_TTL:
	case IP_MTU_DISCOVER:
	case IP_MINTTL:
	case IP_MULTICAST_TTL:
	case IP_MULTICAST_LOOP:
	case IP_MULTICAST_ALL:
	case IP_FREEBIND:
	case IP_TRANSPARENT:
	case IP_BIND_ADDRESS_NO_PORT:
	case IP_NODEFRAG:
	case IP_HDRINCL:
	case IP_LOCAL_PORT_RANGE:
		return true;
	}
	return false;
}

bool ip4_setsockopt_locks(int level, int name, const void *val, socklen_t len, int ret, int err)
{
	int v;

	if (ret != 0 && err == EFAULT)
		return false; /* the value could not be read: before the lock */
	switch (level) {
	case SOL_SOCKET:
		if (name == SO_BINDTODEVICE) /* the lock only once the device was found */
			return ret == 0;
		return len >= sizeof(int) && !sol_socket_lockless(name);
	case SOL_IP:
		return !sol_ip_lockless(name);
	case SOL_UDP:
	case SOL_UDPLITE:
		/* udp_lib_setsockopt: UDP_CORK 0 pushes under the lock; UDP_GRO, UDP_ENCAP lock */
		if (len < sizeof(int))
			return false;
		if (name == UDP_CORK)
			return umem_read(&v, val, sizeof(v)) == 0 && v == 0;
		return name == UDP_GRO || name == UDP_ENCAP;
	}
	return false;
}
