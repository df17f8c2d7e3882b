/* umem: read and write the program's memory without faulting (see include/shim/umem.h).
 *
 * The common way is ucopy, whose faults the shim's handler turns into a short count. The other
 * ways are for when that handler cannot answer on this thread: process_vm_readv/process_vm_writev
 * on the own process (shim_proc_pid: the process's own pid, also in a child made by _Fork or
 * clone), and, where a seccomp filter or an LSM refuses those, a direct copy. */
#include "shim/umem.h"
#include "shim/shim_proc.h"
#include "shim/rawsys.h"
#include "shim/notice.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define PAGE 4096UL

/* Set when process_vm_readv is refused outright (a seccomp filter or an LSM): without the fault
 * handler the shim then reads directly, as the program itself would, rather than fail every call
 * that points at memory. */
static int vm_readv_refused;

int umem_reads_directly(void)
{
	return !umem_fault_safe() && __atomic_load_n(&vm_readv_refused, __ATOMIC_RELAXED);
}

/* From now on the program's memory is read directly when the handler cannot answer; said once. */
static void note_refused(void)
{
	if (!__atomic_exchange_n(&vm_readv_refused, 1, __ATOMIC_RELAXED))
		shim_notice("libshim: process_vm_readv is refused here; where the shim's fault "
			    "handler is not in place the program's memory is read directly (a bad "
			    "pointer may then crash where the kernel says EFAULT)");
}

static int refused(long r)
{
	return r == -EPERM || r == -ENOSYS || r == -EACCES;
}

/* Like the kernel, the shim may read past the object a program meant (e.g. addrlen bytes of a
 * shorter sockaddr): mapped memory all the same, but AddressSanitizer would call it an overflow, so
 * a sanitized build copies with a loop it does not check. Only where nothing else is possible. */
#if defined(__SANITIZE_ADDRESS__)
__attribute__((no_sanitize("address", "undefined"))) static void
copy_direct(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const volatile unsigned char *s = src;

	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}
#else
static inline void copy_direct(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
}
#endif

/* Whether ucopy may fault on this thread now (umem_fault_safe, and after the program's own fault
 * handler was left by siglongjmp, the thread's mask asked once). */
static int safe_now(void)
{
	return umem_fault_safe() ||
	       (__atomic_load_n(&fault_safe_global, __ATOMIC_RELAXED) && fault_thread_recheck());
}

/* Without the handler: one process_vm_readv (or process_vm_writev) of the own process. */
static long vm_rw(int write, const struct iovec *local, unsigned nlocal, const struct iovec *remote,
		  unsigned nremote)
{
	return rawsys6(write ? SYS_process_vm_writev : SYS_process_vm_readv, shim_proc_pid(),
		       (long)local, nlocal, (long)remote, nremote, 0);
}

/* n bytes with whatever way works on this thread now; returns the bytes copied before a fault. */
static size_t copy_some(void *dst, const void *src, size_t n, int write)
{
	struct iovec l, r;
	long got;

	if (safe_now())
		return n - ucopy(dst, src, n);
	l.iov_base = write ? (void *)src : dst;
	l.iov_len = n;
	r.iov_base = write ? dst : (void *)src;
	r.iov_len = n;
	if (!__atomic_load_n(&vm_readv_refused, __ATOMIC_RELAXED)) {
		got = vm_rw(write, &l, 1, &r, 1);
		if (!refused(got))
			return got < 0 ? 0 : (size_t)got;
		note_refused();
	}
	copy_direct(dst, src, n);
	return n;
}

int umem_read(void *dst, const void *src, size_t n)
{
	if (n == 0)
		return 0;
	if (!access_ok(src, n))
		return -1;
	return copy_some(dst, src, n, 0) == n ? 0 : -1;
}

int umem_read_iov(void *dst, const struct iovec *iov, int iovcnt, size_t len)
{
	size_t off = 0;

	for (int i = 0; i < iovcnt && off < len; i++) {
		size_t take = iov[i].iov_len < len - off ? iov[i].iov_len : len - off;

		if (take != 0 && umem_read((uint8_t *)dst + off, iov[i].iov_base, take) != 0)
			return -1;
		off += take;
	}
	return 0;
}

size_t umem_read_partial(void *dst, const void *src, size_t n)
{
	uintptr_t at = (uintptr_t)src;
	size_t done = 0;

	/* page by page: a fault inside a page says nothing of the bytes before it in that page */
	while (done < n) {
		size_t chunk = PAGE - (at % PAGE), got;

		if (chunk > n - done)
			chunk = n - done;
		if (!access_ok((const void *)at, chunk))
			break;
		got = copy_some((char *)dst + done, (const void *)at, chunk, 0);
		if (got != chunk)
			break;
		done += chunk;
		at += chunk;
	}
	return done;
}

/* The parts in order (local and remote hold the same number of bytes), by ucopy or directly;
 * stops at the first fault. */
static long copy_parts(const struct iovec *local, unsigned nlocal, const struct iovec *remote,
		       unsigned nremote, int write)
{
	size_t li = 0, lo = 0, total = 0;

	for (unsigned i = 0; i < nremote; i++) {
		char *rp = remote[i].iov_base;
		size_t left = remote[i].iov_len;

		if (left && !access_ok(rp, left))
			return total ? (long)total : -EFAULT;
		while (left > 0 && li < nlocal) {
			size_t room = local[li].iov_len - lo, n = left < room ? left : room, got;
			char *lp = (char *)local[li].iov_base + lo;

			got = write ? copy_some(rp, lp, n, 1) : copy_some(lp, rp, n, 0);
			total += got;
			if (got != n)
				return total ? (long)total : -EFAULT;
			rp += n;
			left -= n;
			lo += n;
			if (lo == local[li].iov_len) {
				li++;
				lo = 0;
			}
		}
	}
	return (long)total;
}

long umem_read_parts(const struct iovec *local, unsigned nlocal, const struct iovec *remote,
		     unsigned nremote)
{
	long r;

	if (!safe_now() && !__atomic_load_n(&vm_readv_refused, __ATOMIC_RELAXED)) {
		r = vm_rw(0, local, nlocal, remote, nremote);
		if (!refused(r))
			return r;
		note_refused();
	}
	return copy_parts(local, nlocal, remote, nremote, 0);
}

long umem_write_parts(const struct iovec *local, const struct iovec *remote, unsigned nremote)
{
	long r;

	if (!safe_now() && !__atomic_load_n(&vm_readv_refused, __ATOMIC_RELAXED)) {
		r = vm_rw(1, local, 1, remote, nremote);
		if (!refused(r))
			return r;
		note_refused();
	}
	return copy_parts(local, 1, remote, nremote, 1);
}

int umem_writable4_slow(void *p)
{
	uint32_t v;

	/* without the handler: read it, and write the same value back */
	if (copy_some(&v, p, sizeof(v), 0) != sizeof(v))
		return 0;
	return copy_some(p, &v, sizeof(v), 1) == sizeof(v);
}

int umem_write4_slow(void *p, uint32_t v)
{
	return copy_some(p, &v, sizeof(v), 1) == sizeof(v) ? 0 : -1;
}
