/* ip_make_skb: the IPv4 header fields of a UDP datagram as __ip_make_skb fills them — TTL, TOS,
 * DF, and the ID (ip_select_ident_segs) with its undo when the datagram does not leave — once for
 * every sender: the general path (udp_sendmsg.c), the cork push (udp_cork.c) and the fast path
 * (udp_fastpath.c, which keeps the rules' output for its flow: the DF limit, the ID rule). */
#ifndef SHIM_IP_MAKE_SKB_H
#define SHIM_IP_MAKE_SKB_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shim/ip_output.h"
#include "shim/route.h"
#include "shim/sock.h"

/* ip_sk_ignore_df: the IP_MTU_DISCOVER modes whose datagrams may be fragmented locally whatever
 * their DF bit (DONT, WANT, OMIT). */
static inline bool ip_ignore_df(uint8_t pmtudisc)
{
	return pmtudisc < IP_PMTUDISC_DO || pmtudisc == IP_PMTUDISC_OMIT;
}

/* ip_dont_fragment: a datagram gets DF when its IP total length is at most this: always (65535)
 * in DO and PROBE mode, up to the route's MTU in WANT mode on a route whose MTU is not locked,
 * never (0) otherwise. */
static inline uint32_t ip_df_upto(uint8_t pmtudisc, const struct route_result *rt)
{
	if (pmtudisc == IP_PMTUDISC_DO || pmtudisc == IP_PMTUDISC_PROBE)
		return 0xFFFF;
	if (pmtudisc == IP_PMTUDISC_WANT && !rt->mtu_locked)
		return rt->mtu;
	return 0;
}

/* ip_select_ident_segs: where a datagram's ID comes from. */
enum ip_id_rule {
	IP_ID_SOCKET,	  /* a connected socket's counter (inet_id, seeded at connect) */
	IP_ID_ZERO_IF_DF, /* 0 for a DF datagram that is never fragmented locally, else IP_ID_DEST
			   */
	IP_ID_DEST,	  /* the per-destination counter (ip_ident.c) */
};

static inline enum ip_id_rule ip_id_rule(bool connected, uint8_t pmtudisc)
{
	if (connected)
		return IP_ID_SOCKET;
	return ip_ignore_df(pmtudisc) ? IP_ID_DEST : IP_ID_ZERO_IF_DF;
}

/* The next ID of the socket's counter; locked: the caller holds sk->lock. */
static inline uint16_t ip_ident_sock_next(struct shim_sock *sk, bool locked)
{
	uint16_t id;

	if (!locked)
		shim_lock_acquire(&sk->lock);
	id = ++sk->ip_id;
	sk->ip_id_used = true;
	if (!locked)
		shim_lock_release(&sk->lock);
	return id;
}

/* A datagram that did not leave does not use up an ID of the socket's counter (unless another
 * datagram took the next one meanwhile). */
static inline void ip_ident_sock_undo(struct shim_sock *sk, uint16_t id, bool locked)
{
	if (!locked)
		shim_lock_acquire(&sk->lock);
	if (sk->ip_id == id)
		sk->ip_id--;
	if (!locked)
		shim_lock_release(&sk->lock);
}

/* What __ip_make_skb reads besides the route: the socket's settings (or the view of them a send
 * took) and the datagram's control message. */
struct ip_make_args {
	int cmsg_ttl;	   /* IP_TTL control message (ipc.ttl), 0: none */
	int uc_ttl;	   /* IP_TTL, -1: the route's hoplimit metric, else ip_default_ttl */
	uint8_t mc_ttl;	   /* IP_MULTICAST_TTL, for a multicast route */
	uint8_t tos;	   /* IP_TOS or the control message's */
	uint8_t pmtudisc;  /* IP_MTU_DISCOVER */
	bool connected;	   /* the ID comes from the socket's counter */
	uint32_t priority; /* cork->priority: sk_priority, or the SO_PRIORITY / IP_TOS message's */
	uint32_t mark;	   /* cork->mark: sk_mark, or the SO_MARK message's */
};

/* __ip_make_skb: d's TTL, TOS, DF, ID rule (d->id_rule), skb priority and mark for an IP datagram
 * of total length `total` (header and options included) on route rt. The ID itself is taken by
 * ip_select_ident, when the datagram is about to leave. */
void __ip_make_skb(struct udp_datagram *d, const struct ip_make_args *a,
		   const struct route_result *rt, size_t total);

/* ip_select_ident_segs: d->id by d->id_rule; locked: the caller holds sk->lock. */
void ip_select_ident(struct shim_sock *sk, struct udp_datagram *d, bool locked);

/* The datagram d did not leave: give its ID back to the socket's counter (IP_ID_SOCKET). */
void ip_select_ident_undo(struct shim_sock *sk, const struct udp_datagram *d, bool locked);

#endif
