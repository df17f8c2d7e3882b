/* sock_alloc: the socket objects (struct shim_sock, sock.h) — the kernel's sk_alloc, sock_hold,
 * sock_put — and the process's map of them by SO_COOKIE: one object per kernel socket however many
 * fds refer to it (src/inet/sock_alloc.c).
 *
 * Socket objects live in type-stable memory (never returned to the allocator, reused only as
 * sockets), so a reader that races with close() holds either the old socket, safely referenced
 * once shim_sock_get_not_zero said yes, or finds that it changed. */
#ifndef SHIM_SOCK_ALLOC_H
#define SHIM_SOCK_ALLOC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "shim/fd_slots.h"
#include "shim/sock.h"

/* Whether (family, type, protocol) as given to socket() or read back by SO_DOMAIN, SO_TYPE,
 * SO_PROTOCOL is a socket the shim owns (inet_create resolves protocol 0 to UDP for SOCK_DGRAM). */
bool shim_sock_is_ownable(int family, int type, int protocol);

/* A new socket object with one reference, or NULL when out of memory. */
struct shim_sock *shim_sock_new(int family, int type, int protocol);
void shim_sock_get(struct shim_sock *sk);
void shim_sock_put(struct shim_sock *sk);

/* The process's object of the kernel socket whose SO_COOKIE is cookie (one per socket however
 * many fds refer to it), with a reference; NULL if none is alive (or cookie is 0). */
struct shim_sock *shim_sock_find(uint64_t cookie);

/* Make fresh (one reference, the caller's) the object of the socket with this cookie, unless
 * another fd of it got one meanwhile: returns that one, referenced, and the caller puts fresh.
 * Also gives fresh its shared generation cell (sockgen.h). cookie 0 (unknown): returns fresh. */
struct shim_sock *shim_sock_add(struct shim_sock *fresh, uint64_t cookie);

/* Number of socket objects alive (for tests and statistics). */
unsigned shim_sock_live_count(void);

/* Take a reference unless the object is already on its way to the free list (refs 0). */
static inline bool shim_sock_get_not_zero(struct shim_sock *sk)
{
	_Atomic unsigned *refs = (_Atomic unsigned *)&sk->refs;
	unsigned r = atomic_load_explicit(refs, memory_order_relaxed);

	while (r != 0) {
		if (atomic_compare_exchange_weak_explicit(refs, &r, r + 1, memory_order_acquire,
							  memory_order_relaxed))
			return true;
	}
	return false;
}

/* Take a reference on sk, read from fd's slot without one (fdtable_peek), if the slot still holds
 * it (the fd table keeps an owned socket's address in its slot): true with the reference, which
 * the caller puts; false if the socket was closed or replaced meanwhile. Inline: the send fast
 * path's, for a socket-counter ID. */
static inline bool shim_sock_hold_peeked(int fd, struct shim_sock *sk)
{
	if (!shim_sock_get_not_zero(sk))
		return false;
	if (fd_slot_peek(fd) == (uintptr_t)sk)
		return true;
	shim_sock_put(sk); /* closed or replaced meanwhile */
	return false;
}

#endif
