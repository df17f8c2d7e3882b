/* intercept_seccomp: the calls that install a seccomp filter — prctl(PR_SET_SECCOMP, ...) and
 * syscall(SYS_seccomp, SECCOMP_SET_MODE_STRICT or _FILTER, ...) (glibc has no seccomp() function;
 * libseccomp calls syscall()). Before the call the shim steps aside for good (preload/init.c
 * shim_seccomp_begin); the call itself is the program's, as it made it. */
#include "guard.h"
#include "real.h"

#include <linux/seccomp.h>
#include <stdarg.h>
#include <sys/prctl.h>

__attribute__((visibility("default"))) int prctl(int option, ...)
{
	unsigned long a[4];
	va_list ap;

	va_start(ap, option);
	for (int i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	if (option == PR_SET_SECCOMP && !shim_inside())
		shim_seccomp_begin();
	if (shim_inside() || real.prctl == NULL)
		return (int)shim_raw(SYS_prctl, option, a[0], a[1], a[2], a[3]);
	return real.prctl(option, a[0], a[1], a[2], a[3]);
}

/* syscall(SYS_seccomp, op, flags, args) (preload/intercept_syscall.c), before the system call. */
void shim_seccomp_syscall(long op)
{
	if ((op == SECCOMP_SET_MODE_STRICT || op == SECCOMP_SET_MODE_FILTER) && !shim_inside())
		shim_seccomp_begin();
}
