/* The family-neutral address and flow (include/shim/addr.h, flow.h) and their netlink attributes
 * (src/route/rtnl.h): an IPv4 value compares on its 4 bytes, an IPv6 one on 16, the families never
 * equal each other, attributes take the family's length, and an IPv4 flow hashes to the slot the
 * IPv4-only key did (so cache behaviour is unchanged); a socket's addresses read per family. */
#include <arpa/inet.h>
#include <check.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/route/rtnl.h"
#include "shim/addr.h"
#include "shim/flow.h"
#include "shim/sock.h"

static struct shim_addr a6(const char *s)
{
	uint8_t b[16];

	ck_assert_int_eq(inet_pton(AF_INET6, s, b), 1);
	return shim_addr_v6(b);
}

START_TEST(addr_equal_per_family)
{
	struct shim_addr x = shim_addr_v4(htonl(0xc0000201)), y = shim_addr_v4(htonl(0xc0000201));
	struct shim_addr z = shim_addr_v4(htonl(0xc0000202));
	struct shim_addr p = a6("2001:db8::1"), q = a6("2001:db8::1"), r = a6("2001:db8::2");
	struct shim_addr mapped = a6("::ffff:192.0.2.1"), none = {0};

	ck_assert(shim_addr_equal(&x, &y));
	ck_assert(!shim_addr_equal(&x, &z));
	ck_assert(shim_addr_equal(&p, &q));
	ck_assert(!shim_addr_equal(&p, &r));
	/* the same bytes in another family are another address */
	ck_assert(!shim_addr_equal(&x, &mapped));
	memset(&q, 0, sizeof(q));
	q.family = AF_INET6;
	memcpy(q.v6, &x.v4, 4);
	ck_assert(!shim_addr_equal(&x, &q));
	/* IPv4 compares its 4 bytes only, whatever is behind them */
	y.w[3] = 0xdeadbeef;
	ck_assert(shim_addr_equal(&x, &y));
	ck_assert(shim_addr_any(&none));
	ck_assert(!shim_addr_any(&x));
	ck_assert_uint_eq(shim_addr_len(AF_INET), 4);
	ck_assert_uint_eq(shim_addr_len(AF_INET6), 16);
	ck_assert_uint_eq(shim_addr_len(AF_UNSPEC), 0);
}
END_TEST

START_TEST(addr_from_checks_length)
{
	uint8_t bytes[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 7};
	struct shim_addr a = shim_addr_v4(htonl(0xc0000201)), keep = a;

	ck_assert(!shim_addr_from(&a, AF_INET, bytes, 16));
	ck_assert(!shim_addr_from(&a, AF_INET6, bytes, 4));
	ck_assert(!shim_addr_from(&a, AF_UNSPEC, bytes, 0));
	ck_assert(shim_addr_equal(&a, &keep));
	ck_assert(shim_addr_from(&a, AF_INET6, bytes, 16));
	ck_assert_int_eq(a.family, AF_INET6);
	ck_assert_mem_eq(a.v6, bytes, 16);
	ck_assert(shim_addr_from(&a, AF_INET, bytes, 4));
	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_uint_eq(a.v4, htonl(0x20010db8));
	ck_assert_uint_eq(a.w[1] | a.w[2] | a.w[3], 0);
}
END_TEST

/* rtnl_put_addr/rtnl_get_addr: NDA_DST/RTA_DST of 4 bytes for IPv4, 16 for IPv6 */
START_TEST(netlink_attr_lengths)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct shim_addr v4 = shim_addr_v4(htonl(0xc6336401)), v6 = a6("2001:db8::42"), got;
	const struct nlattr *at;
	int n = 0;

	mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg));
	rtnl_put_addr(nlh, RTA_DST, &v4);
	rtnl_put_addr(nlh, RTA_GATEWAY, &v6);
	mnl_attr_for_each(at, nlh, sizeof(struct rtmsg))
	{
		if (n == 0) {
			ck_assert_uint_eq(mnl_attr_get_type(at), RTA_DST);
			ck_assert_uint_eq(mnl_attr_get_payload_len(at), 4);
			ck_assert_uint_eq(mnl_attr_get_u32(at), htonl(0xc6336401));
			ck_assert(rtnl_get_addr(at, AF_INET, &got));
			ck_assert(shim_addr_equal(&got, &v4));
			ck_assert(
			    !rtnl_get_addr(at, AF_INET6, &got)); /* 4 bytes are no IPv6 address */
		} else {
			ck_assert_uint_eq(mnl_attr_get_type(at), RTA_GATEWAY);
			ck_assert_uint_eq(mnl_attr_get_payload_len(at), 16);
			ck_assert_mem_eq(mnl_attr_get_payload(at), v6.v6, 16);
			ck_assert(rtnl_get_addr(at, AF_INET6, &got));
			ck_assert(shim_addr_equal(&got, &v6));
			ck_assert(!rtnl_get_addr(at, AF_INET, &got));
		}
		n++;
	}
	ck_assert_int_eq(n, 2);
}
END_TEST

START_TEST(flowi4_key)
{
	struct shim_flowi a, b;
	uint32_t d = htonl(0xcb007101), s = htonl(0xc0000201);
	uint32_t old;

	shim_flowi4_init_output(&a, 3, 7, 0x10, 1000, d, s, htons(53), htons(4000));
	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_uint_eq(a.ip4.daddr, d);
	ck_assert_uint_eq(a.ip4.saddr, s);
	ck_assert_uint_eq(a.ip4.dport, htons(53));
	ck_assert_uint_eq(a.ip4.sport, htons(4000));
	b = a;
	ck_assert(shim_flowi_equal(&a, &b));
	/* every field is part of the key */
	b.uid = 1001;
	ck_assert(!shim_flowi_equal(&a, &b));
	b = a;
	b.ip4.dport = htons(54);
	ck_assert(!shim_flowi_equal(&a, &b));
	b = a;
	b.ip4.tos = 0x14;
	ck_assert(!shim_flowi_equal(&a, &b));
	b = a;
	b.family = AF_INET6;
	ck_assert(!shim_flowi_equal(&a, &b));
	struct shim_addr da = shim_flowi_daddr(&a), sa = shim_flowi_saddr(&a);
	ck_assert(shim_addr_equal(&da, &(struct shim_addr){.family = AF_INET, .v4 = d}));
	ck_assert_uint_eq(sa.v4, s);
	/* the slot of the IPv4-only key it replaces */
	old = d * 2654435761u ^ s * 40503u ^ 3u * 97u ^ 0x10u * 31u ^ 7u * 13u;
	ck_assert_uint_eq(shim_flowi_hash(&a), old);
}
END_TEST

START_TEST(flowi6_key)
{
	struct shim_flowi a, b;
	struct shim_addr d = a6("2001:db8::1"), s = a6("2001:db8::2");

	memset(&a, 0, sizeof(a));
	a.family = AF_INET6;
	a.oif = 2;
	memcpy(&a.ip6.daddr, d.v6, 16);
	memcpy(&a.ip6.saddr, s.v6, 16);
	a.ip6.dport = htons(53);
	b = a;
	ck_assert(shim_flowi_equal(&a, &b));
	b.ip6.daddr.s6_addr[15] = 3;
	ck_assert(!shim_flowi_equal(&a, &b));
	b = a;
	b.ip6.flowlabel = htonl(0x12345);
	ck_assert(!shim_flowi_equal(&a, &b));
	struct shim_addr got = shim_flowi_daddr(&a);
	ck_assert(shim_addr_equal(&got, &d));
	got = shim_flowi_saddr(&a);
	ck_assert(shim_addr_equal(&got, &s));
	b = a;
	b.ip6.daddr.s6_addr[15] = 3;
	ck_assert_uint_ne(shim_flowi_hash(&a), shim_flowi_hash(&b));
}
END_TEST

/* sk_daddr/sk_rcv_saddr and inet6_sk by the socket's family */
START_TEST(sock_addresses)
{
	static struct shim_sock sk;
	struct shim_addr d6 = a6("2001:db8::7"), b6 = a6("::ffff:198.51.100.9"), got;

	sk.family = AF_INET;
	sk.daddr = htonl(0xc0000207);
	sk.rcv_saddr = htonl(0xc6336409);
	ck_assert_ptr_null(inet6_sk(&sk));
	got = sk_daddr(&sk);
	ck_assert_int_eq(got.family, AF_INET);
	ck_assert_uint_eq(got.v4, htonl(0xc0000207));
	got = sk_rcv_saddr(&sk);
	ck_assert_uint_eq(got.v4, htonl(0xc6336409));

	sk.family = AF_INET6;
	memcpy(&sk.v6_daddr, d6.v6, 16);
	memcpy(&sk.v6_rcv_saddr, b6.v6, 16);
	ck_assert_ptr_eq(inet6_sk(&sk), &sk.ipv6);
	got = sk_daddr(&sk);
	ck_assert(shim_addr_equal(&got, &d6));
	got = sk_rcv_saddr(&sk);
	ck_assert(shim_addr_equal(&got, &b6)); /* v4-mapped: an IPv6 address of the socket */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("addr");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, addr_equal_per_family);
	tcase_add_test(tc, addr_from_checks_length);
	tcase_add_test(tc, netlink_attr_lengths);
	tcase_add_test(tc, flowi4_key);
	tcase_add_test(tc, flowi6_key);
	tcase_add_test(tc, sock_addresses);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
