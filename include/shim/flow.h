/* flow: the flow of one datagram as a route lookup takes it (the kernel's struct flowi: a common
 * part and a per-family part, flowi4 or flowi6).
 *
 * The family says which part is in use. Addresses and ports are in network order; the parts'
 * unused bytes are zero (shim_flowi4_init_output clears the whole flow), so a flow can be kept
 * as a cache key and compared per family (shim_flowi_equal). */
#ifndef SHIM_FLOW_H
#define SHIM_FLOW_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "shim/addr.h"

/* struct flowi4 without the common part: addresses, DSCP/TOS, ports */
struct shim_flowi4 {
	uint32_t daddr;
	uint32_t saddr; /* 0: let routing choose */
	uint8_t tos;
	uint16_t sport, dport;
};

/* struct flowi6 without the common part */
struct shim_flowi6 {
	struct in6_addr daddr;
	struct in6_addr saddr; /* :: lets routing choose */
	uint32_t flowlabel;    /* traffic class and flow label, network order (flowi6_flowlabel) */
	uint16_t sport, dport;
};

struct shim_flowi {
	/* flowi_common */
	sa_family_t family; /* AF_INET: ip4 is in use; AF_INET6: ip6 */
	int oif;	    /* 0: let routing choose */
	uint32_t mark;
	uint32_t uid;
	union {
		struct shim_flowi4 ip4;
		struct shim_flowi6 ip6;
	};
};

/* flowi4_init_output(): an IPv4 flow, everything else zero. */
static inline void shim_flowi4_init_output(struct shim_flowi *fl, int oif, uint32_t mark,
					   uint8_t tos, uint32_t uid, uint32_t daddr,
					   uint32_t saddr, uint16_t dport, uint16_t sport)
{
	memset(fl, 0, sizeof(*fl));
	fl->family = AF_INET;
	fl->oif = oif;
	fl->mark = mark;
	fl->uid = uid;
	fl->ip4.daddr = daddr;
	fl->ip4.saddr = saddr;
	fl->ip4.tos = tos;
	fl->ip4.dport = dport;
	fl->ip4.sport = sport;
}

/* The flow's destination and source as addresses of its family. */
static inline struct shim_addr shim_flowi_daddr(const struct shim_flowi *fl)
{
	return fl->family == AF_INET ? shim_addr_v4(fl->ip4.daddr) : shim_addr_v6(&fl->ip6.daddr);
}

static inline struct shim_addr shim_flowi_saddr(const struct shim_flowi *fl)
{
	return fl->family == AF_INET ? shim_addr_v4(fl->ip4.saddr) : shim_addr_v6(&fl->ip6.saddr);
}

/* Every field of both flows the same (the ports and uid matter only to policy rules that match on
 * them, but a lookup answers for all of them). */
static inline bool shim_flowi_equal(const struct shim_flowi *a, const struct shim_flowi *b)
{
	if (a->family != b->family || a->oif != b->oif || a->mark != b->mark || a->uid != b->uid)
		return false;
	if (a->family == AF_INET)
		return a->ip4.daddr == b->ip4.daddr && a->ip4.saddr == b->ip4.saddr &&
		       a->ip4.tos == b->ip4.tos && a->ip4.sport == b->ip4.sport &&
		       a->ip4.dport == b->ip4.dport;
	return memcmp(&a->ip6, &b->ip6, sizeof(a->ip6)) == 0;
}

/* A 32-bit mix of the fields that usually tell flows apart, for cache slots. */
static inline uint32_t shim_flowi_hash(const struct shim_flowi *fl)
{
	struct shim_addr d = shim_flowi_daddr(fl), s = shim_flowi_saddr(fl);
	uint8_t tos =
	    fl->family == AF_INET ? fl->ip4.tos : (uint8_t)(ntohl(fl->ip6.flowlabel) >> 20);

	return shim_addr_hash(&d) * 2654435761u ^ shim_addr_hash(&s) * 40503u ^
	       (uint32_t)fl->oif * 97u ^ tos * 31u ^ fl->mark * 13u;
}

#endif
