/* UDP GSO: udp_send_skb's checks in their order and at their limits (udp_gso.c), the EFAULT that
 * comes before them, and the super-packet frame handed to the packet socket (ip_output_gso.c). */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <linux/virtio_net.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shim/shim_alloc.h"
#include "shim/ip_output_gso.h"
#include "shim/udp_gso.h"

static int check(size_t datalen, unsigned gso, uint32_t mtu, bool no_check, bool udplite)
{
	struct udp_gso_req r = {datalen, gso, 28, mtu, no_check, udplite};

	return udp_gso_check(&r);
}

START_TEST(gso_size_zero_is_plain)
{
	ck_assert_int_eq(check(65507, 0, 1500, true, true), UDP_GSO_PLAIN);
	ck_assert_uint_eq(udp_gso_maxsize(0, 1500), 1500);
	ck_assert_uint_eq(udp_gso_maxsize(1, 1500), 65535);
}
END_TEST

START_TEST(gso_mtu_bound)
{
	ck_assert_int_eq(check(2944, 1472, 1500, false, false), UDP_GSO_SEGMENT);
	ck_assert_int_eq(check(1472, 1472, 1500, false, false), UDP_GSO_PLAIN);
	ck_assert_int_eq(check(1000, 1473, 1500, false, false), UDP_GSO_PLAIN);
	ck_assert_int_eq(check(1472, 1473, 1500, false, false), UDP_GSO_PLAIN);
	ck_assert_int_eq(check(1473, 1473, 1500, false, false), -EMSGSIZE);
	ck_assert_int_eq(check(3000, 1473, 1500, false, false), -EMSGSIZE);
	ck_assert_int_eq(check(3756, 1252, 1280, false, false), UDP_GSO_SEGMENT);
	ck_assert_int_eq(check(2506, 1253, 1280, false, false), -EMSGSIZE);
}
END_TEST

START_TEST(gso_segment_limit)
{
	ck_assert_int_eq(UDP_GSO_MAX_SEGMENTS, 128);
	ck_assert_int_eq(check(12800, 100, 1500, false, false), UDP_GSO_SEGMENT);
	ck_assert_int_eq(check(12801, 100, 1500, false, false), -EINVAL);
	ck_assert_int_eq(check(128, 1, 1500, false, false), UDP_GSO_SEGMENT);
	ck_assert_int_eq(check(129, 1, 1500, false, false), -EINVAL);
}
END_TEST

START_TEST(gso_check_order)
{
	/* every condition at once: the MTU bound first, then the count, SO_NO_CHECK, UDP-Lite */
	ck_assert_int_eq(check(65507, 1473, 1500, true, true), -EMSGSIZE);
	ck_assert_int_eq(check(65507, 10, 1500, true, true), -EINVAL);
	ck_assert_int_eq(check(100, 1000, 1500, true, true), -EINVAL);
	ck_assert_int_eq(check(100, 1000, 1500, false, true), -EIO);
	ck_assert_int_eq(check(3000, 1000, 1500, false, true), -EIO);
}
END_TEST

START_TEST(gso_error_after_readable_payload)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iovec good[2] = {{m, 100}, {m + 200, 5000}};
	struct iovec bad[3] = {{m, 100}, {NULL, 0}, {m + pg, 10}};
	struct iovec tail[1] = {{m + pg - 10, 20}};

	ck_assert_ptr_ne(m, MAP_FAILED);
	ck_assert_int_eq(mprotect(m + pg, pg, PROT_NONE), 0);
	ck_assert_int_eq(udp_gso_error(-EMSGSIZE, good, 2, 5100), -EFAULT); /* runs into page 2 */
	good[1].iov_len = 100;
	ck_assert_int_eq(udp_gso_error(-EMSGSIZE, good, 2, 200), -EMSGSIZE);
	ck_assert_int_eq(udp_gso_error(-EINVAL, bad, 3, 110), -EFAULT);
	ck_assert_int_eq(udp_gso_error(-EINVAL, bad, 3, 100), -EINVAL); /* len ends before */
	ck_assert_int_eq(udp_gso_error(-EIO, tail, 1, 20), -EFAULT);
	ck_assert_int_eq(udp_gso_error(-EIO, tail, 1, 10), -EIO);
	munmap(m, 2 * pg);
}
END_TEST

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

START_TEST(gso_frame_layout)
{
	static uint8_t payload[3000];
	struct iovec iov[2] = {{payload, 1234}, {payload + 1234, 3000 - 1234}};
	struct udp_datagram d = {0};
	struct virtio_net_hdr vh;
	struct frame_set fs;
	const uint8_t *eth, *ip, *udp;
	uint32_t sum = 0;

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	d.saddr = htonl(0xC0000201);
	d.daddr = htonl(0xC0000202);
	d.sport = htons(4000);
	d.dport = htons(9000);
	d.tos = 0x28;
	d.ttl = 33;
	d.id = 0xfffe;
	d.df = false;
	d.iov = iov;
	d.iovcnt = 2;
	d.len = 3000;
	d.gso_size = 1000;
	memcpy(d.dst_mac, "\x02\x00\x00\x00\x0b\x02", 6);
	memcpy(d.src_mac, "\x02\x00\x00\x00\x0a\x01", 6);
	ck_assert_uint_eq(ip_gso_segments(&d), 3);
	ck_assert_int_eq(ip_build_udp_gso_frame(&d, &fs), 0);
	ck_assert_int_eq(fs.n, 1);
	ck_assert_uint_eq(fs.off[1], 10 + 14 + 20 + 8 + 3000);

	memcpy(&vh, fs.buf, sizeof(vh));
	ck_assert_uint_eq(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_uint_eq(vh.gso_type, 5 /* VIRTIO_NET_HDR_GSO_UDP_L4 */);
	ck_assert_uint_eq(vh.gso_size, 1000);
	ck_assert_uint_eq(vh.hdr_len, 42);
	ck_assert_uint_eq(vh.csum_start, 34);
	ck_assert_uint_eq(vh.csum_offset, 6);

	eth = fs.buf + 10;
	ip = eth + 14;
	udp = ip + 20;
	ck_assert_int_eq(memcmp(eth, d.dst_mac, 6), 0);
	ck_assert_uint_eq(be16(eth + 12), 0x0800);
	ck_assert_uint_eq(ip[0], 0x45);
	ck_assert_uint_eq(ip[1], 0x28);
	ck_assert_uint_eq(be16(ip + 2), 3028);
	ck_assert_uint_eq(be16(ip + 4), 0xfffe);
	ck_assert_uint_eq(be16(ip + 6), 0); /* no DF, no MF */
	ck_assert_uint_eq(ip[8], 33);
	ck_assert_uint_eq(ip[9], 17);
	for (int i = 0; i < 20; i += 2)
		sum += be16(ip + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ck_assert_uint_eq(sum, 0xffff); /* valid header checksum */
	ck_assert_uint_eq(be16(udp), 4000);
	ck_assert_uint_eq(be16(udp + 2), 9000);
	ck_assert_uint_eq(be16(udp + 4), 3008);
	/* the folded, uncomplemented pseudo-header sum over the whole UDP length */
	sum = 0xC000 + 0x0201 + 0xC000 + 0x0202 + 17 + 3008;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ck_assert_uint_eq(be16(udp + 6), sum);
	ck_assert_int_eq(memcmp(udp + 8, payload, 3000), 0);
	shim_free(fs.buf);
}
END_TEST

START_TEST(gso_frame_efault)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iovec iov = {m, 2000};
	struct udp_datagram d = {0};
	struct frame_set fs;

	ck_assert_ptr_ne(m, MAP_FAILED);
	d.iov = &iov;
	d.iovcnt = 1;
	d.len = 2000;
	d.gso_size = 500;
	ck_assert_int_eq(ip_build_udp_gso_frame(&d, &fs), -EFAULT);
	ck_assert_ptr_null(fs.buf);
	munmap(m, pg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("udp_gso");
	TCase *tc = tcase_create("udp_send_skb");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, gso_size_zero_is_plain);
	tcase_add_test(tc, gso_mtu_bound);
	tcase_add_test(tc, gso_segment_limit);
	tcase_add_test(tc, gso_check_order);
	tcase_add_test(tc, gso_error_after_readable_payload);
	suite_add_tcase(s, tc);
	tc = tcase_create("frame");
	tcase_add_test(tc, gso_frame_layout);
	tcase_add_test(tc, gso_frame_efault);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
