/* guard: when an interposed call goes straight to the kernel, and the interposers' common frame.
 *
 * An interposed call is answered by the raw system call, without any of the shim's code, when
 *  - this thread is already inside the shim (include/shim/guard.h): the call came back from
 *    something the shim itself called (the allocator, a signal handler, a library's hook); or
 *  - the library is not ready: its constructor has not run yet (another library's constructor or
 *    allocator initialisation calls first) or is running on another thread; or it stepped aside
 *    for a seccomp filter (preload/init.c shim_seccomp_begin). Such a call never
 *    runs or waits for the initialisation: jemalloc, for one, calls syscall(SYS_close) while it
 *    holds its init lock, and the shim's initialisation allocates.
 * An fd the shim never saw is recognised on first use, so nothing is lost by going raw early. */
#ifndef SHIM_PRELOAD_GUARD_H
#define SHIM_PRELOAD_GUARD_H

#include "shim/guard.h"
#include "shim/rawsys.h"
#include "shim/summary.h"

#include <errno.h>
#include <stdbool.h>

/* SHIM_INIT_SECCOMP: set up, and then a seccomp filter came (or was there at load): the shim
 * stays aside for good, every call goes to libc as the program made it. */
enum shim_init_state { SHIM_INIT_NONE, SHIM_INIT_RUNNING, SHIM_INIT_DONE, SHIM_INIT_SECCOMP };

/* The program called pthread_cancel: the interposers of cancellation points check for a pending
 * cancel (preload/interpose.c). */
extern bool shim_cancel_used;

/* Where the one-time initialisation is (preload/init.c). */
extern int shim_init_state;

SHIM_UNSANITIZED static inline bool shim_goes_raw(void)
{
	return shim_inside() ||
	       __builtin_expect(
		   __atomic_load_n(&shim_init_state, __ATOMIC_ACQUIRE) != SHIM_INIT_DONE, 0);
}

/* A raw system call with libc's convention: -1 and errno for an error, errno untouched otherwise.
 */
SHIM_UNSANITIZED static inline long shim_raw_syscall(long nr, long a1, long a2, long a3, long a4,
						     long a5, long a6)
{
	long r = rawsys6(nr, a1, a2, a3, a4, a5, a6);

	if ((unsigned long)r > -4096UL) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

#define SHIM_RAW_ARGS6_(a, b, c, d, e, f, ...)                                                     \
	(long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f)
/* shim_raw(nr, args...): the raw system call nr with up to six arguments */
#define shim_raw(nr, ...) shim_raw_syscall((nr), SHIM_RAW_ARGS6_(__VA_ARGS__, 0, 0, 0, 0, 0, 0))

/* The value of expression call, computed inside the shim. */
#define SHIM_INSIDE(type, call)                                                                    \
	({                                                                                         \
		shim_enter();                                                                      \
		type r_ = (call);                                                                  \
		shim_leave();                                                                      \
		r_;                                                                                \
	})

/* SHIM_INSIDE, and with SHIM_SUMMARY the call timed and counted as system call nr
 * (src/trace/summary.c). The common prologue of the interposers (preload/interpose.c): off, the
 * summary costs this one test. */
#define SHIM_INSIDE_COUNTED(type, nr, call)                                                        \
	({                                                                                         \
		type rc_;                                                                          \
		if (__builtin_expect(summary_enabled, 0)) {                                        \
			uint64_t t_ = summary_begin();                                             \
			rc_ = SHIM_INSIDE(type, call);                                             \
			summary_end((nr), (long)rc_, t_);                                          \
		} else {                                                                           \
			rc_ = SHIM_INSIDE(type, call);                                             \
		}                                                                                  \
		rc_;                                                                               \
	})

#endif
