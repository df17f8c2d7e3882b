/* fd_slots: one word per fd number. See include/shim/fd_slots.h. */
#include "shim/fd_slots.h"
#include "shim/shim_alloc.h"

#define CHUNK_SLOTS (1u << FD_SLOTS_CHUNK_SHIFT)

_Atomic(fd_slot_t *) fd_slot_chunks[FD_SLOTS_CHUNK_COUNT];

fd_slot_t *fd_slot(int fd, bool create)
{
	unsigned u = (unsigned)fd, ci = u >> FD_SLOTS_CHUNK_SHIFT;
	fd_slot_t *chunk;

	if (fd < 0 || u >= FD_SLOTS_MAX)
		return NULL;
	chunk = atomic_load_explicit(&fd_slot_chunks[ci], memory_order_acquire);
	if (chunk == NULL) {
		if (!create)
			return NULL;
		chunk = shim_zalloc_publish((void *_Atomic *)&fd_slot_chunks[ci],
					    CHUNK_SLOTS * sizeof(*chunk));
		if (chunk == NULL)
			return NULL;
	}
	return &chunk[u & (CHUNK_SLOTS - 1)];
}

int fd_slots_scan(unsigned first, unsigned last, bool (*fn)(fd_slot_t *slot))
{
	if (last >= FD_SLOTS_MAX)
		last = FD_SLOTS_MAX - 1;
	for (unsigned fd = first; fd <= last;) {
		fd_slot_t *chunk = atomic_load_explicit(&fd_slot_chunks[fd >> FD_SLOTS_CHUNK_SHIFT],
							memory_order_acquire);
		unsigned chunk_end = fd | (CHUNK_SLOTS - 1);

		if (chunk_end > last)
			chunk_end = last;
		for (unsigned i = fd; chunk != NULL && i <= chunk_end; i++)
			if (fn(&chunk[i & (CHUNK_SLOTS - 1)]))
				return (int)i;
		if (chunk_end == last)
			break;
		fd = chunk_end + 1;
	}
	return -1;
}
