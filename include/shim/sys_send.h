/* sys_send: the system-call layer of the send path (net/socket.c __sys_sendto, __sys_sendmsg,
 * __sys_sendmmsg, and the write/writev entry of sock_write_iter), for fds the shim owns.
 *
 * Each returns the call's result (>= 0 or -errno), or:
 *   SHIM_NOT_OWNED  the fd is not a UDP/IPv4 socket the shim owns: call libc
 *   SHIM_TO_KERNEL  the shim hands this whole call to the kernel socket: call libc
 * Argument errors are answered in the kernel's order with its errnos; memory the program points to
 * is read with umem_read, so a bad pointer gives EFAULT, never a crash. */
#ifndef SHIM_SYS_SEND_H
#define SHIM_SYS_SEND_H

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "shim/inet.h"
#include "shim/result.h"
#include "shim/umem.h"

/* The argument import of net/socket.c, once for every entry: the general path (src/sys/sys_send.c)
 * and the fast entries (sys_send.c, include/shim/send_fast.h) make the same checks with these. A
 * fast entry answers nothing itself: whatever fails a check, or is not the shape it takes, is
 * UDP_FP_MISS and the general path answers it. */

/* rw_verify_area: a length is clamped to this */
#define MAX_RW_COUNT ((size_t)INT_MAX & ~(size_t)4095)

/* import_ubuf (with rw_verify_area's clamp): *len clamped to MAX_RW_COUNT, then the range
 * checked. Returns 0 or -EFAULT. */
static inline __attribute__((always_inline)) int import_ubuf(const void *buf, size_t *len)
{
	if (*len > MAX_RW_COUNT)
		*len = MAX_RW_COUNT;
	return access_ok(buf, *len) ? 0 : -EFAULT;
}

/* move_addr_to_kernel: EINVAL for a negative length or one over a sockaddr_storage, EFAULT when any
 * of the alen bytes cannot be read into kaddr (a sockaddr_storage). Returns 0 or -errno. */
static inline int move_addr_to_kernel(const void *uaddr, socklen_t alen, void *kaddr)
{
	if ((int)alen < 0 || alen > sizeof(struct sockaddr_storage))
		return -EINVAL;
	if (alen && umem_read(kaddr, uaddr, alen) != 0)
		return -EFAULT;
	return 0;
}

/* move_addr_to_kernel for a fast entry: only an address of exactly a sockaddr_in, read whole with
 * fault-safe loads. false: the general path's to judge. */
static inline __attribute__((always_inline)) bool move_addr_fast(const void *uaddr, socklen_t alen,
								 struct sockaddr_in *to)
{
	return alen == sizeof(*to) && umem_fault_safe() &&
	       umem_load_fixed(to, uaddr, sizeof(*to)) == 0;
}

/* A sockaddr_in6 (28 bytes) read whole with fault-safe loads (24 bytes, then the 8 that end it:
 * no byte after it is read). false: unreadable. */
static inline __attribute__((always_inline)) bool load_sin6_fast(struct sockaddr_in6 *to,
								 const void *uaddr)
{
	uint64_t tail;
	uint32_t scope;

	if ((uintptr_t)uaddr > UMEM_TASK_SIZE_MAX - sizeof(*to) ||
	    ucopy_load_words(to, uaddr, 24) ||
	    ucopy_load8(&tail, (const char *)uaddr + sizeof(*to) - 8))
		return false;
	scope = (uint32_t)(tail >> 32);
	__builtin_memcpy((char *)to + 24, &scope, 4);
	return true;
}

/* move_addr_fast for an IPv6 flow: only an address of exactly a sockaddr_in6. */
static inline bool move_addr_fast6(const void *uaddr, socklen_t alen, struct sockaddr_in6 *to)
{
	return alen == sizeof(*to) && umem_fault_safe() && load_sin6_fast(to, uaddr);
}

/* __copy_msghdr, import_iovec and move_addr_to_kernel for a fast entry, of a msghdr k already
 * read: only one buffer, no control data, no address or one of tolen bytes (a sockaddr_in, or a
 * sockaddr_in6 for an IPv6 flow; read into *to, *name set). false: the general path's to judge. */
static inline __attribute__((always_inline)) bool copy_msghdr_fast_as(const struct msghdr *k,
								      struct iovec *one, void *to,
								      const void **name,
								      socklen_t tolen)
{
	if (k->msg_controllen != 0 || k->msg_iovlen != 1 || (int)k->msg_namelen < 0 ||
	    (k->msg_name != NULL && k->msg_namelen != tolen))
		return false;
	if (!umem_fault_safe() || umem_load_fixed(one, k->msg_iov, sizeof(*one)) != 0)
		return false;
	*name = NULL;
	if (k->msg_name != NULL) {
		if (tolen == sizeof(struct sockaddr_in6)
			? !load_sin6_fast(to, k->msg_name)
			: umem_load_fixed(to, k->msg_name, tolen) != 0)
			return false;
		*name = to;
	}
	return import_ubuf(one->iov_base, &one->iov_len) == 0;
}

static inline __attribute__((always_inline)) bool copy_msghdr_fast(const struct msghdr *k,
								   struct iovec *one,
								   struct sockaddr_in *to,
								   const struct sockaddr_in **name)
{
	return copy_msghdr_fast_as(k, one, to, (const void **)name, sizeof(*to));
}

static inline bool copy_msghdr_fast6(const struct msghdr *k, struct iovec *one,
				     struct sockaddr_in6 *to, const struct sockaddr_in6 **name)
{
	return copy_msghdr_fast_as(k, one, to, (const void **)name, sizeof(*to));
}

long sys_sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
		socklen_t alen);
long sys_sendmsg(int fd, const struct msghdr *msg, int flags);
long sys_sendmmsg(int fd, struct mmsghdr *vec, unsigned vlen, int flags);
long sys_write(int fd, const void *buf, size_t len);
long sys_writev(int fd, const struct iovec *iov, int iovcnt);

#endif
