/* ip_ident: per-destination IP ID counters for unconnected sockets (see include/shim/ip_ident.h).
 */
#include "shim/ip_ident.h"
#include "shim/rawsys.h"

#include <stdatomic.h>
#include <sys/syscall.h>

#define IDENT_BUCKETS 2048

static _Atomic uint32_t buckets[IDENT_BUCKETS];
static uint32_t hash_key;
static _Atomic int seeded;

static void seed(void)
{
	uint32_t k = 0;

	if (rawsys3(SYS_getrandom, &k, sizeof(k), 0x1) != sizeof(k))
		k = (uint32_t)rawsys0(SYS_getpid) * 2654435761u;
	hash_key = k | 1;
	atomic_store(&seeded, 1);
}

_Atomic uint32_t *ip_ident_bucket(uint32_t daddr, uint32_t saddr, uint8_t protocol,
				  uint16_t *offset)
{
	uint32_t h;

	if (!atomic_load_explicit(&seeded, memory_order_acquire))
		seed();
	h = (daddr ^ (saddr * 0x9e3779b1u) ^ protocol) * hash_key;
	h ^= h >> 15;
	*offset = (uint16_t)(h >> 16);
	return &buckets[h % IDENT_BUCKETS];
}

uint16_t ip_ident_unconnected(uint32_t daddr, uint32_t saddr, uint8_t protocol)
{
	uint32_t h;

	if (!atomic_load_explicit(&seeded, memory_order_acquire))
		seed();
	h = (daddr ^ (saddr * 0x9e3779b1u) ^ protocol) * hash_key;
	h ^= h >> 15;
	/* a bucket starts at a random point: the high bits of the key-mixed hash */
	return (uint16_t)(atomic_fetch_add(&buckets[h % IDENT_BUCKETS], 1) + 1 + (h >> 16));
}
