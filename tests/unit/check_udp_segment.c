/* UDP_SEGMENT (udp_sendmsg → udp_send_skb's GSO checks → ip_output) driven from the send calls onto
 * the in-memory device (check_udp_core.h): a datagram longer than its gso_size leaves as one
 * super-packet frame the device segments (virtio_net_hdr: GSO_UDP_L4, gso_size, hdr_len the
 * headers, the checksum left to the device: csum_start at UDP, offset 6, the pseudo-header sum over
 * the whole length in the field), counted as its segments; one not longer leaves as a plain frame;
 * the size, segment-count and SO_NO_CHECK refusals are udp_send_skb's errnos. Set by setsockopt
 * and by the UDP_SEGMENT control message alike. */
#include "check_udp_core.h"

#include "shim/stats.h"
#include "shim/udp_gso.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

static uint8_t pay[65536];

static void fill(void)
{
	for (size_t i = 0; i < sizeof(pay); i++)
		pay[i] = (uint8_t)(i * 29 + 1);
}

/* Frame i: one GSO super-packet of len payload bytes in segments of gso bytes. */
static void check_gso_frame(int i, int fd, uint8_t host, uint16_t dport, size_t len, uint16_t gso)
{
	static uint8_t copy[PAY + 65536];
	const struct dev_mem_frame *f = dev_mem_frame(i);
	struct sockaddr_in to = core_dest(host, dport);
	struct virtio_net_hdr vh;
	uint16_t sport = core_port(fd);

	ck_assert_ptr_nonnull(f);
	memcpy(&vh, f->data, sizeof(vh));
	ck_assert_int_eq(vh.gso_type, VIRTIO_NET_HDR_GSO_UDP_L4);
	ck_assert_int_eq(vh.gso_size, gso);
	ck_assert_int_eq(vh.hdr_len, ETH + 28);
	ck_assert_int_eq(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_int_eq(vh.csum_start, ETH + 20);
	ck_assert_int_eq(vh.csum_offset, 6);
	ck_assert_uint_eq(f->len, PAY + len);
	ck_assert_int_eq(f->meta.segs, (len + gso - 1) / gso);
	memcpy(copy, f->data, f->len);
	ck_assert_mem_eq(copy + VNET, hop_mac, 6);
	ck_assert_mem_eq(copy + VNET + 6, dev_mac, 6);
	ck_assert_int_eq(copy[L3], 0x45);
	ck_assert_int_eq(be16(copy + L3 + 2), 28 + len);
	ck_assert_int_eq(be16(copy + L3 + 6) & 0x3fff, 0);
	ck_assert_int_eq(copy[L3 + 8], FIXED_TTL);
	ck_assert_int_eq(csum_fold(csum_partial(copy + L3, 20, 0)), 0);
	ck_assert_mem_eq(copy + L3 + 16, &to.sin_addr.s_addr, 4);
	ck_assert_mem_eq(copy + L4, &sport, 2);
	ck_assert_mem_eq(copy + L4 + 2, &to.sin_port, 2);
	ck_assert_int_eq(be16(copy + L4 + 4), 8 + len);
	/* the field: the pseudo-header sum of the whole datagram, not complemented (what
	 * udp4_hwcsum leaves for CHECKSUM_PARTIAL) */
	{
		uint16_t field,
		    want = (uint16_t)~csum_fold(csum_pseudo_ipv4(
			htonl(0xc0000201), to.sin_addr.s_addr, 17, (uint16_t)(8 + len)));

		memcpy(&field, copy + L4 + 6, 2);
		ck_assert_int_eq(field, want);
	}
	ck_assert_mem_eq(copy + PAY, pay, len);
	check_udp_csum(&vh, copy + L4, 8 + len, htonl(0xc0000201), to.sin_addr.s_addr);
}

START_TEST(segment_by_setsockopt)
{
	struct sockaddr_in to = core_dest(2, 6000);
	uint64_t frames;
	int fd;

	fill();
	core_setup(1500);
	fd = core_socket();
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, 1400), 0);
	frames = stats_get(STAT_FRAMES_SENT);
	ck_assert_int_eq(core_sendto(fd, pay, 10 * 1400 + 100, 0, &to), 14100);
	ck_assert_int_eq(dev_mem_count(), 1);
	check_gso_frame(0, fd, 2, 6000, 14100, 1400);
	ck_assert_uint_eq(stats_get(STAT_FRAMES_SENT) - frames, 11);
	/* an exact multiple; the largest datagram, 47 segments */
	ck_assert_int_eq(core_sendto(fd, pay, 2800, 0, &to), 2800);
	check_gso_frame(1, fd, 2, 6000, 2800, 1400);
	ck_assert_int_eq(core_sendto(fd, pay, 65507, 0, &to), 65507);
	check_gso_frame(2, fd, 2, 6000, 65507, 1400);
	/* not longer than gso_size: a plain frame (udp_send_skb: no GSO) */
	ck_assert_int_eq(core_sendto(fd, pay, 1400, 0, &to), 1400);
	ck_assert_int_eq(dev_mem_count(), 4);
	{
		struct virtio_net_hdr vh;

		memcpy(&vh, dev_mem_frame(3)->data, sizeof(vh));
		ck_assert_int_eq(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		ck_assert_int_eq(dev_mem_frame(3)->meta.segs, 1);
	}
	check_datagram_frame(3, core_port(fd), 2, 6000, pay, 1400);
	core_close(fd);
	core_teardown();
}
END_TEST

/* The UDP_SEGMENT control message gives the same frame, and overrides the socket's size. */
START_TEST(segment_by_cmsg)
{
	struct sockaddr_in to = core_dest(3, 6001);
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {pay, 5000};
	struct msghdr mh = {.msg_name = &to,
			    .msg_namelen = sizeof(to),
			    .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = (struct cmsghdr *)u.buf;
	uint16_t gso = 1000;
	int fd;

	fill();
	core_setup(1500);
	fd = core_socket();
	memset(&u, 0, sizeof(u));
	c->cmsg_level = IPPROTO_UDP; /* SOL_UDP */
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(gso));
	memcpy(CMSG_DATA(c), &gso, sizeof(gso));
	ck_assert_int_eq(sys_sendmsg(fd, &mh, 0), 5000);
	ck_assert_int_eq(dev_mem_count(), 1);
	check_gso_frame(0, fd, 3, 6001, 5000, 1000);
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, 1400), 0);
	gso = 500;
	memcpy(CMSG_DATA(c), &gso, sizeof(gso));
	ck_assert_int_eq(sys_sendmsg(fd, &mh, 0), 5000);
	check_gso_frame(1, fd, 3, 6001, 5000, 500);
	core_close(fd);
	core_teardown();
}
END_TEST

/* udp_send_skb's refusals: a segment that does not fit the MTU (EMSGSIZE here, as udp_gso.c
 * says), more than UDP_MAX_SEGMENTS segments (128 since Linux 6.9; udp_gso.h), SO_NO_CHECK: nothing
 * reaches the device. */
START_TEST(segment_refused)
{
	struct sockaddr_in to = core_dest(4, 6002);
	int fd;

	fill();
	core_setup(576);
	fd = core_socket();
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, 549), 0);
	ck_assert_int_eq(core_sendto(fd, pay, 2000, 0, &to), -EMSGSIZE);
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, 548), 0);
	ck_assert_int_eq(core_sendto(fd, pay, 2000, 0, &to), 2000);
	ck_assert_int_eq(dev_mem_count(), 1);
	check_gso_frame(0, fd, 4, 6002, 2000, 548);
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, 100), 0);
	ck_assert_int_eq(core_sendto(fd, pay, 100 * UDP_GSO_MAX_SEGMENTS, 0, &to),
			 100 * UDP_GSO_MAX_SEGMENTS);
	check_gso_frame(1, fd, 4, 6002, 100 * UDP_GSO_MAX_SEGMENTS, 100);
	ck_assert_int_eq(core_sendto(fd, pay, 100 * UDP_GSO_MAX_SEGMENTS + 1, 0, &to), -EINVAL);
	ck_assert_int_eq(core_setsockopt(fd, SOL_SOCKET, SO_NO_CHECK, 1), 0);
	ck_assert_int_eq(core_sendto(fd, pay, 1000, 0, &to), -EINVAL);
	ck_assert_int_eq(dev_mem_count(), 2);
	core_close(fd);
	core_teardown();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("udp_segment");
	TCase *tc = tcase_create("gso");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, segment_by_setsockopt);
	tcase_add_test(tc, segment_by_cmsg);
	tcase_add_test(tc, segment_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
