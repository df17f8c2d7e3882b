/* intercept_syscall: syscall(2) for the numbers the shim intercepts.
 *
 * Some programs bypass the libc wrappers (libuv sends with syscall(SYS_sendmmsg) and closes with
 * syscall(SYS_close) on some builds); those calls take the same way as the wrappers, which decide
 * themselves whether to go straight to the kernel (preload/guard.h). Every other number is a bare
 * system call with its six argument registers as they were: no initialisation, no lock, nothing
 * else of the shim (allocators call syscall() from their own initialisation). */
#include "calls.h"
#include "guard.h"
#include "hook.h"

#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

/* syscall(nr, a0..a5) of an entry of preload/calls.h calls its interposer with the six argument
 * registers as they came. On x86-64 every integer and pointer argument travels in a 64-bit
 * register and the callee reads the width of its type, as the kernel does with a system call's
 * arguments; so the SYSCALL entries are called through a six-long prototype, with the function's
 * own type hidden from the compiler (opaque), and the variadic OWN_SYSCALL ones (fcntl)
 * directly. */
static inline void (*opaque(void (*fn)(void)))(void)
{
	__asm__("" : "+r"(fn));
	return fn;
}

#define SHIM_SYSCALL_CASE(kind, ret, name, params, args, nr) SHIM_SYSCALL_CASE_##kind(ret, name, nr)
#define SHIM_SYSCALL_CASE_SYSCALL(ret, name, nr)                                                   \
	case nr:                                                                                   \
		return (long)((ret(*)(long, long, long, long, long, long))opaque(                  \
		    (void (*)(void))name))(a[0], a[1], a[2], a[3], a[4], a[5]);
#define SHIM_SYSCALL_CASE_OWN_SYSCALL(ret, name, nr)                                               \
	case nr:                                                                                   \
		return (long)name(a[0], a[1], a[2], a[3], a[4], a[5]);
#define SHIM_SYSCALL_CASE_SYSCALL_CP(ret, name, nr) SHIM_SYSCALL_CASE_SYSCALL(ret, name, nr)
#define SHIM_SYSCALL_CASE_FRAME(ret, name, nr)
#define SHIM_SYSCALL_CASE_FRAME_CP(ret, name, nr)
#define SHIM_SYSCALL_CASE_FAST_CP(ret, name, nr) SHIM_SYSCALL_CASE_SYSCALL(ret, name, nr)
#define SHIM_SYSCALL_CASE_FAST_FRAME_CP(ret, name, nr)
#define SHIM_SYSCALL_CASE_OWN(ret, name, nr)

SHIM_EXPORT long syscall(long nr, ...)
{
	va_list ap;
	long a[6];

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);

	switch (nr) {
	case SYS_seccomp:
		shim_seccomp_syscall(a[0]);
		break;
	case SYS_rt_sigaction:
	case SYS_rt_sigprocmask: {
		long r = nr == SYS_rt_sigaction
			     ? shim_rt_sigaction(a[0], (const void *)a[1], (void *)a[2], a[3])
			     : shim_rt_sigprocmask(a[0], (const void *)a[1], (void *)a[2], a[3]);

		if (r == SHIM_NOT_OWNED)
			break;
		if (r < 0) {
			errno = (int)-r;
			return -1;
		}
		return r;
	}
		SHIM_CALLS(SHIM_SYSCALL_CASE)
	default:
		break;
	}
	return shim_raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
