/* ip6_flowlabel: the automatic flow labels of the shim's IPv6 flows, and the flow label leases of
 * a socket (net/ipv6/ip6_flowlabel.c; see include/shim/ip6_flowlabel.h). */
#include "shim/ip6_flowlabel.h"
#include "shim/rawsys.h"
#include "shim/shim_lock.h"

#include <arpa/inet.h>
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

/* struct in6_flowlabel_req (linux/in6.h) */
#define FLR_LABEL_OFF  16
#define FLR_ACTION_OFF 20
#define FLR_SHARE_OFF  21
#define FLR_FLAGS_OFF  22
#define IPV6_FL_A_GET  0
#define IPV6_FL_A_PUT  1
#define IPV6_FL_F_EXCL 2
#define IPV6_FL_S_EXCL 1
#define FLR_SIZE       32
#define LABEL_MASK_BE  htonl(0x000fffffu) /* IPV6_FLOWLABEL_MASK */

static int fl_find(const struct ip6_fl_socklist *l, uint32_t label)
{
	for (int i = 0; i < l->n; i++)
		if (l->label[i] == label)
			return i;
	return -1;
}

/* ipv6_flowlabel_get: the lease is the socket's own, with the request's options, when it was
 * surely made by this request: IPV6_FL_F_EXCL (an existing label is EEXIST) or an exclusive
 * share (joining any existing label is EPERM). Else the socket may have joined a lease of the
 * same label: its own (linked again), or another socket's, with that one's options (a label of 0,
 * which the kernel picks free, cannot be told from the label it wrote back). */
static void ipv6_flowlabel_get_learn(struct ip6_fl_socklist *l, uint32_t label, bool fresh,
				     bool with_opts)
{
	int i = fl_find(l, label);

	if (i >= 0) { /* linked again (a fresh one would have been refused: EEXIST, EPERM) */
		if (l->links[i] < 255)
			l->links[i]++;
		else
			l->unknown = true;
		return;
	}
	if (l->n == IP6_FL_SOCK_MAX) {
		l->unknown = true;
		return;
	}
	l->label[l->n] = label;
	l->links[l->n] = 1;
	l->opt_unknown[l->n] = with_opts || !fresh;
	l->n++;
}

void ipv6_flowlabel_opt_learn(struct ip6_fl_socklist *l, const uint8_t req[32], unsigned optlen,
			      uint32_t *flow_label)
{
	uint32_t label;
	uint16_t flags;
	int i;

	memcpy(&label, req + FLR_LABEL_OFF, 4);
	memcpy(&flags, req + FLR_FLAGS_OFF, 2);
	label &= LABEL_MASK_BE;
	switch (req[FLR_ACTION_OFF]) {
	case IPV6_FL_A_GET:
		/* (IPV6_FL_F_REFLECT succeeds for TCP only) */
		if (label == 0) { /* the program's buffer has no label: not known */
			l->unknown = true;
			return;
		}
		ipv6_flowlabel_get_learn(
		    l, label, (flags & IPV6_FL_F_EXCL) || req[FLR_SHARE_OFF] == IPV6_FL_S_EXCL,
		    optlen > FLR_SIZE);
		return;
	case IPV6_FL_A_PUT: /* ipv6_flowlabel_put: one link less */
		if ((*flow_label & LABEL_MASK_BE) == label)
			*flow_label &= ~LABEL_MASK_BE;
		i = fl_find(l, label);
		if (i < 0) {
			l->unknown = true;
			return;
		}
		if (--l->links[i] == 0) {
			l->n--;
			l->label[i] = l->label[l->n];
			l->links[i] = l->links[l->n];
			l->opt_unknown[i] = l->opt_unknown[l->n];
		}
		return;
	default: /* IPV6_FL_A_RENEW: the lease's lifetime only */
		return;
	}
}

enum fl6_lookup fl6_sock_lookup(const struct ip6_fl_socklist *l, uint32_t label, const char **why)
{
	int i = fl_find(l, label & LABEL_MASK_BE);

	if (i >= 0 && !l->opt_unknown[i])
		return FL6_HELD;
	if (i >= 0) {
		*why = "a lease the socket may share with another (its options are not known)";
		return FL6_UNKNOWN;
	}
	if (l->unknown) {
		*why = "the socket's flow label leases are not all known";
		return FL6_UNKNOWN;
	}
	return FL6_NOT_HELD;
}
