/* ip6_output: one UDP/IPv6 datagram into a frame on an Ethernet device — the shim's ip6_make_skb
 * (__ip6_append_data for a datagram that fits the MTU, __ip6_make_skb's header), udp_v6_send_skb's
 * UDP header and checksum, and ip6_output / ip6_finish_output2 ending in dev_xmit.
 *
 * A datagram larger than its MTU leaves as fragments (ip6_fragment.h). */
#ifndef SHIM_IP6_OUTPUT_H
#define SHIM_IP6_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "shim/frame_set.h"
#include "shim/path_trace.h"

struct udp6_datagram {
	/* flow (fl6), network order: daddr is the IPv6 header's (with a routing header its first
	 * address: fl6_update_dst), final_daddr the final destination the UDP checksum's
	 * pseudo-header takes (fl6->daddr); NULL: daddr */
	uint8_t saddr[16], daddr[16];
	const uint8_t *final_daddr;
	uint16_t sport, dport;
	/* IPv6 header fields */
	uint8_t tclass;
	uint32_t flowlabel; /* host order, the low 20 bits (0: none) */
	uint8_t hop_limit;
	bool no_check6;	   /* UDP_NO_CHECK6_TX: checksum field 0 (not for UDP-Lite) */
	uint8_t protocol;  /* next header: 0 or IPPROTO_UDP, IPPROTO_UDPLITE */
	bool cscov_set;	   /* UDP-Lite: UDPLITE_SEND_CSCOV was set (UDPLITE_SEND_CC) ... */
	uint16_t cscov;	   /* ... to this coverage (pcslen) */
	uint16_t gso_size; /* UDP_SEGMENT: a super-packet to segment at this size (0: none) */
	/* link */
	int oif;
	uint8_t src_mac[6], dst_mac[6];
	/* payload in the program's memory, len bytes in all */
	const struct iovec *iov;
	int iovcnt;
	size_t len;
	bool dontwait;
	/* skb->priority and skb->mark (__ip6_make_skb: cork->base.priority, cork->base.mark) */
	uint32_t priority, mark;
	/* ip6_fragment (ip6_fragment.h): the MTU the datagram is cut at, 0 when it leaves in one
	 * frame */
	uint32_t frag_mtu;
	/* __ip6_append_data's CHECKSUM_NONE for a datagram longer than the MTU it was laid out with
	 * (IPV6_MTU below the route's) that still leaves whole: copied and summed here */
	bool csum_sw;
	/* extension headers (ip6_exthdrs.h) in wire order: ext_nflen unfragmentable bytes (the
	 * hop-by-hop header), then ext_flen fragmentable ones (destination options), their next
	 * headers chained to UDP; ext_proto: the IPv6 header's next header. A datagram with any is
	 * copied and summed in software (the kernel's CHECKSUM_NONE for it). */
	const uint8_t *ext;
	uint16_t ext_nflen, ext_flen;
	uint8_t ext_proto;
};

/* The most iovec parts a one-frame datagram may have here (else the caller hands it on). */
#define IP6_OUTPUT_MAX_IOV 1023

/* Build the one frame of d and transmit it: [vnet | Ethernet | IPv6 | UDP | the program's
 * buffers], the checksum completed by the kernel from the pseudo-header sum seeded here (0 sent
 * as 0xFFFF), or none with no_check6; or, with d->frag_mtu, its fragments (copied, one AF_PACKET
 * transmit for all). A UDP-Lite datagram is copied and summed here over its coverage
 * (udplite_csum). Returns 0 or -errno as the device answered (EFAULT for an unreadable payload:
 * nothing sent). */
int ip6_output_udp(const struct udp6_datagram *d, struct path_trace *t);

/* The same frame with the payload copied (fault-checked: EFAULT), in a frame_set for the
 * neighbour queue; its checksum left to the device as the kernel's queued skb has it (UDP-Lite's
 * computed: CHECKSUM_NONE; the fragments' complete). Returns 0, -EFAULT, -EMSGSIZE or -ENOMEM
 * (no memory of the shim's). */
int ip6_build_udp_frames(const struct udp6_datagram *d, struct frame_set *fs);

/* udp_v6_send_skb's checksum when the kernel computes it (CHECKSUM_NONE: fragments, extension
 * headers, UDP-Lite): the UDP header of d at udp, the payload after it (ulen bytes in all), with
 * the checksum over the whole datagram (UDP-Lite: its coverage; UDP_NO_CHECK6_TX: 0). */
void udp_v6_put_csum_sw(const struct udp6_datagram *d, uint8_t *udp, size_t ulen);

/* The headers of d's flow for the fast path ([vnet | Ethernet | IPv6 | UDP], udp_frame_ipv6's
 * layout, as ip6_output_udp writes them) with the fields udp_frame_patch writes zero (the payload
 * length, the UDP length and checksum), and *pseudo_base the csum_base16 of the UDP pseudo-header
 * without the length. d->len is not used. */
void ip6_udp_template(uint8_t *hdr, uint32_t *pseudo_base, const struct udp6_datagram *d);

/* Transmit a one-frame datagram built from that template: iov[0] its headers, the other parts its
 * payload bytes; priority and mark its skb's. 0 or -errno as the device answered. */
int ip6_output_frame(int oif, const struct iovec *iov, int iovcnt, size_t payload, bool dontwait,
		     uint32_t priority, uint32_t mark);
/* The headers of d's frame: [vnet | Ethernet | IPv6 | UDP], lengths over the whole datagram, check
 * in the UDP checksum field (network order); csum: the vnet header asks the device to complete
 * it at the UDP header. */
void ip6_put_frame_headers(uint8_t *hdr, const struct udp6_datagram *d, uint16_t check, bool csum);

/* What the device stack is told of an IPv6 frame of payload bytes that becomes segs frames on the
 * wire (skb priority and mark). Not DEV_META_SINGLE: coalescing merges IPv4 flows only. */
struct dev_meta;
void ip6_frame_meta(struct dev_meta *m, size_t payload, unsigned segs, uint32_t priority,
		    uint32_t mark);

/* ---- ip6_output_gso.c: UDP_SEGMENT ---- */

/* The number of datagrams d (gso_size set) becomes. */
static inline unsigned ip6_gso_segments(const struct udp6_datagram *d)
{
	return (unsigned)((d->len + d->gso_size - 1) / d->gso_size);
}

/* udp_v6_send_skb with SKB_GSO_UDP_L4: d (gso_size set, len > gso_size) as one frame whose
 * virtio-net header asks for UDP segmentation (VIRTIO_NET_HDR_GSO_UDP_L4, NEEDS_CSUM), the
 * payload and the IPv6 payload length over the whole super-packet and the pseudo-header sum of
 * the whole UDP length in the checksum field (udp6_hwcsum_outgoing); the kernel's
 * __udp_gso_segment cuts it at the device (the GSO ring where there is one): each segment an IPv6
 * packet with its own lengths and full checksum, the same flow label. Returns 0 or -errno. */
int ip6_output_udp_gso(const struct udp6_datagram *d, struct path_trace *t);

/* The same frame with its payload copied (-EFAULT when unreadable), as a one-frame frame_set for
 * the neighbour queue. Returns 0, -EFAULT or -ENOMEM. */
int ip6_build_udp_gso_frame(const struct udp6_datagram *d, struct frame_set *fs);

#endif
