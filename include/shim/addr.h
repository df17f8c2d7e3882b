/* addr: an IP address of either family (the family and room for 16 bytes), as routes, neighbours
 * and flows key on it.
 *
 * The kernel keeps the family beside the bytes (struct flowi4/flowi6 per family, a neighbour
 * table per family with its key length); the shim keeps both in one value, so one cache, one
 * queue and one rtnetlink request serve either family. The bytes are in network order, as they go
 * into headers and netlink attributes: an IPv4 address is the first 4 (v4), the other 12 zero. */
#ifndef SHIM_ADDR_H
#define SHIM_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

struct shim_addr {
	sa_family_t family; /* AF_INET, AF_INET6; AF_UNSPEC (0): none */
	union {
		uint32_t v4;	/* AF_INET: in_addr_t, network order */
		uint8_t v6[16]; /* AF_INET6: struct in6_addr's bytes; for either, the raw bytes */
		uint32_t w[4];
	};
};

/* The address length of a family: 4, 16, or 0 for anything else. */
static inline unsigned shim_addr_len(sa_family_t family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

static inline struct shim_addr shim_addr_v4(uint32_t a)
{
	struct shim_addr x = {.family = AF_INET, .w = {a, 0, 0, 0}};

	return x;
}

static inline struct shim_addr shim_addr_v6(const void *bytes16)
{
	struct shim_addr x = {.family = AF_INET6};

	memcpy(x.v6, bytes16, 16);
	return x;
}

/* The address of family from len raw bytes (a netlink attribute's payload); false (and *a left
 * alone) when len is not the family's length. */
static inline bool shim_addr_from(struct shim_addr *a, sa_family_t family, const void *p,
				  unsigned len)
{
	if (len == 0 || len != shim_addr_len(family))
		return false;
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->v6, p, len);
	return true;
}

/* Same family and bytes (4 compared for IPv4, 16 for IPv6). */
static inline bool shim_addr_equal(const struct shim_addr *a, const struct shim_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4 == b->v4;
	return ((a->w[0] ^ b->w[0]) | (a->w[1] ^ b->w[1]) | (a->w[2] ^ b->w[2]) |
		(a->w[3] ^ b->w[3])) == 0;
}

/* Whether a holds no address: AF_UNSPEC, 0.0.0.0 or ::. */
static inline bool shim_addr_any(const struct shim_addr *a)
{
	return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0;
}

/* A 32-bit mix of the address for cache slots (an IPv4 address is its own word). */
static inline uint32_t shim_addr_hash(const struct shim_addr *a)
{
	if (a->family == AF_INET)
		return a->v4;
	return a->w[0] ^ a->w[1] ^ a->w[2] ^ a->w[3] ^ a->family;
}

#endif
