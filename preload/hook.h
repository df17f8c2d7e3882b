/* hook: what every interposed entry point shares — export, init, trace, internal-fd guard. */
#ifndef SHIM_PRELOAD_HOOK_H
#define SHIM_PRELOAD_HOOK_H

#include "real.h"

#include "shim/fdtable.h"
#include "shim/trace.h"

#include <errno.h>
#include <sys/syscall.h>

#define SHIM_EXPORT __attribute__((visibility("default")))

#define A(x) ((unsigned long)(x))

/* Print the strace line for system call nr with arguments a (as the kernel sees them) and result.
 */
#define TRACE_SYSCALL(nr, ret, err, ...)                                                           \
	do {                                                                                       \
		if (__builtin_expect(trace_calls_enabled, 0)) {                                    \
			struct strace_call c_ = {(nr), {__VA_ARGS__}, (long)(ret), (err)};         \
			trace_call(&c_);                                                           \
		}                                                                                  \
	} while (0)

/* The program may not touch the shim's own fds: to it they do not exist. */
static inline int fd_is_internal(int fd)
{
	struct shim_sock *sk;
	enum fd_kind kind = fdtable_lookup(fd, &sk);

	if (kind == FD_OWNED)
		shim_sock_put(sk);
	return kind == FD_INTERNAL;
}

/* ret = call, err = its errno; or -1/EBADF without calling when fd is one of the shim's own. */
#define CALL_UNLESS_INTERNAL(fd, ret, err, call)                                                   \
	do {                                                                                       \
		if (fd_is_internal(fd)) {                                                          \
			(ret) = -1;                                                                \
			(err) = EBADF;                                                             \
		} else {                                                                           \
			(ret) = (call);                                                            \
			(err) = errno;                                                             \
		}                                                                                  \
	} while (0)

#endif
