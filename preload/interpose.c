/* interpose: the exported wrappers of the SYSCALL and FRAME entries of preload/calls.h.
 *
 * While the call must go straight to the kernel (preload/guard.h), each is libc's function (the
 * program's call as it made it, a cancellation point where libc's is), or the raw system call
 * where libc's cannot be used: re-entered from inside the shim, or before libc was resolved.
 * Otherwise its body, intercept_<name>() in the preload/intercept_*.c file of its group, runs
 * inside the shim's guard (and counted for SHIM_SUMMARY when it is on). */
#include "calls.h"
#include "guard.h"
#include "real.h"
#include "shim/send_fast.h"

#include <pthread.h>

#include "export.h"

#define SHIM_PASS(ret, name, args, nr)                                                             \
	(shim_inside() || real.name == NULL ? (ret)shim_raw(nr, SHIM_UNPAREN args) : real.name args)

#define SHIM_WRAPPER(kind, ret, name, params, args, nr)                                            \
	SHIM_WRAPPER_##kind(ret, name, params, args, nr)
#define SHIM_WRAPPER_SYSCALL(ret, name, params, args, nr)                                          \
	SHIM_EXPORT ret name params                                                                \
	{                                                                                          \
		if (shim_goes_raw())                                                               \
			return SHIM_PASS(ret, name, args, nr);                                     \
		return SHIM_INSIDE_COUNTED(ret, nr, intercept_##name args);                        \
	}
#define SHIM_WRAPPER_FRAME(ret, name, params, args, nr)                                            \
	SHIM_WRAPPER_SYSCALL(ret, name, params, args, nr)
/* A cancellation point: a deferred cancel acts at entry, before the shim does anything, and at
 * exit, after it finished (one that came while the shim held a lock around a kernel call, which it
 * makes with cancellation disabled: hook.h CALL_KERNEL). Inside, the only cancellation points are
 * libc's own calls for the kernel, made holding nothing. Both checks are made once the program has
 * called pthread_cancel at all (preload/intercept_cancel.c): a load and a branch until then. The
 * raw path acts on none but libc's own. */
#define SHIM_WRAPPER_SYSCALL_CP(ret, name, params, args, nr)                                       \
	SHIM_WRAPPER_CP_(ret, name, params, args, nr, SHIM_NO_FAST_ENTRY)
#define SHIM_WRAPPER_FRAME_CP(ret, name, params, args, nr)                                         \
	SHIM_WRAPPER_SYSCALL_CP(ret, name, params, args, nr)
/* A cancellation point with a per-flow fast entry (include/shim/send_fast.h): set up in bypass
 * mode without tracing or summary (shim_send_fast_ready), a datagram of a flow this thread has
 * cached goes out from here, inside the guard, with no call of the body; what the fast entry
 * leaves (UDP_FP_MISS, before anything visible happened) the body answers. */
#define SHIM_WRAPPER_FAST_CP(ret, name, params, args, nr)                                          \
	SHIM_WRAPPER_CP_(ret, name, params, args, nr, SHIM_FAST_ENTRY)
#define SHIM_WRAPPER_FAST_FRAME_CP(ret, name, params, args, nr)                                    \
	SHIM_WRAPPER_FAST_CP(ret, name, params, args, nr)
#define SHIM_NO_FAST_ENTRY(name, args)
#define SHIM_FAST_ENTRY(name, args)                                                                \
	if (__builtin_expect(__atomic_load_n(&shim_send_fast_ready, __ATOMIC_ACQUIRE), 1)) {       \
		long f_ = SHIM_INSIDE(long, shim_##name##_fast args);                              \
		if (shim_fast_answered(f_, &v_))                                                   \
			goto out_;                                                                 \
	}
/* The one body of the cancellation points, with or without a fast entry. */
#define SHIM_WRAPPER_CP_(ret, name, params, args, nr, fast_entry)                                  \
	SHIM_EXPORT ret name params                                                                \
	{                                                                                          \
		long v_;                                                                           \
		if (shim_goes_raw())                                                               \
			return SHIM_PASS(ret, name, args, nr);                                     \
		if (__builtin_expect(shim_cancel_used, 0))                                         \
			pthread_testcancel();                                                      \
		fast_entry(name, args);                                                            \
		v_ = (long)SHIM_INSIDE_COUNTED(ret, nr, intercept_##name args);                    \
	out_:                                                                                      \
		__attribute__((unused));                                                           \
		if (__builtin_expect(shim_cancel_used, 0))                                         \
			pthread_testcancel();                                                      \
		return (ret)v_;                                                                    \
	}
#define SHIM_WRAPPER_OWN_SYSCALL(ret, name, params, args, nr)
#define SHIM_WRAPPER_OWN(ret, name, params, args, nr)

SHIM_CALLS(SHIM_WRAPPER)
