/* ip_output_gso: a UDP GSO super-packet as one AF_PACKET frame (see include/shim/ip_output_gso.h).
 *
 * The frame carries the headers of the whole super-packet, as udp_send_skb leaves them on a GSO
 * skb: IP total length and UDP length over the whole payload, the datagram's ID, DF per the
 * IP_MTU_DISCOVER rule for the whole length, and in the UDP checksum field the folded
 * pseudo-header sum over the whole UDP length (udp4_hwcsum). The packet socket turns the
 * virtio-net header into gso_size / SKB_GSO_UDP_L4 / CHECKSUM_PARTIAL (virtio_net_hdr_to_skb), and
 * the device (validate_xmit_skb) segments it with the code that segments the kernel's own. */
#include "shim/shim_alloc.h"
#include "shim/ip_output_gso.h"
#include "shim/netdev.h"
#include "shim/dev.h"
#include "shim/stats.h"
#include "shim/wire.h"

#include <errno.h>
#include <linux/virtio_net.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /* include/uapi/linux/virtio_net.h, since 5.18 */
#endif

#define GSO_L2_HLEN    (ETH_HLEN_BYTES + IPV4_HLEN_MIN + UDP_HLEN)
#define GSO_FRAME_HLEN (DEV_VNET_HDR_LEN + GSO_L2_HLEN)
#define GSO_CSUM_START (ETH_HLEN_BYTES + IPV4_HLEN_MIN)
#define GSO_MAX_PARTS  1024

_Static_assert(sizeof(struct virtio_net_hdr) == DEV_VNET_HDR_LEN, "virtio_net_hdr layout");

/* [virtio_net_hdr | Ethernet | IPv4 | UDP] of the super-packet */
static void put_gso_headers(uint8_t *hdr, const struct udp_datagram *d)
{
	struct virtio_net_hdr vh;
	struct eth_hdr_fields eth;
	uint16_t ulen = (uint16_t)(UDP_HLEN + d->len);
	struct ipv4_hdr_fields ip = {
	    .tos = d->tos,
	    .total_len = (uint16_t)(IPV4_HLEN_MIN + ulen),
	    .id = d->id,
	    .frag = d->df ? IP_DF : 0,
	    .ttl = d->ttl,
	    .protocol = IPPROTO_UDP,
	    .saddr = d->saddr,
	    .daddr = d->daddr,
	};
	uint8_t *l2 = hdr + DEV_VNET_HDR_LEN;

	memset(&vh, 0, sizeof(vh));
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	vh.hdr_len = GSO_L2_HLEN;
	vh.gso_size = d->gso_size;
	vh.csum_start = GSO_CSUM_START;
	vh.csum_offset = 6; /* offsetof(struct udphdr, check) */
	memcpy(hdr, &vh, sizeof(vh));

	memcpy(eth.dst, d->dst_mac, 6);
	memcpy(eth.src, d->src_mac, 6);
	eth.ethertype = udp_frame_ipv4.ethertype;
	wire_put_eth(l2, &eth);
	wire_put_ipv4(l2 + ETH_HLEN_BYTES, &ip);
	/* udp4_hwcsum: ~csum_tcpudp_magic over the whole UDP length; __udp_gso_segment swaps the
	 * length in this sum for each segment's */
	wire_put_udp(l2 + GSO_CSUM_START, d->sport, d->dport, ulen,
		     udp4_csum_seed(d->saddr, d->daddr, ulen));
}

int ip_build_udp_gso_frame(const struct udp_datagram *d, struct frame_set *fs)
{
	/* -ENOMEM, the shim's memory: the caller hands the datagram on */
	int r = frame_set_one(fs, GSO_FRAME_HLEN, d->iov, d->iovcnt, d->len);

	if (r == 0)
		put_gso_headers(fs->buf, d);
	return r;
}

int ip_output_udp_gso(const struct udp_datagram *d, struct path_trace *t)
{
	uint8_t hdr[GSO_FRAME_HLEN];
	struct iovec iov[GSO_MAX_PARTS];
	struct frame_set fs = {.buf = NULL};
	unsigned segs = ip_gso_segments(d);
	struct dev_meta m;
	int n = 0, r;

	path_step(t,
		  "ip_make_skb(len %zu id %u%s ttl %u tos 0x%x) \xe2\x86\x92 udp_send_skb(gso_size "
		  "%u: %u segments, IDs %u..%u) \xe2\x86\x92 device segmentation "
		  "(VIRTIO_NET_HDR_GSO_UDP_L4)",
		  IPV4_HLEN_MIN + UDP_HLEN + d->len, d->id, d->df ? " DF" : "", d->ttl, d->tos,
		  d->gso_size, segs, d->id, (uint16_t)(d->id + segs - 1));
	if (d->iovcnt < GSO_MAX_PARTS) {
		put_gso_headers(hdr, d);
		iov[n++] = (struct iovec){hdr, sizeof(hdr)};
		for (int i = 0; i < d->iovcnt; i++)
			if (d->iov[i].iov_len)
				iov[n++] = d->iov[i];
	} else { /* more buffers than one gather list: one copy */
		r = ip_build_udp_gso_frame(d, &fs);
		if (r < 0)
			return r;
		iov[n++] = (struct iovec){fs.buf, fs.off[1]};
	}
	ip_udp_frame_meta(&m, iov[0].iov_base, d->len, segs, false, d->priority, d->mark);
	r = dev_xmit(d->oif, iov, n, &m, d->dontwait);
	shim_free(fs.buf);
	return r;
}
