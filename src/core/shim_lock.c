/* shim_lock: futex locks stamped with the process generation. See include/shim/shim_lock.h. */
#include "shim/shim_lock.h"
#include "shim/rawsys.h"

#include <linux/futex.h>
#include <stddef.h>
#include <sys/syscall.h>

uint32_t shim_lock_gen;

/* The registry: the linker collects the pointers of SHIM_LOCK_DEFINE and SHIM_AFTER_FORK into
 * these sections and defines their bounds (weak: a program linking none has none). */
extern struct shim_lock *__start_shim_locks[] __attribute__((weak, visibility("hidden")));
extern struct shim_lock *__stop_shim_locks[] __attribute__((weak, visibility("hidden")));
extern void (*__start_shim_after_fork[])(void) __attribute__((weak, visibility("hidden")));
extern void (*__stop_shim_after_fork[])(void) __attribute__((weak, visibility("hidden")));

void shim_lock_acquire_slow(struct shim_lock *l)
{
	for (;;) {
		uint32_t gen = __atomic_load_n(&shim_lock_gen, __ATOMIC_RELAXED);
		uint32_t w = __atomic_load_n(&l->word, __ATOMIC_RELAXED);

		if ((w & ~3u) != gen) {
			/* left by a thread of a parent process, which does not exist here: free */
			if (__atomic_compare_exchange_n(&l->word, &w, gen | 1u, false,
							__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
				return;
			continue;
		}
		if ((w & 3) == 0) {
			/* free: taken as contended, since others may sleep on it too */
			if (__atomic_compare_exchange_n(&l->word, &w, gen | 2u, false,
							__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
				return;
			continue;
		}
		/* held: say there is a waiter, then sleep while the word stays so */
		if ((w & 3) == 1 &&
		    !__atomic_compare_exchange_n(&l->word, &w, gen | 2u, false, __ATOMIC_RELAXED,
						 __ATOMIC_RELAXED))
			continue;
		rawsys6(SYS_futex, (long)&l->word, FUTEX_WAIT_PRIVATE, gen | 2u, 0, 0, 0);
	}
}

void shim_lock_wake(struct shim_lock *l)
{
	rawsys6(SYS_futex, (long)&l->word, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0);
}

bool shim_lock_try(struct shim_lock *l)
{
	uint32_t gen = __atomic_load_n(&shim_lock_gen, __ATOMIC_RELAXED);
	uint32_t w = __atomic_load_n(&l->word, __ATOMIC_RELAXED);

	if ((w & ~3u) == gen && (w & 3) != 0)
		return false;
	return __atomic_compare_exchange_n(&l->word, &w, gen | 1u, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

unsigned shim_lock_for_each(void (*fn)(struct shim_lock *l, void *ctx), void *ctx)
{
	unsigned n = 0;

	if (__start_shim_locks == NULL)
		return 0;
	for (struct shim_lock **p = __start_shim_locks; p < __stop_shim_locks; p++, n++)
		fn(*p, ctx);
	return n;
}

static void reset_one(struct shim_lock *l, void *ctx)
{
	__atomic_store_n(&l->word, *(uint32_t *)ctx, __ATOMIC_RELAXED);
}

void shim_lock_new_generation(uint32_t gen)
{
	__atomic_store_n(&shim_lock_gen, gen & ~3u, __ATOMIC_RELEASE);
	shim_lock_for_each(reset_one, &gen);
	if (__start_shim_after_fork == NULL)
		return;
	for (void (**f)(void) = __start_shim_after_fork; f < __stop_shim_after_fork; f++)
		(*f)();
}
