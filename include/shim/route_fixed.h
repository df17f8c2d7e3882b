/* route_fixed: a test seam. Fixed route and neighbour answers for one IPv4 prefix, so that unit
 * tests drive the send path (udp_sendmsg, the cork, the fast path) onto the memory device with no
 * rtnetlink request: no root, no namespace, nothing asked of the host's tables. The library itself
 * never sets it.
 *
 * While set, route_output, route_output_fresh and neigh_output_lookup answer a flow to the prefix
 * from it (unicast, on-link: the next hop is the destination, resolved to nexthop_mac), and the
 * route and neighbour generations are held still as if the listener ran and nothing changed, so
 * the socket's route cache and the send fast path cache as they do in a live process.
 * route_fixed_changed moves them as a notification would. Other destinations are asked of the
 * kernel as usual. */
#ifndef SHIM_ROUTE_FIXED_H
#define SHIM_ROUTE_FIXED_H

#include <stdbool.h>
#include <stdint.h>

struct route_fixed {
	uint32_t net, mask; /* destinations answered, network order (192.0.2.0/24 ...) */
	uint32_t saddr;	    /* the route's source (RTA_PREFSRC), network order */
	int ifindex;
	char dev_name[16];
	uint32_t mtu; /* route and device MTU */
	int default_ttl;
	uint8_t dev_mac[6];
	uint8_t nexthop_mac[6]; /* every next hop in the prefix (NUD_REACHABLE) */
	/* IPv6 too when net6 is not all zero: destinations in net6/64, the source saddr6, the
	 * device's hop limit hop_limit6 */
	uint8_t net6[16], saddr6[16];
	int hop_limit6;
};

/* Answer from *f (copied) from now on; NULL: the kernel's answers again (and the generations
 * are no longer held). */
void route_fixed_set(const struct route_fixed *f);

/* How many route and neighbour answers were given from the fixed table since it was set: a send
 * the fast path took asks for none. */
unsigned long route_fixed_answers(void);

/* As a route or neighbour notification would: every cached answer and flow is stale. */
void route_fixed_changed(void);

#endif
