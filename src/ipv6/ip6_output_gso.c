/* ip6_output_gso: a UDP_SEGMENT super-packet of an AF_INET6 socket as one AF_PACKET frame (see
 * include/shim/ip6_output.h). As udp_v6_send_skb leaves a GSO skb: the IPv6 payload length and
 * the UDP length over the whole payload, the folded pseudo-header sum of the whole UDP length in
 * the checksum field (udp6_hwcsum_outgoing); the packet socket turns the virtio-net header into
 * gso_size / SKB_GSO_UDP_L4 / CHECKSUM_PARTIAL and the device segments it with the kernel's own
 * __udp_gso_segment, as for IPv4 (src/ipv4/ip_output_gso.c). */
#include "shim/ip6_output.h"
#include "shim/dev.h"
#include "shim/ip6_fragment.h"
#include "shim/netdev.h"
#include "shim/shim_alloc.h"
#include "shim/umem.h"
#include "shim/wire.h"

#include <errno.h>
#include <linux/virtio_net.h>
#include <string.h>

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /* include/uapi/linux/virtio_net.h, since 5.18 */
#endif

#define GSO6_FRAME_HLEN (DEV_VNET_HDR_LEN + UDP_FRAME_HDR_IPV6)
#define GSO6_MAX_PARTS	1024

_Static_assert(sizeof(struct virtio_net_hdr) == DEV_VNET_HDR_LEN, "virtio_net_hdr layout");

/* [virtio_net_hdr asking for UDP segmentation | Ethernet | IPv6 | UDP] of the super-packet */
static void put_gso6_headers(uint8_t *hdr, const struct udp6_datagram *d)
{
	struct virtio_net_hdr vh;
	uint32_t ulen = (uint32_t)(UDP_HLEN + d->len);

	ip6_put_frame_headers(hdr, d, udp6_csum_seed(d->saddr, d->daddr, ulen), true);
	memset(&vh, 0, sizeof(vh));
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	vh.hdr_len = UDP_FRAME_HDR_IPV6;
	vh.gso_size = d->gso_size;
	vh.csum_start = udp_frame_ipv6.l4_off;
	vh.csum_offset = 6; /* offsetof(struct udphdr, check) */
	memcpy(hdr, &vh, sizeof(vh));
}

/* A super-packet with extension headers (the hop-by-hop header, destination options): the kernel's
 * skb is CHECKSUM_NONE (__ip6_append_data lays out no partial checksum behind them; udp6_hwcsum_
 * outgoing only seeds the field), so __udp_gso_segment sums every segment in software. Cut here
 * the same way: each segment an IPv6 packet of its own with the headers (ip6_fragment_frames's
 * one frame of it, summed), the last shorter, one frame_set. */
static int build_gso6_exthdr_segments(const struct udp6_datagram *d, struct frame_set *fs)
{
	const unsigned n = ip6_gso_segments(d);
	const size_t head =
	    DEV_VNET_HDR_LEN + ETH_HLEN_BYTES + IPV6_HLEN + d->ext_nflen + d->ext_flen + UDP_HLEN;
	uint8_t *payload = shim_alloc(d->len ? d->len : 1);
	size_t at = 0;
	int r = 0;

	if (payload == NULL)
		return -ENOMEM;
	if (umem_read_iov(payload, d->iov, d->iovcnt, d->len) != 0) {
		shim_free(payload);
		return -EFAULT;
	}
	if (frame_set_alloc(fs, n, n * head + d->len) == NULL) {
		shim_free(payload);
		return -ENOMEM;
	}
	fs->proto = udp_frame_ipv6.ethertype;
	fs->priority = d->priority;
	fs->mark = d->mark;
	fs->off[0] = 0;
	for (unsigned i = 0; i < n && r == 0; i++) {
		struct udp6_datagram seg = *d;
		struct iovec one = {payload + at,
				    d->len - at < d->gso_size ? d->len - at : d->gso_size};
		struct frame_set f;

		seg.gso_size = 0;
		seg.frag_mtu = 0;
		seg.iov = &one;
		seg.iovcnt = 1;
		seg.len = one.iov_len;
		if ((r = ip6_fragment_frames(&seg, &f)) < 0)
			break;
		memcpy(fs->buf + fs->off[i], f.buf, f.off[1]);
		fs->off[i + 1] = fs->off[i] + f.off[1];
		shim_free(f.buf);
		at += one.iov_len;
	}
	shim_free(payload);
	if (r < 0) {
		shim_free(fs->buf);
		fs->buf = NULL;
	}
	return r;
}

int ip6_build_udp_gso_frame(const struct udp6_datagram *d, struct frame_set *fs)
{
	if (d->ext_nflen + d->ext_flen != 0)
		return build_gso6_exthdr_segments(d, fs);
	/* -ENOMEM, the shim's memory: the caller hands the datagram on */
	int r = frame_set_one(fs, GSO6_FRAME_HLEN, d->iov, d->iovcnt, d->len);

	if (r != 0)
		return r;
	put_gso6_headers(fs->buf, d);
	fs->proto = udp_frame_ipv6.ethertype;
	fs->priority = d->priority; /* the skb's */
	fs->mark = d->mark;
	return 0;
}

int ip6_output_udp_gso(const struct udp6_datagram *d, struct path_trace *t)
{
	uint8_t hdr[GSO6_FRAME_HLEN];
	struct iovec iov[GSO6_MAX_PARTS];
	struct frame_set fs = {.buf = NULL};
	unsigned segs = ip6_gso_segments(d);
	struct dev_meta m;
	int n = 0, r;

	if (d->ext_nflen + d->ext_flen != 0) {
		int sent;

		path_step(
		    t,
		    "ip6_make_skb(len %zu hlim %u tclass 0x%x flowlabel 0x%05x exthdrs %u+%u) "
		    "\xe2\x86\x92 udp_v6_send_skb(gso_size %u: %u segments) \xe2\x86\x92 "
		    "__udp_gso_segment (software, summed)",
		    IPV6_HLEN + d->ext_nflen + d->ext_flen + UDP_HLEN + d->len, d->hop_limit,
		    d->tclass, d->flowlabel, d->ext_nflen, d->ext_flen, d->gso_size, segs);
		if ((r = build_gso6_exthdr_segments(d, &fs)) < 0)
			return r;
		return frame_set_xmit_datagram(&fs, d->oif, d->dontwait, &sent);
	}
	path_step(t,
		  "ip6_make_skb(len %zu hlim %u tclass 0x%x flowlabel 0x%05x) \xe2\x86\x92 "
		  "udp_v6_send_skb(gso_size %u: %u segments) \xe2\x86\x92 device segmentation "
		  "(VIRTIO_NET_HDR_GSO_UDP_L4)",
		  IPV6_HLEN + UDP_HLEN + d->len, d->hop_limit, d->tclass, d->flowlabel, d->gso_size,
		  segs);
	if (d->iovcnt < GSO6_MAX_PARTS) {
		put_gso6_headers(hdr, d);
		iov[n++] = (struct iovec){hdr, sizeof(hdr)};
		for (int i = 0; i < d->iovcnt; i++)
			if (d->iov[i].iov_len)
				iov[n++] = d->iov[i];
	} else { /* more buffers than one gather list: one copy */
		r = ip6_build_udp_gso_frame(d, &fs);
		if (r < 0)
			return r;
		iov[n++] = (struct iovec){fs.buf, fs.off[1]};
	}
	ip6_frame_meta(&m, d->len, segs, d->priority, d->mark);
	r = dev_xmit(d->oif, iov, n, &m, d->dontwait);
	shim_free(fs.buf);
	return r;
}
