/* fdtable: the fd → socket map (the shim's sockfd_lookup_light). See include/shim/fdtable.h. */
#include "shim/fdtable.h"
#include "shim/shim_alloc.h"
#include "shim/shim_lock.h"
#include "shim/sockgen.h"
#include "shim/udp_cork.h"

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Slots are kept in chunks allocated on first use; the chunk directory is a fixed array. */
#define CHUNK_SHIFT FDTABLE_CHUNK_SHIFT
#define CHUNK_SLOTS (1u << CHUNK_SHIFT)

/* A slot value below FDTABLE_SLOT_PTR_MIN is an enum fd_kind; anything else is a struct shim_sock
 * pointer. */
#define SLOT_PTR_MIN FDTABLE_SLOT_PTR_MIN

typedef fdtable_slot_t slot_t;

_Atomic(slot_t *) fdtable_chunks[FDTABLE_CHUNK_COUNT];
#define chunks fdtable_chunks

static slot_t *slot_of(int fd, bool create)
{
	unsigned u = (unsigned)fd, ci = u >> CHUNK_SHIFT;
	slot_t *chunk;

	if (fd < 0 || u >= FDTABLE_MAX_FDS)
		return NULL;
	chunk = atomic_load_explicit(&chunks[ci], memory_order_acquire);
	if (chunk == NULL) {
		slot_t *fresh, *expected = NULL;

		if (!create)
			return NULL;
		fresh = shim_zalloc(CHUNK_SLOTS * sizeof(*fresh));
		if (fresh == NULL)
			return NULL;
		if (atomic_compare_exchange_strong_explicit(&chunks[ci], &expected, fresh,
							    memory_order_acq_rel,
							    memory_order_acquire)) {
			chunk = fresh;
		} else {
			shim_free(fresh);
			chunk = expected;
		}
	}
	return &chunk[u & (CHUNK_SLOTS - 1)];
}

/* ---- socket objects: type-stable pool, and the map of the process's sockets by SO_COOKIE ---- */

#define COOKIE_BUCKETS 256

static struct shim_sock *free_list;
static struct shim_sock *cookie_map[COOKIE_BUCKETS]; /* chains by cookie_next; pool_lock */
SHIM_LOCK_DEFINE(pool_lock);
static _Atomic unsigned live_socks;

static void pool_lock_take(void)
{
	shim_lock_acquire(&pool_lock);
}

static void pool_lock_release(void)
{
	shim_lock_release(&pool_lock);
}

bool shim_sock_is_ownable(int family, int type, int protocol)
{
	/* SOCK_NONBLOCK and SOCK_CLOEXEC ride in the type argument of socket(). */
	type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	return family == AF_INET && type == SOCK_DGRAM &&
	       (protocol == 0 || protocol == IPPROTO_UDP || protocol == IPPROTO_UDPLITE);
}

struct shim_sock *shim_sock_new(int family, int type, int protocol)
{
	struct shim_sock *sk;

	pool_lock_take();
	sk = free_list;
	if (sk != NULL)
		free_list = sk->next_free;
	pool_lock_release();
	if (sk == NULL) {
		sk = shim_alloc(sizeof(*sk));
		if (sk == NULL)
			return NULL;
	}
	memset(sk, 0, sizeof(*sk));
	sk->gen_cell = sockgen_cell(0); /* a cell of its own until the cookie is known */
	shim_lock_init(&sk->lock, "sk->lock");
	sk->family = family;
	sk->type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	sk->protocol = protocol == 0 ? IPPROTO_UDP : protocol;
	atomic_store_explicit((_Atomic unsigned *)&sk->refs, 1, memory_order_release);
	atomic_fetch_add_explicit(&live_socks, 1, memory_order_relaxed);
	return sk;
}

void shim_sock_get(struct shim_sock *sk)
{
	atomic_fetch_add_explicit((_Atomic unsigned *)&sk->refs, 1, memory_order_relaxed);
}

/* Take a reference unless the object is already on its way to the free list. */
static bool shim_sock_get_not_zero(struct shim_sock *sk)
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

static struct shim_sock **cookie_bucket(uint64_t cookie)
{
	return &cookie_map[(cookie * 0x9E3779B97F4A7C15ull) >> 56];
}

/* The process's object for the socket with this cookie, referenced, or NULL (pool_lock held). */
static struct shim_sock *cookie_find_locked(uint64_t cookie)
{
	for (struct shim_sock *sk = *cookie_bucket(cookie); sk != NULL; sk = sk->cookie_next)
		if (sk->cookie == cookie && shim_sock_get_not_zero(sk))
			return sk; /* refs 0: being freed, waiting for the lock to leave the map */
	return NULL;
}

struct shim_sock *shim_sock_find(uint64_t cookie)
{
	struct shim_sock *sk;

	if (cookie == 0)
		return NULL;
	pool_lock_take();
	sk = cookie_find_locked(cookie);
	pool_lock_release();
	return sk;
}

struct shim_sock *shim_sock_add(struct shim_sock *fresh, uint64_t cookie)
{
	struct shim_sock *sk, **bucket;

	if (cookie == 0)
		return fresh;
	/* outside the lock: may map the shared generations the first time */
	fresh->gen_cell = sockgen_cell(cookie);
	pool_lock_take();
	sk = cookie_find_locked(cookie);
	if (sk == NULL) { /* no other fd of this socket was seen meanwhile */
		bucket = cookie_bucket(cookie);
		fresh->cookie = cookie;
		fresh->cookie_next = *bucket;
		*bucket = fresh;
		sk = fresh;
	}
	pool_lock_release();
	return sk;
}

static void cookie_unlink_locked(struct shim_sock *sk)
{
	struct shim_sock **pp = cookie_bucket(sk->cookie);

	for (; *pp != NULL; pp = &(*pp)->cookie_next)
		if (*pp == sk) {
			*pp = sk->cookie_next;
			return;
		}
}

void shim_sock_put(struct shim_sock *sk)
{
	if (atomic_fetch_sub_explicit((_Atomic unsigned *)&sk->refs, 1, memory_order_acq_rel) != 1)
		return;
	atomic_fetch_sub_explicit(&live_socks, 1, memory_order_relaxed);
	udp_cork_release(sk); /* close discards a pending datagram (udp_destroy_sock) */
	pool_lock_take();
	if (sk->cookie != 0)
		cookie_unlink_locked(sk); /* the last fd of the socket in this process closed */
	sk->next_free = free_list;
	free_list = sk;
	pool_lock_release();
}

unsigned shim_sock_live_count(void)
{
	return atomic_load_explicit(&live_socks, memory_order_relaxed);
}

/* ---- slots ---- */

static void drop_slot_value(uintptr_t v)
{
	if (v >= SLOT_PTR_MIN)
		shim_sock_put((struct shim_sock *)v);
}

enum fd_kind fdtable_lookup(int fd, struct shim_sock **skp)
{
	slot_t *slot = slot_of(fd, false);

	*skp = NULL;
	if (slot == NULL) {
		if (internal_fd_is(fd))
			return FD_INTERNAL;
		return fd >= 0 && (unsigned)fd < FDTABLE_MAX_FDS ? FD_UNKNOWN : FD_FOREIGN;
	}
	for (;;) {
		uintptr_t v = atomic_load_explicit(slot, memory_order_acquire);
		struct shim_sock *sk;

		if (v < SLOT_PTR_MIN) /* the shim's own fds are recorded by core's registry */
			return internal_fd_is(fd) ? FD_INTERNAL : (enum fd_kind)v;
		sk = (struct shim_sock *)v;
		if (!shim_sock_get_not_zero(sk))
			continue; /* being freed: the slot has changed already */
		if (atomic_load_explicit(slot, memory_order_acquire) == v) {
			*skp = sk;
			return FD_OWNED;
		}
		shim_sock_put(sk); /* lost a race with close/dup2: read the slot again */
	}
}

static int slot_store(int fd, uintptr_t v)
{
	slot_t *slot = slot_of(fd, v != FD_UNKNOWN);

	if (slot == NULL) {
		drop_slot_value(v);
		return -1;
	}
	drop_slot_value(atomic_exchange_explicit(slot, v, memory_order_acq_rel));
	return 0;
}

int fdtable_install(int fd, struct shim_sock *sk)
{
	shim_sock_get(sk);
	return slot_store(fd, (uintptr_t)sk);
}

void fdtable_set_kind(int fd, enum fd_kind kind)
{
	if (kind == FD_OWNED || kind == FD_INTERNAL)
		return; /* owned slots are made by fdtable_install, internal fds are core's */
	slot_store(fd, (uintptr_t)kind);
}

fd_token_t fdtable_token(int fd)
{
	slot_t *slot = slot_of(fd, false);

	return slot == NULL ? FD_UNKNOWN : atomic_load_explicit(slot, memory_order_acquire);
}

void fdtable_forget_if(int fd, fd_token_t token)
{
	slot_t *slot = slot_of(fd, false);
	uintptr_t v = token;

	if (slot == NULL || v == FD_UNKNOWN)
		return;
	if (atomic_compare_exchange_strong_explicit(slot, &v, FD_UNKNOWN, memory_order_acq_rel,
						    memory_order_acquire))
		drop_slot_value(v);
}

void fdtable_dup(int oldfd, int newfd)
{
	struct shim_sock *sk;
	enum fd_kind kind = fdtable_lookup(oldfd, &sk);

	if (kind == FD_OWNED) {
		fdtable_install(newfd, sk);
		shim_sock_put(sk);
	} else if (kind == FD_INTERNAL) {
		fdtable_forget(newfd); /* the program's copy of an internal fd is the program's */
	} else {
		fdtable_set_kind(newfd, kind);
	}
}

/* Call fn on the slots of [first, last] that exist (chunks never allocated hold only FD_UNKNOWN),
 * until it returns true; returns the fd it stopped at, or -1. */
static int scan_slots(unsigned first, unsigned last, bool (*fn)(slot_t *slot))
{
	if (last >= FDTABLE_MAX_FDS)
		last = FDTABLE_MAX_FDS - 1;
	for (unsigned fd = first; fd <= last;) {
		slot_t *chunk =
		    atomic_load_explicit(&chunks[fd >> CHUNK_SHIFT], memory_order_acquire);
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

static bool forget(slot_t *slot)
{
	uintptr_t v = atomic_load_explicit(slot, memory_order_acquire);

	if (v != FD_UNKNOWN &&
	    atomic_compare_exchange_strong_explicit(slot, &v, FD_UNKNOWN, memory_order_acq_rel,
						    memory_order_acquire))
		drop_slot_value(v);
	return false;
}

void fdtable_forget_range(unsigned first, unsigned last)
{
	scan_slots(first, last, forget);
}
