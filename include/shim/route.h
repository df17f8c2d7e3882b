/* route: the kernel's routing, link and neighbour answers, asked over rtnetlink and cached.
 *
 * route_output() answers what ip_route_output_flow() would for a UDP datagram: the kernel itself
 * does the lookup (RTM_GETROUTE runs ip_route_output_key_hash_rcu with the flow we give), so policy
 * rules, marks, uid rules and forced interfaces are decided exactly as for the kernel's own send.
 * Answers are cached; a thread listening to rtnetlink notifications (links, addresses, routes,
 * rules, neighbours) bumps a generation counter, and a cached answer is used only while the counter
 * has not moved. */
#ifndef SHIM_ROUTE_H
#define SHIM_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "shim/addr.h"
#include "shim/flow.h"

struct route_result {
	int err;      /* 0, or the -errno of the lookup (ENETUNREACH, EHOSTUNREACH, EACCES ...) */
	uint8_t type; /* RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST, RTN_MULTICAST ... */
	int oif;      /* output device */
	/* of the flow's family, except nexthop: an IPv4 route may have an IPv6 gateway (RTA_VIA) */
	struct shim_addr saddr;	  /* source chosen (RTA_PREFSRC), or the one asked for */
	struct shim_addr daddr;	  /* destination (0.0.0.0 rewritten) */
	struct shim_addr nexthop; /* gateway, or daddr when on-link */
	bool gw_is_dst;		  /* IPv4: daddr, the gateway of an exception's route */
	uint32_t mtu;		  /* route MTU: learnt PMTU or mtu metric, else the device MTU */
	bool mtu_locked;	  /* "mtu lock": DF never set in WANT mode */
	int hoplimit;		  /* route hoplimit metric, 0 if none */
	int default_ttl;	  /* net.ipv4.ip_default_ttl when looked up */
	uint32_t flags;		  /* rtm_flags: the route's RTCF_* bits (RTCF_LOCAL ...) */
	/* the output device */
	uint32_t dev_mtu;
	int dev_hop_limit6; /* IPv6: the device's hop limit (idev->cnf.hop_limit), 0 unknown */
	bool
	    dev_ether; /* ARPHRD_ETHER with a 6-byte address, and a next hop of the flow's family */
	bool dev_up;
	uint8_t dev_mac[6];
	char dev_name[16];
	uint32_t expires_in_ms; /* the route expires (RTA_CACHEINFO rta_expires), 0: never */
	uint64_t expires_at;	/* ... at this CLOCK_MONOTONIC millisecond: asked again then */
	uint64_t generation;	/* route generation the answer belongs to */
	struct shim_flowi key;	/* the flow asked for */
};

/* ip_route_output_flow() (ip6_dst_lookup_flow() for an IPv6 flow): fill r for the flow k.
 * Returns 0 when the lookup was made (r->err says how it went), or -errno when the kernel could
 * not be asked (then the caller sends through the kernel). */
int route_output(const struct shim_flowi *k, struct route_result *r);

/* route_output() with the route asked of the kernel now, not taken from a cache (the device
 * facts may be): for answers that change without a notification (RTCF_LOCAL of a multicast route:
 * group membership). Returns as route_output(). */
int route_output_fresh(const struct shim_flowi *k, struct route_result *r);

/* ip_dev_find(): the ifindex of the device that owns local address addr, or -errno. */
int route_dev_of_addr(uint32_t addr);

/* Whether r is still what the kernel would answer (no notification since, not expired). */
bool route_valid(const struct route_result *r);

/* Whether r's route has expired (a learnt path MTU or redirect times out without a notification):
 * asked again. */
bool route_expired(const struct route_result *r);

/* A route kept by a socket (sk_dst_cache) in a child of fork, not valid by route_valid only
 * because the child cannot know what changed between the fork and its listener's start: whether
 * nothing else moved since and the kernel answers r's own flow (r->key) the same now; then *now is
 * that answer, current. (The kernel's dst stays valid across fork; a lookup with the socket's
 * present settings would differ where they changed without resetting it, IP_UNICAST_IF.) */
bool route_still_valid_after_fork(const struct route_result *r, struct route_result *now);

/* The next hop's hardware address, if the kernel's neighbour table of nexthop's family (ARP or
 * NDP) has a usable entry (NUD_VALID). Returns 0 and fills mac, or -1 (no entry, incomplete,
 * failed: the kernel must resolve it). */
int neigh_output_lookup(int ifindex, const struct shim_addr *nexthop, uint8_t mac[6]);

/* net.ipv4.ip_default_ttl of the current namespace, read now. */
int sysctl_ip_default_ttl(void);

/* Open, at load while CAP_NET_RAW is held, the raw ICMP socket through which learnt path MTUs and
 * redirects (which change routes without an rtnetlink notification) invalidate cached routes.
 * inherited_fd >= 0: adopt that raw ICMP socket instead. Returns 0 or -errno. */
int route_watch_icmp(int inherited_fd);

/* The same for IPv6, a raw ICMPv6 socket: Packet Too Big, redirects and router advertisements
 * change IPv6 routes without a notification. */
int route_watch_icmp6(int inherited_fd);

/* A route changed now (seen by the send path: a pending EMSGSIZE follows the path MTU update):
 * answers cached before are asked again. */
void route_changed_now(void);

/* Whether IPv6 routes may be cached: the ICMPv6 watch is open and the listener reads it. Without
 * it an IPv6 route is asked afresh for each datagram (route_output_fresh). */
bool route_icmp6_watched(void);

/* Have the listener watch fd (a connected socket) for a pending error: 1 is stored (atomically) in
 * *hint, the socket's err_hint, when one arrives. rearm after the hint was consumed. Returns the
 * watch's number (the socket's err_watch), or 0 when errors cannot be watched (then the send path
 * must ask SO_ERROR every time). */
unsigned notify_watch_errors(int fd, int *hint, bool rearm);

/* The process's error watch: a new number for each epoll made (a child after fork makes its own;
 * a socket registered with the parent's is not watched in the child). */
extern unsigned notify_error_watch_gen;

/* Whether the socket whose err_watch is *watch is watched by this process's error watch. */
static inline bool notify_error_watched(const unsigned *watch)
{
	unsigned w = __atomic_load_n(watch, __ATOMIC_ACQUIRE);

	return w != 0 && w == __atomic_load_n(&notify_error_watch_gen, __ATOMIC_RELAXED);
}

/* The route and neighbour generations while the listener keeps them current; false when it does
 * not run (then nothing may be cached across calls). For the send fast path (udp_fastpath.c). */
bool notify_generations_live(uint64_t *route, uint64_t *neigh);
/* The neighbour generation, which the listener moves with every route change as well, while it
 * runs; 0 when it does not. */
uint64_t notify_live_generation(void);
/* The same, inlined (the variables are notify.c's). Each generation is the listener's count plus
 * the kernel's count of the notifications queued for it (src/route/notify_bpf.c: [0] every
 * message, [1] those not about neighbours), which moves before the change's author gets its
 * answer: a send right after `ip route replace` sees the change. */
#define NOTIFY_BPF_COUNTS 2
extern const volatile uint64_t *notify_bpf_counts;
extern _Atomic uint64_t notify_neigh_generation_var;
extern _Atomic int notify_listener_state;
static inline uint64_t notify_live_generation_inline(void)
{
	if (__atomic_load_n(&notify_listener_state, __ATOMIC_ACQUIRE) != 1)
		return 0;
	return __atomic_load_n(&notify_neigh_generation_var, __ATOMIC_ACQUIRE) +
	       __atomic_load_n(&notify_bpf_counts, __ATOMIC_RELAXED)[0];
}
/* Current generations (for tests and the path trace). */
uint64_t route_generation(void);

/* Open the rtnetlink sockets now, at load, in the namespace of load time (the packet socket's):
 * a program that later switches namespace (setns, unshare(CLONE_NEWNET)) still has its routes
 * asked where its datagrams leave, and one that lowers its fd limit has not lost them. 0 or
 * -errno (then they are opened on first use, in the packet socket's namespace or not at all). */
int route_open_now(void);

/* Start the thread that keeps cached routes and neighbours current (src/route/notify.c), from a
 * context where libc may make a thread: the set-up, and a child of libc's fork() in the fork
 * interposer. Never on a send: a send may come from a signal handler that interrupted malloc.
 * Without it every lookup asks the kernel. */
void route_listener_start(void);

/* End that thread (and wait until it is gone) for a call that needs a single-threaded caller:
 * unshare(CLONE_NEWUSER) or setns into a user namespace. Whether one ended: then
 * route_listener_start runs it again after the call. */
bool route_listener_pause(void);

#endif
