/* route_fixed: fixed route and neighbour answers for the unit tests (include/shim/route_fixed.h).
 */
#include "shim/route_fixed.h"
#include "shim/route.h"
#include "notify.h"
#include "route_fixed_internal.h"

#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <string.h>

static struct route_fixed fixed;
static unsigned long answers;
bool route_fixed_on;

unsigned long route_fixed_answers(void)
{
	return __atomic_load_n(&answers, __ATOMIC_RELAXED);
}

void route_fixed_set(const struct route_fixed *f)
{
	if (f != NULL)
		fixed = *f;
	__atomic_store_n(&answers, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&route_fixed_on, f != NULL, __ATOMIC_RELEASE);
	/* the listener's state as the send path reads it: running (generations held) or not */
	__atomic_store_n(&notify_listener_state, f != NULL ? 1 : 0, __ATOMIC_RELEASE);
	route_fixed_changed();
}

void route_fixed_changed(void)
{
	__atomic_add_fetch(&notify_neigh_generation_var, 1, __ATOMIC_ACQ_REL);
	notify_bump_route_generation();
}

static const uint8_t no_net6[16];

static bool in_prefix(const struct shim_addr *a)
{
	if (a->family == AF_INET6)
		return memcmp(fixed.net6, no_net6, 16) != 0 && memcmp(a->v6, fixed.net6, 8) == 0;
	return a->family == AF_INET && (a->v4 & fixed.mask) == fixed.net;
}

int route_fixed_output(const struct shim_flowi *k, struct route_result *r)
{
	struct shim_addr d = shim_flowi_daddr(k);

	if (!__atomic_load_n(&route_fixed_on, __ATOMIC_ACQUIRE) || !in_prefix(&d))
		return 0;
	if (k->oif != 0 && k->oif != fixed.ifindex)
		return 0;
	__atomic_add_fetch(&answers, 1, __ATOMIC_RELAXED);
	memset(r, 0, sizeof(*r));
	r->key = *k;
	r->generation = notify_generation_peek();
	r->type = RTN_UNICAST;
	r->oif = fixed.ifindex;
	if (k->family == AF_INET6) {
		r->saddr = shim_addr_v6(memcmp(&k->ip6.saddr, no_net6, 16) != 0
					    ? (const uint8_t *)&k->ip6.saddr
					    : fixed.saddr6);
		r->dev_hop_limit6 = fixed.hop_limit6;
	} else {
		r->saddr = shim_addr_v4(k->ip4.saddr ? k->ip4.saddr : fixed.saddr);
	}
	r->daddr = d;
	r->nexthop = d;
	r->mtu = fixed.mtu;
	r->default_ttl = fixed.default_ttl;
	r->dev_mtu = fixed.mtu;
	r->dev_ether = true;
	r->dev_up = true;
	memcpy(r->dev_mac, fixed.dev_mac, 6);
	memcpy(r->dev_name, fixed.dev_name, sizeof(r->dev_name));
	return 1;
}

int route_fixed_neigh(int ifindex, const struct shim_addr *ip, uint8_t mac[6])
{
	if (!__atomic_load_n(&route_fixed_on, __ATOMIC_ACQUIRE) || ifindex != fixed.ifindex ||
	    !in_prefix(ip))
		return 0;
	__atomic_add_fetch(&answers, 1, __ATOMIC_RELAXED);
	memcpy(mac, fixed.nexthop_mac, 6);
	return 1;
}
