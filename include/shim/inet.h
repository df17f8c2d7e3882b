/* inet: the socket-level half of the send path — state kept in step with the kernel socket
 * (bind, connect, setsockopt, shutdown, fcntl), inet_sendmsg with its autobind, and udp_sendmsg. */
#ifndef SHIM_INET_H
#define SHIM_INET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "shim/path_trace.h"
#include "shim/result.h"
#include "shim/sock.h"
#include "shim/stats.h"

struct xmit_batch;

/* SHIM_TO_KERNEL, SHIM_BATCH_BROKEN: shim/result.h */

/* A message as the syscall layer imported it (struct msghdr with its iov_iter in the kernel). */
struct shim_msg {
	bool has_name;
	int namelen;
	struct sockaddr_storage name; /* copied from the program */
	struct iovec *iov;	      /* validated copy of the iovec array */
	const void *control;	      /* copy of the control buffer, or NULL */
	size_t controllen;
	int iovcnt;
	size_t len; /* total, clamped to MAX_RW_COUNT */
	int flags;
	struct path_trace *trace;
	int kernel_reason; /* enum shim_kernel_reason, when the answer is SHIM_TO_KERNEL */
	bool dst_fresh;	   /* udp_sendmsg looked the connected route up again (sk_dst_set); for
			      IPv6, the kernel socket's dropped route is to be looked up again */
	bool label_given;  /* an IPv6 flow label the program gave (an IPV6_FLOWINFO control message,
			      sin6_flowinfo under IPV6_FLOWINFO_SEND, the connected flow's), or a
			      corked datagram of the kernel socket begun under another sk_txhash:
			      the kernel's datagram does not carry the automatic one */
	struct xmit_batch *batch; /* sendmmsg: single frames wait here for one transmit */
};

/* Hand this message to the kernel socket for the reason why (stats.h), saying so in the path. */
#define TO_KERNEL(m, why, ...)                                                                     \
	do {                                                                                       \
		(m)->kernel_reason = (why);                                                        \
		path_step((m)->trace, __VA_ARGS__);                                                \
		return SHIM_TO_KERNEL;                                                             \
	} while (0)

/* ---- state (inet_sock.c) ---- */

/* From now on the kernel socket sends for sk (a setting the shim does not reproduce). */
static inline void sock_set_kernel_only(struct shim_sock *sk, const char *why, int reason)
{
	sk->kernel_only = why;
	sk->kernel_only_reason = reason;
}

/* Read the socket's state from the kernel socket fd before the shim first sends on it, and again
 * when another process that shares the socket changed it since (its shared generation moved,
 * sockgen.h); otherwise nothing (called with sk->lock held). Settings the shim does not reproduce
 * make the socket kernel-only. */
void inet_sock_sync(struct shim_sock *sk, int fd);

/* The IPv4 settings that read back from the kernel socket (IP_TTL, IP_TOS, IP_MTU_DISCOVER,
 * SO_BROADCAST, IP_MULTICAST_TTL/LOOP/IF's address): an AF_INET socket's, and an AF_INET6 one's
 * for the datagrams of its IPv4 path (v4-mapped and AF_INET destinations). Locked. */
void inet_sock_read_ipv4(struct shim_sock *sk, int fd);

/* Whether the autobind of this send must be the kernel's (sk->sport is 0): inet_autobind keeps an
 * address bound with IP_BIND_ADDRESS_NO_PORT, and with that option set a bind to port 0 picks no
 * port, so the shim's bind(0.0.0.0:0) cannot stand in for it. Reads the names again first. */
bool inet_autobind_by_kernel(struct shim_sock *sk, int fd, const struct shim_msg *m);

/* After the kernel's answer to bind/connect/shutdown/setsockopt/fcntl(F_SETFL) on an owned fd. */
void inet_after_bind(struct shim_sock *sk, int fd, int ret);
void inet_after_connect(struct shim_sock *sk, int fd, const struct sockaddr *addr, socklen_t len,
			int ret);
void inet_after_shutdown(struct shim_sock *sk, int how, int ret, int err);
void inet_after_setsockopt(struct shim_sock *sk, int fd, int level, int name, const void *val,
			   socklen_t len, int ret);
void inet_after_setfl(struct shim_sock *sk, int flags);
/* release_sock of an IPv4 socket (src/inet/ip4_datagram_release.c, ip4_datagram_release_cb): a
 * connected socket's cached route found stale is looked up again for the peer and kept. Called
 * with sk->lock held after a call the kernel answered holding the socket lock. */
void ip4_datagram_release_cb(struct shim_sock *sk);
/* Whether this setsockopt took the kernel's socket lock (answered as ret, err). */
bool ip4_setsockopt_locks(int level, int name, const void *val, socklen_t len, int ret, int err);

/* ---- the IPv6 part of an AF_INET6 socket (inet6_sock.c) ---- */

/* inet_sock_sync for an AF_INET6 socket (called by it). */
void inet6_sock_sync(struct shim_sock *sk, int fd);
/* inet_autobind for an AF_INET6 socket: bind(::, 0). 0, -errno, or SHIM_TO_KERNEL (an address
 * bound without a port: the kernel's autobind keeps it). */
long inet6_autobind(int fd, struct shim_sock *sk, struct path_trace *t);
/* After the kernel's answer to bind/connect/setsockopt on an owned AF_INET6 socket. */
void inet6_after_bind(struct shim_sock *sk, int fd, int ret);
void inet6_after_connect(struct shim_sock *sk, int fd, const struct sockaddr *addr, socklen_t len,
			 int ret);
void inet6_after_setsockopt(struct shim_sock *sk, int fd, int level, int name, const void *val,
			    socklen_t len, int ret);

/* ---- sending (inet_sendmsg.c, udp_sendmsg.c, udpv6_sendmsg.c) ---- */

/* inet_sendmsg(): autobind, then udp_sendmsg(). Returns bytes sent, -errno, or SHIM_TO_KERNEL. */
long inet_sendmsg(int fd, struct shim_sock *sk, struct shim_msg *m);

/* The socket's settings for one datagram, taken in one go under the socket lock. */
struct sock_view {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	bool connected, broadcast, shut_wr, nonblock;
	int uc_ttl;
	uint8_t tos, pmtudisc;
	int bound_dev_if;
	uint32_t mark, uid;
	uint32_t priority; /* sk_priority */
	uint16_t gso_size; /* UDP_SEGMENT option */
	int sndbuf;	   /* sk_sndbuf */
	uint8_t mc_ttl;
	bool mc_loop, mc_index_known;
	int mc_index;
	uint32_t mc_addr;
	bool dst_cache_valid; /* dst_cache holds the connected route (only when connected) */
	struct route_result dst_cache;
	struct udp_ext ext; /* SO_NO_CHECK, UDP-Lite coverage, IP_OPTIONS */
	/* IP_UNICAST_IF, IP_TRANSPARENT (sock_flow.c) */
	struct sock_flow flow;
	uint64_t fp_stamp; /* sk->fp_stamp these settings belong to (udp_fastpath.c) */
	unsigned gen_seen; /* sk->gen_seen: the shared generation they were read at (sockgen.h) */
};

/* The settings udp_sendmsg needs, copied while the lock is held. */
void udp_take_view(const struct shim_sock *sk, struct sock_view *v);

long udp_sendmsg(int fd, struct shim_sock *sk, struct shim_msg *m, const struct sock_view *s);

/* udp_sendmsg's first checks (S1, S2), which come before a pending datagram is looked at: a
 * payload over 65535 bytes (EMSGSIZE), MSG_OOB (EOPNOTSUPP). 0 or -errno. */
long udp_sendmsg_first_checks(const struct shim_msg *m);

/* sock_alloc_send_pskb's checks before a datagram is built: a pending socket error (reported and
 * cleared; asked of the kernel socket only when one may be there) on a connected socket, or on
 * one whose errors the listener watches. 0 or -errno. */
long udp_sock_error(int fd, struct shim_sock *sk, bool connected, struct path_trace *t);

/* The settings of an AF_INET6 socket for one datagram, taken in one go under the socket lock. */
struct sock_view6 {
	struct in6_addr saddr, daddr; /* np->saddr (bound, or chosen at connect), the peer */
	uint16_t sport, dport;
	bool connected, shut_wr, nonblock;
	int protocol;
	int bound_dev_if;
	uint32_t mark, uid;
	uint32_t priority; /* sk_priority */
	uint16_t gso_size;
	bool cscov_set; /* UDP-Lite: UDPLITE_SEND_CC ... */
	uint16_t cscov; /* ... and pcslen */
	int sndbuf;	/* sk_sndbuf */
	struct shim_ipv6_pinfo np;
	uint8_t pending;   /* up->pending: the family of the shim's corked datagram, or 0 */
	uint64_t fp_stamp; /* sk->fp_stamp these settings belong to (udp_fastpath.c) */
	unsigned gen_seen; /* sk->gen_seen: the shared generation they were read at (sockgen.h) */
};

void udpv6_take_view(const struct shim_sock *sk, struct sock_view6 *v);

/* __ip6_append_data's size checks, for a datagram's first piece and a corked datagram's later
 * ones alike: EMSGSIZE when the header chain does not fit the MTU (RFC 7112), when the datagram
 * does not fit it under IPV6_DONTFRAG (the cork's, else the call's or the socket's), or beyond
 * the largest payload (the MTU in the DO, PROBE, INTERFACE modes, read at each append). */
struct ip6_append_req {
	uint8_t pmtudisc;   /* IPV6_MTU_DISCOVER now */
	int protocol;	    /* sk_protocol: IPV6_DONTFRAG is for UDP only */
	bool rxpmtu;	    /* IPV6_RECVPATHMTU */
	uint32_t mtu;	    /* cork->fragsize, IP6_MAX_MTU with UDP_SEGMENT */
	size_t headersize;  /* 40 + the extension headers */
	size_t transhdrlen; /* the first piece's UDP header and fragmentable headers, else 0 */
	size_t length;	    /* cork->length with this piece: the headers given and the payload */
	int dontfrag;
};
#define IP6_APPEND_RXPMTU 1 /* the path MTU is reported to IPV6_RECVPATHMTU: the kernel's */
int __ip6_append_data_sizes(const struct ip6_append_req *a, struct path_trace *t);

/* Locked. Whether udpv6_sendmsg answers m before it reaches the datagram of family pending
 * (AF_INET, AF_INET6) the socket holds corked: an error of the name (A1), IPV6_V6ONLY's
 * ENETUNREACH for the IPv4 path, A3, udp_sendmsg's first checks, or its EINVAL for an IPv4
 * destination with an IPv6 datagram pending. Otherwise the send appends to it (and pushes it
 * unless corked, or discards it when the append fails). */
bool udpv6_pending_untouched(const struct shim_sock *sk, const struct shim_msg *m, int pending);

/* Locked. Whether udpv6_sendmsg hands m to udp_sendmsg (a v4-mapped destination, an AF_INET name)
 * when nothing is pending. */
bool udpv6_takes_ipv4_path(const struct shim_sock *sk, const struct shim_msg *m);

/* udpv6_sendmsg(): one datagram of an AF_INET6 socket. Returns bytes sent, -errno,
 * SHIM_TO_KERNEL or SHIM_BATCH_BROKEN. */
long udpv6_sendmsg(int fd, struct shim_sock *sk, struct shim_msg *m, const struct sock_view6 *v);

/* Whether the control messages hold an IPV6_FLOWINFO (ip6_datagram_send_ctl: fl6->flowlabel from
 * it): a datagram the kernel socket sends for them carries that label, not the flow's automatic
 * one (ident_watch must not learn it). */
bool ip6_cmsg_flowinfo_given(const void *control, size_t controllen);

#endif
