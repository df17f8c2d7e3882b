/* The per-family frame descriptors (udp_frame_ipv4, udp_frame_ipv6 in include/shim/wire.h) and
 * udp_frame_patch, which the header template (ipv4/hdr_template.c) and the send fast path
 * (inet/udp_fastpath.c) complete a flow's headers with: for IPv4 the result is byte for byte the
 * headers wire_put_eth/wire_put_ipv4/wire_put_udp build for the same datagram; for IPv6 only the
 * payload length and the UDP fields are written. */
#include <arpa/inet.h>
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shim/wire.h"

static const uint8_t dst_mac[6] = {2, 0, 0, 0, 0, 2}, src_mac[6] = {2, 0, 0, 0, 0, 1};

/* the headers built field by field, with the UDP checksum seeded by the pseudo-header sum */
static void build_ipv4(uint8_t *eth, uint32_t s, uint32_t d, uint16_t ulen, uint16_t id,
		       uint16_t frag)
{
	struct eth_hdr_fields e = {.ethertype = 0x0800};
	struct ipv4_hdr_fields ip = {.tos = 0x10,
				     .total_len = (uint16_t)(IPV4_HLEN_MIN + ulen),
				     .id = id,
				     .frag = frag,
				     .ttl = 64,
				     .protocol = 17,
				     .saddr = s,
				     .daddr = d};

	memcpy(e.dst, dst_mac, 6);
	memcpy(e.src, src_mac, 6);
	wire_put_eth(eth, &e);
	wire_put_ipv4(eth + ETH_HLEN_BYTES, &ip);
	wire_put_udp(eth + ETH_HLEN_BYTES + IPV4_HLEN_MIN, htons(4000), htons(53), ulen,
		     (uint16_t)~csum_fold(csum_pseudo_ipv4(s, d, 17, ulen)));
}

START_TEST(ipv4_patch_matches_built_headers)
{
	const struct udp_frame_desc *D = &udp_frame_ipv4;
	uint32_t s = htonl(0xc0000201), d = htonl(0xcb007102);
	uint8_t tpl[UDP_FRAME_HDR_MAX], want[UDP_FRAME_HDR_MAX], got[UDP_FRAME_HDR_MAX];
	uint32_t ip_base, pseudo_base;
	static const uint16_t lens[] = {8, 9, 72, 1480, 65507};
	static const uint16_t ids[] = {0, 1, 0x8000, 0xffff};

	ck_assert_uint_eq(D->ethertype, 0x0800);
	ck_assert_uint_eq(D->hdr_len, 42);
	/* the template: the flow's headers with what the patch writes zero */
	build_ipv4(tpl, s, d, 0, 0, 0);
	memset(tpl + D->iplen_off, 0, 2);
	memset(tpl + D->csum_off, 0, 2);
	memset(tpl + D->l4_off + 6, 0, 2);
	ip_base = csum_partial(tpl + D->l3_off, D->l3_len, 0);
	pseudo_base = csum_pseudo_ipv4(s, d, 17, 0);
	for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (unsigned j = 0; j < sizeof(ids) / sizeof(ids[0]); j++) {
			for (int df = 0; df < 2; df++) {
				uint16_t ulen = lens[i], frag = df ? IP_DF : 0;

				build_ipv4(want, s, d, ulen, ids[j], frag);
				memcpy(got, tpl, D->hdr_len);
				udp_frame_patch(D, got, ulen, htons(ids[j]), htons(frag), ip_base,
						pseudo_base);
				ck_assert_mem_eq(got, want, D->hdr_len);
			}
		}
	}
}
END_TEST

START_TEST(ipv6_patch_writes_lengths_and_udp)
{
	const struct udp_frame_desc *D = &udp_frame_ipv6;
	uint8_t tpl[UDP_FRAME_HDR_MAX], got[UDP_FRAME_HDR_MAX];
	uint16_t ulen = 1240, v;

	ck_assert_uint_eq(D->ethertype, 0x86DD);
	ck_assert_uint_eq(D->hdr_len, 62);
	ck_assert_uint_eq(D->l4_off, 54);
	memset(tpl, 0xAA, sizeof(tpl));
	memset(tpl + D->iplen_off, 0, 2);
	memset(tpl + D->l4_off + 4, 0, 4);
	memcpy(got, tpl, sizeof(got));
	udp_frame_patch(D, got, ulen, htons(7), htons(IP_DF), 0x1234, 0x5678);
	memcpy(&v, got + D->l3_off + 4, 2); /* payload_len: the UDP datagram */
	ck_assert_uint_eq(ntohs(v), ulen);
	memcpy(&v, got + D->l4_off + 4, 2);
	ck_assert_uint_eq(ntohs(v), ulen);
	memcpy(&v, got + D->l4_off + 6, 2);
	ck_assert_uint_eq(v, (uint16_t)~csum_fold(0x5678 + htons(ulen)));
	/* nothing else: no ID, fragment field or header checksum in an IPv6 header */
	memset(got + D->iplen_off, 0, 2);
	memset(got + D->l4_off + 4, 0, 4);
	ck_assert_mem_eq(got, tpl, sizeof(got));
}
END_TEST

/* RFC 1071 over 16-bit big-endian words, independently of csum_partial. */
static uint16_t ref_sum(const uint8_t *p, size_t n)
{
	uint32_t t = 0;

	for (size_t i = 0; i < n; i += 2)
		t += (uint32_t)(p[i] << 8) | (i + 1 < n ? p[i + 1] : 0);
	while (t >> 16)
		t = (t & 0xffff) + (t >> 16);
	return (uint16_t)t;
}

/* skb_checksum_help (the AF_XDP device's software checksum): a frame whose UDP checksum field holds
 * the pseudo-header sum (what a NEEDS_CSUM frame carries) gets the checksum a receiver verifies;
 * a sum of 0 goes as 0xFFFF; a field outside the frame is refused. */
START_TEST(checksum_help_completes_partial)
{
	uint8_t f[14 + 20 + 8 + 37];
	const size_t start = 34, ulen = sizeof(f) - 34;
	uint32_t s = htonl(0xc0000201), d = htonl(0xc0000202);
	uint8_t ph[12];

	for (size_t i = 42; i < sizeof(f); i++)
		f[i] = (uint8_t)(i * 7 + 3);
	build_ipv4(f, s, d, (uint16_t)ulen, 0x1234, 0);
	ck_assert_int_eq(skb_checksum_help(f, sizeof(f), start, 6), 0);
	memcpy(ph, &s, 4);
	memcpy(ph + 4, &d, 4);
	ph[8] = 0;
	ph[9] = 17;
	ph[10] = 0;
	ph[11] = (uint8_t)ulen;
	/* pseudo-header + datagram (with the checksum) sums to 0xFFFF */
	{
		uint8_t all[12 + sizeof(f) - 34];

		memcpy(all, ph, 12);
		memcpy(all + 12, f + start, ulen);
		ck_assert_uint_eq(ref_sum(all, sizeof(all)), 0xffff);
	}
	/* choose the last two payload bytes so that the sum is 0xFFFF: the checksum computed is 0
	 */
	f[sizeof(f) - 1] = 0; /* odd length: the last byte alone pads to a word */
	build_ipv4(f, s, d, (uint16_t)ulen, 0x1234, 0);
	f[sizeof(f) - 3] = f[sizeof(f) - 2] = 0;
	{
		uint8_t all[12 + sizeof(f) - 34];
		uint16_t rest;

		memcpy(all, ph, 12);
		memcpy(all + 12, f + start, ulen);
		all[12 + 6] = all[12 + 7] = 0;
		rest = (uint16_t)~ref_sum(all, sizeof(all));
		/* the two bytes at an even offset from the UDP header: a whole word of the sum */
		ck_assert_int_eq((sizeof(f) - 3 - start) % 2, 0);
		f[sizeof(f) - 3] = (uint8_t)(rest >> 8);
		f[sizeof(f) - 2] = (uint8_t)rest;
	}
	ck_assert_int_eq(skb_checksum_help(f, sizeof(f), start, 6), 0);
	ck_assert_uint_eq(f[start + 6], 0xff);
	ck_assert_uint_eq(f[start + 7], 0xff);
	ck_assert_int_eq(skb_checksum_help(f, sizeof(f), start, ulen - 1), -1);
	ck_assert_int_eq(skb_checksum_help(f, sizeof(f), sizeof(f) + 1, 0), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("udp_frame");
	TCase *tc = tcase_create("patch");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, ipv4_patch_matches_built_headers);
	tcase_add_test(tc, ipv6_patch_writes_lengths_and_udp);
	tcase_add_test(tc, checksum_help_completes_partial);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
