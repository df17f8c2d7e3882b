/* route_output: ip_route_output_flow() answered by the kernel over rtnetlink, plus the output
 * device's MTU, type and address (RTM_GETLINK), cached by generation (see include/shim/route.h). */
#include "shim/shim_lock.h"
#include "shim/route.h"
#include "notify.h"
#include "rtnl.h"
#include "route_fixed_internal.h"

#include "shim/internal_fd.h"
#include "shim/neigh_queue.h"

#include "shim/rawsys.h"
#include "shim/stats.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

/* ---- RTM_GETROUTE ---- */

static int metrics_cb(const struct nlattr *attr, void *data)
{
	struct route_result *r = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	if (type == RTAX_MTU)
		r->mtu = mnl_attr_get_u32(attr);
	else if (type == RTAX_HOPLIMIT)
		r->hoplimit = (int)mnl_attr_get_u32(attr);
	else if (type == RTAX_LOCK)
		r->mtu_locked = (mnl_attr_get_u32(attr) & (1u << RTAX_MTU)) != 0;
	return MNL_CB_OK;
}

/* RTA_VIA: a gateway of another family than the route's (an IPv4 route via an IPv6 neighbour);
 * one that cannot be read is no address of any family, but not "no gateway" either. */
static void route_via(const struct nlattr *attr, struct route_result *r)
{
	const struct rtvia *via = mnl_attr_get_payload(attr);
	uint16_t len = mnl_attr_get_payload_len(attr);

	if (len < sizeof(*via) ||
	    !shim_addr_from(&r->nexthop, via->rtvia_family, via->rtvia_addr, len - sizeof(*via))) {
		memset(&r->nexthop, 0, sizeof(r->nexthop));
		r->nexthop.w[0] = ~0u;
	}
}

static int route_attr_cb(const struct nlattr *attr, void *data)
{
	struct route_result *r = data;
	sa_family_t family = r->key.family;

	switch (mnl_attr_get_type(attr)) {
	case RTA_OIF:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			r->oif = (int)mnl_attr_get_u32(attr);
		break;
	case RTA_PREFSRC:
		rtnl_get_addr(attr, family, &r->saddr);
		break;
	case RTA_DST:
		rtnl_get_addr(attr, family, &r->daddr);
		break;
	case RTA_GATEWAY:
		rtnl_get_addr(attr, family, &r->nexthop);
		break;
	case RTA_VIA:
		route_via(attr, r);
		break;
	case RTA_METRICS:
		mnl_attr_parse_nested(attr, metrics_cb, r);
		break;
	case RTA_CACHEINFO:
		/* rtnl_put_cacheinfo: a route that expires (a learnt path MTU or a redirect's
		 * exception, an advertised route's lifetime) in rta_expires clock ticks */
		if (mnl_attr_get_payload_len(attr) >= sizeof(struct rta_cacheinfo)) {
			const struct rta_cacheinfo *ci = mnl_attr_get_payload(attr);

			r->expires_in_ms = ci->rta_expires != 0 ? ci->rta_expires * 10u : 0;
		}
		break;
	}
	return MNL_CB_OK;
}

static int route_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_result *r = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	r->type = rtm->rtm_type;
	r->flags = rtm->rtm_flags;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, r);
	/* an IPv6 exception route (RTF_CACHE: rt6_fill_node's RTM_F_CLONED) whose expiry rounded
	 * to no tick is asked again soon */
	if (r->key.family == AF_INET6 && (rtm->rtm_flags & RTM_F_CLONED) && r->expires_in_ms == 0)
		r->expires_in_ms = 10;
	return MNL_CB_OK;
}

/* Whether the answer named no gateway (then the next hop is the destination). */
static bool no_gateway(const struct route_result *r)
{
	return r->nexthop.family == AF_UNSPEC && shim_addr_any(&r->nexthop);
}

/* rt_set_nexthop for an answer without a gateway: the next hop is the destination. An IPv4 route
 * bound to a route exception (a learnt path MTU: the answer expires, RTA_CACHEINFO) has it as its
 * gateway (rt_bind_exception: rt_gw4 = daddr), kept when a connect re-targets the flow. */
static void rt_set_nexthop(struct route_result *r)
{
	if (!no_gateway(r))
		return;
	r->nexthop = r->daddr;
	r->gw_is_dst = r->key.family == AF_INET && r->expires_in_ms != 0;
}

/* RTM_GETROUTE for the flow k (inet_rtm_getroute, inet6_rtm_getroute): addresses of the flow's
 * family, with that family's lengths. */
static int ask_route(const struct shim_flowi *k, struct route_result *r)
{
	char buf[512];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	struct shim_addr daddr = shim_flowi_daddr(k), saddr = shim_flowi_saddr(k);
	uint16_t sport = k->family == AF_INET ? k->ip4.sport : k->ip6.sport;
	uint16_t dport = k->family == AF_INET ? k->ip4.dport : k->ip6.dport;

	nlh->nlmsg_type = RTM_GETROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)k->family;
	if (k->family == AF_INET) {
		rtm->rtm_tos = k->ip4.tos & 0xfc; /* the DSCP part, as the flow carries it */
	} else {
		/* the traffic class (inet6_rtm_getroute: ip6_make_flowinfo); the label matters to
		 * multipath hashing only */
		rtm->rtm_tos = (uint8_t)(ntohl(k->ip6.flowlabel) >> 20);
	}
	rtnl_put_addr(nlh, RTA_DST, &daddr);
	if (!shim_addr_any(&saddr))
		rtnl_put_addr(nlh, RTA_SRC, &saddr);
	if (k->oif)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)k->oif);
	if (k->mark)
		mnl_attr_put_u32(nlh, RTA_MARK, k->mark);
	mnl_attr_put_u32(nlh, RTA_UID, k->uid);
	mnl_attr_put_u8(nlh, RTA_IP_PROTO, IPPROTO_UDP);
	if (sport)
		mnl_attr_put_u16(nlh, RTA_SPORT, sport);
	if (dport)
		mnl_attr_put_u16(nlh, RTA_DPORT, dport);
	r->key = *k;
	memset(&r->nexthop, 0, sizeof(r->nexthop));
	r->daddr = daddr;
	r->saddr = saddr;
	return rtnl_request(nlh, route_msg_cb, r);
}

/* ---- RTM_GETLINK ---- */

struct link_info {
	uint32_t mtu;
	uint32_t mtu6;	/* IFLA_INET6_CONF DEVCONF_MTU6, 0: unknown */
	int hop_limit6; /* IFLA_INET6_CONF DEVCONF_HOPLIMIT, 0: unknown */
	unsigned short type;
	unsigned flags;
	uint8_t mac[6];
	int mac_len;
	char name[16];
};

/* IFLA_AF_SPEC's AF_INET6 part: IFLA_INET6_CONF, the device's IPv6 settings as an array of s32
 * indexed by DEVCONF_* (inet6_fill_ifla6_attrs). */
static int link_inet6_cb(const struct nlattr *attr, void *data)
{
	struct link_info *li = data;
	const int32_t *conf = mnl_attr_get_payload(attr);
	uint16_t n = mnl_attr_get_payload_len(attr) / sizeof(int32_t);

	if (mnl_attr_get_type(attr) != IFLA_INET6_CONF)
		return MNL_CB_OK;
	if (n > DEVCONF_HOPLIMIT && conf[DEVCONF_HOPLIMIT] > 0)
		li->hop_limit6 = conf[DEVCONF_HOPLIMIT];
	if (n > DEVCONF_MTU6 && conf[DEVCONF_MTU6] > 0)
		li->mtu6 = (uint32_t)conf[DEVCONF_MTU6];
	return MNL_CB_OK;
}

static int link_af_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == AF_INET6)
		mnl_attr_parse_nested(attr, link_inet6_cb, data);
	return MNL_CB_OK;
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	struct link_info *li = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_AF_SPEC:
		mnl_attr_parse_nested(attr, link_af_cb, li);
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			li->mtu = mnl_attr_get_u32(attr);
		break;
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0) {
			strncpy(li->name, mnl_attr_get_str(attr), sizeof(li->name) - 1);
			li->name[sizeof(li->name) - 1] = '\0';
		}
		break;
	case IFLA_ADDRESS:
		if (mnl_attr_get_payload_len(attr) == 6) {
			memcpy(li->mac, mnl_attr_get_payload(attr), 6);
			li->mac_len = 6;
		}
		break;
	}
	return MNL_CB_OK;
}

static int link_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_info *li = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	li->type = ifi->ifi_type;
	li->flags = ifi->ifi_flags;
	mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, li);
	return MNL_CB_OK;
}

static int ask_link(int ifindex, struct link_info *li)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	memset(li, 0, sizeof(*li));
	return rtnl_request(nlh, link_msg_cb, li);
}

/* ---- net.ipv4.ip_default_ttl ---- */

/* The sysctl file, opened at load (route_open_now): /proc/sys/net answers for the namespace of the
 * thread that opens it, which must be the packet socket's, and a file opened per lookup would
 * fail at the program's fd limit. Read with pread at 0, each read a fresh value. */
#define DEFAULT_TTL_PATH "/proc/sys/net/ipv4/ip_default_ttl"
static int ttl_fd = -1;
static int ttl_last = 64; /* the last value read, for when it cannot be read */

static void open_default_ttl(void)
{
	long fd = rawsys4(SYS_openat, AT_FDCWD, DEFAULT_TTL_PATH, O_RDONLY | O_CLOEXEC, 0);

	if (fd < 0)
		return;
	ttl_fd = internal_fd_adopt((int)fd, true);
	internal_fd_track(&ttl_fd);
}

int sysctl_ip_default_ttl(void)
{
	char buf[16];
	int fd = __atomic_load_n(&ttl_fd, __ATOMIC_ACQUIRE), ttl = 0;
	long n;

	if (fd >= 0) {
		n = rawsys4(SYS_pread64, fd, buf, sizeof(buf) - 1, 0);
	} else { /* not opened at load (passthrough, tests): opened now */
		long f = rawsys4(SYS_openat, AT_FDCWD, DEFAULT_TTL_PATH, O_RDONLY | O_CLOEXEC, 0);

		n = f >= 0 ? rawsys3(SYS_read, f, buf, sizeof(buf) - 1) : -1;
		if (f >= 0)
			rawsys1(SYS_close, f);
	}
	for (long i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		ttl = ttl * 10 + (buf[i] - '0');
	if (ttl > 0 && ttl < 256)
		__atomic_store_n(&ttl_last, ttl, __ATOMIC_RELAXED);
	return __atomic_load_n(&ttl_last, __ATOMIC_RELAXED);
}

/* ---- cache ---- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* An answer with an expiry holds until then (expires_at: CLOCK_MONOTONIC milliseconds, 0: none;
 * the kernel's own expiry makes no notification). */
static void route_set_deadline(struct route_result *r)
{
	r->expires_at = r->expires_in_ms != 0 ? now_ms() + r->expires_in_ms : 0;
}

bool route_expired(const struct route_result *r)
{
	return __builtin_expect(r->expires_at != 0, 0) && now_ms() >= r->expires_at;
}

#define ROUTE_CACHE_SLOTS 64

static struct route_result route_cache[ROUTE_CACHE_SLOTS];

/* Per thread, a few answers again (initial-exec TLS: libshim is loaded at start-up). */
#define THREAD_ROUTES 8
static __thread
    __attribute__((tls_model("initial-exec"))) struct route_result thread_routes[THREAD_ROUTES];
SHIM_LOCK_DEFINE(cache_lock);

static unsigned key_slot(const struct shim_flowi *k)
{
	uint32_t h = shim_flowi_hash(k);

	return (h ^ (h >> 16)) % ROUTE_CACHE_SLOTS;
}

static int lookup_uncached(const struct shim_flowi *k, struct route_result *r, uint64_t gen)
{
	struct link_info li;
	int ret;

	memset(r, 0, sizeof(*r));
	r->key = *k;
	r->generation = gen;
	ret = ask_route(k, r);
	if (ret == RTNL_UNASKED)
		return -EAGAIN; /* could not ask: the caller sends through the kernel */
	r->err = ret;
	route_set_deadline(r);
	if (ret < 0)
		return 0;
	rt_set_nexthop(r);
	r->default_ttl = sysctl_ip_default_ttl();
	ret = ask_link(r->oif, &li);
	if (ret < 0)
		return ret;
	r->dev_mtu = li.mtu;
	r->dev_hop_limit6 = li.hop_limit6;
	if (r->mtu == 0) /* ip6_mtu: the device's IPv6 MTU */
		r->mtu = k->family == AF_INET6 && li.mtu6 ? li.mtu6 : li.mtu;
	r->dev_ether = li.type == ARPHRD_ETHER && li.mac_len == 6 && r->nexthop.family == k->family;
	r->dev_up = (li.flags & IFF_UP) != 0;
	memcpy(r->dev_mac, li.mac, 6);
	memcpy(r->dev_name, li.name, sizeof(r->dev_name));
	return 0;
}

int route_output(const struct shim_flowi *k, struct route_result *r)
{
	uint64_t gen;
	unsigned slot = key_slot(k);
	int ret;

	if (__builtin_expect(route_fixed_on, 0) && route_fixed_output(k, r)) /* unit tests */
		return 0;
	gen = notify_generation();

	/* this thread's recent answers first: no lock on the send path */
	struct route_result *mine = &thread_routes[slot % THREAD_ROUTES];

	if (mine->generation == gen && shim_flowi_equal(&mine->key, k) && !route_expired(mine)) {
		*r = *mine;
		stats_add(STAT_ROUTE_HIT, 1);
		return 0;
	}
	shim_lock_acquire(&cache_lock);
	if (route_cache[slot].generation == gen && shim_flowi_equal(&route_cache[slot].key, k) &&
	    !route_expired(&route_cache[slot])) {
		*r = route_cache[slot];
		shim_lock_release(&cache_lock);
		*mine = *r;
		stats_add(STAT_ROUTE_HIT, 1);
		return 0;
	}
	shim_lock_release(&cache_lock);
	stats_add(STAT_ROUTE_MISS, 1);

	ret = lookup_uncached(k, r, gen);
	if (ret < 0)
		return ret;
	shim_lock_acquire(&cache_lock);
	route_cache[slot] = *r;
	shim_lock_release(&cache_lock);
	*mine = *r;
	return 0;
}

int route_output_fresh(const struct shim_flowi *k, struct route_result *r)
{
	struct route_result c;
	int ret;

	if (__builtin_expect(route_fixed_on, 0) && route_fixed_output(k, r)) /* unit tests */
		return 0;
	ret = route_output(k, &c); /* the device facts, usually cached */
	if (ret < 0)
		return ret;
	memset(r, 0, sizeof(*r));
	r->key = *k;
	r->generation = c.generation;
	ret = ask_route(k, r);
	if (ret == RTNL_UNASKED)
		return -EAGAIN;
	r->err = ret;
	route_set_deadline(r);
	if (ret < 0)
		return 0;
	rt_set_nexthop(r);
	if (c.err < 0 || c.oif != r->oif) /* changed since the cached answer: ask for all */
		return lookup_uncached(k, r, c.generation);
	r->default_ttl = c.default_ttl;
	r->dev_mtu = c.dev_mtu;
	r->dev_hop_limit6 = c.dev_hop_limit6;
	if (r->mtu == 0)
		r->mtu = c.dev_mtu;
	r->dev_ether = c.dev_ether && r->nexthop.family == k->family;
	r->dev_up = c.dev_up;
	memcpy(r->dev_mac, c.dev_mac, 6);
	memcpy(r->dev_name, c.dev_name, sizeof(r->dev_name));
	return 0;
}

int route_dev_of_addr(uint32_t addr)
{
	struct shim_flowi k;
	struct route_result r;
	int ret;

	/* A multicast flow with a source and no interface takes the device that owns the source
	 * (ip_route_output_key_hash_rcu: __ip_dev_find, the function ip_dev_find is made of). */
	memset(&r, 0, sizeof(r));
	shim_flowi4_init_output(&k, 0, 0, 0, 0, htonl(0xe0000001) /* 224.0.0.1 */, addr, 0, 0);
	ret = ask_route(&k, &r);
	if (ret < 0)
		return ret;
	return r.oif > 0 ? r.oif : -ENODEV;
}

bool route_valid(const struct route_result *r)
{
	return r->generation == notify_generation() && !route_expired(r);
}

/* The same answer for the same flow: what the route says, not when it was asked. */
static bool route_same_answer(const struct route_result *a, const struct route_result *b)
{
	return a->err == b->err && a->type == b->type && a->oif == b->oif &&
	       shim_addr_equal(&a->saddr, &b->saddr) && shim_addr_equal(&a->daddr, &b->daddr) &&
	       shim_addr_equal(&a->nexthop, &b->nexthop) && a->mtu == b->mtu &&
	       a->mtu_locked == b->mtu_locked && a->hoplimit == b->hoplimit &&
	       a->default_ttl == b->default_ttl && a->flags == b->flags &&
	       a->dev_mtu == b->dev_mtu && a->dev_ether == b->dev_ether && a->dev_up == b->dev_up &&
	       memcmp(a->dev_mac, b->dev_mac, 6) == 0;
}

bool route_still_valid_after_fork(const struct route_result *r, struct route_result *now)
{
	if (!notify_fork_only(r->generation) || route_output_fresh(&r->key, now) < 0 ||
	    !route_same_answer(r, now))
		return false;
	now->key = r->key;
	return true;
}

uint64_t route_generation(void)
{
	return notify_generation_peek();
}

int route_open_now(void)
{
	int r = rtnl_open_now(), n = notify_open_now();

	open_default_ttl();
	sysctl_ip_default_ttl(); /* a value to fall back on */

	return r < 0 ? r : n;
}

void route_listener_start(void)
{
	notify_start();
}

bool route_listener_pause(void)
{
	return notify_pause();
}

/* In a child: forget everything cached and the per-process netlink sockets. */
static void route_forget_after_fork(void)
{
	memset(route_cache, 0, sizeof(route_cache));
	notify_forget_after_fork();
	neigh_forget_after_fork();
	neigh_queue_forget();
	/* rtnl.c's request socket is the parent's: request_fd_locked sees the pid changed */
}
SHIM_AFTER_FORK(route_forget_after_fork);
