/* fdtable: which file descriptors are sockets the shim owns — the shim's sockfd_lookup_light().
 *
 * Every fd number has one slot. A slot holds either a reference to the fd's socket object, or one
 * of: FD_UNKNOWN   never seen (e.g. inherited across exec, or made by a call the shim does not
 *                intercept): the caller probes the fd once and records the answer
 *   FD_FOREIGN   checked: not a socket the shim owns; every call on it goes to libc
 *   FD_INTERNAL  one of the shim's own fds (trace file, ...): hidden from the program; never
 *                stored in a slot, answered from core's registry (internal_fd.h)
 *
 * Reads take no lock: a lookup is one atomic load plus a reference count increment on the socket.
 * Socket objects live in type-stable memory (never returned to malloc, reused only as sockets), so
 * a lookup that races with close() sees either the old socket, safely referenced, or the new slot
 * value. */
#ifndef SHIM_FDTABLE_H
#define SHIM_FDTABLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "shim/internal_fd.h"
#include "shim/sock.h"

enum fd_kind {
	FD_UNKNOWN = 0,
	FD_FOREIGN,
	FD_INTERNAL,
	FD_OWNED,
};

/* Highest fd number the table can hold (plus one); fds above it are always FD_FOREIGN. */
#define FDTABLE_MAX_FDS (1 << 22)

/* The slots (fdtable.c): a directory of chunks allocated on first use, never freed. */
#define FDTABLE_CHUNK_SHIFT  12
#define FDTABLE_CHUNK_COUNT  (FDTABLE_MAX_FDS >> FDTABLE_CHUNK_SHIFT)
#define FDTABLE_SLOT_PTR_MIN ((uintptr_t)FD_OWNED + 1)
typedef _Atomic uintptr_t fdtable_slot_t;
extern _Atomic(fdtable_slot_t *) fdtable_chunks[FDTABLE_CHUNK_COUNT];

/* The socket fd's slot holds now, without a reference (NULL: not an owned socket, or not known
 * yet): for the send fast path only. The object stays a socket object (type-stable memory) but may
 * be closed, and even reused for a new socket, at any moment after the load: the caller may only
 * read it and must find its own flow stamp in it before trusting anything (udp_fastpath.c), and
 * must take a reference (fdtable_hold) before it writes to it or takes its lock. */
static inline struct shim_sock *fdtable_peek(int fd)
{
	unsigned u = (unsigned)fd;
	fdtable_slot_t *chunk;
	uintptr_t v;

	if (u >= FDTABLE_MAX_FDS) /* negative fds too */
		return NULL;
	chunk =
	    atomic_load_explicit(&fdtable_chunks[u >> FDTABLE_CHUNK_SHIFT], memory_order_acquire);
	if (chunk == NULL)
		return NULL;
	v = atomic_load_explicit(&chunk[u & ((1u << FDTABLE_CHUNK_SHIFT) - 1)],
				 memory_order_acquire);
	return v >= FDTABLE_SLOT_PTR_MIN ? (struct shim_sock *)v : NULL;
}

/* Take a reference on sk if fd's slot still holds it (after fdtable_peek): true with the
 * reference, which the caller puts; false if the socket was closed or replaced meanwhile. */
void shim_sock_put(struct shim_sock *sk);
static inline bool fdtable_hold(int fd, struct shim_sock *sk)
{
	_Atomic unsigned *refs = (_Atomic unsigned *)&sk->refs;
	unsigned r = atomic_load_explicit(refs, memory_order_relaxed);

	do { /* shim_sock_get_not_zero: not once the object is on its way to the free list */
		if (r == 0)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(refs, &r, r + 1, memory_order_acquire,
							memory_order_relaxed));
	if (fdtable_peek(fd) == sk)
		return true;
	shim_sock_put(sk); /* closed or replaced meanwhile */
	return false;
}

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

/* Look fd up. Returns the kind; for FD_OWNED *skp receives a reference the caller must put. */
enum fd_kind fdtable_lookup(int fd, struct shim_sock **skp);

/* Put sk in fd's slot (taking a new reference) after the kernel created or duplicated fd.
 * Whatever the slot held before is dropped. Returns 0, or -1 if fd is out of range. */
int fdtable_install(int fd, struct shim_sock *sk);

/* Record fd as FD_FOREIGN or FD_UNKNOWN, dropping a socket reference it held (FD_INTERNAL is
 * recorded by internal_fd_adopt, in core). */
void fdtable_set_kind(int fd, enum fd_kind kind);

/* The kernel closed fd (close, close_range, dup2/dup3 onto it): forget it. */
static inline void fdtable_forget(int fd)
{
	fdtable_set_kind(fd, FD_UNKNOWN);
}

/* What fd's slot holds now, to be passed to fdtable_forget_if after the kernel closed fd. */
typedef unsigned long fd_token_t;
fd_token_t fdtable_token(int fd);

/* Forget fd unless its slot changed since the token was taken: another thread may have been
 * handed the same fd number by the kernel between the close and this call. */
void fdtable_forget_if(int fd, fd_token_t token);

/* fd newfd now refers to what oldfd refers to (dup family, after the kernel said yes). */
void fdtable_dup(int oldfd, int newfd);

/* Forget every fd in [first, last] (close_range, closefrom; the shim's own fds, which the
 * program's close_range spares, have nothing here: core's registry keeps them). */
void fdtable_forget_range(unsigned first, unsigned last);

#endif
