/* The IPv6 output (src/ipv6/ip6_output.c) onto the in-memory device: the one frame of a UDP/IPv6
 * datagram byte for byte — virtio-net header asking for the checksum at the UDP header, Ethernet
 * (ETH_P_IPV6), the IPv6 header (version, traffic class, flow label, payload length, next header,
 * hop limit, addresses), the UDP header with the pseudo-header sum (RFC 8200 8.1, computed here
 * independently), the payload from the program's buffers; UDP_NO_CHECK6_TX; the copied frame of
 * the neighbour queue; what the device is told; the fragments of a datagram larger than its MTU
 * (ip6_fragment.c: fragment header, piece sizes, one identification, the checksum over the whole
 * datagram); and the automatic flow labels (ip6_flowlabel.c). No root, no namespace. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shim/dev.h"
#include "shim/dev_mem.h"
#include "shim/ip6_flowlabel.h"
#include "shim/ip6_exthdrs.h"
#include "shim/ip6_fragment.h"
#include "shim/ip6_output.h"
#include "shim/netdev.h"
#include "shim/shim_alloc.h"
#include "shim/wire.h"

#define VNET 10
#define ETH  14

static uint8_t payload[70000];
static const uint8_t src6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t dst6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

static void mem_stack(void)
{
	dev_mem_reset();
	netdev_stack_build(&(struct netdev_stack_conf){.bottom = &netdev_mem, .coalesce = false});
}

static struct udp6_datagram datagram(size_t len, struct iovec *iov)
{
	struct udp6_datagram d = {
	    .sport = htons(4000),
	    .dport = htons(9000),
	    .tclass = 0xb8,
	    .flowlabel = 0x12345,
	    .hop_limit = 33,
	    .oif = 4,
	    .src_mac = {2, 0, 0, 0, 0x0a, 1},
	    .dst_mac = {2, 0, 0, 0, 0x0b, 2},
	    .iov = iov,
	    .iovcnt = 2,
	    .len = len,
	};

	memcpy(d.saddr, src6, 16);
	memcpy(d.daddr, dst6, 16);
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 13 + 5);
	/* two buffers, and an empty one that must not become a part of the frame */
	iov[0] = (struct iovec){payload, len / 3};
	iov[1] = (struct iovec){payload + len / 3, len - len / 3};
	return d;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The one's complement sum of 16-bit big-endian words, the plain way (RFC 1071). */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold16(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The pseudo-header sum of RFC 8200 8.1 (not complemented), host order. */
static uint32_t pseudo6(uint32_t ulen)
{
	uint8_t ph[40] = {0};

	memcpy(ph, src6, 16);
	memcpy(ph + 16, dst6, 16);
	ph[32] = (uint8_t)(ulen >> 24);
	ph[33] = (uint8_t)(ulen >> 16);
	ph[34] = (uint8_t)(ulen >> 8);
	ph[35] = (uint8_t)ulen;
	ph[39] = 17;
	return sum16(ph, sizeof(ph), 0);
}

/* Ethernet and IPv6 header of a frame (vnet header first) as d asks. */
static void check_l2_l3(const uint8_t *f, const struct udp6_datagram *d)
{
	const uint8_t *ip = f + VNET + ETH;

	ck_assert_mem_eq(f + VNET, d->dst_mac, 6);
	ck_assert_mem_eq(f + VNET + 6, d->src_mac, 6);
	ck_assert_uint_eq(be16(f + VNET + 12), ETH_P_IPV6);
	ck_assert_uint_eq(ip[0] >> 4, 6);
	ck_assert_uint_eq((uint8_t)((ip[0] & 0x0f) << 4 | ip[1] >> 4), d->tclass);
	ck_assert_uint_eq((uint32_t)(ip[1] & 0x0f) << 16 | (uint32_t)ip[2] << 8 | ip[3],
			  d->flowlabel);
	ck_assert_uint_eq(be16(ip + 4), 8 + d->len);
	ck_assert_uint_eq(ip[6], 17);
	ck_assert_uint_eq(ip[7], d->hop_limit);
	ck_assert_mem_eq(ip + 8, src6, 16);
	ck_assert_mem_eq(ip + 24, dst6, 16);
}

START_TEST(single_frame_bytes)
{
	static const size_t lens[] = {0, 1, 2, 300, 1452};

	for (unsigned k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		struct iovec iov[2];
		struct udp6_datagram d = datagram(lens[k], iov);
		const struct dev_mem_frame *f;
		const uint8_t *udp;
		struct virtio_net_hdr vh;
		uint32_t ulen = (uint32_t)(8 + d.len);

		mem_stack();
		ck_assert_int_eq(ip6_output_udp(&d, NULL), 0);
		ck_assert_int_eq(dev_mem_count(), 1);
		f = dev_mem_frame(0);
		ck_assert_uint_eq(f->len, VNET + ETH + 40 + 8 + d.len);
		ck_assert_int_eq(f->ifindex, 4);
		memcpy(&vh, f->data, sizeof(vh));
		ck_assert_int_eq(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
		ck_assert_int_eq(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		ck_assert_int_eq(vh.csum_start, ETH + 40);
		ck_assert_int_eq(vh.csum_offset, 6);
		check_l2_l3(f->data, &d);
		udp = f->data + VNET + ETH + 40;
		ck_assert_uint_eq(be16(udp), 4000);
		ck_assert_uint_eq(be16(udp + 2), 9000);
		ck_assert_uint_eq(be16(udp + 4), ulen);
		/* the seed: the folded pseudo-header sum, which the device completes */
		ck_assert_uint_eq(be16(udp + 6), fold16(pseudo6(ulen)));
		ck_assert_mem_eq(udp + 8, payload, d.len);
		{
			uint8_t copy[8 + 1452];
			uint16_t want;

			memcpy(copy, udp, ulen);
			copy[6] = copy[7] = 0;
			want = (uint16_t)~fold16(pseudo6(ulen) + sum16(copy, ulen, 0));
			/* summing the seeded header and payload gives the same final checksum */
			ck_assert_uint_eq((uint16_t)~fold16(sum16(udp, ulen, 0)), want);
		}
		/* what the device is told: an IPv6 frame, one on the wire, not a coalescing
		 * candidate */
		ck_assert(f->has_meta);
		ck_assert_uint_eq(f->meta.proto, ETH_P_IPV6);
		ck_assert_uint_eq(f->meta.l3_off, VNET + ETH);
		ck_assert_uint_eq(f->meta.l4_off, VNET + ETH + 40);
		ck_assert_uint_eq(f->meta.hdr_len, VNET + ETH + 48);
		ck_assert_uint_eq(f->meta.segs, 1);
		ck_assert_uint_eq(f->meta.flags & DEV_META_SINGLE, 0);
		ck_assert_uint_eq(f->meta.payload_len, d.len);
	}
}
END_TEST

START_TEST(no_check6_tx)
{
	struct iovec iov[2];
	struct udp6_datagram d = datagram(100, iov);
	const struct dev_mem_frame *f;
	struct virtio_net_hdr vh;

	d.no_check6 = true;
	d.flowlabel = 0;
	mem_stack();
	ck_assert_int_eq(ip6_output_udp(&d, NULL), 0);
	f = dev_mem_frame(0);
	memcpy(&vh, f->data, sizeof(vh));
	ck_assert_int_eq(vh.flags, 0); /* nothing to complete */
	check_l2_l3(f->data, &d);
	ck_assert_uint_eq(be16(f->data + VNET + ETH + 40 + 6), 0);
}
END_TEST

/* UDP-Lite (next header 136): copied and summed here, no checksum request; the coverage rules of
 * udplite_csum: none set / 0 / at least the length → the whole datagram (length field 0 only for a
 * coverage of 0), below the length → the length field is the coverage and only that much is
 * summed, the pseudo-header always with the full length; UDP_NO_CHECK6_TX changes nothing. */
START_TEST(udplite_coverage_frames)
{
	static const struct {
		bool set;
		uint16_t cscov, lenfield, covered;
	} cases[] = {
	    {false, 0, 108, 108}, {true, 0, 0, 108},	 {true, 8, 8, 8},
	    {true, 20, 20, 20},	  {true, 108, 108, 108}, {true, 500, 108, 108},
	};

	for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct iovec iov[2];
		struct udp6_datagram d = datagram(100, iov);
		const struct dev_mem_frame *f;
		const uint8_t *udp, *ip;
		struct virtio_net_hdr vh;
		uint8_t copy[108], ph[40] = {0};
		uint16_t want;

		d.protocol = 136;
		d.cscov_set = cases[k].set;
		d.cscov = cases[k].cscov;
		d.no_check6 = k & 1;
		mem_stack();
		ck_assert_int_eq(ip6_output_udp(&d, NULL), 0);
		ck_assert_int_eq(dev_mem_count(), 1);
		f = dev_mem_frame(0);
		ck_assert_uint_eq(f->len, VNET + ETH + 40 + 108);
		memcpy(&vh, f->data, sizeof(vh));
		ck_assert_int_eq(vh.flags, 0);
		ip = f->data + VNET + ETH;
		ck_assert_uint_eq(ip[6], 136);
		ck_assert_uint_eq(be16(ip + 4), 108);
		udp = ip + 40;
		ck_assert_uint_eq(be16(udp + 4), cases[k].lenfield);
		ck_assert_mem_eq(udp + 8, payload, 100);
		memcpy(copy, udp, sizeof(copy));
		copy[6] = copy[7] = 0;
		memcpy(ph, src6, 16);
		memcpy(ph + 16, dst6, 16);
		ph[35] = 108;
		ph[39] = 136;
		want = (uint16_t)~fold16(sum16(ph, 40, 0) + sum16(copy, cases[k].covered, 0));
		ck_assert_uint_eq(be16(udp + 6), want ? want : 0xffff);
	}
}
END_TEST

/* UDP_SEGMENT: one frame asking the device for UDP segmentation (gso_size, GSO_UDP_L4, the
 * checksum at the UDP header), the IPv6 payload length and UDP length over the whole super-packet,
 * the pseudo-header sum of the whole UDP length; the device is told how many frames it becomes;
 * the neighbour queue's copy is the same frame. */
START_TEST(gso_frame)
{
	struct iovec iov[2];
	struct udp6_datagram d = datagram(1900, iov);
	const struct dev_mem_frame *f;
	struct virtio_net_hdr vh;
	struct frame_set fs;
	const uint8_t *udp;

	d.gso_size = 700;
	mem_stack();
	ck_assert_int_eq(ip6_output_udp(&d, NULL), 0);
	ck_assert_int_eq(dev_mem_count(), 1);
	f = dev_mem_frame(0);
	ck_assert_uint_eq(f->len, VNET + ETH + 48 + 1900);
	memcpy(&vh, f->data, sizeof(vh));
	ck_assert_int_eq(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_int_eq(vh.gso_type, 5 /* VIRTIO_NET_HDR_GSO_UDP_L4 */);
	ck_assert_int_eq(vh.gso_size, 700);
	ck_assert_int_eq(vh.hdr_len, ETH + 48);
	ck_assert_int_eq(vh.csum_start, ETH + 40);
	ck_assert_int_eq(vh.csum_offset, 6);
	check_l2_l3(f->data, &d);
	udp = f->data + VNET + ETH + 40;
	ck_assert_uint_eq(be16(udp + 4), 1908);
	ck_assert_uint_eq(be16(udp + 6), fold16(pseudo6(1908)));
	ck_assert_mem_eq(udp + 8, payload, 1900);
	ck_assert(f->has_meta);
	ck_assert_uint_eq(f->meta.segs, 3);
	ck_assert_uint_eq(f->meta.proto, ETH_P_IPV6);

	ck_assert_int_eq(ip6_build_udp_frames(&d, &fs), 0);
	ck_assert_int_eq(fs.n, 1);
	ck_assert_uint_eq(fs.off[1], f->len);
	ck_assert_mem_eq(fs.buf, f->data, f->len);
	shim_free(fs.buf);
}
END_TEST

/* UDP_SEGMENT with a hop-by-hop header: the kernel's skb is CHECKSUM_NONE, so __udp_gso_segment
 * sums each segment in software: three frames (700, 700, 500 bytes), each an IPv6 packet with the
 * header in front of UDP, its own payload and UDP lengths and a complete checksum, no offload
 * asked of the device; the neighbour queue's copy the same frames. */
START_TEST(gso_exthdr_frame)
{
	static const uint8_t hop[8] = {0x11, 0, 1, 4, 0, 0, 0, 0};
	static const size_t seg[3] = {700, 700, 500};
	struct ipv6_txoptions opt = {.hopopt = hop, .opt_nflen = 8};
	uint8_t ext[8];
	struct iovec iov[2];
	struct udp6_datagram d = datagram(1900, iov);
	const struct dev_mem_frame *f;
	struct virtio_net_hdr vh;
	struct frame_set fs;
	const uint8_t *ip, *udp;
	size_t at = 0;

	d.ext_proto = ipv6_push_exthdrs(&opt, 17, d.daddr, ext);
	d.ext = ext;
	d.ext_nflen = 8;
	d.gso_size = 700;
	mem_stack();
	ck_assert_int_eq(ip6_output_udp(&d, NULL), 0);
	ck_assert_int_eq(dev_mem_count(), 3);
	ck_assert_int_eq(ip6_build_udp_frames(&d, &fs), 0);
	ck_assert_int_eq(fs.n, 3);
	for (int i = 0; i < 3; i++) {
		f = dev_mem_frame(i);
		ck_assert_uint_eq(f->len, VNET + ETH + 40 + 8 + 8 + seg[i]);
		memcpy(&vh, f->data, sizeof(vh));
		ck_assert_int_eq(vh.flags, 0);
		ck_assert_int_eq(vh.gso_type, 0);
		ip = f->data + VNET + ETH;
		ck_assert_uint_eq(be16(ip + 4), 8 + 8 + seg[i]);
		ck_assert_uint_eq(ip[6], 0); /* hop-by-hop */
		ck_assert_mem_eq(ip + 40, ext, 8);
		udp = ip + 48;
		ck_assert_uint_eq(be16(udp + 4), 8 + seg[i]);
		ck_assert_uint_eq(
		    fold16(pseudo6((uint32_t)(8 + seg[i])) + sum16(udp, 8 + seg[i], 0)), 0xffff);
		ck_assert_mem_eq(udp + 8, payload + at, seg[i]);
		at += seg[i];
		ck_assert_uint_eq(fs.off[i + 1] - fs.off[i], f->len);
		ck_assert_mem_eq(fs.buf + fs.off[i], f->data, f->len);
	}
	shim_free(fs.buf);
}
END_TEST

/* The neighbour queue's copy: the same headers and the same checksum request (the kernel's queued
 * skb is CHECKSUM_PARTIAL too), the payload copied; UDP_NO_CHECK6_TX: none; the frames leave as
 * IPv6 frames; an unreadable buffer is EFAULT. */
START_TEST(copied_frame)
{
	struct iovec iov[2];
	struct udp6_datagram d = datagram(301, iov);
	struct frame_set fs;
	uint8_t *udp;
	struct virtio_net_hdr vh;
	uint32_t ulen = 8 + 301;

	ck_assert_int_eq(ip6_build_udp_frames(&d, &fs), 0);
	ck_assert_int_eq(fs.n, 1);
	ck_assert_uint_eq(fs.proto, ETH_P_IPV6);
	ck_assert_uint_eq(fs.off[1] - fs.off[0], VNET + ETH + 48 + 301);
	memcpy(&vh, fs.buf, sizeof(vh));
	ck_assert_int_eq(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_int_eq(vh.csum_start, ETH + 40);
	ck_assert_int_eq(vh.csum_offset, 6);
	check_l2_l3(fs.buf, &d);
	udp = fs.buf + VNET + ETH + 40;
	ck_assert_uint_eq(be16(udp + 4), ulen);
	ck_assert_uint_eq(be16(udp + 6), fold16(pseudo6(ulen)));
	ck_assert_mem_eq(udp + 8, payload, 301);
	payload[0] ^= 0xff; /* a copy: the program's buffer may change after the call */
	ck_assert_uint_ne(udp[8], payload[0]);
	shim_free(fs.buf);

	d = datagram(40, iov);
	d.no_check6 = true;
	ck_assert_int_eq(ip6_build_udp_frames(&d, &fs), 0);
	memcpy(&vh, fs.buf, sizeof(vh));
	ck_assert_int_eq(vh.flags, 0);
	ck_assert_uint_eq(be16(fs.buf + VNET + ETH + 40 + 6), 0);
	shim_free(fs.buf);

	d = datagram(50, iov);
	mem_stack();
	ck_assert_int_eq(ip6_build_udp_frames(&d, &fs), 0);
	ck_assert_int_eq(frame_set_xmit(&fs, 4, false), 1);
	ck_assert(dev_mem_frame(0)->has_meta);
	ck_assert_uint_eq(dev_mem_frame(0)->meta.proto, ETH_P_IPV6);
	shim_free(fs.buf);

	iov[1].iov_base = (void *)8; /* unreadable */
	ck_assert_int_eq(ip6_build_udp_frames(&d, &fs), -EFAULT);
}
END_TEST

/* ip6_fragment: (MTU - 40 - 8) & ~7 bytes of the UDP datagram per fragment but the last. */
START_TEST(fragment_count)
{
	size_t per;

	ck_assert_uint_eq(ip6_frag_count(8 + 3000, 40, 1500, &per), 3);
	ck_assert_uint_eq(per, 1448);
	ck_assert_uint_eq(ip6_frag_count(8 + 1453, 40, 1500, &per), 2);
	ck_assert_uint_eq(ip6_frag_count(8 + 65527, 40, 1500, &per), 46);
	ck_assert_uint_eq(ip6_frag_count(8 + 5000, 40, 1280, &per), 5);
	ck_assert_uint_eq(per, 1232);
	/* a hop-by-hop header of 8 bytes in every fragment */
	ck_assert_uint_eq(ip6_frag_count(8 + 3000, 48, 1500, &per), 3);
	ck_assert_uint_eq(per, 1440);
	/* no room for 8 bytes of data */
	ck_assert_uint_eq(ip6_frag_count(100, 1270, 1280, &per), 0);
}
END_TEST

/* The fragments of a 3000-byte datagram at MTU 1500 (the spec's payload lengths 1456, 1456, 120
 * at offsets 0, 1448, 2896) and of 5000 bytes at 1280: headers, the fragment header, the pieces
 * that reassemble into the UDP datagram, its checksum complete over the whole of it, one
 * identification (never 0) per datagram and another for the next; UDP_NO_CHECK6_TX; EFAULT. */
START_TEST(fragments)
{
	static const struct {
		size_t len;
		uint32_t mtu;
		unsigned n;
	} cases[] = {{3000, 1500, 3}, {1453, 1500, 2}, {5000, 1280, 5}, {65527, 1500, 46}};
	static uint8_t whole[8 + 65527];
	uint32_t last_id = 0;

	for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct iovec iov[2];
		struct udp6_datagram d = datagram(cases[k].len, iov);
		size_t ulen = 8 + d.len, per = ((cases[k].mtu - 48) & ~7u), got = 0;
		uint32_t id = 0;

		d.frag_mtu = cases[k].mtu;
		mem_stack();
		ck_assert_int_eq(ip6_output_udp(&d, NULL), 0);
		ck_assert_int_eq(dev_mem_count(), (int)cases[k].n);
		for (unsigned i = 0; i < cases[k].n; i++) {
			const struct dev_mem_frame *f = dev_mem_frame(i);
			const uint8_t *ip = f->data + VNET + ETH, *fh = ip + 40;
			size_t chunk = i + 1 < cases[k].n ? per : ulen - i * per;
			struct virtio_net_hdr vh;
			uint32_t fid;

			memcpy(&vh, f->data, sizeof(vh));
			ck_assert_int_eq(vh.flags, 0); /* complete: nothing for the device */
			ck_assert_uint_eq(f->len, VNET + ETH + 40 + 8 + chunk);
			ck_assert_uint_le(f->len - VNET, ETH + cases[k].mtu);
			ck_assert(f->has_meta);
			ck_assert_uint_eq(f->meta.proto, ETH_P_IPV6);
			ck_assert_mem_eq(f->data + VNET, d.dst_mac, 6);
			ck_assert_uint_eq(ip[0] >> 4, 6);
			ck_assert_uint_eq((uint32_t)(ip[1] & 0x0f) << 16 | (uint32_t)ip[2] << 8 |
					      ip[3],
					  d.flowlabel);
			ck_assert_uint_eq(be16(ip + 4), 8 + chunk);
			ck_assert_uint_eq(ip[6], 44); /* the fragment header */
			ck_assert_uint_eq(ip[7], d.hop_limit);
			ck_assert_mem_eq(ip + 8, src6, 16);
			ck_assert_mem_eq(ip + 24, dst6, 16);
			ck_assert_uint_eq(fh[0], 17);
			ck_assert_uint_eq(fh[1], 0);
			ck_assert_uint_eq(be16(fh + 2), (i * per) | (i + 1 < cases[k].n ? 1 : 0));
			fid = (uint32_t)be16(fh + 4) << 16 | be16(fh + 6);
			ck_assert_uint_ne(fid, 0);
			if (i == 0)
				id = fid;
			ck_assert_uint_eq(fid, id);
			memcpy(whole + got, fh + 8, chunk);
			got += chunk;
		}
		ck_assert_uint_ne(id, last_id);
		last_id = id;
		ck_assert_uint_eq(got, ulen);
		ck_assert_uint_eq(be16(whole), 4000);
		ck_assert_uint_eq(be16(whole + 4), ulen);
		ck_assert_mem_eq(whole + 8, payload, d.len);
		/* the checksum over pseudo-header and the whole datagram verifies to 0xffff */
		ck_assert_uint_eq(fold16(pseudo6((uint32_t)ulen) + sum16(whole, ulen, 0)), 0xffff);
		ck_assert_uint_ne(be16(whole + 6), 0);
	}

	{
		struct iovec iov[2];
		struct udp6_datagram d = datagram(3000, iov);
		struct frame_set fs;

		d.frag_mtu = 1500;
		d.no_check6 = true;
		ck_assert_int_eq(ip6_build_udp_frames(&d, &fs), 0);
		ck_assert_int_eq(fs.n, 3);
		ck_assert_uint_eq(be16(fs.buf + VNET + ETH + 48 + 6), 0);
		shim_free(fs.buf);
		iov[1].iov_base = (void *)8; /* unreadable */
		ck_assert_int_eq(ip6_build_udp_frames(&d, &fs), -EFAULT);
		mem_stack();
		ck_assert_int_eq(ip6_output_udp(&d, NULL), -EFAULT);
		ck_assert_int_eq(dev_mem_count(), 0);
	}
}
END_TEST

/* Extension headers (ipv6_push_exthdrs): a hop-by-hop header (unfragmentable) and destination
 * options (fragmentable), chained to UDP; in one frame the checksum complete in software; in
 * fragments the hop-by-hop header in each, pointing at the fragment header, whose next header is
 * the destination options', which lead the first piece. */
START_TEST(exthdr_frames)
{
	static const uint8_t hop[8] = {0x11, 0, 1, 4, 0, 0, 0, 0};
	static const uint8_t dst[16] = {0x11, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	struct ipv6_txoptions opt = {.hopopt = hop, .dst1opt = dst, .opt_nflen = 8, .opt_flen = 16};
	uint8_t ext[24];
	static uint8_t whole[16 + 8 + 3000];
	struct iovec iov[2];
	struct udp6_datagram d = datagram(100, iov);
	const struct dev_mem_frame *f;
	const uint8_t *ip;
	struct virtio_net_hdr vh;
	size_t got = 0;

	ck_assert_uint_eq(ipv6_push_exthdrs(&opt, 17, d.daddr, ext), 0);
	ck_assert_uint_eq(ext[0], 60); /* hop-by-hop, then destination options */
	ck_assert_uint_eq(ext[8], 17); /* then UDP */
	ck_assert_mem_eq(ext + 1, hop + 1, 7);
	ck_assert_mem_eq(ext + 9, dst + 1, 15);
	d.ext = ext;
	d.ext_nflen = 8;
	d.ext_flen = 16;
	d.ext_proto = 0;
	mem_stack();
	ck_assert_int_eq(ip6_output_udp(&d, NULL), 0);
	ck_assert_int_eq(dev_mem_count(), 1);
	f = dev_mem_frame(0);
	ip = f->data + VNET + ETH;
	memcpy(&vh, f->data, sizeof(vh));
	ck_assert_int_eq(vh.flags, 0); /* CHECKSUM_NONE: summed here */
	ck_assert_uint_eq(f->len, VNET + ETH + 40 + 24 + 8 + 100);
	ck_assert_uint_eq(be16(ip + 4), 24 + 8 + 100);
	ck_assert_uint_eq(ip[6], 0);
	ck_assert_mem_eq(ip + 40, ext, 24);
	ck_assert_uint_eq(fold16(pseudo6(108) + sum16(ip + 64, 108, 0)), 0xffff);

	d = datagram(3000, iov);
	d.ext = ext;
	d.ext_nflen = 8;
	d.ext_flen = 16;
	d.ext_proto = 0;
	d.frag_mtu = 1500;
	mem_stack();
	ck_assert_int_eq(ip6_output_udp(&d, NULL), 0);
	/* (1500 - 48 - 8) & ~7 = 1440 per piece of the 3024 fragmentable bytes */
	ck_assert_int_eq(dev_mem_count(), 3);
	for (int i = 0; i < 3; i++) {
		size_t chunk = i < 2 ? 1440 : 3024 - 2 * 1440;

		f = dev_mem_frame(i);
		ip = f->data + VNET + ETH;
		ck_assert_uint_le(f->len - VNET - ETH, 1500);
		ck_assert_uint_eq(ip[6], 0);   /* hop-by-hop */
		ck_assert_uint_eq(ip[40], 44); /* then the fragment header */
		ck_assert_mem_eq(ip + 41, hop + 1, 7);
		ck_assert_uint_eq(ip[48], 60); /* then the destination options */
		ck_assert_uint_eq(be16(ip + 50), (i * 1440) | (i < 2 ? 1 : 0));
		ck_assert_uint_eq(be16(ip + 4), 8 + 8 + chunk);
		memcpy(whole + got, ip + 56, chunk);
		got += chunk;
	}
	ck_assert_uint_eq(got, 3024);
	ck_assert_mem_eq(whole, ext + 8, 16);
	ck_assert_uint_eq(be16(whole + 16 + 4), 3008);
	ck_assert_mem_eq(whole + 24, payload, 3000);
	ck_assert_uint_eq(fold16(pseudo6(3008) + sum16(whole + 16, 3008, 0)), 0xffff);
}
END_TEST

/* A segment routing header (ipv6_push_rthdr4, fl6_update_dst): IPV6_RTHDRDSTOPTS before it, the
 * destination options after it; the IPv6 header to segments[segments_left], segments[0] the
 * final destination, the UDP checksum over the final destination; in fragments the whole
 * unfragmentable part in each, the routing header pointing at the fragment header. */
START_TEST(rthdr_frames)
{
	static const uint8_t dst0[8] = {0x11, 0, 1, 4, 0, 0, 0, 0};
	static const uint8_t dst1[8] = {0x11, 0, 1, 4, 0, 0, 0, 0};
	uint8_t srh[40] = {0x11, 4, 4, 1, 1, 0, 0, 0}, first[16], ext[56];
	struct ipv6_txoptions opt = {
	    .dst0opt = dst0, .srcrt = srh, .dst1opt = dst1, .opt_nflen = 48, .opt_flen = 8};
	static const uint8_t hop1[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 9, 0, 0,
					 0,    0,    0,	   0,	 0, 0, 0, 7};
	struct iovec iov[2];
	struct udp6_datagram d = datagram(3000, iov);
	static uint8_t whole[8 + 8 + 3000];
	size_t got = 0;

	memset(srh + 8, 0xee, 16); /* segments[0]: replaced by the final destination */
	memcpy(srh + 24, hop1, 16);
	ck_assert_ptr_null(ipv6_rthdr_unbuilt(srh));
	fl6_update_dst(srh, first);
	ck_assert_mem_eq(first, hop1, 16);
	ck_assert_uint_eq(ipv6_push_exthdrs(&opt, 17, dst6, ext), 60);
	ck_assert_uint_eq(ext[0], 43);	/* destination options, then the routing header */
	ck_assert_uint_eq(ext[8], 60);	/* then the destination options */
	ck_assert_uint_eq(ext[48], 17); /* then UDP */
	ck_assert_mem_eq(ext + 8 + 8, dst6, 16);
	ck_assert_mem_eq(ext + 8 + 24, hop1, 16);
	srh[5] = 8; /* the HMAC flag */
	ck_assert_ptr_nonnull(ipv6_rthdr_unbuilt(srh));
	srh[2] = 0;
	ck_assert_ptr_nonnull(ipv6_rthdr_unbuilt(srh));

	memcpy(d.daddr, first, 16);
	d.final_daddr = dst6;
	d.ext = ext;
	d.ext_nflen = 48;
	d.ext_flen = 8;
	d.ext_proto = 60;
	d.frag_mtu = 1500;
	mem_stack();
	ck_assert_int_eq(ip6_output_udp(&d, NULL), 0);
	/* (1500 - 88 - 8) & ~7 = 1400 per piece of the 3016 fragmentable bytes */
	ck_assert_int_eq(dev_mem_count(), 3);
	for (int i = 0; i < 3; i++) {
		const struct dev_mem_frame *f = dev_mem_frame(i);
		const uint8_t *ip = f->data + VNET + ETH;
		size_t chunk = i < 2 ? 1400 : 3016 - 2 * 1400;

		ck_assert_mem_eq(ip + 24, hop1, 16); /* the IPv6 header's destination */
		ck_assert_uint_eq(ip[6], 60);
		ck_assert_uint_eq(ip[40], 43);
		ck_assert_uint_eq(ip[48], 44); /* the routing header, then the fragment header */
		ck_assert_mem_eq(ip + 56, dst6, 16);
		ck_assert_uint_eq(ip[88], 60); /* then the destination options */
		ck_assert_uint_eq(be16(ip + 90), (i * 1400) | (i < 2 ? 1 : 0));
		memcpy(whole + got, ip + 96, chunk);
		got += chunk;
	}
	ck_assert_uint_eq(got, 3016);
	ck_assert_mem_eq(whole + 16, payload, 3000);
	/* the pseudo-header of the final destination (pseudo6: src6, dst6) */
	ck_assert_uint_eq(fold16(pseudo6(3008) + sum16(whole + 8, 3008, 0)), 0xffff);
}
END_TEST

START_TEST(flowlabels)
{
	uint8_t other[16];
	uint32_t a, label;

	memcpy(other, dst6, 16);
	other[15] = 3;
	a = ip6_own_flowlabel(src6, dst6, htons(4000), htons(9000), 0);
	ck_assert_uint_ne(a, 0);
	ck_assert_uint_le(a, 0xfffff);
	ck_assert_uint_eq(ip6_own_flowlabel(src6, dst6, htons(4000), htons(9000), 0), a);
	ck_assert_uint_ne(ip6_own_flowlabel(src6, other, htons(4000), htons(9000), 0), a);
	ck_assert_uint_ne(ip6_own_flowlabel(src6, dst6, htons(4001), htons(9000), 0), a);
	/* once connected: the socket's hash, whatever the destination */
	ck_assert_uint_eq(ip6_own_flowlabel(src6, dst6, htons(4000), htons(9000), 0x12345678),
			  ip6_own_flowlabel(src6, other, htons(4000), htons(7), 0x12345678));
	/* learnt labels by flow */
	ck_assert(!ip6_flowlabel_lookup(src6, dst6, htons(4000), htons(9000), &label));
	ip6_flowlabel_learnt(src6, dst6, htons(4000), htons(9000), 0xabcde);
	ck_assert(ip6_flowlabel_lookup(src6, dst6, htons(4000), htons(9000), &label));
	ck_assert_uint_eq(label, 0xabcde);
	ck_assert(!ip6_flowlabel_lookup(src6, other, htons(4000), htons(9000), &label));
	ck_assert(!ip6_flowlabel_lookup(src6, dst6, htons(4000), htons(9001), &label));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ip6_output");
	TCase *tc = tcase_create("frames");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, single_frame_bytes);
	tcase_add_test(tc, no_check6_tx);
	tcase_add_test(tc, udplite_coverage_frames);
	tcase_add_test(tc, gso_frame);
	tcase_add_test(tc, gso_exthdr_frame);
	tcase_add_test(tc, copied_frame);
	tcase_add_test(tc, fragment_count);
	tcase_add_test(tc, fragments);
	tcase_add_test(tc, exthdr_frames);
	tcase_add_test(tc, rthdr_frames);
	tcase_add_test(tc, flowlabels);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
