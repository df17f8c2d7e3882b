/* fd_slots: one word per fd number, read without a lock (src/core/fd_slots.c). The words are kept
 * in chunks of 4096, mapped on first use and never freed, under a fixed directory. It is the
 * storage of the fd table (include/shim/fdtable.h, which says what a word means: a kind, or a
 * socket object's address) and is read inline by the send fast path. */
#ifndef SHIM_FD_SLOTS_H
#define SHIM_FD_SLOTS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Highest fd number with a slot (plus one). */
#define FD_SLOTS_MAX	     (1 << 22)
#define FD_SLOTS_CHUNK_SHIFT 12
#define FD_SLOTS_CHUNK_COUNT (FD_SLOTS_MAX >> FD_SLOTS_CHUNK_SHIFT)

typedef _Atomic uintptr_t fd_slot_t;
extern _Atomic(fd_slot_t *) fd_slot_chunks[FD_SLOTS_CHUNK_COUNT];

/* fd's slot; NULL when fd is out of range, or its chunk is not mapped and create is false (all
 * its words are 0 then), or no memory could be mapped. */
fd_slot_t *fd_slot(int fd, bool create);

/* The word in fd's slot now (0 where it has none): two loads. */
static inline uintptr_t fd_slot_peek(int fd)
{
	unsigned u = (unsigned)fd;
	fd_slot_t *chunk;

	if (u >= FD_SLOTS_MAX) /* negative fds too */
		return 0;
	chunk =
	    atomic_load_explicit(&fd_slot_chunks[u >> FD_SLOTS_CHUNK_SHIFT], memory_order_acquire);
	if (chunk == NULL)
		return 0;
	return atomic_load_explicit(&chunk[u & ((1u << FD_SLOTS_CHUNK_SHIFT) - 1)],
				    memory_order_acquire);
}

/* Call fn on the slots of [first, last] that exist, until it returns true; returns the fd it
 * stopped at, or -1. */
int fd_slots_scan(unsigned first, unsigned last, bool (*fn)(fd_slot_t *slot));

#endif
