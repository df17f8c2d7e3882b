/* neigh: the next hop's MAC from the kernel's neighbour table (RTM_GETNEIGH), cached by generation.
 *
 * Only usable entries (NUD_VALID: reachable, stale, delay, probe, permanent, noarp) are used. For
 * anything else the caller hands the datagram to the kernel socket, which queues it, resolves the
 * address with ARP and sends it exactly as it would have (design.md, decision 4). */
#include "shim/shim_lock.h"
#include "shim/route.h"
#include "notify.h"
#include "rtnl.h"
#include "route_fixed_internal.h"

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>

/* include/net/neighbour.h's NUD_VALID, which the uapi header does not carry */
#define NEIGH_USABLE (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)

struct neigh_answer {
	int found;
	uint16_t state;
	uint8_t mac[6];
};

static int neigh_attr_cb(const struct nlattr *attr, void *data)
{
	struct neigh_answer *a = data;

	if (mnl_attr_get_type(attr) == NDA_LLADDR && mnl_attr_get_payload_len(attr) == 6) {
		memcpy(a->mac, mnl_attr_get_payload(attr), 6);
		a->found = 1;
	}
	return MNL_CB_OK;
}

static int neigh_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_answer *a = data;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWNEIGH)
		return MNL_CB_OK;
	a->state = ndm->ndm_state;
	mnl_attr_parse(nlh, sizeof(*ndm), neigh_attr_cb, a);
	return MNL_CB_OK;
}

/* RTM_GETNEIGH in the table of ip's family (ARP, NDP), NDA_DST of that family's length. */
static int ask_neigh(int ifindex, const struct shim_addr *ip, struct neigh_answer *a)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm;

	nlh->nlmsg_type = RTM_GETNEIGH;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (uint8_t)ip->family;
	ndm->ndm_ifindex = ifindex;
	rtnl_put_addr(nlh, NDA_DST, ip);
	memset(a, 0, sizeof(*a));
	return rtnl_request(nlh, neigh_msg_cb, a);
}

#define NEIGH_CACHE_SLOTS 64

struct neigh_entry {
	int ifindex;
	struct shim_addr ip;
	uint64_t generation;
	uint8_t mac[6];
};

static struct neigh_entry neigh_cache[NEIGH_CACHE_SLOTS];

#define THREAD_NEIGHS 8
static __thread
    __attribute__((tls_model("initial-exec"))) struct neigh_entry thread_neighs[THREAD_NEIGHS];
SHIM_LOCK_DEFINE(neigh_lock);

void neigh_forget_after_fork(void)
{
	memset(neigh_cache, 0, sizeof(neigh_cache));
}

int neigh_output_lookup(int ifindex, const struct shim_addr *nexthop, uint8_t mac[6])
{
	uint64_t gen;
	unsigned slot =
	    (shim_addr_hash(nexthop) * 2654435761u ^ (uint32_t)ifindex) % NEIGH_CACHE_SLOTS;
	struct neigh_answer a;

	struct neigh_entry *mine = &thread_neighs[slot % THREAD_NEIGHS];

	if (__builtin_expect(route_fixed_on, 0) && route_fixed_neigh(ifindex, nexthop, mac))
		return 0; /* unit tests */
	gen = notify_neigh_generation();

	if (mine->generation == gen && shim_addr_equal(&mine->ip, nexthop) &&
	    mine->ifindex == ifindex) {
		memcpy(mac, mine->mac, 6);
		return 0;
	}
	shim_lock_acquire(&neigh_lock);
	if (neigh_cache[slot].generation == gen &&
	    shim_addr_equal(&neigh_cache[slot].ip, nexthop) &&
	    neigh_cache[slot].ifindex == ifindex) {
		memcpy(mac, neigh_cache[slot].mac, 6);
		*mine = neigh_cache[slot];
		shim_lock_release(&neigh_lock);
		return 0;
	}
	shim_lock_release(&neigh_lock);

	if (ask_neigh(ifindex, nexthop, &a) < 0 || !a.found || !(a.state & NEIGH_USABLE))
		return -1;
	memcpy(mac, a.mac, 6);
	shim_lock_acquire(&neigh_lock);
	neigh_cache[slot] = (struct neigh_entry){ifindex, *nexthop, gen, {0}};
	memcpy(neigh_cache[slot].mac, a.mac, 6);
	*mine = neigh_cache[slot];
	shim_lock_release(&neigh_lock);
	return 0;
}
