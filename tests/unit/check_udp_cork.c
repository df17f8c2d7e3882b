/* The cork (src/inet/udp_cork.c) driven from the send calls onto the in-memory device
 * (check_udp_core.h): pieces appended with MSG_MORE and pushed by a send without it, or by
 * setsockopt(UDP_CORK, 0), leave as one datagram with the concatenated payload; the header fields
 * the kernel takes at the push (__ip_make_skb: the TTL, DF and ID of the socket's settings then)
 * are the push's, the TOS the first send's; the checksums are right; a corked datagram over the
 * MTU leaves fragmented; a cork growing beyond 65507 bytes is EMSGSIZE and discarded. */
#include "check_udp_core.h"

#include <netinet/udp.h>

#ifndef UDP_CORK
#define UDP_CORK 1
#endif

static uint8_t pay[65536];

static void fill(void)
{
	for (size_t i = 0; i < sizeof(pay); i++)
		pay[i] = (uint8_t)(i * 13 + 5);
}

START_TEST(msg_more_then_push)
{
	struct sockaddr_in to = core_dest(2, 5000);
	int fd;
	const uint8_t *ip;

	fill();
	core_setup(1500);
	fd = core_socket();
	ck_assert_int_eq(core_sendto(fd, pay, 100, MSG_MORE, &to), 100);
	ck_assert_int_eq(core_sendto(fd, pay + 100, 200, MSG_MORE, &to), 200);
	ck_assert_int_eq(dev_mem_count(), 0); /* held */
	/* a later piece's address is not looked at: the cork's flow stays */
	{
		struct sockaddr_in other = core_dest(9, 6000);

		ck_assert_int_eq(core_sendto(fd, pay + 300, 300, 0, &other), 300);
	}
	ck_assert_int_eq(dev_mem_count(), 1);
	check_datagram_frame(0, core_port(fd), 2, 5000, pay, 600);
	ip = dev_mem_frame(0)->data + L3;
	ck_assert_int_eq(ip[1], 0);		/* TOS */
	ck_assert_int_eq(ip[8], FIXED_TTL);	/* the route's TTL (IP_TTL not set) */
	ck_assert_int_eq(be16(ip + 6), 0x4000); /* DF: IP_PMTUDISC_WANT, fits the MTU */
	/* the next send is a datagram of its own */
	ck_assert_int_eq(core_sendto(fd, pay, 10, 0, &to), 10);
	ck_assert_int_eq(dev_mem_count(), 2);
	check_datagram_frame(1, core_port(fd), 2, 5000, pay, 10);
	core_close(fd);
	core_teardown();
}
END_TEST

/* Settings changed between the first piece and the push: TTL and DF (with the ID rule that
 * follows it: 0 for a DF datagram under IP_PMTUDISC_DO) are the push's, the TOS the first send's.
 */
START_TEST(push_time_fields)
{
	struct sockaddr_in to = core_dest(3, 5001);
	const uint8_t *ip;
	int fd;

	fill();
	core_setup(1500);
	fd = core_socket();
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_IP, IP_TOS, 0x28), 0);
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT), 0);
	ck_assert_int_eq(core_sendto(fd, pay, 50, MSG_MORE, &to), 50);
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_IP, IP_TOS, 0x10), 0);
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_IP, IP_TTL, 33), 0);
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO), 0);
	ck_assert_int_eq(core_sendto(fd, pay + 50, 70, 0, &to), 70);
	ck_assert_int_eq(dev_mem_count(), 1);
	check_datagram_frame(0, core_port(fd), 3, 5001, pay, 120);
	ip = dev_mem_frame(0)->data + L3;
	ck_assert_int_eq(ip[1], 0x28);
	ck_assert_int_eq(ip[8], 33);
	ck_assert_int_eq(be16(ip + 6), 0x4000);
	ck_assert_int_eq(be16(ip + 4), 0); /* ID 0: DF under IP_PMTUDISC_DO */
	/* and the other way: DONT at the push, no DF, an ID of the destination's counter */
	ck_assert_int_eq(core_sendto(fd, pay, 50, MSG_MORE, &to), 50);
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT), 0);
	ck_assert_int_eq(core_sendto(fd, pay + 50, 50, 0, &to), 50);
	ck_assert_int_eq(dev_mem_count(), 2);
	check_datagram_frame(1, core_port(fd), 3, 5001, pay, 100);
	ck_assert_int_eq(be16(dev_mem_frame(1)->data + L3 + 6), 0);
	core_close(fd);
	core_teardown();
}
END_TEST

/* UDP_CORK: every send appends; setsockopt(UDP_CORK, 0) pushes. */
START_TEST(udp_cork_push_by_setsockopt)
{
	struct sockaddr_in to = core_dest(4, 5002);
	int fd;

	fill();
	core_setup(1500);
	fd = core_socket();
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_UDP, UDP_CORK, 1), 0);
	ck_assert_int_eq(core_sendto(fd, pay, 10, 0, &to), 10);
	ck_assert_int_eq(core_sendto(fd, pay + 10, 20, 0, &to), 20);
	ck_assert_int_eq(core_sendto(fd, pay + 30, 30, MSG_MORE, &to), 30);
	ck_assert_int_eq(dev_mem_count(), 0);
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_UDP, UDP_CORK, 0), 0);
	ck_assert_int_eq(dev_mem_count(), 1);
	check_datagram_frame(0, core_port(fd), 4, 5002, pay, 60);
	/* uncorked: each send its own datagram */
	ck_assert_int_eq(core_sendto(fd, pay, 5, 0, &to), 5);
	ck_assert_int_eq(dev_mem_count(), 2);
	check_datagram_frame(1, core_port(fd), 4, 5002, pay, 5);
	/* corked again, pushed by a send after UDP_CORK 0 ... with MSG_MORE it stays held */
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_UDP, UDP_CORK, 1), 0);
	ck_assert_int_eq(core_sendto(fd, pay, 7, 0, &to), 7);
	ck_assert_int_eq(dev_mem_count(), 2);
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_UDP, UDP_CORK, 0), 0);
	ck_assert_int_eq(dev_mem_count(), 3);
	check_datagram_frame(2, core_port(fd), 4, 5002, pay, 7);
	/* a push with nothing pending sends nothing */
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_UDP, UDP_CORK, 0), 0);
	ck_assert_int_eq(dev_mem_count(), 3);
	core_close(fd);
	core_teardown();
}
END_TEST

/* A corked datagram over the MTU: fragments (SHIM_UFO=0) of (MTU - 20) & ~7 bytes, the same ID,
 * reassembling to the UDP header and the concatenated pieces; with UFO one frame. */
START_TEST(corked_over_mtu_fragments)
{
	static const uint32_t mtus[] = {576, 1500};
	static uint8_t udp[65536];

	fill();
	for (size_t m = 0; m < 2; m++) {
		uint32_t mtu = mtus[m];
		size_t per = (mtu - 20) & ~(size_t)7, ulen = 8 + 4000, got = 0;
		int n = (int)((ulen + per - 1) / per), fd;
		struct sockaddr_in to = core_dest(5, 5003);
		uint16_t id0 = 0;

		core_setup(mtu);
		dev_ufo = false;
		fd = core_socket();
		ck_assert_int_eq(core_sendto(fd, pay, 1000, MSG_MORE, &to), 1000);
		ck_assert_int_eq(core_sendto(fd, pay + 1000, 2500, MSG_MORE, &to), 2500);
		ck_assert_int_eq(core_sendto(fd, pay + 3500, 500, 0, &to), 500);
		ck_assert_int_eq(dev_mem_count(), n);
		for (int i = 0; i < n; i++) {
			const struct dev_mem_frame *f = dev_mem_frame(i);
			const uint8_t *ip = f->data + L3;
			size_t data = f->len - L3 - 20;
			uint16_t frag = be16(ip + 6);

			if (i == 0)
				id0 = be16(ip + 4);
			ck_assert_int_eq(be16(ip + 4), id0);
			ck_assert_int_eq(be16(ip + 2), 20 + data);
			ck_assert_int_eq(csum_fold(csum_partial(ip, 20, 0)), 0);
			ck_assert_uint_eq((size_t)(frag & 0x1fff) * 8, (size_t)i * per);
			ck_assert_int_eq(!!(frag & 0x2000), i + 1 < n); /* MF */
			ck_assert(!(frag & 0x4000));			/* no DF: too big */
			if (i + 1 < n)
				ck_assert_uint_eq(data, per);
			memcpy(udp + got, ip + 20, data);
			got += data;
		}
		ck_assert_uint_eq(got, ulen);
		ck_assert_int_eq(be16(udp + 4), ulen);
		ck_assert_mem_eq(udp + 8, pay, 4000);
		{
			struct virtio_net_hdr vh = {0};

			check_udp_csum(&vh, udp, ulen, htonl(0xc0000201), to.sin_addr.s_addr);
		}
		/* with UFO: one frame for the device to fragment */
		dev_ufo = true;
		dev_mem_reset();
		ck_assert_int_eq(core_sendto(fd, pay, 3000, MSG_MORE, &to), 3000);
		ck_assert_int_eq(core_sendto(fd, pay + 3000, 1000, 0, &to), 1000);
		ck_assert_int_eq(dev_mem_count(), 1);
		{
			const struct dev_mem_frame *f = dev_mem_frame(0);
			struct virtio_net_hdr vh;

			memcpy(&vh, f->data, sizeof(vh));
			ck_assert_int_eq(vh.gso_type, VIRTIO_NET_HDR_GSO_UDP);
			ck_assert_int_eq(vh.gso_size, per);
			ck_assert_uint_eq(f->len, PAY + 4000);
			ck_assert_mem_eq(f->data + PAY, pay, 4000);
		}
		core_close(fd);
		core_teardown();
	}
}
END_TEST

/* __ip_append_data: the cork may hold up to 65507 payload bytes; a piece beyond is EMSGSIZE and
 * discards the whole pending datagram (udp_flush_pending_frames). */
START_TEST(cork_beyond_65507)
{
	struct sockaddr_in to = core_dest(6, 5004);
	int fd;

	fill();
	core_setup(1500);
	fd = core_socket();
	ck_assert_int_eq(core_sendto(fd, pay, 65000, MSG_MORE, &to), 65000);
	ck_assert_int_eq(core_sendto(fd, pay, 508, MSG_MORE, &to), -EMSGSIZE);
	ck_assert_int_eq(dev_mem_count(), 0);
	/* nothing pending any more: this is a datagram of its own */
	ck_assert_int_eq(core_sendto(fd, pay, 10, 0, &to), 10);
	ck_assert_int_eq(dev_mem_count(), 1);
	check_datagram_frame(0, core_port(fd), 6, 5004, pay, 10);
	/* exactly 65507 is one datagram (a UFO frame) */
	ck_assert_int_eq(core_sendto(fd, pay, 65000, MSG_MORE, &to), 65000);
	ck_assert_int_eq(core_sendto(fd, pay + 65000, 507, MSG_MORE, &to), 507);
	ck_assert_int_eq(core_sendto(fd, pay, 1, MSG_MORE, &to), -EMSGSIZE);
	ck_assert_int_eq(core_sendto(fd, pay, 65000, MSG_MORE, &to), 65000);
	ck_assert_int_eq(core_sendto(fd, pay + 65000, 507, 0, &to), 507);
	ck_assert_int_eq(dev_mem_count(), 2);
	ck_assert_uint_eq(dev_mem_frame(1)->len, PAY + 65507);
	ck_assert_int_eq(be16(dev_mem_frame(1)->data + L3 + 2), 65535);
	ck_assert_mem_eq(dev_mem_frame(1)->data + PAY, pay, 65507);
	/* under IP_PMTUDISC_DO the limit is the MTU */
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO), 0);
	ck_assert_int_eq(core_sendto(fd, pay, 1000, MSG_MORE, &to), 1000);
	ck_assert_int_eq(core_sendto(fd, pay, 473, MSG_MORE, &to), -EMSGSIZE);
	ck_assert_int_eq(core_sendto(fd, pay, 1000, MSG_MORE, &to), 1000);
	ck_assert_int_eq(core_sendto(fd, pay + 1000, 472, 0, &to), 472);
	ck_assert_int_eq(dev_mem_count(), 3);
	check_datagram_frame(2, core_port(fd), 6, 5004, pay, 1472);
	core_close(fd);
	core_teardown();
}
END_TEST

/* A connected socket (to 127.0.0.1, the fixed answers covering 127.0.0.0/8): the corked datagram
 * goes to the peer and takes its ID from the socket's counter at the push, between the plain
 * datagrams before and after it. */
START_TEST(connected_cork_id_at_push)
{
	const uint32_t peer_addr = htonl(0x7f000001);
	const uint16_t peer_port = htons(5005);
	struct shim_sock *sk;
	int fd;

	fill();
	core_setup(1500);
	fd = core_connect_loopback(5005);
	ck_assert_int_eq(sys_sendto(fd, pay, 1, 0, NULL, 0), 1); /* the socket's state read */
	ck_assert_int_eq(fdtable_lookup(fd, &sk), FD_OWNED);
	sk->ip_id = 0x1000;
	dev_mem_reset();
	ck_assert_int_eq(sys_sendto(fd, pay, 11, 0, NULL, 0), 11);
	ck_assert_int_eq(sys_sendto(fd, pay, 40, MSG_MORE, NULL, 0), 40);
	ck_assert_int_eq(dev_mem_count(), 1);
	ck_assert_int_eq(sys_sendto(fd, pay + 40, 60, 0, NULL, 0), 60);
	ck_assert_int_eq(sys_sendto(fd, pay, 12, 0, NULL, 0), 12);
	ck_assert_int_eq(dev_mem_count(), 3);
	for (int i = 0; i < 3; i++) {
		const uint8_t *fr = dev_mem_frame(i)->data;
		size_t len = i == 1 ? 100 : (size_t)(11 + i / 2);

		ck_assert_uint_eq(dev_mem_frame(i)->len, PAY + len);
		ck_assert_int_eq(be16(fr + L3 + 4), 0x1001 + i);
		ck_assert_mem_eq(fr + L3 + 16, &peer_addr, 4);
		ck_assert_mem_eq(fr + L4 + 2, &peer_port, 2);
		ck_assert_mem_eq(fr + PAY, pay, len);
		ck_assert_int_eq(csum_fold(csum_partial(fr + L3, 20, 0)), 0);
	}
	shim_sock_put(sk);
	core_close(fd);
	core_teardown();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("udp_cork");
	TCase *tc = tcase_create("cork");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, msg_more_then_push);
	tcase_add_test(tc, push_time_fields);
	tcase_add_test(tc, udp_cork_push_by_setsockopt);
	tcase_add_test(tc, corked_over_mtu_fragments);
	tcase_add_test(tc, cork_beyond_65507);
	tcase_add_test(tc, connected_cork_id_at_push);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
