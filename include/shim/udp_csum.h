/* udp_csum: what a UDP datagram's header and checksum become beyond plain UDP — SO_NO_CHECK and
 * UDP-Lite checksum coverage (udp_send_skb, udplite_csum) — and which datagrams may use the
 * gather-list path of ip_output.c. */
#ifndef SHIM_UDP_CSUM_H
#define SHIM_UDP_CSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shim/ip_output.h"

/* The IPv4 header length of d's frames (fragheaderlen: 20 + the options). */
static inline size_t udp_datagram_hlen(const struct udp_datagram *d)
{
	return 20 + (d->opt != NULL ? d->opt->optlen : 0);
}

/* Whether d is a plain UDP datagram (protocol 17, full checksum, 20-byte header): only those may
 * leave as a gather list whose checksum the kernel completes (VIRTIO_NET_HDR_F_NEEDS_CSUM covers
 * everything to the end of the frame) or wait in a sendmmsg batch. The others are copied and
 * summed in software. */
static inline bool udp_datagram_plain(const struct udp_datagram *d)
{
	return (d->protocol == 0 || d->protocol == 17) && !d->no_check &&
	       udp_datagram_hlen(d) == 20;
}

/* __ip_append_data / udp_send_skb (udp4_hwcsum): whether the kernel leaves d's UDP checksum to the
 * device (CHECKSUM_PARTIAL: the checksum field holds the pseudo-header sum, the device or the
 * stack below completes it) rather than computing it in software. Only UDP with a checksum
 * (UDP-Lite: udplite_csum; SO_NO_CHECK: none), only a datagram of one frame (the first append
 * takes CHECKSUM_PARTIAL while length + fragheaderlen <= mtu, IP options included; fragments are
 * summed in software), and not a corked one (udp_sendmsg appends a corked datagram's first piece
 * with MSG_MORE, for which __ip_append_data keeps CHECKSUM_NONE). The device's own features (a
 * device without checksum offload, which the stack then sums for) change no byte the shim writes:
 * the kernel finishes a NEEDS_CSUM frame the same way for both. */
static inline bool udp_csum_partial(const struct udp_datagram *d, unsigned nfrag)
{
	return nfrag == 1 && (d->protocol == 0 || d->protocol == 17) && !d->no_check && !d->csum_sw;
}

/* The IP protocol number of d (17 or 136). */
static inline uint8_t udp_datagram_protocol(const struct udp_datagram *d)
{
	return d->protocol != 0 ? d->protocol : 17;
}

/* udp_send_skb: write the 8-byte header of d's UDP datagram of ulen bytes at udp (payload already
 * in place after it) with its length field and checksum: over the pseudo-header (always the full
 * length) and the covered bytes; 0 with SO_NO_CHECK (UDP only); for UDP-Lite the coverage rules of
 * udplite_csum. A computed 0 is sent as 0xFFFF. */
void udp_put_header_csum(const struct udp_datagram *d, uint8_t *udp, size_t ulen);

/* A path-trace step naming what makes d other than plain UDP (nothing for plain UDP). */
void udp_trace_datagram(struct path_trace *t, const struct udp_datagram *d);

#endif
