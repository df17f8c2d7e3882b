/* mcast: multicast destinations on the shim's own path — udp_sendmsg's multicast branch
 * (IP_MULTICAST_IF, IP_MULTICAST_TTL), ip_mc_output's local copy and TTL-0 rule, and the MAC of a
 * group (ip_eth_mc_map). What needs a local copy stays with the kernel socket. */
#ifndef SHIM_MCAST_H
#define SHIM_MCAST_H

#include <stdbool.h>
#include <stdint.h>

#include "shim/inet.h"
#include "shim/ip_output.h"
#include "shim/route.h"

/* rtm_flags of an RTM_GETROUTE answer carry the route's RTCF_* flags (rt_fill_info). RTCF_LOCAL on
 * a multicast route: a socket of this host is a member of the group on the output device
 * (ip_check_mc_rcu, asked by __mkroute_output at the lookup). */
#define SHIM_RTCF_LOCAL 0x80000000u

/* ip_eth_mc_map: 01:00:5e and the low 23 bits of the group (addr in network order). */
void ip_eth_mc_map(uint32_t addr, uint8_t mac[6]);

/* udp_sendmsg for a multicast destination: with no output interface yet, IP_MULTICAST_IF's
 * (mc_index); with no source yet, its address (mc_addr). Returns 0, or -1 when the interface it
 * names is not known to the shim (a socket it did not see created: mc_index cannot be read back).
 */
int udp_mcast_flow(const struct sock_view *sv, int *oif, uint32_t *saddr);

/* The TTL of a multicast datagram: the IP_TTL control message, else IP_MULTICAST_TTL. */
static inline int udp_mcast_ttl(const struct sock_view *sv, int cmsg_ttl)
{
	return cmsg_ttl ? cmsg_ttl : sv->mc_ttl;
}

/* Whether the route must be asked afresh (not from the cache): the answer's RTCF_LOCAL decides
 * (loop on, or TTL 0), and group membership changes come with no notification. */
bool udp_mcast_fresh_route(const struct sock_view *sv, int ttl);

enum mc_out {
	MC_XMIT,   /* the frames go out, no local copy (ip_output, or ip_mc_output without one) */
	MC_DROP,   /* nothing goes out and nothing is delivered: TTL 0 in ip_mc_output */
	MC_KERNEL, /* a local copy is made: the kernel socket sends */
};

/* ip_mc_output is the route's output when a member is local (RTCF_LOCAL) or multicast routing
 * forwards on the device; it loops a copy back when IP_MULTICAST_LOOP is on, and drops a TTL-0
 * datagram instead of transmitting it. Otherwise ip_output transmits, TTL 0 included. */
enum mc_out mc_output_decide(bool loop, bool local_member, bool mforward, int ttl);

/* The decision for this datagram and route; why says what the kernel does for MC_KERNEL. */
enum mc_out udp_mcast_output(const struct sock_view *sv, const struct route_result *rt, int ttl,
			     const char **why);

/* arp_mc_map for a multicast next hop (no ARP): fills mac and returns true; false for a unicast
 * next hop (a gateway of a multicast route), which the neighbour table resolves. */
bool udp_mcast_neigh(const struct route_result *rt, uint8_t mac[6]);

/* A datagram ip_mc_output drops (MC_DROP): the payload is still copied (EFAULT as in
 * __ip_append_data). Returns 0 or -errno. */
int udp_mcast_drop(const struct udp_datagram *d);

/* ---- IPv6 (udpv6_sendmsg, ip6_finish_output2) ---- */

/* ipv6_eth_mc_map: 33:33 and the low 32 bits of the group. */
void ipv6_eth_mc_map(const uint8_t group[16], uint8_t mac[6]);

/* ip6_finish_output2 for a datagram to group on the route's device oif: a local copy is cloned
 * when IPV6_MULTICAST_LOOP is on and a socket of this host is a member of the group on that device
 * (ipv6_chk_mcast_addr: /proc/net/igmp6, read now; ff02::1 always is) or a multicast routing
 * daemon holds the mroute socket (mc_forwarding); then a hop limit of 0 is dropped. Without a copy
 * the frame goes out, hop limit 0 included. Interface- and node-local groups (scope 0, 1) are
 * dropped without an error on a non-loopback device. MC_KERNEL for the copy and the drop (why
 * says which), else MC_XMIT. */
enum mc_out udpv6_mcast_output(bool mc_loop, int oif, const uint8_t group[16], const char **why);

#endif
