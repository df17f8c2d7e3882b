/* shim_alloc: lock-free mmap-backed size classes. See include/shim/shim_alloc.h. */
#include "shim/shim_alloc.h"
#include "shim/rawsys.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

/* Every block starts with this header; the caller's memory follows it (16-byte aligned). */
struct blk {
	uint32_t next;	 /* free list link: the next free block's offset in units, 0 = none */
	uint32_t cls;	 /* size class, or CLS_MAPPED */
	uint64_t mapped; /* CLS_MAPPED: the length of its own mapping */
};

#define UNIT	   16u
#define MIN_SHIFT  5u  /* 32-byte blocks (16 of header, 16 usable) */
#define MAX_SHIFT  20u /* 1 MiB blocks; larger ones are mapped alone */
#define NCLS	   (MAX_SHIFT - MIN_SHIFT + 1)
#define CLS_MAPPED 0xffffffffu
#define ARENA_MIN  (16ul << 20)

/* The region: reserved once (MAP_NORESERVE; pages are only backed when touched), bump-allocated,
 * never unmapped, so a free-list link read from a block another thread has just taken is always
 * readable memory. */
static _Atomic(char *) arena;
static size_t arena_len;
static _Atomic size_t arena_used = UNIT; /* offset 0 means "no block" */

/* head: low 32 bits the first block's offset in units, high 32 bits a tag changed by every pop */
static _Atomic uint64_t free_head[NCLS];

static void *map(size_t len)
{
	long p = rawsys6(SYS_mmap, 0, (long)len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return (unsigned long)p > -4096ul ? NULL : (void *)p;
}

static char *arena_base(void)
{
	char *a = atomic_load_explicit(&arena, memory_order_acquire);

	if (a != NULL)
		return a;
	/* strict overcommit may refuse a large reservation: halve until one is granted */
	for (size_t len = 1ul << 30; len >= ARENA_MIN; len >>= 1) {
		char *fresh = map(len), *expected = NULL;

		if (fresh == NULL)
			continue;
		if (atomic_compare_exchange_strong_explicit(
			&arena, &expected, fresh, memory_order_acq_rel, memory_order_acquire)) {
			__atomic_store_n(&arena_len, len, __ATOMIC_RELEASE);
			return fresh;
		}
		rawsys2(SYS_munmap, fresh, len);
		return expected;
	}
	return NULL;
}

static struct blk *blk_at(char *base, uint32_t off)
{
	return (struct blk *)(base + (size_t)off * UNIT);
}

static struct blk *pop(char *base, unsigned cls)
{
	uint64_t h = atomic_load_explicit(&free_head[cls], memory_order_acquire);

	for (;;) {
		uint32_t off = (uint32_t)h;
		uint64_t next;

		if (off == 0)
			return NULL;
		/* the block may be taken (and its link rewritten) meanwhile: the tag then changed
		 */
		next = (h & 0xffffffff00000000ull) + (1ull << 32) +
		       __atomic_load_n(&blk_at(base, off)->next, __ATOMIC_RELAXED);
		if (atomic_compare_exchange_weak_explicit(
			&free_head[cls], &h, next, memory_order_acquire, memory_order_acquire))
			return blk_at(base, off);
	}
}

static void push(char *base, unsigned cls, struct blk *b)
{
	uint32_t off = (uint32_t)(((char *)b - base) / UNIT);
	uint64_t h = atomic_load_explicit(&free_head[cls], memory_order_relaxed);

	do
		__atomic_store_n(&b->next, (uint32_t)h, __ATOMIC_RELAXED);
	while (!atomic_compare_exchange_weak_explicit(&free_head[cls], &h,
						      (h & 0xffffffff00000000ull) | off,
						      memory_order_release, memory_order_relaxed));
}

static struct blk *carve(char *base, unsigned cls)
{
	size_t len = (size_t)1 << (cls + MIN_SHIFT);
	size_t off = atomic_fetch_add_explicit(&arena_used, len, memory_order_relaxed);

	if (off + len > __atomic_load_n(&arena_len, __ATOMIC_ACQUIRE))
		return NULL; /* the region is full (or its length not yet published): mapped alone
			      */
	return (struct blk *)(base + off);
}

static unsigned class_of(size_t total)
{
	unsigned shift = MIN_SHIFT;

	while (((size_t)1 << shift) < total)
		shift++;
	return shift - MIN_SHIFT;
}

void *shim_alloc(size_t n)
{
	size_t total = n + sizeof(struct blk);
	struct blk *b = NULL;
	char *base;

	if (n > ((size_t)1 << 40))
		return NULL;
	if (total <= ((size_t)1 << MAX_SHIFT) && (base = arena_base()) != NULL) {
		unsigned cls = class_of(total);

		b = pop(base, cls);
		if (b == NULL)
			b = carve(base, cls);
		if (b != NULL) {
			b->cls = cls;
			return b + 1;
		}
	}
	total = (total + 4095) & ~(size_t)4095;
	b = map(total);
	if (b == NULL)
		return NULL;
	b->cls = CLS_MAPPED;
	b->mapped = total;
	return b + 1;
}

void *shim_zalloc(size_t n)
{
	void *p = shim_alloc(n);

	if (p != NULL)
		memset(p, 0, n);
	return p;
}

size_t shim_alloc_size(const void *p)
{
	const struct blk *b = (const struct blk *)p - 1;

	if (b->cls == CLS_MAPPED)
		return b->mapped - sizeof(*b);
	return ((size_t)1 << (b->cls + MIN_SHIFT)) - sizeof(*b);
}

void shim_free(void *p)
{
	struct blk *b;

	if (p == NULL)
		return;
	b = (struct blk *)p - 1;
	if (b->cls == CLS_MAPPED)
		rawsys2(SYS_munmap, b, b->mapped);
	else
		push(atomic_load_explicit(&arena, memory_order_acquire), b->cls, b);
}

void *shim_realloc(void *p, size_t n)
{
	size_t have;
	void *q;

	if (p == NULL)
		return shim_alloc(n);
	have = shim_alloc_size(p);
	if (n <= have)
		return p;
	q = shim_alloc(n);
	if (q == NULL)
		return NULL;
	memcpy(q, p, have);
	shim_free(p);
	return q;
}

/* Reserved when the library loads: no mapping appears later at an address the program expects
 * to stay unmapped. */
__attribute__((constructor)) static void shim_alloc_load(void)
{
	arena_base();
}
