/* sock_alloc: the socket objects and the map of them by SO_COOKIE. See
 * include/shim/sock_alloc.h. */
#include "shim/sock_alloc.h"
#include "shim/shim_alloc.h"
#include "shim/shim_lock.h"
#include "shim/sockgen.h"
#include "shim/udp_cork.h"

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

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
	return (family == AF_INET || family == AF_INET6) && type == SOCK_DGRAM &&
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
