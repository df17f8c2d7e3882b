/* shim_lock: the shim's locks, and the one registry of them.
 *
 * A futex word: bits 0-1 the state (0 free, 1 held, 2 held with waiters), bits 2-31 the process
 * generation that took it (shim_proc.h). A child made by fork, _Fork or a raw clone (not vfork,
 * whose child never enters the shim) moves to a new generation at once (the fork interposers) or
 * on its first entry into the shim (the wiped page); a lock stamped with an older
 * generation was held (or left) by a thread of the parent that does not exist in the child, so it
 * counts as free there. That covers every lock wherever it lives, in a static or inside a socket
 * object, with no list of them kept anywhere.
 *
 * Static locks are defined with SHIM_LOCK_DEFINE, which also places a pointer to each in the ELF
 * section "shim_locks": the registry that the child's reset walks (every lock cleanly free in the
 * new generation) and that tests and diagnostics can enumerate. Code that must run in a child
 * before it uses the shim's state registers with SHIM_AFTER_FORK (section "shim_after_fork").
 *
 * Signals: a signal handler that calls an interposed function while its thread is inside the shim
 * never reaches the shim's code (the re-entry guard sends that call to the kernel), so a handler
 * never waits on a lock its own thread holds (preload/guard.h); the sections are short and never
 * block signals (docs/conformance.md: a handler that leaves with siglongjmp). */
#ifndef SHIM_SHIM_LOCK_H
#define SHIM_SHIM_LOCK_H

#include <stdbool.h>
#include <stdint.h>

struct shim_lock {
	uint32_t word; /* atomic; futex */
	const char *name;
};

/* The current process generation, in the form stamped into lock words (shifted left by 2). */
extern uint32_t shim_lock_gen;

#define SHIM_LOCK_INIT(nm)                                                                         \
	{                                                                                          \
		0, nm                                                                              \
	}

/* static struct shim_lock name, registered. Use at file scope. */
#define SHIM_LOCK_DEFINE(name)                                                                     \
	static struct shim_lock name = SHIM_LOCK_INIT(#name);                                      \
	static struct shim_lock *name##_registered_                                                \
	    __attribute__((used, section("shim_locks"), aligned(sizeof(void *)))) = &name

/* fn (void fn(void)) runs in a child after fork, _Fork or clone, before the child uses the shim. */
#define SHIM_AFTER_FORK(fn)                                                                        \
	static void (*fn##_after_fork_)(void)                                                      \
	    __attribute__((used, section("shim_after_fork"), aligned(sizeof(void *)))) = fn

/* A lock inside an object (a socket): free, in the current generation. */
static inline void shim_lock_init(struct shim_lock *l, const char *name)
{
	l->name = name;
	__atomic_store_n(&l->word, __atomic_load_n(&shim_lock_gen, __ATOMIC_RELAXED),
			 __ATOMIC_RELEASE);
}

void shim_lock_acquire_slow(struct shim_lock *l);
void shim_lock_wake(struct shim_lock *l);

static inline void shim_lock_acquire(struct shim_lock *l)
{
	uint32_t free_word = __atomic_load_n(&shim_lock_gen, __ATOMIC_RELAXED);

	if (!__atomic_compare_exchange_n(&l->word, &free_word, free_word | 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		shim_lock_acquire_slow(l);
}

/* true when taken */
bool shim_lock_try(struct shim_lock *l);

static inline void shim_lock_release(struct shim_lock *l)
{
	uint32_t w = __atomic_load_n(&l->word, __ATOMIC_RELAXED);

	if (__atomic_exchange_n(&l->word, w & ~3u, __ATOMIC_RELEASE) & 2)
		shim_lock_wake(l);
}

/* Whether the lock is held (by anyone, in this generation). */
static inline bool shim_lock_held(const struct shim_lock *l)
{
	uint32_t w = __atomic_load_n(&l->word, __ATOMIC_RELAXED);

	return (w & 3) != 0 && (w & ~3u) == __atomic_load_n(&shim_lock_gen, __ATOMIC_RELAXED);
}

/* The registry: call fn for every lock defined with SHIM_LOCK_DEFINE; returns how many. */
unsigned shim_lock_for_each(void (*fn)(struct shim_lock *l, void *ctx), void *ctx);

/* In a child (shim_proc.c): move to generation gen (already shifted), every registered lock free
 * in it, then run every SHIM_AFTER_FORK function. */
void shim_lock_new_generation(uint32_t gen);

#endif
