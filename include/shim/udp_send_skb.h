/* udp_send_skb: the one step every UDP datagram the shim sends itself goes through once its header
 * fields are set (__ip_make_skb, ip_make_skb.h): the GSO checks, the multicast TTL-0 drop, the
 * next hop (its MAC, or the neighbour queue while the kernel resolves it), the frames (ip_output.c:
 * the UDP header and checksum, SO_NO_CHECK and UDP-Lite coverage in udp_csum.c), the transmit or a
 * place in the sendmmsg batch, the answer the program sees for the transmit's result, and the
 * counters. Used by the general path (udp_sendmsg.c) and the cork push (udp_cork.c); the fast path
 * (udp_fastpath.c) sends only what this would send as one frame and shares its pieces below. */
#ifndef SHIM_UDP_SEND_SKB_H
#define SHIM_UDP_SEND_SKB_H

#include <stdbool.h>
#include <stdint.h>

#include "shim/addr.h"
#include "shim/ip_make_skb.h"
#include "shim/ip_output.h"
#include "shim/path_trace.h"
#include "shim/route.h"
#include "shim/sock.h"
#include "shim/stats.h"

/* What udp_send_skb needs besides the datagram. */
struct udp_skb {
	struct shim_sock *sk; /* the ID's owner (ip_select_ident_undo) */
	bool locked;	      /* the caller holds sk->lock */
	const struct route_result *rt;
	struct shim_addr nexthop; /* the neighbour to resolve (rt's, or the cork's on-link one) */
	unsigned gso_size;	  /* UDP_SEGMENT asked for (0: none); udp_send_skb decides */
	bool mc_drop;		  /* ip_mc_output: a TTL-0 datagram with a local member */
	bool held;		  /* the payload is the shim's copy (the cork): the datagram can no
				   * longer go to the kernel socket, a failure of the shim's drops it */
	struct xmit_batch *batch; /* the sendmmsg batch, or NULL: transmit now */
	struct path_trace *trace;
	int kernel_reason; /* out: with SHIM_TO_KERNEL */
	bool unresolved;   /* out: the frames wait for the neighbour */
};

/* Send d (header fields and ID set). Returns 0 (sent, batched, queued for the neighbour, or
 * dropped where the kernel drops without an error), -errno, SHIM_TO_KERNEL (nothing was sent; the
 * reason in s->kernel_reason) or SHIM_BATCH_BROKEN (an earlier sendmmsg entry failed). The ID is
 * given back whenever the datagram did not leave and the answer is not 0. */
long udp_send_skb(struct udp_datagram *d, struct udp_skb *s);

/* The packet socket refused a datagram's skb priority or mark (EPERM with dev_skb_needs_caps: the
 * thread has neither CAP_NET_RAW nor CAP_NET_ADMIN now): nothing was sent. The kernel socket's
 * skb takes them from the socket: false, the datagram is the kernel socket's (s->kernel_reason
 * set). A datagram the shim holds goes with the packet socket's: true, *priority and *mark
 * cleared, to be sent again. Said in the path trace. */
bool udp_skb_caps_refused(struct udp_skb *s, uint32_t *priority, uint32_t *mark);

/* udp_v6_send_skb → ip6_send_skb → ip6_finish_output2: send the IPv6 datagram d (header fields,
 * fragmentation and checksum mode set; GSO checked) through the next hop s->nexthop (its MAC, or
 * the neighbour queue while the kernel resolves it), after the sendmmsg batch's earlier entries.
 * s->rt names the device; s->held as above; gso_size, mc_drop and sk are not used. Returns 0
 * (sent, queued, or dropped where the kernel drops), -errno, SHIM_TO_KERNEL (nothing sent; the
 * reason in s->kernel_reason) or SHIM_BATCH_BROKEN. */
struct udp6_datagram;
long udp_v6_send_skb(struct udp6_datagram *d, struct udp_skb *s);

/* udp_v6_send_skb's GSO block for datalen payload bytes laid out for fragsize behind nhlen bytes
 * of network headers (skb_network_header_len: 40 and the extension headers), with the socket's
 * UDP_NO_CHECK6_TX and protocol (udp_gso_check's order): the size to segment at, 0 when the
 * payload fits one segment (an ordinary datagram), or -errno; said in the path trace t. */
long udp_v6_gso_decide(size_t datalen, unsigned gso_size, uint32_t fragsize, size_t nhlen,
		       bool no_check6, int protocol, struct path_trace *t);

/* __ip6_finish_output's layout of d (not GSO): total bytes (IPv6 header, extension headers, UDP
 * header and payload) laid out for mtu (cork->fragsize) on a route whose MTU (the device's from
 * PROBE on) is path_mtu: fragments at mtu above path_mtu, else one frame, summed in software when
 * longer than mtu or corked (__ip6_append_data's CHECKSUM_NONE). */
void ip6_finish_output_layout(struct udp6_datagram *d, size_t total, uint32_t path_mtu,
			      uint32_t mtu, bool corked);

/* The counters of a datagram sent (or dropped by a queue, as the kernel counts it sent). */
static inline void udp_count_sent(size_t len)
{
	stats_add_inline(STAT_DGRAMS_SENT, 1);
	stats_add_inline(STAT_BYTES_SENT, len);
}

#endif
