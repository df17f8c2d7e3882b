/* umem: read the program's memory without faulting.
 *
 * Pointers handed to the shim by the program may be bad; the kernel answers EFAULT for those, so
 * the shim must not crash on them either. umem_read copies through process_vm_readv on the own
 * process, which fails cleanly on an unmapped address. */
#ifndef SHIM_UMEM_H
#define SHIM_UMEM_H

#include <stddef.h>
#include <stdint.h>

/* Copy n bytes from src (an address in this process) to dst. Returns 0, or -1 when any byte of the
 * range is not readable (nothing is guaranteed about dst then). */
int umem_read(void *dst, const void *src, size_t n);

/* umem_read for a small object, inlined: a range on the calling thread's stack above the caller's
 * frame (known from an earlier umem_read) is copied directly, anything else goes to umem_read. */
extern __thread __attribute__((tls_model("initial-exec"))) uintptr_t umem_stack_lo, umem_stack_hi;

/* Whether [src, src+n) is known mapped: on this thread's stack above the caller's frame (always
 * false in a sanitized build, where such reads go through umem_read). */
static inline int umem_on_stack(const void *src, size_t n)
{
#if !defined(__SANITIZE_ADDRESS__)
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0), a = (uintptr_t)src;

	return sp >= umem_stack_lo && sp < umem_stack_hi && a >= sp && a + n >= a &&
	       a + n <= umem_stack_hi;
#else
	(void)src;
	(void)n;
	return 0;
#endif
}

/* umem_on_stack for several ranges: the window [caller's frame, stack top) taken once (empty
 * when the frame is not on the known stack, and always in a sanitized build). */
struct umem_window {
	uintptr_t lo, hi;
};

static inline __attribute__((always_inline)) struct umem_window umem_stack_window(void)
{
	struct umem_window w = {0, 0};
#if !defined(__SANITIZE_ADDRESS__)
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0), hi = umem_stack_hi;

	if (sp >= umem_stack_lo && sp < hi)
		w = (struct umem_window){sp, hi};
#endif
	return w;
}

static inline int umem_in_window(struct umem_window w, const void *src, size_t n)
{
	uintptr_t a = (uintptr_t)src;

	return a >= w.lo && a + n >= a && a + n <= w.hi;
}

static inline int umem_read_inline(void *dst, const void *src, size_t n)
{
	if (umem_on_stack(src, n)) {
		__builtin_memcpy(dst, src, n);
		return 0;
	}
	return umem_read(dst, src, n);
}

/* Copy up to n bytes, stopping at the first unreadable page. Returns the number of bytes copied. */
size_t umem_read_partial(void *dst, const void *src, size_t n);

/* Write local into the program's memory at the remote parts, in order (process_vm_writev on the
 * own process). Returns the bytes written (it stops at the first part that cannot be written), or
 * -errno. */
struct iovec;
long umem_write_parts(const struct iovec *local, const struct iovec *remote, unsigned nremote);

/* Whether reads bypass process_vm_readv (refused here): a bad pointer would then fault. */
int umem_reads_directly(void);

/* Read the program's memory at the remote parts into the local parts, in order (one
 * process_vm_readv on the own process). Returns the bytes read (the kernel stops at the first part
 * that cannot be read), or -errno. */
long umem_read_parts(const struct iovec *local, unsigned nlocal, const struct iovec *remote,
		     unsigned nremote);

#endif
