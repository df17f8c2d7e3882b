/* send_paths: an ordinary UDP sender that sends a known number of datagrams through one of the
 * send calls, with its arguments where the mode says (the stack or the heap), for the tests that
 * count what the shim did with them (system calls per transmit, the counters).
 *
 *   send_paths MODE ADDR PORT COUNT SIZE [BATCH]
 *
 * ADDR is an IPv4 or an IPv6 address (an AF_INET or an AF_INET6 socket).
 *
 * Modes (COUNT datagrams of SIZE bytes to ADDR:PORT; every call's answer is checked):
 *   sendto         sendto(), the sockaddr_in on the stack
 *   sendto_heap    sendto(), the sockaddr_in on the heap
 *   send           connect(), then send()
 *   write          connect(), then write()
 *   writev         connect(), then writev() of two buffers
 *   sendmsg        sendmsg(), msghdr, iovec and address on the stack
 *   sendmsg_heap   sendmsg(), msghdr, iovec and address on the heap
 *   sendmmsg_stack / sendmmsg_heap            unconnected sendmmsg() of BATCH (32), the mmsghdr
 *                                             array on the stack or on the heap
 *   sendmmsg_conn_stack / sendmmsg_conn_heap  the same, connected (no msg_name)
 *   cork           connected; each datagram is two send()s under UDP_CORK, then the cork off
 *   msg_more       unconnected; each datagram is a sendto() with MSG_MORE and one without
 *   udp_segment    connected, UDP_SEGMENT = SIZE: COUNT send()s of BATCH segments each (COUNT
 *                  calls, COUNT * BATCH datagrams on the wire)
 * Prints "calls=N datagrams=N bytes=N" (datagrams and payload bytes as the receiver sees them)
 * and exits 0 when every call sent everything. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#define MAX_BATCH 1024

union dst_addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

static int fail(const char *what, long i, long r)
{
	fprintf(stderr, "send_paths: %s failed at %ld (returned %ld)\n", what, i, r);
	return 1;
}

static long mmsg_run(int fd, struct mmsghdr *mm, union dst_addr *dst, socklen_t dlen,
		     struct iovec *iov, long count, int batch, int named)
{
	long sent = 0;

	for (int i = 0; i < batch; i++) {
		memset(&mm[i], 0, sizeof(mm[i]));
		mm[i].msg_hdr.msg_name = named ? dst : NULL;
		mm[i].msg_hdr.msg_namelen = named ? dlen : 0;
		mm[i].msg_hdr.msg_iov = iov;
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	while (sent < count) {
		unsigned n = count - sent < batch ? (unsigned)(count - sent) : (unsigned)batch;
		int r = sendmmsg(fd, mm, n, 0);

		if (r != (int)n) {
			fail("sendmmsg", sent, r);
			return -1;
		}
		for (unsigned i = 0; i < n; i++) {
			if (mm[i].msg_len != iov->iov_len) {
				fail("sendmmsg msg_len", sent + i, mm[i].msg_len);
				return -1;
			}
		}
		sent += n;
	}
	return sent;
}

int main(int argc, char **argv)
{
	union dst_addr dst, *heap_dst;
	socklen_t dlen;
	const char *mode;
	long count, calls = 0, dgrams = 0;
	int size, batch = 32, fd, one = 1, zero = 0;
	char *buf;

	if (argc < 6) {
		fprintf(stderr, "usage: send_paths MODE ADDR PORT COUNT SIZE [BATCH]\n");
		return 2;
	}
	mode = argv[1];
	count = atol(argv[4]);
	size = atoi(argv[5]);
	if (argc > 6)
		batch = atoi(argv[6]);
	if (batch < 1 || batch > MAX_BATCH || size < 2 || size > 65000 || count < 0)
		return 2;
	memset(&dst, 0, sizeof(dst));
	if (strchr(argv[2], ':') != NULL) {
		dst.in6.sin6_family = AF_INET6;
		dst.in6.sin6_port = htons((unsigned short)atoi(argv[3]));
		if (inet_pton(AF_INET6, argv[2], &dst.in6.sin6_addr) != 1)
			return 2;
		dlen = sizeof(dst.in6);
	} else {
		dst.in.sin_family = AF_INET;
		dst.in.sin_port = htons((unsigned short)atoi(argv[3]));
		if (inet_pton(AF_INET, argv[2], &dst.in.sin_addr) != 1)
			return 2;
		dlen = sizeof(dst.in);
	}
	heap_dst = malloc(sizeof(*heap_dst));
	*heap_dst = dst;
	buf = calloc(1, (size_t)size * (size_t)batch + 1);
	memset(buf, 'x', (size_t)size * (size_t)batch);
	fd = socket(dst.sa.sa_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return fail("socket", 0, -1);
	if ((!strcmp(mode, "send") || !strcmp(mode, "write") || !strcmp(mode, "writev") ||
	     !strcmp(mode, "cork") || !strncmp(mode, "sendmmsg_conn", 13) ||
	     !strcmp(mode, "udp_segment")) &&
	    connect(fd, &dst.sa, dlen) != 0)
		return fail("connect", 0, -1);

	if (!strcmp(mode, "sendto") || !strcmp(mode, "sendto_heap")) {
		const struct sockaddr *to = !strcmp(mode, "sendto") ? &dst.sa : &heap_dst->sa;

		for (long i = 0; i < count; i++, calls++, dgrams++)
			if (sendto(fd, buf, (size_t)size, 0, to, dlen) != size)
				return fail(mode, i, -1);
	} else if (!strcmp(mode, "send")) {
		for (long i = 0; i < count; i++, calls++, dgrams++)
			if (send(fd, buf, (size_t)size, 0) != size)
				return fail(mode, i, -1);
	} else if (!strcmp(mode, "write")) {
		for (long i = 0; i < count; i++, calls++, dgrams++)
			if (write(fd, buf, (size_t)size) != size)
				return fail(mode, i, -1);
	} else if (!strcmp(mode, "writev")) {
		struct iovec iov[2] = {{buf, 1}, {buf + 1, (size_t)size - 1}};

		for (long i = 0; i < count; i++, calls++, dgrams++)
			if (writev(fd, iov, 2) != size)
				return fail(mode, i, -1);
	} else if (!strcmp(mode, "sendmsg")) {
		struct iovec iov = {buf, (size_t)size};
		struct msghdr mh = {
		    .msg_name = &dst, .msg_namelen = dlen, .msg_iov = &iov, .msg_iovlen = 1};

		for (long i = 0; i < count; i++, calls++, dgrams++)
			if (sendmsg(fd, &mh, 0) != size)
				return fail(mode, i, -1);
	} else if (!strcmp(mode, "sendmsg_heap")) {
		struct iovec *iov = malloc(sizeof(*iov));
		struct msghdr *mh = calloc(1, sizeof(*mh));

		*iov = (struct iovec){buf, (size_t)size};
		mh->msg_name = heap_dst;
		mh->msg_namelen = dlen;
		mh->msg_iov = iov;
		mh->msg_iovlen = 1;
		for (long i = 0; i < count; i++, calls++, dgrams++)
			if (sendmsg(fd, mh, 0) != size)
				return fail(mode, i, -1);
	} else if (!strncmp(mode, "sendmmsg", 8)) {
		struct mmsghdr stack_mm[MAX_BATCH], *mm = stack_mm;
		struct iovec iov = {buf, (size_t)size};
		int named = strncmp(mode, "sendmmsg_conn", 13) != 0;
		long r;

		if (strstr(mode, "_heap"))
			mm = calloc((size_t)batch, sizeof(*mm));
		else if (!strstr(mode, "_stack"))
			return 2;
		r = mmsg_run(fd, mm, &dst, dlen, &iov, count, batch, named);
		if (r < 0)
			return 1;
		dgrams = r;
		calls = (count + batch - 1) / batch;
	} else if (!strcmp(mode, "cork")) {
		for (long i = 0; i < count; i++, calls += 2, dgrams++) {
			if (setsockopt(fd, SOL_UDP, UDP_CORK, &one, sizeof(one)) != 0 ||
			    send(fd, buf, 1, 0) != 1 ||
			    send(fd, buf + 1, (size_t)size - 1, 0) != size - 1 ||
			    setsockopt(fd, SOL_UDP, UDP_CORK, &zero, sizeof(zero)) != 0)
				return fail(mode, i, -1);
		}
	} else if (!strcmp(mode, "msg_more")) {
		for (long i = 0; i < count; i++, calls += 2, dgrams++) {
			if (sendto(fd, buf, 1, MSG_MORE, &dst.sa, dlen) != 1 ||
			    sendto(fd, buf + 1, (size_t)size - 1, 0, &dst.sa, dlen) != size - 1)
				return fail(mode, i, -1);
		}
	} else if (!strcmp(mode, "udp_segment")) {
		size_t len = (size_t)size * (size_t)batch;

		if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &size, sizeof(size)) != 0)
			return fail("setsockopt(UDP_SEGMENT)", 0, -1);
		for (long i = 0; i < count; i++, calls++, dgrams += batch)
			if (send(fd, buf, len, 0) != (ssize_t)len)
				return fail(mode, i, -1);
	} else {
		fprintf(stderr, "send_paths: unknown mode %s\n", mode);
		return 2;
	}
	printf("calls=%ld datagrams=%ld bytes=%ld\n", calls, dgrams, dgrams * size);
	fflush(stdout);
	close(fd);
	return 0;
}
