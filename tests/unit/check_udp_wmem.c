/* Send-buffer accounting of an idle socket (udp_wmem.c): skb truesizes and the ENOBUFS boundaries
 * measured on this kernel (SO_SNDBUFFORCE at the smallest sk_sndbuf that lets a datagram through a
 * veth; the bench scenarios sndbuf_enobufs_* compare them with the kernel's answers). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "shim/udp_wmem.h"

START_TEST(truesize_measured)
{
	ck_assert_uint_eq(udp_wmem_truesize(68 + 31), 832);	/* MTU 68: small-head cache */
	ck_assert_uint_eq(udp_wmem_truesize(572 + 31), 1280);	/* MTU 576 */
	ck_assert_uint_eq(udp_wmem_truesize(996 + 31), 2304);	/* MTU 1000 */
	ck_assert_uint_eq(udp_wmem_truesize(1276 + 31), 2304);	/* MTU 1280 */
	ck_assert_uint_eq(udp_wmem_truesize(1500 + 31), 2304);	/* MTU 1500 */
	ck_assert_uint_eq(udp_wmem_truesize(8996 + 31), 16640); /* MTU 9000 */
}
END_TEST

/* one uncorked datagram of ulen bytes on an idle socket */
static int idle(int sndbuf, unsigned mtu, unsigned hlen, size_t ulen)
{
	struct udp_wmem_queue q = {0, 0, false, 0};

	return udp_wmem_append(&q, sndbuf, mtu, hlen, ulen);
}

/* the smallest sk_sndbuf measured for a payload at an MTU; 2 below it is refused */
static void boundary(unsigned mtu, size_t payload, int sndbuf)
{
	ck_assert_int_eq(idle(sndbuf, mtu, 20, 8 + payload), 0);
	ck_assert_int_eq(idle(sndbuf - 2, mtu, 20, 8 + payload), -ENOBUFS);
}

START_TEST(enobufs_measured)
{
	boundary(1500, 5913, 4610);
	boundary(1500, 7393, 5762);
	boundary(1500, 20000, 14978);
	boundary(1500, 65507, 50690);
	boundary(68, 800, 6658);
	boundary(68, 3000, 25794);
	boundary(576, 8000, 8962);
	boundary(576, 4416, 5122);
	boundary(1000, 30000, 34562);
	boundary(1280, 8000, 6914);
	boundary(9000, 30000, 24962);
	/* the last skb takes up to the MTU: 4410 bytes at 576 fit in 8 skbs with sk_sndbuf 4608 */
	ck_assert_int_eq(idle(4608, 576, 20, 8 + 4410), 0);
	/* one skb never fails; nor a datagram that fits the minimum buffer */
	ck_assert_int_eq(idle(4608, 1500, 20, 8 + 1472), 0);
	ck_assert_int_eq(idle(4608, 1500, 20, 8 + 4433), 0);
	/* IP options: 24-byte header, 1472 per fragment, the last up to 1476 */
	ck_assert_int_eq(idle(4608, 1500, 24, 8 + 5884), 0);
	ck_assert_int_eq(idle(4608, 1500, 24, 8 + 5885), -ENOBUFS);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("udp_wmem");
	TCase *tc = tcase_create("idle");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, truesize_measured);
	tcase_add_test(tc, enobufs_measured);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
