/* udp_wmem: the send-buffer accounting of __ip_append_data for one datagram on an idle socket.
 *
 * The kernel charges each skb of a datagram to sk_wmem_alloc by its truesize. The first comes from
 * sock_alloc_send_skb (it waits, or EAGAIN, only while sk_wmem_alloc already reaches sk_sndbuf:
 * never on an idle socket); each later fragment's skb is allocated only while sk_wmem_alloc (1 on
 * an idle socket) plus the truesize of the skbs before it stays within 2 × sk_sndbuf, else the
 * datagram fails with ENOBUFS. The shim's frames leave at once, so the socket it models is always
 * idle; datagrams of the kernel's still in flight (or queued behind an unresolved neighbour) are
 * not counted (docs/conformance.md). */
#ifndef SHIM_UDP_WMEM_H
#define SHIM_UDP_WMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* skb->truesize of an skb that __alloc_skb made for alloclen bytes of head on this kernel. */
unsigned udp_wmem_truesize(unsigned alloclen);

/* The skbs of the datagram being built: what __ip_append_data has charged to sk_wmem_alloc beyond
 * its base of 1, and the length of the last skb (IP header included). Zero: nothing queued. */
struct udp_wmem_queue {
	uint64_t charged;
	unsigned tail_len;
	bool queued;
	uint64_t length; /* cork->length: what was appended */
};

/* __ip_append_data appending length bytes (the first call: UDP header and payload; a corked
 * datagram's later calls: the payload) to q, in fragments of fragsize (cork->fragsize) with
 * fraghdrlen bytes of IP header (20 + options), not UDP GSO, on a socket whose sk_sndbuf is
 * sndbuf and whose sk_wmem_alloc holds nothing but q: 0 (q updated), or -ENOBUFS (the kernel
 * then discards the whole datagram). The device is taken to do scatter-gather (NETIF_F_SG, as
 * veth and nearly every Ethernet device): bytes appended to a corked skb go to page fragments. */
int udp_wmem_append(struct udp_wmem_queue *q, int sndbuf, unsigned fragsize, unsigned fraghdrlen,
		    size_t length);

/* The same for __ip6_append_data: fraghdrlen is 40 + the unfragmentable extension headers,
 * length the fragmentable part (the destination options, UDP header and payload). */
int udp_wmem_append6(struct udp_wmem_queue *q, int sndbuf, unsigned fragsize, unsigned fraghdrlen,
		     size_t length);

#endif
