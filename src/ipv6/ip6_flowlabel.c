/* ip6_flowlabel: the automatic flow labels of the shim's IPv6 flows (see
 * include/shim/ip6_flowlabel.h). */
#include "shim/ip6_flowlabel.h"
#include "shim/rawsys.h"
#include "shim/shim_lock.h"

#include <string.h>
#include <sys/syscall.h>

#define IPPROTO_UDP_ 17
#define LEARNT_SLOTS 128

struct learnt {
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	uint32_t label; /* 0: empty */
};

/* The kernel's hash is the same for every process and socket of the boot: one table per process,
 * kept across fork (the child's flows are the parent's). */
static struct learnt learnt[LEARNT_SLOTS];
SHIM_LOCK_DEFINE(learnt_lock);

static unsigned slot_of(const uint8_t *daddr, uint16_t sport, uint16_t dport)
{
	uint32_t h = (uint32_t)sport * 2654435761u ^ dport * 40503u, w;

	for (int i = 0; i < 16; i += 4) {
		memcpy(&w, daddr + i, 4);
		h = (h ^ w) * 16777619u;
	}
	return (h ^ h >> 15) % LEARNT_SLOTS;
}

void ip6_flowlabel_learnt(const uint8_t *saddr, const uint8_t *daddr, uint16_t sport,
			  uint16_t dport, uint32_t label)
{
	struct learnt *e = &learnt[slot_of(daddr, sport, dport)];

	if (label == 0)
		return;
	shim_lock_acquire(&learnt_lock);
	memcpy(e->saddr, saddr, 16);
	memcpy(e->daddr, daddr, 16);
	e->sport = sport;
	e->dport = dport;
	e->label = label & 0xfffff;
	shim_lock_release(&learnt_lock);
}

bool ip6_flowlabel_lookup(const uint8_t *saddr, const uint8_t *daddr, uint16_t sport,
			  uint16_t dport, uint32_t *label)
{
	const struct learnt *e = &learnt[slot_of(daddr, sport, dport)];
	bool found;

	shim_lock_acquire(&learnt_lock);
	found = e->label != 0 && e->sport == sport && e->dport == dport &&
		memcmp(e->saddr, saddr, 16) == 0 && memcmp(e->daddr, daddr, 16) == 0;
	if (found)
		*label = e->label;
	shim_lock_release(&learnt_lock);
	return found;
}

/* A secret of the process for the flow hash (the kernel's is per boot: hashrnd). */
static uint32_t flow_secret[4];
static int flow_secret_set; /* atomic */

static void flow_secret_init(void)
{
	uint32_t s[4] = {0};

	if (__atomic_load_n(&flow_secret_set, __ATOMIC_ACQUIRE))
		return;
	if (rawsys3(SYS_getrandom, s, sizeof(s), 0x1 /* GRND_NONBLOCK */) != sizeof(s)) {
		s[0] = (uint32_t)rawsys0(SYS_getpid) * 2654435761u;
		s[1] = (uint32_t)(uintptr_t)&flow_secret * 40503u;
	}
	memcpy(flow_secret, s, sizeof(s));
	__atomic_store_n(&flow_secret_set, 1, __ATOMIC_RELEASE);
}

static uint32_t mix(uint32_t h, uint32_t v)
{
	h ^= v * 0xcc9e2d51u;
	h = (h << 13 | h >> 19) * 5u + 0xe6546b64u;
	return h;
}

uint32_t ip6_own_flowlabel(const uint8_t *saddr, const uint8_t *daddr, uint16_t sport,
			   uint16_t dport, uint32_t txhash)
{
	uint32_t h = txhash, w;

	if (h == 0) { /* flow_hash_from_keys over addresses, ports and protocol */
		flow_secret_init();
		h = flow_secret[0];
		for (int i = 0; i < 4; i++) {
			memcpy(&w, saddr + 4 * i, 4);
			h = mix(h, w ^ flow_secret[1]);
			memcpy(&w, daddr + 4 * i, 4);
			h = mix(h, w ^ flow_secret[2]);
		}
		h = mix(h, (uint32_t)sport << 16 | dport);
		h = mix(h, IPPROTO_UDP_ ^ flow_secret[3]);
		h ^= h >> 16;
		h *= 0x85ebca6bu;
		h ^= h >> 13;
	}
	/* ip6_make_flowlabel: rol32(hash, 16), the low 20 bits */
	h = (h << 16 | h >> 16) & 0xfffff;
	return h != 0 ? h : 1;
}
