/* A socket's flow label leases as the shim learns them (ip6_flowlabel.c: ipv6_flowlabel_opt_learn
 * after a successful IPV6_FLOWLABEL_MGR, fl6_sock_lookup before a send), with the kernel's rules
 * of net/ipv6/ip6_flowlabel.c: a GET that surely made the lease (IPV6_FL_F_EXCL, an exclusive
 * share) is the socket's own without options; a GET of a label it holds links it again, a PUT
 * unlinks one; a shared GET may have joined another socket's lease (options unknown). The bench
 * scenarios v6_flowlabel_mgr and v6_flowlabel_lease_shim compare the datagrams with the kernel's.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "shim/ip6_flowlabel.h"

enum { GET = 0, PUT = 1, RENEW = 2 };
enum { S_NONE = 0, S_EXCL = 1, S_ANY = 255 };
enum { F_CREATE = 1, F_EXCL = 2 };

/* struct in6_flowlabel_req with dst 2001:db8:1::2 */
static void req(uint8_t r[32], uint32_t label, uint8_t action, uint8_t share, uint16_t flags)
{
	uint32_t be = htonl(label);

	memset(r, 0, 32);
	r[0] = 0x20, r[1] = 0x01, r[2] = 0x0d, r[3] = 0xb8, r[5] = 0x01, r[15] = 0x02;
	memcpy(r + 16, &be, 4);
	r[20] = action;
	r[21] = share;
	memcpy(r + 22, &flags, 2);
}

static void learn(struct ip6_fl_socklist *l, uint32_t *fl, uint32_t label, uint8_t action,
		  uint8_t share, uint16_t flags, unsigned optlen)
{
	uint8_t r[32];

	req(r, label, action, share, flags);
	ipv6_flowlabel_opt_learn(l, r, optlen, fl);
}

static enum fl6_lookup lookup(const struct ip6_fl_socklist *l, uint32_t label)
{
	const char *why = NULL;
	enum fl6_lookup v = fl6_sock_lookup(l, htonl(label), &why);

	if (v == FL6_UNKNOWN)
		ck_assert_ptr_nonnull(why);
	return v;
}

START_TEST(exclusive_lease)
{
	struct ip6_fl_socklist l;
	uint32_t fl = htonl(0x0a0bcde); /* connected with the label (tclass bits 0x0a) */

	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(lookup(&l, 0xbcde), FL6_NOT_HELD);
	learn(&l, &fl, 0xbcde, GET, S_EXCL, F_CREATE, 32);
	ck_assert_int_eq(lookup(&l, 0xbcde), FL6_HELD);
	/* the traffic class bits of fl6.flowlabel are not the label's */
	ck_assert_int_eq(fl6_sock_lookup(&l, htonl(0x0ff0bcde), &(const char *){NULL}), FL6_HELD);
	ck_assert_int_eq(lookup(&l, 0x1), FL6_NOT_HELD);
	learn(&l, &fl, 0xbcde, RENEW, S_NONE, 0, 32);
	ck_assert_int_eq(lookup(&l, 0xbcde), FL6_HELD);
	/* PUT: gone, and the connected flow's label cleared (its traffic class bits stay) */
	learn(&l, &fl, 0xbcde, PUT, S_NONE, 0, 32);
	ck_assert_int_eq(lookup(&l, 0xbcde), FL6_NOT_HELD);
	ck_assert_uint_eq(ntohl(fl), 0x0a00000);
	/* IPV6_FL_F_EXCL with a shared share: made by this request too */
	learn(&l, &fl, 0x1111, GET, S_ANY, F_CREATE | F_EXCL, 32);
	ck_assert_int_eq(lookup(&l, 0x1111), FL6_HELD);
}
END_TEST

START_TEST(links_and_joins)
{
	struct ip6_fl_socklist l;
	uint32_t fl = 0;

	memset(&l, 0, sizeof(l));
	/* a shared GET without IPV6_FL_F_EXCL may have joined another socket's lease */
	learn(&l, &fl, 0x2222, GET, S_ANY, F_CREATE, 32);
	ck_assert_int_eq(lookup(&l, 0x2222), FL6_UNKNOWN);
	/* options after the request: the lease carries them */
	learn(&l, &fl, 0x3333, GET, S_EXCL, F_CREATE, 56);
	ck_assert_int_eq(lookup(&l, 0x3333), FL6_UNKNOWN);
	/* a second GET of a label the socket holds links it again: one PUT leaves it held */
	learn(&l, &fl, 0x4444, GET, S_ANY, F_CREATE | F_EXCL, 32);
	learn(&l, &fl, 0x4444, GET, S_ANY, F_CREATE, 32);
	learn(&l, &fl, 0x4444, PUT, S_NONE, 0, 32);
	ck_assert_int_eq(lookup(&l, 0x4444), FL6_HELD);
	learn(&l, &fl, 0x4444, PUT, S_NONE, 0, 32);
	ck_assert_int_eq(lookup(&l, 0x4444), FL6_NOT_HELD);
	/* a PUT of a label the shim did not see taken: the list is not known whole */
	learn(&l, &fl, 0x5555, PUT, S_NONE, 0, 32);
	ck_assert_int_eq(lookup(&l, 0x6666), FL6_UNKNOWN);
}
END_TEST

START_TEST(too_many)
{
	struct ip6_fl_socklist l;
	uint32_t fl = 0;

	memset(&l, 0, sizeof(l));
	for (uint32_t i = 1; i <= IP6_FL_SOCK_MAX; i++)
		learn(&l, &fl, i, GET, S_EXCL, F_CREATE, 32);
	ck_assert_int_eq(lookup(&l, IP6_FL_SOCK_MAX), FL6_HELD);
	ck_assert_int_eq(lookup(&l, 0x777), FL6_NOT_HELD);
	learn(&l, &fl, 0x999, GET, S_EXCL, F_CREATE, 32);
	ck_assert_int_eq(lookup(&l, 0x999), FL6_UNKNOWN);
	ck_assert_int_eq(lookup(&l, 1), FL6_HELD);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ip6_flowlabel");
	TCase *tc = tcase_create("leases");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, exclusive_lease);
	tcase_add_test(tc, links_and_joins);
	tcase_add_test(tc, too_many);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
