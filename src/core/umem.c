/* umem: read the program's memory without faulting, through process_vm_readv on the own process. */
#include "shim/umem.h"

#include <stdint.h>
#include <sys/uio.h>
#include <unistd.h>

/* One process_vm_readv call; returns the bytes copied or -1. The kernel stops at the first fault.
 */
static ssize_t umem_copy(void *dst, const void *src, size_t n)
{
	struct iovec local = {.iov_base = dst, .iov_len = n};
	struct iovec remote = {.iov_base = (void *)src, .iov_len = n};

	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
}

int umem_read(void *dst, const void *src, size_t n)
{
	if (n == 0)
		return 0;
	if ((uintptr_t)src + n < (uintptr_t)src)
		return -1;
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
