/* umem: read and write the program's memory without faulting.
 *
 * Pointers handed to the shim by the program may be bad; the kernel answers EFAULT for those, so
 * the shim must not crash on them either. Every access goes through ucopy (include/shim/ucopy.h):
 * the copy itself is the check, with the shim's SIGSEGV/SIGBUS handler (src/core/fault.c) turning
 * a fault into EFAULT, so no earlier look at the memory can go stale. Where that handler cannot
 * help — it is not installed (the program ignores SIGSEGV or SIGBUS, or the shim is not preloaded),
 * or the program's own fault handler runs on this thread with the signal blocked — the copy goes
 * through process_vm_readv/process_vm_writev on the own process, which fail cleanly; and where
 * those are refused too (a seccomp filter), memory is read directly, as the program would. */
#ifndef SHIM_UMEM_H
#define SHIM_UMEM_H

#include "shim/fault.h"
#include "shim/ucopy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UMEM_TASK_SIZE_MAX 0x00007ffffffff000UL /* x86-64, 4-level page tables: access_ok */

/* access_ok(): the range lies in the user half of the address space. */
static inline __attribute__((always_inline)) bool access_ok(const void *p, size_t len)
{
	return len <= UMEM_TASK_SIZE_MAX && (uintptr_t)p <= UMEM_TASK_SIZE_MAX - len;
}

/* Whether a fault in ucopy comes back as an error on this thread now. */
static inline __attribute__((always_inline)) int umem_fault_safe(void)
{
	return __atomic_load_n(&fault_safe_global, __ATOMIC_RELAXED) && !fault_in_program_handler;
}

/* Copy n bytes from src (an address in this process) to dst. Returns 0, or -1 when any byte of the
 * range is not readable (nothing is guaranteed about dst then). */
int umem_read(void *dst, const void *src, size_t n);

struct iovec;
/* The first len bytes an iovec array of the program describes, copied to dst in order (the
 * kernel's copy_from_iter over a datagram's payload). Returns 0, or -1 when any byte of them is
 * not readable. */
int umem_read_iov(void *dst, const struct iovec *iov, int iovcnt, size_t len);

/* A small object of constant size (a multiple of 8, up to 64 bytes) read inline with fault-safe
 * loads; only where umem_fault_safe() was found true on this thread (the caller checks once). */
static inline __attribute__((always_inline)) int umem_load_fixed(void *dst, const void *src,
								 size_t n)
{
	if ((uintptr_t)src > UMEM_TASK_SIZE_MAX - n)
		return -1;
	return ucopy_load_words(dst, src, n) ? -1 : 0;
}

/* umem_read for a small object: inline where it can be. */
static inline __attribute__((always_inline)) int umem_read_inline(void *dst, const void *src,
								  size_t n)
{
	if (__builtin_constant_p(n) && n % 8 == 0 && n <= 64 && n > 0 &&
	    __builtin_expect(umem_fault_safe(), 1))
		return umem_load_fixed(dst, src, n);
	return umem_read(dst, src, n);
}

/* Copy up to n bytes, stopping at the first unreadable page. Returns the number of bytes copied. */
size_t umem_read_partial(void *dst, const void *src, size_t n);

/* Write local into the program's memory at the remote parts, in order. Returns the bytes written
 * (it stops at the first part that cannot be written), or -errno. */
struct iovec;
long umem_write_parts(const struct iovec *local, const struct iovec *remote, unsigned nremote);

/* Whether the four bytes at p can be written now (put_user would not fault), and the write of v
 * there (0, or -1 when it faults). The fallbacks are out of line. */
int umem_writable4_slow(void *p);
int umem_write4_slow(void *p, uint32_t v);

static inline __attribute__((always_inline)) int umem_writable4(void *p)
{
	if ((uintptr_t)p > UMEM_TASK_SIZE_MAX - 4)
		return 0;
	if (__builtin_expect(umem_fault_safe(), 1))
		return !ucopy_touch4(p);
	return umem_writable4_slow(p);
}

static inline __attribute__((always_inline)) int umem_write4(void *p, uint32_t v)
{
	if ((uintptr_t)p > UMEM_TASK_SIZE_MAX - 4)
		return -1;
	if (__builtin_expect(umem_fault_safe(), 1))
		return ucopy_store4(p, v) ? -1 : 0;
	return umem_write4_slow(p, v);
}

/* Whether reads bypass every check (neither the handler nor process_vm_readv here): a bad pointer
 * would then fault. */
int umem_reads_directly(void);

/* Read the program's memory at the remote parts into the local parts, in order. Returns the bytes
 * read (it stops at the first part that cannot be read), or -errno. */
long umem_read_parts(const struct iovec *local, unsigned nlocal, const struct iovec *remote,
		     unsigned nremote);

#endif
