/* mcast: the group MAC (ip_eth_mc_map), ip_mc_output's decision (local copy, TTL 0), the
 * multicast flow from IP_MULTICAST_IF, and the MAC of a multicast next hop. */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "shim/mcast.h"

static uint32_t ip(const char *s)
{
	struct in_addr a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static void assert_mac(const uint8_t *got, const uint8_t *want)
{
	ck_assert_mem_eq(got, want, 6);
}

START_TEST(mc_map_takes_the_low_23_bits)
{
	uint8_t mac[6];

	/* docs/udp4-send-path.md 7.1, verified on the wire */
	ip_eth_mc_map(ip("239.129.130.131"), mac);
	assert_mac(mac, (const uint8_t[]){0x01, 0x00, 0x5e, 0x01, 0x82, 0x83});
	ip_eth_mc_map(ip("239.1.2.3"), mac);
	assert_mac(mac, (const uint8_t[]){0x01, 0x00, 0x5e, 0x01, 0x02, 0x03});
	ip_eth_mc_map(ip("224.0.0.1"), mac);
	assert_mac(mac, (const uint8_t[]){0x01, 0x00, 0x5e, 0x00, 0x00, 0x01});
	/* bit 23 of the group is dropped: 224.128.0.1 and 224.0.0.1 share a MAC */
	ip_eth_mc_map(ip("224.128.0.1"), mac);
	assert_mac(mac, (const uint8_t[]){0x01, 0x00, 0x5e, 0x00, 0x00, 0x01});
	ip_eth_mc_map(ip("239.255.255.255"), mac);
	assert_mac(mac, (const uint8_t[]){0x01, 0x00, 0x5e, 0x7f, 0xff, 0xff});
}
END_TEST

/* ipv6_eth_mc_map: 33:33 and the low 32 bits; interface-local groups are the kernel's (dropped
 * there), a global group without a member in this namespace (none joined ff0e::7ab1 here) with
 * the loop off or on goes out. */
START_TEST(mc6_map_and_output)
{
	const uint8_t g[16] = {0xff, 0x0e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78};
	const uint8_t local[16] = {0xff, 0x01, [15] = 1};
	const uint8_t want[6] = {0x33, 0x33, 0x12, 0x34, 0x56, 0x78};
	const uint8_t nomember[16] = {0xff, 0x0e, [14] = 0x7a, [15] = 0xb1};
	uint8_t mac[6];
	const char *why = NULL;

	ipv6_eth_mc_map(g, mac);
	ck_assert_mem_eq(mac, want, 6);
	ck_assert_int_eq(udpv6_mcast_output(false, 1, local, &why), MC_KERNEL);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_eq(udpv6_mcast_output(false, 1, nomember, &why), MC_XMIT);
	ck_assert_int_eq(udpv6_mcast_output(false, 999999, nomember, &why), MC_XMIT);
}
END_TEST

START_TEST(mc_output_follows_ip_mc_output)
{
	/* no member, no multicast routing: ip_output, TTL 0 transmitted too */
	ck_assert_int_eq(mc_output_decide(true, false, false, 1), MC_XMIT);
	ck_assert_int_eq(mc_output_decide(true, false, false, 0), MC_XMIT);
	ck_assert_int_eq(mc_output_decide(false, false, false, 0), MC_XMIT);
	/* a member: loop on makes a local copy, whatever the TTL */
	ck_assert_int_eq(mc_output_decide(true, true, false, 1), MC_KERNEL);
	ck_assert_int_eq(mc_output_decide(true, true, false, 0), MC_KERNEL);
	/* a member, loop off: transmitted, except TTL 0 which goes nowhere */
	ck_assert_int_eq(mc_output_decide(false, true, false, 64), MC_XMIT);
	ck_assert_int_eq(mc_output_decide(false, true, false, 0), MC_DROP);
	/* multicast routing on: ip_mc_output as for a member */
	ck_assert_int_eq(mc_output_decide(true, false, true, 5), MC_KERNEL);
	ck_assert_int_eq(mc_output_decide(false, false, true, 0), MC_DROP);
	ck_assert_int_eq(mc_output_decide(false, false, true, 5), MC_XMIT);
}
END_TEST

START_TEST(mc_route_asked_afresh_only_when_membership_matters)
{
	struct sock_view sv;

	memset(&sv, 0, sizeof(sv));
	sv.mc_loop = true;
	ck_assert(udp_mcast_fresh_route(&sv, 1));
	sv.mc_loop = false;
	ck_assert(!udp_mcast_fresh_route(&sv, 1));
	ck_assert(udp_mcast_fresh_route(&sv, 0));
}
END_TEST

START_TEST(mc_flow_from_ip_multicast_if)
{
	struct sock_view sv;
	int oif;
	uint32_t saddr;

	memset(&sv, 0, sizeof(sv));
	sv.mc_index_known = true;
	sv.mc_index = 7;
	sv.mc_addr = ip("192.0.2.1");
	/* nothing chosen yet: both from IP_MULTICAST_IF */
	oif = 0;
	saddr = 0;
	ck_assert_int_eq(udp_mcast_flow(&sv, &oif, &saddr), 0);
	ck_assert_int_eq(oif, 7);
	ck_assert_uint_eq(saddr, ip("192.0.2.1"));
	/* IP_PKTINFO / SO_BINDTODEVICE and a bound source win */
	oif = 3;
	saddr = ip("198.51.100.1");
	ck_assert_int_eq(udp_mcast_flow(&sv, &oif, &saddr), 0);
	ck_assert_int_eq(oif, 3);
	ck_assert_uint_eq(saddr, ip("198.51.100.1"));
	/* an interface the shim could not learn: only a problem when it would be used */
	sv.mc_index_known = false;
	oif = 0;
	saddr = 0;
	ck_assert_int_eq(udp_mcast_flow(&sv, &oif, &saddr), -1);
	oif = 3;
	ck_assert_int_eq(udp_mcast_flow(&sv, &oif, &saddr), 0);
	ck_assert_int_eq(oif, 3);
}
END_TEST

START_TEST(mc_output_hands_l3_master_interfaces_to_the_kernel)
{
	struct sock_view sv;
	struct route_result rt;
	const char *why = NULL;

	memset(&sv, 0, sizeof(sv));
	memset(&rt, 0, sizeof(rt));
	sv.mc_loop = false; /* loop off, TTL 1: the route's flags do not matter */
	rt.key.oif = 2;
	rt.oif = 2;
	ck_assert_int_eq(udp_mcast_output(&sv, &rt, 1, &why), MC_XMIT);
	ck_assert_ptr_null(why);
	/* asked for device 5 (bound or IP_PKTINFO), routed out of 2: 5 is a VRF */
	rt.key.oif = 5;
	ck_assert_int_eq(udp_mcast_output(&sv, &rt, 1, &why), MC_KERNEL);
	ck_assert_ptr_nonnull(why);
	/* the interface came from IP_MULTICAST_IF: the kernel asked the same */
	sv.mc_index = 5;
	ck_assert_int_eq(udp_mcast_output(&sv, &rt, 1, &why), MC_XMIT);
	/* loop off, TTL 0 with a member: dropped */
	rt.flags = SHIM_RTCF_LOCAL;
	ck_assert_int_eq(udp_mcast_output(&sv, &rt, 0, &why), MC_DROP);
}
END_TEST

START_TEST(mc_neigh_maps_only_group_next_hops)
{
	struct route_result rt;
	uint8_t mac[6] = {0};

	memset(&rt, 0, sizeof(rt));
	rt.nexthop = shim_addr_v4(ip("239.1.2.3"));
	ck_assert(udp_mcast_neigh(&rt, mac));
	assert_mac(mac, (const uint8_t[]){0x01, 0x00, 0x5e, 0x01, 0x02, 0x03});
	/* a multicast route through a gateway: the gateway's MAC comes from ARP */
	memset(mac, 0, sizeof(mac));
	rt.nexthop = shim_addr_v4(ip("192.0.2.254"));
	ck_assert(!udp_mcast_neigh(&rt, mac));
	assert_mac(mac, (const uint8_t[]){0, 0, 0, 0, 0, 0});
}
END_TEST

static Suite *mcast_suite(void)
{
	Suite *s = suite_create("mcast");
	TCase *tc = tcase_create("mcast");

	tcase_add_test(tc, mc_map_takes_the_low_23_bits);
	tcase_add_test(tc, mc6_map_and_output);
	tcase_add_test(tc, mc_output_follows_ip_mc_output);
	tcase_add_test(tc, mc_route_asked_afresh_only_when_membership_matters);
	tcase_add_test(tc, mc_flow_from_ip_multicast_if);
	tcase_add_test(tc, mc_output_hands_l3_master_interfaces_to_the_kernel);
	tcase_add_test(tc, mc_neigh_maps_only_group_next_hops);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mcast_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
