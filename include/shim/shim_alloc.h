/* shim_alloc: the shim's own memory, never the program's allocator.
 *
 * The shim runs where the program's malloc cannot be called: during another library's
 * initialisation (jemalloc's init calls syscall() while it holds its init lock), in a signal
 * handler that interrupted malloc, in a child after fork or _Fork whose parent had other threads
 * inside malloc. Everything the shim allocates therefore comes from mmap'd memory of its own:
 * size classes of powers of two up to 128 KiB, each a lock-free free list (a Treiber stack whose
 * head carries a tag against ABA), carved from 1 MiB chunks mapped as they are needed and never
 * unmapped; larger blocks are mapped and unmapped one by one. No lock, no signal mask: safe in a
 * signal handler, in any thread, and in a child after any kind of fork (a block a vanished thread
 * was taking is at worst lost). Blocks are 16-byte aligned. */
#ifndef SHIM_SHIM_ALLOC_H
#define SHIM_SHIM_ALLOC_H

#include <stddef.h>

/* n bytes (uninitialised), or NULL when no memory can be mapped */
void *shim_alloc(size_t n);
/* n zeroed bytes, or NULL */
void *shim_zalloc(size_t n);
/* realloc's contract: p may be NULL; on failure p stays valid and NULL is returned */
void *shim_realloc(void *p, size_t n);
/* p may be NULL */
void shim_free(void *p);
/* The block *where points to, or a new zeroed one of n bytes published there if it is NULL (the
 * first of racing callers wins, the others free theirs); NULL when no memory can be mapped. For
 * tables whose parts are mapped on first use. */
void *shim_zalloc_publish(void *_Atomic *where, size_t n);
/* the usable size of a block (at least what was asked) */
size_t shim_alloc_size(const void *p);

#endif
