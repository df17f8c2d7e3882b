/* The IPv4 output (src/ipv4/ip_output.c, ip_output_gso.c) onto the in-memory device: the frames a
 * datagram becomes, byte for byte — fragment offsets and sizes at several MTUs with and without IP
 * options (the layout of __ip_append_data: every fragment but the last carries (MTU - H) & ~7 data
 * bytes, H = 20 + options, the last the rest once it fits MTU - H, the same ID, MF), the UFO and
 * GSO frames and what they tell the device, and the frame counter's count. No root, no namespace.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shim/dev.h"
#include "shim/dev_fault.h"
#include "shim/dev_mem.h"
#include "shim/ip_options.h"
#include "shim/ip_output.h"
#include "shim/shim_alloc.h"
#include "shim/netdev.h"
#include "shim/stats.h"
#include "shim/wire.h"

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

#define VNET 10
#define ETH  14

static uint8_t payload[65535];

static void mem_stack(bool flow)
{
	dev_mem_reset();
	netdev_stack_build(&(struct netdev_stack_conf){.bottom = &netdev_mem, .coalesce = false});
	netdev_wants_flow = flow; /* as a stack with coalescing would ask */
}

static struct udp_datagram datagram(size_t len, uint32_t mtu, struct iovec *iov)
{
	struct udp_datagram d = {
	    .saddr = htonl(0xc0000201), /* 192.0.2.1 */
	    .daddr = htonl(0xc6336402), /* 198.51.100.2 */
	    .sport = htons(4000),
	    .dport = htons(5000),
	    .tos = 0x10,
	    .ttl = 61,
	    .id = 0x1234,
	    .fragsize = mtu,
	    .oif = 3,
	    .src_mac = {2, 0, 0, 0, 0, 1},
	    .dst_mac = {2, 0, 0, 0, 0, 2},
	    .iov = iov,
	    .iovcnt = 1,
	    .len = len,
	};

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	iov[0] = (struct iovec){payload, len};
	return d;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Check frame i of a fragmented datagram laid out with an IP header of hlen bytes; the data it
 * carries is appended to *udp at its offset. Returns its data length. */
static size_t check_fragment(int i, int n, size_t hlen, size_t per, const struct udp_datagram *d,
			     uint8_t *udp)
{
	const struct dev_mem_frame *f = dev_mem_frame(i);
	const uint8_t *ip = f->data + VNET + ETH;
	size_t data = f->len - VNET - ETH - hlen;
	uint16_t frag = be16(ip + 6);
	struct virtio_net_hdr vh;

	memcpy(&vh, f->data, sizeof(vh));
	ck_assert_int_eq(vh.flags, 0); /* complete: summed in software */
	ck_assert_int_eq(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	ck_assert_int_eq(f->ifindex, 3);
	ck_assert_mem_eq(f->data + VNET, d->dst_mac, 6);
	ck_assert_int_eq(be16(f->data + VNET + 12), ETH_P_IP);
	ck_assert_int_eq(ip[0], 0x40 | (hlen / 4));
	ck_assert_int_eq(ip[1], 0x10);
	ck_assert_int_eq(be16(ip + 2), hlen + data);
	ck_assert_int_eq(be16(ip + 4), 0x1234);
	ck_assert_int_eq(ip[8], 61);
	ck_assert_int_eq(ip[9], 17);
	ck_assert_int_eq(csum_fold(csum_partial(ip, hlen, 0)), 0); /* the header checksum */
	ck_assert_uint_eq((size_t)(frag & 0x1fff) * 8, (size_t)i * per);
	if (i + 1 < n) {
		ck_assert_uint_eq(data, per);
		ck_assert(frag & 0x2000); /* MF */
	} else {
		ck_assert(!(frag & 0x2000));
	}
	memcpy(udp + (size_t)i * per, ip + hlen, data);
	return data;
}

/* Fragments built and summed by the shim (SHIM_UFO=0 or IP options): layout and content. */
static void check_fragmented(size_t len, uint32_t mtu, const struct ip_optset *opt)
{
	struct iovec iov[1];
	struct udp_datagram d = datagram(len, mtu, iov);
	size_t hlen = 20 + (opt ? opt->optlen : 0), per = (mtu - hlen) & ~(size_t)7, total = 0;
	size_t ulen = 8 + len;
	/* the last fragment takes up to mtu - hlen bytes: (mtu - hlen) - per more than the others
	 */
	int n = ulen <= mtu - hlen ? 1 : 1 + (int)((ulen - (mtu - hlen) + per - 1) / per);
	static uint8_t udp[65535 + 8];
	uint64_t frames = stats_get(STAT_FRAMES_SENT);

	d.opt = opt;
	mem_stack(false);
	dev_ufo = false;
	ck_assert_int_eq(ip_output_udp(&d, NULL), 0);
	ck_assert_int_eq(dev_mem_count(), n);
	for (int i = 0; i < n; i++)
		total += check_fragment(i, n, hlen, per, &d, udp);
	ck_assert_uint_eq(total, ulen);
	ck_assert_int_eq(be16(udp + 4), ulen);
	ck_assert_mem_eq(udp + 8, payload, len);
	/* the UDP checksum covers the whole datagram: the sum with the pseudo-header is 0 */
	ck_assert_int_eq(csum_fold(csum_partial(
			     udp, ulen, csum_pseudo_ipv4(d.saddr, d.daddr, 17, (uint16_t)ulen))),
			 0);
	if (opt != NULL) {
		/* the first fragment carries the options as built; later ones only the copied
		 * ones (the others NOPs) */
		const uint8_t *o0 = dev_mem_frame(0)->data + VNET + ETH + 20;
		const uint8_t *o1 = dev_mem_frame(n - 1)->data + VNET + ETH + 20;

		ck_assert_int_eq(o0[0], opt->data[0]);
		if (!(opt->data[0] & 0x80))
			ck_assert_int_eq(o1[0], 1); /* IPOPT_NOOP */
	}
	ck_assert_uint_eq(stats_get(STAT_FRAMES_SENT) - frames, (uint64_t)n);
	dev_ufo = true;
}

START_TEST(fragments_without_options)
{
	static const uint32_t mtus[] = {576, 1280, 1500, 1492, 9000};
	static const size_t lens[] = {1473, 2000, 3000, 8972, 8973, 20000, 65507};

	for (size_t m = 0; m < sizeof(mtus) / sizeof(mtus[0]); m++)
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
			if (28 + lens[l] > mtus[m])
				check_fragmented(lens[l], mtus[m], NULL);
}
END_TEST

START_TEST(fragments_with_options)
{
	/* record route (not copied) with room for 2 addresses, and a 4-byte copied option made of
	 * the router alert (IPOPT_RA: 0x94, copied) */
	static const uint8_t rr[] = {7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	static const uint8_t ra[] = {0x94, 4, 0, 0};
	static const uint32_t mtus[] = {576, 1280, 1500};
	struct ip_optset o;

	ck_assert_ptr_null(ip_opts_from_socket(&o, rr, sizeof(rr)));
	ck_assert_int_eq(o.optlen, 12);
	for (size_t m = 0; m < 3; m++) {
		check_fragmented(3000, mtus[m], &o);
		check_fragmented(65487, mtus[m], &o);
	}
	ck_assert_ptr_null(ip_opts_from_socket(&o, ra, sizeof(ra)));
	ck_assert_int_eq(o.optlen, 4);
	check_fragmented(5000, 1500, &o);
	{ /* a copied option stays in every fragment */
		int n = dev_mem_count();

		ck_assert_mem_eq(dev_mem_frame(n - 1)->data + VNET + ETH + 20, ra, 4);
	}
	/* an options datagram that fits is one frame, copied, with H = 20 + options */
	{
		struct iovec iov[1];
		struct udp_datagram d = datagram(100, 1500, iov);

		d.opt = &o;
		mem_stack(false);
		ck_assert_int_eq(ip_output_udp(&d, NULL), 0);
		ck_assert_int_eq(dev_mem_count(), 1);
		ck_assert_uint_eq(dev_mem_frame(0)->len, VNET + ETH + 24 + 8 + 100);
		ck_assert_int_eq(be16(dev_mem_frame(0)->data + VNET + ETH + 6), 0);
	}
}
END_TEST

/* Where the UDP checksum of a one-frame datagram is computed (udp_csum_partial, as __ip_append_data
 * and udp4_hwcsum decide): left to the device with IP options too (the vnet header asks for it
 * from the UDP header on, the field holds the pseudo-header sum) and for a frame built for the
 * neighbour queue; in software for a corked datagram (csum_sw), UDP-Lite and SO_NO_CHECK. */
static void check_one_frame_csum(struct udp_datagram *d, bool partial)
{
	struct frame_set fs;
	struct virtio_net_hdr vh;
	size_t hlen = 20 + (d->opt ? d->opt->optlen : 0), ulen = 8 + d->len;
	const uint8_t *udp;
	uint16_t field;

	ck_assert_int_eq(ip_build_udp_frames(d, &fs), 0);
	ck_assert_int_eq(fs.n, 1);
	memcpy(&vh, fs.buf, sizeof(vh));
	udp = fs.buf + VNET + ETH + hlen;
	field = (uint16_t)(udp[6] << 8 | udp[7]);
	ck_assert_mem_eq(udp + 8, payload, d->len);
	if (partial) {
		ck_assert_int_eq(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
		ck_assert_int_eq(vh.csum_start, ETH + hlen);
		ck_assert_int_eq(vh.csum_offset, 6);
		ck_assert_int_eq(field, ntohs(udp4_csum_seed(d->saddr, d->daddr, (uint16_t)ulen)));
	} else {
		ck_assert_int_eq(vh.flags, 0);
		if (d->no_check)
			ck_assert_int_eq(field, 0);
		else
			ck_assert_int_eq(
			    csum_fold(csum_partial(udp, ulen,
						   csum_pseudo_ipv4(d->saddr, d->daddr,
								    d->protocol ? d->protocol : 17,
								    (uint16_t)ulen))),
			    0);
	}
	shim_free(fs.buf);
}

START_TEST(one_frame_checksum_rule)
{
	static const uint8_t ra[] = {0x94, 4, 0, 0};
	struct ip_optset o;
	struct iovec iov[1];
	struct udp_datagram d;

	ck_assert_ptr_null(ip_opts_from_socket(&o, ra, sizeof(ra)));
	d = datagram(100, 1500, iov);
	check_one_frame_csum(&d, true);
	d.opt = &o;
	check_one_frame_csum(&d, true);
	d = datagram(1468, 1500, iov); /* 24 + 8 + 1468: exactly the MTU */
	d.opt = &o;
	check_one_frame_csum(&d, true);
	d = datagram(100, 1500, iov);
	d.csum_sw = true;
	check_one_frame_csum(&d, false);
	d = datagram(1472, 1500, iov);
	d.csum_sw = true;
	check_one_frame_csum(&d, false);
	d = datagram(100, 1500, iov);
	d.protocol = 136; /* UDP-Lite */
	check_one_frame_csum(&d, false);
	d = datagram(100, 1500, iov);
	d.no_check = true;
	check_one_frame_csum(&d, false);
	/* a corked datagram of one frame leaves copied and summed, not as a gather list */
	d = datagram(100, 1500, iov);
	d.csum_sw = true;
	mem_stack(false);
	ck_assert_int_eq(ip_output_udp(&d, NULL), 0);
	ck_assert_int_eq(dev_mem_count(), 1);
	ck_assert_int_eq(dev_mem_frame(0)->data[0], 0); /* vnet flags: complete */
}
END_TEST

/* A datagram that fits: one frame, the payload gathered from the program's buffers, the checksum
 * left to the device; the device is told it is a single datagram with its flow. */
START_TEST(single_frame_and_meta)
{
	struct iovec iov[1];
	struct udp_datagram d = datagram(1472, 1500, iov);
	const struct dev_mem_frame *f;
	struct virtio_net_hdr vh;
	uint64_t frames = stats_get(STAT_FRAMES_SENT);

	d.df = true;
	mem_stack(true);
	ck_assert_int_eq(ip_output_udp(&d, NULL), 0);
	ck_assert_int_eq(dev_mem_count(), 1);
	f = dev_mem_frame(0);
	ck_assert_uint_eq(f->len, VNET + ETH + 28 + 1472);
	memcpy(&vh, f->data, sizeof(vh));
	ck_assert_int_eq(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_int_eq(vh.csum_start, ETH + 20);
	ck_assert_int_eq(vh.csum_offset, 6);
	ck_assert_int_eq(be16(f->data + VNET + ETH + 6), 0x4000); /* DF */
	ck_assert_mem_eq(f->data + VNET + ETH + 28, payload, 1472);
	ck_assert(f->has_meta);
	ck_assert_int_eq(f->meta.proto, ETH_P_IP);
	ck_assert_int_eq(f->meta.l3_off, VNET + ETH);
	ck_assert_int_eq(f->meta.l4_off, VNET + ETH + 20);
	ck_assert_int_eq(f->meta.hdr_len, VNET + ETH + 28);
	ck_assert_int_eq(f->meta.flags, DEV_META_SINGLE | DEV_META_SKB);
	ck_assert_uint_eq(f->meta.priority, 0);
	ck_assert_uint_eq(f->meta.mark, 0);
	ck_assert_int_eq(f->meta.segs, 1);
	ck_assert_int_eq(f->meta.id, 0x1234);
	ck_assert_uint_eq(f->meta.payload_len, 1472);
	ck_assert_int_eq(f->meta.flow_len, 31);
	ck_assert_mem_eq(f->meta.flow, f->data + VNET, ETH); /* the link header ... */
	ck_assert_mem_eq(f->meta.flow + ETH + 5, f->data + VNET + ETH + 12, 12); /* ports */
	ck_assert_uint_eq(stats_get(STAT_FRAMES_SENT) - frames, 1);
	/* another ID, another length: the same flow; another port: another flow */
	{
		struct dev_meta first = f->meta;

		d.id = 0x1235;
		d.len = 100;
		iov[0].iov_len = 100;
		ck_assert_int_eq(ip_output_udp(&d, NULL), 0);
		f = dev_mem_frame(1);
		ck_assert_int_eq(f->meta.id, 0x1235);
		ck_assert_mem_eq(f->meta.flow, first.flow, first.flow_len);
		d.dport = htons(5001);
		ck_assert_int_eq(ip_output_udp(&d, NULL), 0);
		ck_assert(memcmp(dev_mem_frame(2)->meta.flow, first.flow, first.flow_len) != 0);
	}
	/* without a device that merges flows, no flow identity is made */
	mem_stack(false);
	ck_assert_int_eq(ip_output_udp(&d, NULL), 0);
	ck_assert_int_eq(dev_mem_frame(0)->meta.flow_len, 0);
}
END_TEST

/* The skb's priority and mark (__ip_make_skb) reach the device with every frame: a single frame,
 * a UFO frame, and each fragment of a copied datagram. */
START_TEST(skb_priority_mark)
{
	struct iovec iov[1];
	struct udp_datagram d = datagram(100, 1500, iov);

	d.priority = 0x10005;
	d.mark = 42;
	mem_stack(false);
	ck_assert_int_eq(ip_output_udp(&d, NULL), 0);
	d.len = 4000;
	iov[0].iov_len = 4000;
	ck_assert_int_eq(ip_output_udp(&d, NULL), 0); /* UFO */
	d.no_check = true;			      /* not plain: fragments, copied */
	ck_assert_int_eq(ip_output_udp(&d, NULL), 0);
	ck_assert_int_eq(dev_mem_count(), 1 + 1 + 3);
	for (int i = 0; i < dev_mem_count(); i++) {
		const struct dev_mem_frame *f = dev_mem_frame(i);

		ck_assert(f->has_meta);
		ck_assert(f->meta.flags & DEV_META_SKB);
		ck_assert_uint_eq(f->meta.priority, 0x10005);
		ck_assert_uint_eq(f->meta.mark, 42);
	}
}
END_TEST

/* A plain datagram over the MTU: one UFO frame (VIRTIO_NET_HDR_GSO_UDP, gso_size (MTU-20)&~7)
 * that counts as its fragments. */
START_TEST(ufo_frame)
{
	struct iovec iov[1];
	struct udp_datagram d = datagram(4000, 1500, iov);
	const struct dev_mem_frame *f;
	struct virtio_net_hdr vh;
	uint64_t frames = stats_get(STAT_FRAMES_SENT);

	mem_stack(false);
	ck_assert(dev_ufo);
	ck_assert_int_eq(ip_output_udp(&d, NULL), 0);
	ck_assert_int_eq(dev_mem_count(), 1);
	f = dev_mem_frame(0);
	memcpy(&vh, f->data, sizeof(vh));
	ck_assert_int_eq(vh.gso_type, VIRTIO_NET_HDR_GSO_UDP);
	ck_assert_int_eq(vh.gso_size, 1480);
	ck_assert_int_eq(be16(f->data + VNET + ETH + 2), 20 + 8 + 4000);
	ck_assert_int_eq(f->meta.segs, 3);
	ck_assert_int_eq(f->meta.flags, DEV_META_SKB); /* never merged */
	ck_assert_uint_eq(stats_get(STAT_FRAMES_SENT) - frames, 3);
}
END_TEST

/* UDP_SEGMENT: one VIRTIO_NET_HDR_GSO_UDP_L4 frame holding the whole payload, counted as its
 * segments. */
START_TEST(gso_frame)
{
	struct iovec iov[1];
	struct udp_datagram d = datagram(10 * 1400 + 100, 1500, iov);
	const struct dev_mem_frame *f;
	struct virtio_net_hdr vh;
	uint64_t frames = stats_get(STAT_FRAMES_SENT);

	d.gso_size = 1400;
	mem_stack(false);
	ck_assert_int_eq(ip_output_udp(&d, NULL), 0);
	ck_assert_int_eq(dev_mem_count(), 1);
	f = dev_mem_frame(0);
	memcpy(&vh, f->data, sizeof(vh));
	ck_assert_int_eq(vh.gso_type, VIRTIO_NET_HDR_GSO_UDP_L4);
	ck_assert_int_eq(vh.gso_size, 1400);
	ck_assert_int_eq(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_int_eq(vh.hdr_len, ETH + 28);
	ck_assert_uint_eq(f->len, VNET + ETH + 28 + 14100);
	ck_assert_int_eq(be16(f->data + VNET + ETH + 2), 28 + 14100);
	ck_assert_int_eq(be16(f->data + VNET + ETH + 24), 8 + 14100);
	ck_assert_mem_eq(f->data + VNET + ETH + 28, payload, 14100);
	ck_assert_int_eq(f->meta.segs, 11);
	ck_assert_uint_eq(stats_get(STAT_FRAMES_SENT) - frames, 11);
}
END_TEST

/* What ip_output answers when the device fails: the device's errno, nothing counted. */
START_TEST(device_errors)
{
	struct iovec iov[1];
	struct udp_datagram d = datagram(100, 1500, iov);
	struct xmit_fault_rules r;
	char why[100];
	uint64_t frames;

	dev_mem_reset();
	ck_assert_int_eq(
	    xmit_fault_parse("enobufs@1,enetdown@2,eagain@3,short@5", &r, why, sizeof(why)), 0);
	dev_fault_configure(&r);
	netdev_stack_build(&(struct netdev_stack_conf){.bottom = &netdev_mem, .fault = true});
	frames = stats_get(STAT_FRAMES_SENT);
	ck_assert_int_eq(ip_output_udp(&d, NULL), -ENOBUFS);
	ck_assert_int_eq(ip_output_udp(&d, NULL), -ENETDOWN);
	d.dontwait = true;
	ck_assert_int_eq(ip_output_udp(&d, NULL), -EAGAIN);
	ck_assert_int_eq(dev_mem_count(), 0);
	ck_assert_uint_eq(stats_get(STAT_FRAMES_SENT), frames);
	/* fragments: frame 5 (the second) ends the batch short; the rest go on the next round */
	d.len = 3000;
	iov[0].iov_len = 3000;
	dev_ufo = false;
	ck_assert_int_eq(ip_output_udp(&d, NULL), -ENOBUFS);
	ck_assert_int_eq(dev_mem_count(), 1);
	dev_ufo = true;
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ip_output");
	TCase *tc = tcase_create("frames");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, fragments_without_options);
	tcase_add_test(tc, fragments_with_options);
	tcase_add_test(tc, one_frame_checksum_rule);
	tcase_add_test(tc, single_frame_and_meta);
	tcase_add_test(tc, skb_priority_mark);
	tcase_add_test(tc, ufo_frame);
	tcase_add_test(tc, gso_frame);
	tcase_add_test(tc, device_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
