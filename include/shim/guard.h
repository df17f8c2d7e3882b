/* guard: the thread-local "inside the shim" state.
 *
 * The shim runs inside programs that can call back into it from where it does not expect: its own
 * calls to the allocator (a program's own malloc, or jemalloc's initialisation, may call sendto,
 * write or syscall), a signal handler that interrupts it, a library constructor. While a thread is
 * inside the shim (all of initialisation, the body of every interposer, the shim's own threads),
 * an interposed call it makes again goes straight to the kernel (preload/guard.h), so the shim
 * never re-enters itself and never waits on a lock it holds. */
#ifndef SHIM_GUARD_H
#define SHIM_GUARD_H

#include <stdbool.h>

/* Code that can run before the ASan runtime of the sanitized build has mapped its shadow memory
 * (an allocator's constructor calling an interposer, preload/export.h) and what it calls on its
 * way straight to the kernel: not instrumented (an instrumented access there faults). */
#define SHIM_UNSANITIZED __attribute__((no_sanitize("address")))

/* How deep this thread is inside the shim (0: the program's own code). Initial-exec TLS: one
 * %fs-relative load, no call, safe in a signal handler. */
extern __thread unsigned shim_depth __attribute__((tls_model("initial-exec")));

SHIM_UNSANITIZED static inline bool shim_inside(void)
{
	return __atomic_load_n(&shim_depth, __ATOMIC_RELAXED) != 0;
}

static inline void shim_enter(void)
{
	__atomic_store_n(&shim_depth, shim_depth + 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST); /* set before anything a handler could see */
}

static inline void shim_leave(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&shim_depth, shim_depth - 1, __ATOMIC_RELAXED);
}

#endif
