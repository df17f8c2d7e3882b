/* hdr_template: the headers a template gives (hdr_template_build, patched by udp_frame_patch; the
 * fast path's and the general path's one-frame datagrams) are the bytes a full build gives
 * (wire_put_eth, wire_put_ipv4, wire_put_udp with the checksum seed, the vnet header), for several
 * lengths, IDs, fragment fields and flows, including header words whose unfolded sum is near
 * 2^32, where the patch must not lose a carry. Bytes only, no traffic. */
#include <arpa/inet.h>
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "shim/dev.h"
#include "shim/hdr_template.h"
#include "shim/wire.h"

static void full_build(uint8_t *out, const struct udp_datagram *d)
{
	struct eth_hdr_fields eth;
	struct ipv4_hdr_fields ip;
	uint16_t ulen = (uint16_t)(UDP_HLEN + d->len), cs = ETH_HLEN_BYTES + IPV4_HLEN_MIN;

	memset(out, 0, HDR_TEMPLATE_LEN);
	dev_put_vnet_hdr(out, (uint16_t)(cs + UDP_HLEN), cs, 6);
	memcpy(eth.dst, d->dst_mac, 6);
	memcpy(eth.src, d->src_mac, 6);
	eth.ethertype = 0x0800;
	wire_put_eth(out + 10, &eth);
	memset(&ip, 0, sizeof(ip));
	ip.tos = d->tos;
	ip.total_len = (uint16_t)(IPV4_HLEN_MIN + ulen);
	ip.id = d->id;
	ip.frag = d->df ? IP_DF : 0;
	ip.ttl = d->ttl;
	ip.protocol = 17;
	ip.saddr = d->saddr;
	ip.daddr = d->daddr;
	wire_put_ipv4(out + 24, &ip);
	wire_put_udp(out + 44, d->sport, d->dport, ulen, udp4_csum_seed(d->saddr, d->daddr, ulen));
}

static void check_flow(const char *src, const char *dst, uint8_t tos, uint8_t ttl)
{
	static const size_t lens[] = {0, 1, 64, 1472, 8972, 65507};
	static const uint16_t ids[] = {0, 1, 0x1234, 0xfffe, 0xffff};
	struct udp_datagram d;
	struct hdr_template t;
	uint8_t want[HDR_TEMPLATE_LEN], got[HDR_TEMPLATE_LEN], got2[HDR_TEMPLATE_LEN];

	memset(&d, 0, sizeof(d));
	inet_pton(AF_INET, src, &d.saddr);
	inet_pton(AF_INET, dst, &d.daddr);
	d.sport = htons(5000);
	d.dport = htons(65535);
	d.tos = tos;
	d.ttl = ttl;
	memcpy(d.src_mac, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(d.dst_mac, "\xff\xff\xff\xff\xff\xfe", 6);
	hdr_template_build(&t, &d);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (size_t j = 0; j < sizeof(ids) / sizeof(ids[0]); j++)
			for (int df = 0; df < 2; df++) {
				d.len = lens[i];
				d.id = ids[j];
				d.df = df;
				full_build(want, &d);
				/* as the fast path does with its flow's template */
				memcpy(got, t.hdr, sizeof(got));
				udp_frame_patch(&udp_frame_ipv4, got + 10,
						(uint16_t)(UDP_HLEN + d.len), htons(d.id),
						df ? htons(IP_DF) : 0, t.ip_base, t.pseudo_base);
				hdr_template_put(got2, &d); /* the thread's template */
				ck_assert_msg(memcmp(want, got, sizeof(want)) == 0,
					      "%s > %s tos %u ttl %u len %zu id %u df %d", src, dst,
					      tos, ttl, d.len, d.id, df);
				ck_assert(memcmp(want, got2, sizeof(want)) == 0);
				/* and the IPv4 header checksum verifies */
				ck_assert_uint_eq(csum_fold(csum_partial(got + 24, 20, 0)), 0);
			}
}

START_TEST(patch_equals_full_build)
{
	check_flow("192.0.2.1", "192.0.2.2", 0, 64);
	check_flow("203.0.113.7", "198.51.100.200", 0xb8, 1);
	/* header words summing to nearly 2^32 before folding: unicast hosts of a /12 (an unfolded
	 * base lost a carry here at ID 0xffff: a wrong header checksum) */
	check_flow("172.16.255.255", "172.17.255.255", 0xb8, 64);
	check_flow("10.0.255.255", "10.1.255.255", 0, 255);
	check_flow("255.255.255.254", "255.255.255.255", 0xff, 255);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hdr_template");
	TCase *tc = tcase_create("patch");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, patch_equals_full_build);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
