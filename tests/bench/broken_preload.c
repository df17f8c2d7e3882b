/*
 * broken_preload: a deliberately wrong LD_PRELOAD library, the bench's negative control.
 * bench.catches_broken runs the scenarios with it and passes only if run-diff reports the
 * differences below, by field name. Three subtle faults:
 *   1. sendto() sends a copy of the data with the middle payload byte flipped (xor 0x01);
 *   2. every new AF_INET/SOCK_DGRAM socket gets IP_TTL 63 (the kernel default is 64), every
 *      AF_INET6 one IPV6_UNICAST_HOPS 63;
 *   3. a sendto() that fails with EMSGSIZE reports ENOBUFS instead.
 * Everything else is passed to libc unchanged.
 */
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

typedef int (*socket_fn)(int, int, int);
typedef ssize_t (*sendto_fn)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);

static void *next_symbol(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (!p)
		abort();
	return p;
}

int socket(int domain, int type, int protocol)
{
	static socket_fn real_socket;
	int fd, saved, ttl = 63;

	if (!real_socket)
		real_socket = (socket_fn)next_symbol("socket");
	fd = real_socket(domain, type, protocol);
	if (fd >= 0 && domain == AF_INET && (type & 0xf) == SOCK_DGRAM) {
		saved = errno;
		(void)setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
		errno = saved;
	} else if (fd >= 0 && domain == AF_INET6 && (type & 0xf) == SOCK_DGRAM) {
		saved = errno;
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl));
		errno = saved;
	}
	return fd;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
	       socklen_t alen)
{
	static sendto_fn real_sendto;
	unsigned char *copy = NULL;
	ssize_t ret;
	int saved;

	if (!real_sendto)
		real_sendto = (sendto_fn)next_symbol("sendto");
	if (len > 0 && len <= 65536) {
		/* Read the caller's buffer without faulting: a bad buffer keeps its EFAULT. */
		struct iovec local, remote = {.iov_base = (void *)buf, .iov_len = len};

		copy = malloc(len);
		local.iov_base = copy;
		local.iov_len = len;
		if (copy && process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)len) {
			copy[len / 2] ^= 0x01;
			buf = copy;
		}
	}
	ret = real_sendto(fd, buf, len, flags, addr, alen);
	saved = errno;
	free(copy);
	errno = (ret < 0 && saved == EMSGSIZE) ? ENOBUFS : saved;
	return ret;
}
