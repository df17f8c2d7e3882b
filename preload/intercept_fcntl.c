/* intercept_fcntl: fcntl and fcntl64, forwarded with libffi's variadic calls.
 *
 * fcntl(fd, cmd, ...) takes no argument, an int, or a pointer depending on cmd. The variadic
 * argument is read with the type the command defines and passed on with a call built for exactly
 * that type, so every command — including ones this file does not know, passed as a pointer-sized
 * value the way glibc reads them — reaches libc as the program made it. */
#include "guard.h"
#include "hook.h"

#include "shim/fdevents.h"
#include "shim/sockevents.h"

#include <fcntl.h>
#include <ffi.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>

enum fcntl_arg { ARG_NONE, ARG_INT, ARG_PTR };

static enum fcntl_arg fcntl_arg_kind(int cmd)
{
	switch (cmd) {
	case F_GETFD:
	case F_GETFL:
	case F_GETOWN:
	case F_GETSIG:
	case F_GETLEASE:
	case F_GETPIPE_SZ:
	case F_GET_SEALS:
		return ARG_NONE;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
	case F_SETFD:
	case F_SETFL:
	case F_SETOWN:
	case F_SETSIG:
	case F_SETLEASE:
	case F_NOTIFY:
	case F_SETPIPE_SZ:
	case F_ADD_SEALS:
		return ARG_INT;
	default:
		return ARG_PTR; /* locks, F_[GS]ETOWN_EX, hints, and unknown commands */
	}
}

static pthread_once_t cif_once = PTHREAD_ONCE_INIT;
static ffi_cif cif_by_kind[3];
static int cif_ok;

static void prepare_cifs(void)
{
	static ffi_type *int_args[3] = {&ffi_type_sint, &ffi_type_sint, &ffi_type_sint};
	static ffi_type *ptr_args[3] = {&ffi_type_sint, &ffi_type_sint, &ffi_type_pointer};

	cif_ok = ffi_prep_cif_var(&cif_by_kind[ARG_NONE], FFI_DEFAULT_ABI, 2, 2, &ffi_type_sint,
				  int_args) == FFI_OK &&
		 ffi_prep_cif_var(&cif_by_kind[ARG_INT], FFI_DEFAULT_ABI, 2, 3, &ffi_type_sint,
				  int_args) == FFI_OK &&
		 ffi_prep_cif_var(&cif_by_kind[ARG_PTR], FFI_DEFAULT_ABI, 2, 3, &ffi_type_sint,
				  ptr_args) == FFI_OK;
}

/* Call the real fcntl-like function fn(fd, cmd[, arg]) with arg passed as its command's type. */
static int forward_fcntl(int (*fn)(int, int, ...), int fd, int cmd, enum fcntl_arg kind, int iarg,
			 void *parg)
{
	void *values[3] = {&fd, &cmd, kind == ARG_PTR ? (void *)&parg : (void *)&iarg};
	ffi_arg rv = 0;

	pthread_once(&cif_once, prepare_cifs);
	if (!cif_ok) /* cannot happen with a working libffi; a plain call is right on x86-64 */
		return kind == ARG_PTR ? fn(fd, cmd, parg) : fn(fd, cmd, iarg);
	ffi_call(&cif_by_kind[kind], FFI_FN(fn), &rv, values);
	return (int)rv;
}

static int shim_fcntl(int (*fn)(int, int, ...), int fd, int cmd, va_list ap)
{
	enum fcntl_arg kind = fcntl_arg_kind(cmd);
	int iarg = 0, ret, err;
	void *parg = NULL;
	unsigned long traced_arg = 0;

	if (kind == ARG_INT) {
		iarg = va_arg(ap, int);
		traced_arg = A(iarg);
	} else if (kind == ARG_PTR) {
		parg = va_arg(ap, void *);
		traced_arg = A(parg);
	}
	shim_init();
	CALL_UNLESS_INTERNAL(fd, ret, err, forward_fcntl(fn, fd, cmd, kind, iarg, parg));
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		fdev_dup(fd, ret);
	else if (cmd == F_SETFL && shim_bypass)
		sockev_setfl(fd, iarg, ret);
	TRACE_SYSCALL(SYS_fcntl, ret, err, A(fd), A(cmd), traced_arg);
	errno = err;
	return ret;
}

/* fcntl and fcntl64 are one system call on x86-64; the argument goes on as the register it came in
 * (glibc reads it as a pointer-sized value too). */
SHIM_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	int ret;

	va_start(ap, cmd);
	if (shim_goes_raw()) {
		ret = (int)shim_raw(SYS_fcntl, fd, cmd, va_arg(ap, unsigned long));
	} else {
		ret = SHIM_INSIDE_COUNTED(int, SYS_fcntl, shim_fcntl(real.fcntl, fd, cmd, ap));
	}
	va_end(ap);
	return ret;
}

SHIM_EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	int ret;

	va_start(ap, cmd);
	if (shim_goes_raw()) {
		ret = (int)shim_raw(SYS_fcntl, fd, cmd, va_arg(ap, unsigned long));
	} else {
		ret = SHIM_INSIDE_COUNTED(int, SYS_fcntl, shim_fcntl(real.fcntl64, fd, cmd, ap));
	}
	va_end(ap);
	return ret;
}
