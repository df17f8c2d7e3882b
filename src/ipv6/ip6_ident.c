/* ip6_ident: the identification of a fragmented IPv6 datagram (see include/shim/ip6_fragment.h;
 * net/ipv6/output_core.c __ipv6_select_ident). */
#include "shim/ip6_fragment.h"
#include "shim/rawsys.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>

#define IDENT6_BUCKETS 2048

static _Atomic uint32_t buckets[IDENT6_BUCKETS];
static uint32_t hash_key;
static _Atomic int seeded;

/* ip_idents: the buckets start at random values, the hash is keyed (ip_id_key) */
static void seed(void)
{
	uint32_t k = 0;

	if (rawsys3(SYS_getrandom, &k, sizeof(k), 0x1 /* GRND_NONBLOCK */) != sizeof(k))
		k = (uint32_t)rawsys0(SYS_getpid) * 2654435761u;
	hash_key = k | 1;
	atomic_store(&seeded, 1);
}

uint32_t ipv6_select_ident(const uint8_t daddr[16], const uint8_t saddr[16])
{
	uint32_t w[8], h, id;

	if (!atomic_load_explicit(&seeded, memory_order_acquire))
		seed();
	memcpy(w, daddr, 16);
	memcpy(w + 4, saddr, 16);
	h = hash_key;
	for (int i = 0; i < 8; i++) {
		h ^= w[i];
		h *= 0x9e3779b1u;
		h ^= h >> 15;
	}
	/* ip_idents_reserve(hash, 1); a bucket starts at a random point (the hash's high bits) */
	id = atomic_fetch_add(&buckets[h % IDENT6_BUCKETS], 1) + 1 + (h & 0xffff0000u);
	return id != 0 ? id : 1u << 31; /* 0 means unset: the high bit instead */
}
