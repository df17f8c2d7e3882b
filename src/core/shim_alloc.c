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
	union {
		struct blk *next; /* free (a size class block): the free list link */
		uint64_t mapped;  /* CLS_MAPPED: the length of its own mapping */
	};
	uint32_t cls; /* size class, or CLS_MAPPED */
	uint32_t pad;
};

#define MIN_SHIFT  5u  /* 32-byte blocks: 16 of header, 16 usable */
#define MAX_SHIFT  17u /* 128 KiB blocks; larger ones are mapped alone */
#define NCLS	   (MAX_SHIFT - MIN_SHIFT + 1)
#define CLS_MAPPED 0xffffffffu
#define CHUNK	   (1ul << 20)

/* Blocks are carved from 1 MiB chunks mapped as they are needed (so the program's address-space
 * limit loses only what the shim uses) and never unmapped, so a free-list link read from a block
 * another thread has just taken is always readable memory. */
struct chunk {
	_Atomic size_t used; /* bytes handed out, from the start of the chunk */
};
static _Atomic(struct chunk *) current;

/* A free list head: the first block's address in the low 48 bits (x86-64 user addresses), a tag
 * in the high 16 changed by every pop (ABA: a pop that read a link of a block taken and given back
 * meanwhile sees another tag and tries again). */
#define PTR_MASK ((1ull << 48) - 1)
static _Atomic uint64_t free_head[NCLS];

static void *map(size_t len)
{
	long p = rawsys6(SYS_mmap, 0, (long)len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return (unsigned long)p > -4096ul ? NULL : (void *)p;
}

static struct blk *pop(unsigned cls)
{
	uint64_t h = atomic_load_explicit(&free_head[cls], memory_order_acquire);

	for (;;) {
		struct blk *b = (struct blk *)(uintptr_t)(h & PTR_MASK);
		uint64_t next;

		if (b == NULL)
			return NULL;
		/* b may be taken (and its link rewritten) meanwhile: the tag then changed */
		next = ((h & ~PTR_MASK) + (1ull << 48)) |
		       (uint64_t)(uintptr_t)__atomic_load_n(&b->next, __ATOMIC_RELAXED);
		if (atomic_compare_exchange_weak_explicit(
			&free_head[cls], &h, next, memory_order_acquire, memory_order_acquire))
			return b;
	}
}

static void push(unsigned cls, struct blk *b)
{
	uint64_t h = atomic_load_explicit(&free_head[cls], memory_order_relaxed);

	do
		__atomic_store_n(&b->next, (struct blk *)(uintptr_t)(h & PTR_MASK),
				 __ATOMIC_RELAXED);
	while (!atomic_compare_exchange_weak_explicit(&free_head[cls], &h,
						      (h & ~PTR_MASK) | (uint64_t)(uintptr_t)b,
						      memory_order_release, memory_order_relaxed));
}

/* A fresh block of len bytes from the current chunk, or from a new one when it is full. */
static struct blk *carve(size_t len)
{
	for (;;) {
		struct chunk *c = atomic_load_explicit(&current, memory_order_acquire), *fresh;
		size_t off;

		if (c != NULL) {
			off = atomic_fetch_add_explicit(&c->used, len, memory_order_relaxed);
			if (off + len <= CHUNK)
				return (struct blk *)((char *)c + off);
		}
		fresh = map(CHUNK);
		if (fresh == NULL)
			return NULL;
		/* the chunk's own header takes the first block's room: 64 bytes keep alignment */
		atomic_store_explicit(&fresh->used, 64, memory_order_relaxed);
		if (!atomic_compare_exchange_strong_explicit(
			&current, &c, fresh, memory_order_acq_rel, memory_order_acquire))
			rawsys2(SYS_munmap, fresh, CHUNK); /* another thread put one in: use that */
	}
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
	struct blk *b;

	if (n > ((size_t)1 << 40))
		return NULL;
	if (total <= ((size_t)1 << MAX_SHIFT)) {
		unsigned cls = class_of(total);

		b = pop(cls);
		if (b == NULL)
			b = carve((size_t)1 << (cls + MIN_SHIFT));
		if (b == NULL)
			return NULL;
		b->cls = cls;
		return b + 1;
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

void *shim_zalloc_publish(void *_Atomic *where, size_t n)
{
	void *cur = atomic_load_explicit(where, memory_order_acquire), *fresh;

	if (cur != NULL)
		return cur;
	fresh = shim_zalloc(n);
	if (fresh == NULL)
		return NULL;
	if (atomic_compare_exchange_strong_explicit(where, &cur, fresh, memory_order_acq_rel,
						    memory_order_acquire))
		return fresh;
	shim_free(fresh);
	return cur;
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
		push(b->cls, b);
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

/* The first chunk is mapped when the library loads: no mapping appears later at an address the
 * program has just unmapped and expects to stay so (it may test that it is). */
__attribute__((constructor)) static void shim_alloc_load(void)
{
	shim_free(shim_alloc(16));
}
