/* ip_output_gso: a UDP GSO super-packet onto the device — what udp_send_skb hands to ip_send_skb
 * for a datagram with SKB_GSO_UDP_L4. The shim sends it as one AF_PACKET frame whose virtio-net
 * header asks for UDP segmentation (VIRTIO_NET_HDR_GSO_UDP_L4, gso_size, NEEDS_CSUM), so the
 * kernel's own __udp_gso_segment / inet_gso_segment cut it at the device, exactly as for its own
 * GSO skbs: per segment a UDP length and full checksum, consecutive IP IDs from the datagram's,
 * each IP length and header checksum, the last segment shorter. */
#ifndef SHIM_IP_OUTPUT_GSO_H
#define SHIM_IP_OUTPUT_GSO_H

#include "shim/ip_output.h"

/* Transmit d (d->gso_size set, d->len > d->gso_size) as one GSO frame, its payload taken from the
 * program's buffers by the kernel (EFAULT for a bad one; copied first when there are more buffers
 * than a gather list holds). Returns 0 or -errno as the device answered. */
int ip_output_udp_gso(const struct udp_datagram *d, struct path_trace *t);

/* The same frame with its payload copied (-EFAULT when unreadable), as a one-frame frame_set for
 * the neighbour queue. Returns 0 or -errno. */
int ip_build_udp_gso_frame(const struct udp_datagram *d, struct frame_set *fs);

/* The number of datagrams d becomes. */
static inline unsigned ip_gso_segments(const struct udp_datagram *d)
{
	return (unsigned)((d->len + d->gso_size - 1) / d->gso_size);
}

#endif
