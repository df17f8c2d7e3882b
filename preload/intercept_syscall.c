/* intercept_syscall: syscall(2) for the numbers the shim intercepts.
 *
 * Some programs bypass the libc wrappers (libuv sends with syscall(SYS_sendmmsg) and closes with
 * syscall(SYS_close) on some builds); those calls take the same way as the wrappers, which decide
 * themselves whether to go straight to the kernel (preload/guard.h). Every other number is a bare
 * system call with its six argument registers as they were: no initialisation, no lock, nothing
 * else of the shim (allocators call syscall() from their own initialisation). */
#include "guard.h"
#include "hook.h"

#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

SHIM_EXPORT long syscall(long nr, ...)
{
	va_list ap;
	long a[6];

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);

	switch (nr) {
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
	case SYS_socket:
		return socket((int)a[0], (int)a[1], (int)a[2]);
	case SYS_connect:
		return connect((int)a[0], (const struct sockaddr *)a[1], (socklen_t)a[2]);
	case SYS_bind:
		return bind((int)a[0], (const struct sockaddr *)a[1], (socklen_t)a[2]);
	case SYS_shutdown:
		return shutdown((int)a[0], (int)a[1]);
	case SYS_setsockopt:
		return setsockopt((int)a[0], (int)a[1], (int)a[2], (const void *)a[3],
				  (socklen_t)a[4]);
	case SYS_getsockopt:
		return getsockopt((int)a[0], (int)a[1], (int)a[2], (void *)a[3], (socklen_t *)a[4]);
	case SYS_close:
		return close((int)a[0]);
	case SYS_close_range:
		return close_range((unsigned)a[0], (unsigned)a[1], (int)a[2]);
	case SYS_dup:
		return dup((int)a[0]);
	case SYS_dup2:
		return dup2((int)a[0], (int)a[1]);
	case SYS_dup3:
		return dup3((int)a[0], (int)a[1], (int)a[2]);
	case SYS_fcntl:
		return fcntl((int)a[0], (int)a[1], a[2]);
	case SYS_sendto:
		return sendto((int)a[0], (const void *)a[1], (size_t)a[2], (int)a[3],
			      (const struct sockaddr *)a[4], (socklen_t)a[5]);
	case SYS_sendmsg:
		return sendmsg((int)a[0], (const struct msghdr *)a[1], (int)a[2]);
	case SYS_sendmmsg:
		return sendmmsg((int)a[0], (struct mmsghdr *)a[1], (unsigned)a[2], (int)a[3]);
	case SYS_write:
		return write((int)a[0], (const void *)a[1], (size_t)a[2]);
	case SYS_writev:
		return writev((int)a[0], (const struct iovec *)a[1], (int)a[2]);
	default:
		break;
	}
	return shim_raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
