/* umem: read the program's memory without faulting.
 *
 * Memory that certainly exists is copied directly: the part of the calling thread's own stack above
 * the current frame (where a program's local sockaddr, msghdr and iovec array live) is mapped for
 * as long as this call runs. Anything else goes through process_vm_readv on the own process, which
 * fails cleanly (EFAULT) on an unmapped address. */
#include "shim/shim_lock.h"
#include "shim/shim_proc.h"
#include "shim/umem.h"
#include "shim/fdtable.h"
#include "shim/rawsys.h"
#include "shim/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* A pipe for writing into the program's memory: readv from it into the program's addresses is a
 * plain copy_to_user with the kernel's fault checks, where process_vm_writev pins the page of every
 * part first. One per process (made on first use, again in a child after fork), used under a
 * lock so that what one thread puts in is what it takes out. */
static int wpipe[2] = {-1, -1};
static int wpipe_failed;
SHIM_LOCK_DEFINE(wpipe_lock);

/* In a child (fork, _Fork, clone): the parent's pipe stays open (its numbers stay the shim's) but
 * the child makes its own. The pid process_vm_readv names is the process's own, read in it
 * (shim_proc_pid: never the parent's). */
static void umem_after_fork(void)
{
	wpipe[0] = wpipe[1] = -1;
}
SHIM_AFTER_FORK(umem_after_fork);

/* Set when process_vm_readv is refused outright (a seccomp filter or an LSM): the shim then reads
 * directly, as the program itself would, rather than fail every call that points at memory. */
static int vm_readv_refused;

static void copy_direct(void *dst, const void *src, size_t n);

int umem_reads_directly(void)
{
	return __atomic_load_n(&vm_readv_refused, __ATOMIC_RELAXED);
}

/* From now on the program's memory is read directly; said once. */
static void note_refused(void)
{
	if (!__atomic_exchange_n(&vm_readv_refused, 1, __ATOMIC_RELAXED))
		shim_notice("libshim: process_vm_readv is refused here; the program's memory is "
			    "read directly (a bad pointer may now crash where the kernel says "
			    "EFAULT)");
}

/* One process_vm_readv call; returns the bytes copied or -1. The kernel stops at the first fault.
 */
static ssize_t umem_copy(void *dst, const void *src, size_t n)
{
	struct iovec local = {.iov_base = dst, .iov_len = n};
	struct iovec remote = {.iov_base = (void *)src, .iov_len = n};
	long r;

	if (__atomic_load_n(&vm_readv_refused, __ATOMIC_RELAXED)) {
		copy_direct(dst, src, n);
		return (ssize_t)n;
	}
	r = rawsys6(SYS_process_vm_readv, shim_proc_pid(), (long)&local, 1, (long)&remote, 1, 0);
	if (r == -EPERM || r == -ENOSYS || r == -EACCES) {
		note_refused();
		copy_direct(dst, src, n);
		return (ssize_t)n;
	}
	return r < 0 ? -1 : (ssize_t)r;
}

static int wpipe_ready(void)
{
	int pf[2];

	if (wpipe[0] >= 0)
		return 1;
	if (wpipe_failed || rawsys2(SYS_pipe2, pf, O_CLOEXEC | O_NONBLOCK) != 0) {
		wpipe_failed = 1;
		return 0;
	}
	wpipe[1] = internal_fd_adopt(pf[1], true);
	wpipe[0] = internal_fd_adopt(pf[0], true);
	if (wpipe[0] < 0 || wpipe[1] < 0) { /* no number outside the program's range */
		for (int i = 0; i < 2; i++) {
			if (wpipe[i] >= 0) {
				fdtable_forget(wpipe[i]);
				rawsys1(SYS_close, wpipe[i]);
			}
			wpipe[i] = -1;
		}
		wpipe_failed = 1;
		return 0;
	}
	internal_fd_track(&wpipe[1]);
	internal_fd_track(&wpipe[0]);
	return 1;
}

long umem_write_parts(const struct iovec *local, const struct iovec *remote, unsigned nremote)
{
	long w, r = -1;

	shim_lock_acquire(&wpipe_lock);
	if (local->iov_len <= 4096 && wpipe_ready()) {
		do
			w = rawsys3(SYS_write, wpipe[1], local->iov_base, local->iov_len);
		while (w == -EINTR);
		if (w == (long)local->iov_len) {
			do
				r = rawsys3(SYS_readv, wpipe[0], remote, nremote);
			while (r == -EINTR);
			if (r == w) {
				shim_lock_release(&wpipe_lock);
				return r;
			}
		}
		/* stopped at an unwritable part, and pipe_read does not count the bytes of the
		 * buffer it was copying: empty the pipe, and let process_vm_writev (which writes
		 * the same values again) say how far it gets */
		if (w > 0) {
			char drop[4096];

			rawsys3(SYS_read, wpipe[0], drop, sizeof(drop));
		}
	}
	shim_lock_release(&wpipe_lock);
	return rawsys6(SYS_process_vm_writev, shim_proc_pid(), (long)local, 1, (long)remote,
		       nremote, 0);
}

__thread __attribute__((tls_model("initial-exec"))) uintptr_t umem_stack_lo, umem_stack_hi;
#define stack_lo umem_stack_lo
#define stack_hi umem_stack_hi

/* Whether [p, p+n) lies in this thread's stack between the current frame and the stack's top. */
static int on_own_stack(const void *p, size_t n)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0), a = (uintptr_t)p;

	if (stack_hi == 0) {
		pthread_attr_t attr;
		void *addr;
		size_t size;

		stack_hi = 1; /* looked up, even if unknown */
		if (pthread_getattr_np(pthread_self(), &attr) == 0) {
			if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
				stack_lo = (uintptr_t)addr;
				stack_hi = (uintptr_t)addr + size;
			}
			pthread_attr_destroy(&attr);
		}
	}
	/* running on the thread's own stack (not a coroutine or signal stack), and the range sits
	 * above this frame, inside the stack */
	return sp >= stack_lo && sp < stack_hi && a >= sp && a + n >= a && a + n <= stack_hi;
}

/* Like the kernel, the shim may read past the object a program meant (e.g. addrlen bytes of a
 * shorter sockaddr): mapped memory all the same, but AddressSanitizer would call it an overflow, so
 * a sanitized build copies with a loop it does not check. */
#if defined(__SANITIZE_ADDRESS__)
__attribute__((no_sanitize("address", "undefined"))) static void
copy_unchecked(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const volatile unsigned char *s = src;

	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}
#else
#define copy_unchecked memcpy
#endif

static void copy_direct(void *dst, const void *src, size_t n)
{
	copy_unchecked(dst, src, n);
}

int umem_read(void *dst, const void *src, size_t n)
{
	if (n == 0)
		return 0;
	if ((uintptr_t)src + n < (uintptr_t)src)
		return -1;
	if (on_own_stack(src, n)) {
		if (n == 16) /* a sockaddr_in: inlined, no call (perf) */
			copy_unchecked(dst, src, 16);
		else
			copy_unchecked(dst, src, n);
		return 0;
	}
	return umem_copy(dst, src, n) == (ssize_t)n ? 0 : -1;
}

size_t umem_read_partial(void *dst, const void *src, size_t n)
{
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t at = (uintptr_t)src;
	size_t done = 0;

	while (done < n) {
		size_t chunk = page - (at % page);
		if (chunk > n - done)
			chunk = n - done;
		if (at + chunk < at ||
		    umem_copy((char *)dst + done, (const void *)at, chunk) != (ssize_t)chunk)
			break;
		done += chunk;
		at += chunk;
	}
	return done;
}

long umem_read_parts(const struct iovec *local, unsigned nlocal, const struct iovec *remote,
		     unsigned nremote)
{
	long r;

	if (!__atomic_load_n(&vm_readv_refused, __ATOMIC_RELAXED)) {
		r = rawsys6(SYS_process_vm_readv, shim_proc_pid(), (long)local, nlocal,
			    (long)remote, nremote, 0);
		if (r != -EPERM && r != -ENOSYS && r != -EACCES)
			return r;
		note_refused();
	}
	/* direct: local and remote hold the same number of bytes, in order */
	{
		size_t li = 0, lo = 0, total = 0;

		for (unsigned i = 0; i < nremote; i++) {
			const char *src = remote[i].iov_base;
			size_t left = remote[i].iov_len;

			while (left > 0 && li < nlocal) {
				size_t room = local[li].iov_len - lo, n = left < room ? left : room;

				copy_direct((char *)local[li].iov_base + lo, src, n);
				src += n;
				left -= n;
				lo += n;
				total += n;
				if (lo == local[li].iov_len) {
					li++;
					lo = 0;
				}
			}
		}
		return (long)total;
	}
}
