/* ip_options (compile, build, fragment) and udp_csum (SO_NO_CHECK, UDP-Lite coverage) on the
 * byte examples of udp4-send-path.md 5.6 and 5.8, verified on 6.18. */
#include <arpa/inet.h>
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shim/ip_options.h"
#include "shim/udp_csum.h"
#include "shim/wire.h"

static const uint8_t SRC[4] = {192, 0, 2, 1};

static uint32_t src_addr(void)
{
	uint32_t a;

	memcpy(&a, SRC, 4);
	return a;
}

static void build(const char *hex_in, uint8_t *out, struct ip_optset *o, bool cmsg)
{
	uint8_t in[64];
	size_t n = strlen(hex_in) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned v;

		sscanf(hex_in + 2 * i, "%2x", &v);
		in[i] = (uint8_t)v;
	}
	ck_assert_ptr_null(cmsg ? ip_opts_from_cmsg(o, in, n) : ip_opts_from_socket(o, in, n));
	ip_opts_build(o, src_addr(), out);
}

static uint32_t ms_of_day(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint32_t)(ts.tv_sec % 86400) * 1000u + (uint32_t)(ts.tv_nsec / 1000000);
}

START_TEST(nops_and_end_padding)
{
	struct ip_optset o;
	uint8_t out[40];
	const uint8_t want[4] = {1, 1, 1, 0};
	const uint8_t zeros[8] = {0};

	build("010101", out, &o, false);
	ck_assert_uint_eq(o.optlen, 4);
	ck_assert_mem_eq(out, want, 4);
	build("0001ffff01", out, &o, true); /* END then junk: all zero */
	ck_assert_uint_eq(o.optlen, 8);
	ck_assert_mem_eq(out, zeros, 8);
}
END_TEST

START_TEST(record_route_gets_the_source)
{
	struct ip_optset o;
	uint8_t out[40];
	const uint8_t want[12] = {7, 11, 8, 192, 0, 2, 1, 0, 0, 0, 0, 0};

	build("070b040000000000000000", out, &o, true);
	ck_assert_uint_eq(o.optlen, 12);
	ck_assert_mem_eq(out, want, 12);
	/* pointer past the end: sent unchanged */
	build("07070800000000", out, &o, false);
	ck_assert_uint_eq(out[2], 8);
	ck_assert_uint_eq(out[3] | out[4] | out[5] | out[6], 0);
}
END_TEST

START_TEST(timestamps_carry_ms_since_midnight)
{
	struct ip_optset o;
	uint8_t out[40];
	uint32_t t, now;

	build("440c05000000000000000000", out, &o, true);
	now = ms_of_day();
	ck_assert_uint_eq(out[2], 9);
	memcpy(&t, out + 4, 4);
	t = ntohl(t);
	ck_assert_uint_le(t > now ? t - now : now - t, 2000);
	ck_assert_uint_eq(out[8] | out[9] | out[10] | out[11], 0);

	build("440c05010000000000000000", out, &o, false);
	ck_assert_uint_eq(out[2], 13);
	ck_assert_mem_eq(out + 4, SRC, 4);
	memcpy(&t, out + 8, 4);
	ck_assert_uint_lt(ntohl(t), 86400000u);
}
END_TEST

START_TEST(fragments_keep_only_copied_options)
{
	struct ip_optset o;
	uint8_t out[40];
	const uint8_t want[16] = {0x94, 4, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};

	build("94040000070b040000000000000000", out, &o, false);
	ip_opts_fragment(out, o.optlen);
	ck_assert_mem_eq(out, want, 16);
}
END_TEST

START_TEST(what_stays_with_the_kernel)
{
	struct ip_optset o;
	const uint8_t lsrr[7] = {0x83, 7, 4, 192, 0, 2, 2};
	const uint8_t ts_prespec[12] = {0x44, 12, 5, 3, 192, 0, 2, 1};
	const uint8_t sec[11] = {0x82, 11};
	const uint8_t rr_short[4] = {7, 2, 4, 0};
	const uint8_t rr_twice[14] = {7, 7, 4, 0, 0, 0, 0, 7, 7, 4};
	const uint8_t ra_short[4] = {0x94, 3, 0, 0};
	const uint8_t ts_full[8] = {0x44, 8, 9, 0xf0};

	ck_assert_ptr_nonnull(ip_opts_from_socket(&o, lsrr, sizeof(lsrr)));
	ck_assert_ptr_nonnull(ip_opts_from_socket(&o, ts_prespec, sizeof(ts_prespec)));
	ck_assert_ptr_null(ip_opts_from_socket(&o, sec, sizeof(sec)));	/* the kernel accepted it */
	ck_assert_ptr_nonnull(ip_opts_from_cmsg(&o, sec, sizeof(sec))); /* CAP_NET_RAW check */
	ck_assert_ptr_nonnull(ip_opts_from_cmsg(&o, rr_short, sizeof(rr_short)));
	ck_assert_ptr_nonnull(ip_opts_from_cmsg(&o, rr_twice, sizeof(rr_twice)));
	ck_assert_ptr_nonnull(ip_opts_from_cmsg(&o, ra_short, sizeof(ra_short)));
	ck_assert_ptr_nonnull(ip_opts_from_cmsg(&o, ts_full, sizeof(ts_full))); /* overflow 15 */
}
END_TEST

START_TEST(at_most_40_bytes)
{
	struct ip_optset o;
	uint8_t in[44];

	memset(in, 1, sizeof(in));
	ck_assert_ptr_null(ip_opts_from_cmsg(&o, in, sizeof(in)));
	ck_assert_uint_eq(o.optlen, 40);
}
END_TEST

/* The UDP header of a datagram built by udp_put_header_csum, and whether its checksum is right
 * over cover bytes with the full length in the pseudo-header. */
static uint16_t udp_lenfield(const uint8_t *u)
{
	return (uint16_t)(u[4] << 8 | u[5]);
}

static int udp_sum_ok(const struct udp_datagram *d, const uint8_t *u, size_t ulen, size_t cover)
{
	uint32_t s =
	    csum_add(csum_pseudo_ipv4(d->saddr, d->daddr, udp_datagram_protocol(d), (uint16_t)ulen),
		     csum_partial(u, cover, 0));

	return csum_fold(s) == 0;
}

START_TEST(udplite_coverage_rules)
{
	struct udp_datagram d;
	uint8_t u[8 + 100];

	memset(&d, 0, sizeof(d));
	d.saddr = src_addr();
	d.daddr = htonl(0xc0000202);
	d.sport = htons(5000);
	d.dport = htons(9000);
	d.protocol = IPPROTO_UDPLITE;
	for (size_t i = 0; i < 100; i++)
		u[8 + i] = (uint8_t)(i * 7);
	udp_put_header_csum(&d, u, sizeof(u)); /* option unset: full */
	ck_assert_uint_eq(udp_lenfield(u), sizeof(u));
	ck_assert(udp_sum_ok(&d, u, sizeof(u), sizeof(u)));
	d.cscov_set = true;
	d.cscov = 0; /* field 0, full coverage */
	udp_put_header_csum(&d, u, sizeof(u));
	ck_assert_uint_eq(udp_lenfield(u), 0);
	ck_assert(udp_sum_ok(&d, u, sizeof(u), sizeof(u)));
	d.cscov = 20;
	udp_put_header_csum(&d, u, sizeof(u));
	ck_assert_uint_eq(udp_lenfield(u), 20);
	ck_assert(udp_sum_ok(&d, u, sizeof(u), 20));
	u[50] ^= 0xff; /* uncovered: the same checksum */
	ck_assert(udp_sum_ok(&d, u, sizeof(u), 20));
	d.cscov = 200; /* beyond the datagram: full length, full coverage */
	udp_put_header_csum(&d, u, sizeof(u));
	ck_assert_uint_eq(udp_lenfield(u), sizeof(u));
	ck_assert(udp_sum_ok(&d, u, sizeof(u), sizeof(u)));
	d.no_check = true; /* no effect on UDP-Lite */
	udp_put_header_csum(&d, u, sizeof(u));
	ck_assert(u[6] != 0 || u[7] != 0);
	d.protocol = 0; /* UDP with SO_NO_CHECK: 0 */
	udp_put_header_csum(&d, u, sizeof(u));
	ck_assert_uint_eq(u[6] | u[7], 0);
	ck_assert_uint_eq(udp_lenfield(u), sizeof(u));
}
END_TEST

static Suite *ip_options_suite(void)
{
	Suite *s = suite_create("ip_options");
	TCase *tc = tcase_create("ip_options");

	tcase_add_test(tc, nops_and_end_padding);
	tcase_add_test(tc, record_route_gets_the_source);
	tcase_add_test(tc, timestamps_carry_ms_since_midnight);
	tcase_add_test(tc, fragments_keep_only_copied_options);
	tcase_add_test(tc, what_stays_with_the_kernel);
	tcase_add_test(tc, at_most_40_bytes);
	suite_add_tcase(s, tc);
	tc = tcase_create("udp_csum");
	tcase_add_test(tc, udplite_coverage_rules);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ip_options_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
