/* sock: the state the shim keeps for a UDP socket it owns — the TX-relevant parts of the kernel's
 * struct sock, struct inet_sock and struct udp_sock, and for an AF_INET6 socket its IPv6 part
 * (struct ipv6_pinfo).
 *
 * As in the kernel, the inet part (inet_sock) keeps IPv4 addresses as 32-bit words, which the
 * IPv4 path reads as they are; an AF_INET6 socket keeps its IPv6 addresses beside them
 * (sock_common's skc_v6_daddr, skc_v6_rcv_saddr) and its IPv6 settings in the IPv6 part
 * (inet6_sk), while a v4-mapped peer or bound address is in the IPv4 words too, for the IPv4 path
 * that sends its datagrams. AF_INET6 sockets are kept by src/inet/inet6_sock.c.
 *
 * The fd stays a real kernel UDP socket (bound and connected through the kernel, so replies
 * arrive), and this object mirrors what the send path needs. Addresses and ports are in network
 * byte order.
 *
 * One kernel socket has one object in a process, whichever fd it is used through: dup, dup2, dup3
 * and F_DUPFD* share the slot's object, and an fd the table never saw (received with SCM_RIGHTS,
 * taken with pidfd_getfd, inherited across exec) finds the object of its socket by SO_COOKIE
 * (fdtable.c). Another process that shares the socket changes it behind this object's back; its
 * shared generation (sockgen.h) tells when. */
#ifndef SHIM_SOCK_H
#define SHIM_SOCK_H

#include "shim/shim_lock.h"
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "shim/addr.h"
#include "shim/ip6_flowlabel.h"
#include "shim/route.h"
#include "shim/sock_flow.h"
#include "shim/udp_ext.h"

/* The IPv6 part of an AF_INET6 socket (the kernel's struct ipv6_pinfo): the settings its IPv6
 * datagrams are sent with. Addresses in network order. */
/* The largest sticky extension header the shim keeps (bytes). */
#define SHIM_STICKY_OPT_MAX   64
#define SHIM_STICKY_RTHDR_MAX 136

struct shim_ipv6_pinfo {
	struct in6_addr saddr; /* source for sending (np->saddr): bound, or chosen at connect */
	uint32_t
	    flow_label;	    /* the connected flow's (np->flow_label: sin6_flowinfo of the connect
			     * under IPV6_FLOWINFO_SEND, traffic class bits included), network order */
	int hop_limit;	    /* IPV6_UNICAST_HOPS, -1 = the route's or the device's */
	int mcast_hops;	    /* IPV6_MULTICAST_HOPS, -1 = 1 */
	int mcast_oif;	    /* IPV6_MULTICAST_IF */
	int ucast_oif;	    /* IPV6_UNICAST_IF (host order) */
	int sticky_oif;	    /* the sticky IPV6_PKTINFO's ifindex (its address is not used) */
	int tclass;	    /* IPV6_TCLASS, -1 = 0 */
	uint32_t frag_size; /* IPV6_MTU, 0 = the route's */
	uint8_t pmtudisc;   /* IPV6_MTU_DISCOVER */
	bool v6only;	    /* IPV6_V6ONLY (sk_ipv6only) */
	bool mc_loop;	    /* IPV6_MULTICAST_LOOP */
	bool dontfrag;	    /* IPV6_DONTFRAG */
	bool rxpmtu;	    /* IPV6_RECVPATHMTU (np->rxopt.bits.rxpmtu) */
	/* np->opt: the sticky IPV6_HOPOPTS and IPV6_DSTOPTS headers as getsockopt reads them back
	 * (larger ones make the socket the kernel's) ... */
	bool sticky_hop_set, sticky_dst1_set;
	uint8_t sticky_hop[SHIM_STICKY_OPT_MAX], sticky_dst1[SHIM_STICKY_OPT_MAX];
	/* ... and the sticky IPV6_RTHDR (a segment routing header of up to 8 segments) with the
	 * IPV6_RTHDRDSTOPTS before it */
	bool sticky_rthdr_set, sticky_dst0_set;
	uint8_t sticky_rthdr[SHIM_STICKY_RTHDR_MAX], sticky_dst0[SHIM_STICKY_OPT_MAX];
	bool sndflow;			/* IPV6_FLOWINFO_SEND */
	struct ip6_fl_socklist fl_list; /* IPV6_FLOWLABEL_MGR leases (ipv6_fl_list) */
	bool autoflowlabel;		/* IPV6_AUTOFLOWLABEL ... */
	bool autoflowlabel_set;		/* ... set by the program (else the sysctl decides) */
	bool no_check6_tx;		/* UDP_NO_CHECK6_TX (udp_sock no_check6_tx) */
	uint32_t txhash;		/* sk_txhash: random, set by connect (0: none yet) */
	uint32_t txlabel; /* the kernel's automatic label from txhash, learnt (0: not yet) */
	/* The kernel socket's own route (sk_dst_cache) may have been dropped since it last looked
	 * it up (a setsockopt, or a change the shim could not see, may sk_dst_reset it): after a
	 * connected send the shim made itself, the kernel socket is asked to look it up again, as
	 * its own send would have kept it (ip6_sk_dst_store_flow; IPV6_MTU reads it) */
	bool kdst_stale;
	/* Sticky: a setting that cannot be read back from the kernel socket was made (sticky
	 * IPV6_PKTINFO, IPV6_ADDRFORM), or the socket was changed
	 * where the shim could not see it (IPV6_UNICAST_HOPS reads back as the route's value):
	 * the kernel socket sends for it from then on. NULL: none. */
	const char *kernel_only;
};

enum { ERR_PEER_UNKNOWN = 0, ERR_PEER_QUIET, ERR_PEER_ERRORS };

struct shim_sock {
	unsigned refs; /* atomic: one per fd slot plus one per lookup in progress */
	int family;    /* AF_INET (AF_INET6: the IPv6 part below is in use) */
	int type;      /* SOCK_DGRAM */
	int protocol;  /* IPPROTO_UDP or IPPROTO_UDPLITE */
	struct shim_sock *next_free;
	uint64_t cookie;	       /* SO_COOKIE of the kernel socket (0: unknown) */
	struct shim_sock *cookie_next; /* chain of the process's cookie map (fdtable.c) */
	unsigned *gen_cell;	       /* atomic: the socket's generation, shared (sockgen.h) */

	int err_hint; /* atomic: the listener saw EPOLLERR on this socket (notify.c) */

	struct shim_lock lock; /* guards everything below */
	bool synced;	       /* fields below were read from the kernel socket (inet_sock_sync) */
	unsigned gen_seen;     /* *gen_cell when they were last read, or changed here */

	/* inet_sock (IPv4 words; of an AF_INET6 socket, the IPv4 part of a v4-mapped address) */
	uint32_t rcv_saddr; /* bound local address (inet_rcv_saddr) */
	uint32_t saddr;	    /* source for sending (inet_saddr): bound, or chosen at connect */
	uint16_t sport;	    /* local port; 0 = not bound yet (inet_num) */
	uint32_t daddr;	    /* peer (inet_daddr) */
	uint16_t dport;	    /* peer port (inet_dport) */
	bool connected;	    /* TCP_ESTABLISHED: connect() succeeded and no disconnect since */
	uint16_t ip_id;	    /* per-socket IP ID counter (inet_id), seeded at connect */
	bool ip_id_used;    /* the shim used ip_id since connect (see ident_learn.c) */
	int uc_ttl;	    /* IP_TTL, -1 = route metric or ip_default_ttl */
	uint8_t tos;	    /* IP_TOS */
	uint8_t pmtudisc;   /* IP_MTU_DISCOVER */
	bool broadcast;	    /* SO_BROADCAST */
	bool shut_wr;	    /* shutdown(SHUT_WR/SHUT_RDWR) recorded */
	bool nonblock;	    /* O_NONBLOCK on the file */
	/* atomic: the error watch (notify.c) that reports this socket's pending errors in err_hint:
	 * watched while it is this process's (notify_error_watched), 0 never */
	unsigned err_watch;
	/* atomic: connected at some time since created or first seen: without IP_RECVERR only a
	 * connected socket gets a pending error, and it outlives a disconnect */
	bool ever_connected;
	/* atomic: what the connected peer answers, for sendmmsg (sys_sendmmsg, err_ring.h): unknown
	 * since connect, quiet (a datagram that went out alone brought no ICMP error back), or
	 * errors (a send reported a pending error) */
	uint8_t err_peer;
	int bound_dev_if;   /* SO_BINDTODEVICE / SO_BINDTOIFINDEX */
	uint32_t mark;	    /* SO_MARK */
	uint32_t priority;  /* sk_priority: SO_PRIORITY, or what IP_TOS derives (rt_tos2priority) */
	uint32_t uid;	    /* sk_uid, for uid policy rules */
	uint16_t gso_size;  /* UDP_SEGMENT (udp_sock gso_size) */
	int sndbuf;	    /* sk_sndbuf (SO_SNDBUF read back; udp_wmem.c) */
	bool discovered;    /* first seen in use (inherited, received), not created here */
	struct udp_ext ext; /* SO_NO_CHECK, UDP-Lite coverage, IP_OPTIONS (udp_ext.c) */
	/* IP_UNICAST_IF, IP_TRANSPARENT, IP_BIND_ADDRESS_NO_PORT (sock_flow.c) */
	struct sock_flow flow;
	/* multicast (inet_sock mc_ttl, mc_loop, mc_index, mc_addr) */
	uint8_t mc_ttl;	     /* IP_MULTICAST_TTL */
	bool mc_loop;	     /* IP_MULTICAST_LOOP */
	int mc_index;	     /* IP_MULTICAST_IF interface */
	uint32_t mc_addr;    /* IP_MULTICAST_IF address */
	bool mc_index_known; /* false: set before the shim saw the socket (not readable back) */

	/* Datagrams go through the kernel socket instead of the shim's path, and why (a setting
	 * the shim does not reproduce yet was made on this socket). NULL: the shim sends. */
	const char *kernel_only;
	int kernel_only_reason; /* enum shim_kernel_reason (stats.h) */

	/* sk_dst_cache: the route found at connect(), reused by the connected fast path */
	struct route_result dst_cache;
	bool dst_cache_valid;

	/* corking (udp_cork.c): UDP_CORK is on; the kernel socket holds a corked datagram (0, or
	 * its family: the kernel's up->pending, AF_INET or AF_INET6) and the sk_txhash it began
	 * under (its automatic flow label); the shim's pending datagram (NULL until first corked
	 * send) */
	bool cork_opt;
	uint8_t cork_kernel;
	bool cork_kernel_fresh; /* set by the hand-off about to be made, which may fail */
	bool cork_kernel_given; /* its flow label the program gave (an IPV6_FLOWINFO cmsg) */
	uint32_t cork_kernel_txhash;
	struct udp_cork *cork;
	/* atomic: renewed (from a process-wide counter, never 0 again) by every settings change;
	 * flows cached by udp_fastpath.c hold the stamp they were learnt under. 0: not synced. */
	uint64_t fp_stamp;

	/* AF_INET6 only (after everything the IPv4 send path reads): sock_common's IPv6 peer and
	 * bound address, and the IPv6 part (inet6_sk) */
	struct in6_addr v6_daddr;
	struct in6_addr v6_rcv_saddr;
	struct shim_ipv6_pinfo ipv6;
};

/* inet6_sk(): the socket's IPv6 part, NULL for an AF_INET socket. */
static inline struct shim_ipv6_pinfo *inet6_sk(struct shim_sock *sk)
{
	return sk->family == AF_INET6 ? &sk->ipv6 : NULL;
}

/* The peer (inet_daddr, sk_v6_daddr) and the bound address (inet_rcv_saddr, sk_v6_rcv_saddr) as
 * addresses of the socket's family (locked). */
static inline struct shim_addr sk_daddr(const struct shim_sock *sk)
{
	return sk->family == AF_INET6 ? shim_addr_v6(&sk->v6_daddr) : shim_addr_v4(sk->daddr);
}

static inline struct shim_addr sk_rcv_saddr(const struct shim_sock *sk)
{
	return sk->family == AF_INET6 ? shim_addr_v6(&sk->v6_rcv_saddr)
				      : shim_addr_v4(sk->rcv_saddr);
}

#endif
