/* udp_bench: an ordinary UDP sender (and receiver) that uses only the socket API, for comparing the
 * kernel's send path with libshim's. Sends COUNT datagrams of SIZE bytes to ADDR:PORT in one of
 * these modes:
 *   sendto       unconnected sendto()
 *   send         connect() once, then send()
 *   sendmsg      unconnected sendmsg() with one iovec
 *   sendmmsg     unconnected sendmmsg() in batches of BATCH
 *   sendmmsg_conn  connect() once, then sendmmsg() in batches of BATCH without msg_name
 *   udp_segment  connected send() of BATCH segments of SIZE bytes each (UDP_SEGMENT = SIZE);
 *                COUNT counts segments
 *   recv         bind ADDR:PORT and receive until COUNT datagrams arrived or 1 s passed without
 *                one; prints how many, and the latency of stamped datagrams (see --stamp)
 * and prints one line:
 *   mode=sendto size=64 count=200000 sent=200000 wall_s=0.52 dgrams_per_s=384615 user_ns=410
 *   sys_ns=1890 cpu_ns=2300 rss_kb=1234
 * where *_ns are CPU nanoseconds per datagram from getrusage (user, system, both) and rss_kb is
 * VmRSS of this process at the end.
 *
 *   udp_bench MODE ADDR PORT COUNT SIZE [BATCH] [--heap] [--stamp] [--gap-us N]
 *
 * The call's arguments (the destination sockaddr, the msghdr and its iovec, the mmsghdr array)
 * are locals on the stack, or with --heap in memory from malloc; the payload is always in memory
 * from calloc. Without --heap they are exactly what the sender passed before --heap existed,
 * except the sendmmsg array, which was on the heap (now on the stack unless --heap).
 * --stamp: the first 8 payload bytes carry CLOCK_MONOTONIC nanoseconds at the send call (the
 * receiver, in another namespace of the same machine, subtracts them from its own clock).
 * --gap-us N: sleep N microseconds (nanosleep) after each send call: a paced sender.
 * ADDR may be an IPv6 address: the socket is then AF_INET6 and the destination a sockaddr_in6. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#define MAX_BATCH 1024

/* A destination of either family. */
union dest {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* Everything a send call is given besides the payload: on the stack or (--heap) on the heap. */
struct call_args {
	union dest dst;
	struct iovec iov;
	struct msghdr mh;
	struct mmsghdr mm[MAX_BATCH];
};

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

static double tv_ns(struct timeval tv)
{
	return tv.tv_sec * 1e9 + tv.tv_usec * 1e3;
}

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static long rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int receive(union dest *at, socklen_t alen, long count, int size)
{
	struct timeval idle = {1, 0};
	int64_t *lat = calloc((size_t)count + 1, sizeof(*lat)), t_first = 0, t_last = 0;
	long got = 0, stamped = 0;
	char *buf = calloc(1, (size_t)size + 64);
	int fd = socket(at->sa.sa_family, SOCK_DGRAM, 0), big = 32 << 20;

	if (fd < 0 || lat == NULL || buf == NULL || bind(fd, &at->sa, alen) != 0)
		return 1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof(idle));
	printf("ready\n");
	fflush(stdout);
	while (got < count) {
		ssize_t n = recv(fd, buf, (size_t)size + 64, 0);
		int64_t t = now_ns();

		if (n < 0)
			break; /* a second without a datagram: the sender is done */
		if (got++ == 0)
			t_first = t;
		t_last = t;
		if (n >= 8) {
			int64_t s;

			memcpy(&s, buf, 8);
			if (s > 0 && s <= t)
				lat[stamped++] = t - s;
		}
	}
	qsort(lat, (size_t)stamped, sizeof(*lat), cmp_i64);
	printf("mode=recv size=%d count=%ld received=%ld wall_s=%.3f dgrams_per_s=%.0f "
	       "lat_p50_us=%.1f lat_p99_us=%.1f lat_max_us=%.1f\n",
	       size, count, got, (t_last - t_first) / 1e9,
	       got > 1 ? (got - 1) / ((t_last - t_first) / 1e9) : 0.0,
	       stamped ? lat[stamped / 2] / 1e3 : 0.0,
	       stamped ? lat[stamped * 99 / 100] / 1e3 : 0.0,
	       stamped ? lat[stamped - 1] / 1e3 : 0.0);
	free(lat);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	struct call_args on_stack, *a = &on_stack;
	struct sockaddr *dst;
	socklen_t dlen;
	struct rusage r0, r1;
	struct timespec t0, t1, gap = {0, 0};
	const char *mode;
	long count, sent = 0;
	int size, batch = 32, fd, stamp = 0, argi = 6, heap = 0, conn;
	char *buf;

	if (argc < 6) {
		fprintf(
		    stderr,
		    "usage: udp_bench sendto|send|sendmsg|sendmmsg|sendmmsg_conn|udp_segment|recv "
		    "ADDR PORT COUNT SIZE [BATCH] [--heap] [--stamp] [--gap-us N]\n");
		return 2;
	}
	mode = argv[1];
	count = atol(argv[4]);
	size = atoi(argv[5]);
	if (argc > 6 && argv[6][0] != '-') {
		batch = atoi(argv[6]);
		argi = 7;
	}
	for (; argi < argc; argi++) {
		if (strcmp(argv[argi], "--stamp") == 0)
			stamp = 1;
		else if (strcmp(argv[argi], "--heap") == 0)
			heap = 1;
		else if (strcmp(argv[argi], "--gap-us") == 0 && argi + 1 < argc)
			gap.tv_nsec = atol(argv[++argi]) * 1000;
	}
	if (batch < 1 || batch > MAX_BATCH)
		batch = 32;
	if (size < 1 || size > 65000 || count < 1)
		return 2;
	if (heap && (a = malloc(sizeof(*a))) == NULL)
		return 2;
	memset(a, 0, sizeof(*a));
	dst = &a->dst.sa;
	if (inet_pton(AF_INET6, argv[2], &a->dst.in6.sin6_addr) == 1) {
		a->dst.in6.sin6_family = AF_INET6;
		a->dst.in6.sin6_port = htons((unsigned short)atoi(argv[3]));
		dlen = sizeof(a->dst.in6);
	} else {
		a->dst.in.sin_family = AF_INET;
		a->dst.in.sin_port = htons((unsigned short)atoi(argv[3]));
		inet_pton(AF_INET, argv[2], &a->dst.in.sin_addr);
		dlen = sizeof(a->dst.in);
	}
	if (strcmp(mode, "recv") == 0)
		return receive(&a->dst, dlen, count, size);
	conn = strcmp(mode, "send") == 0 || strcmp(mode, "udp_segment") == 0 ||
	       strcmp(mode, "sendmmsg_conn") == 0;
	if (strcmp(mode, "udp_segment") == 0 && (long)size * batch > 65000)
		batch = (int)(65000 / size);
	buf = calloc((size_t)batch, (size_t)size + 1);
	stamp = stamp && size >= 8;
	fd = socket(dst->sa_family, SOCK_DGRAM, 0);
	if (conn && connect(fd, dst, dlen) != 0)
		return 1;
	if (strcmp(mode, "udp_segment") == 0 &&
	    setsockopt(fd, SOL_UDP, UDP_SEGMENT, &size, sizeof(size)) != 0)
		return 1;
	/* warm up: autobind, route and neighbour lookups happen outside the measurement */
	sendto(fd, buf, (size_t)size, 0, dst, dlen);

#define STAMP()                                                                                    \
	do {                                                                                       \
		if (stamp) {                                                                       \
			int64_t s_ = now_ns();                                                     \
			memcpy(buf, &s_, 8);                                                       \
		}                                                                                  \
	} while (0)
#define PACE()                                                                                     \
	do {                                                                                       \
		if (gap.tv_nsec)                                                                   \
			nanosleep(&gap, NULL);                                                     \
	} while (0)

	getrusage(RUSAGE_SELF, &r0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (strcmp(mode, "sendto") == 0) {
		for (long i = 0; i < count; i++) {
			STAMP();
			sent += sendto(fd, buf, (size_t)size, 0, dst, dlen) == size;
			PACE();
		}
	} else if (strcmp(mode, "send") == 0) {
		for (long i = 0; i < count; i++) {
			STAMP();
			sent += send(fd, buf, (size_t)size, 0) == size;
			PACE();
		}
	} else if (strcmp(mode, "sendmsg") == 0) {
		a->iov = (struct iovec){buf, (size_t)size};
		a->mh = (struct msghdr){
		    .msg_name = dst, .msg_namelen = dlen, .msg_iov = &a->iov, .msg_iovlen = 1};

		for (long i = 0; i < count; i++) {
			STAMP();
			sent += sendmsg(fd, &a->mh, 0) == size;
			PACE();
		}
	} else if (strcmp(mode, "sendmmsg") == 0 || strcmp(mode, "sendmmsg_conn") == 0) {
		struct mmsghdr *mm = a->mm;

		a->iov = (struct iovec){buf, (size_t)size};
		for (int i = 0; i < batch; i++) {
			mm[i].msg_hdr.msg_name = conn ? NULL : dst;
			mm[i].msg_hdr.msg_namelen = conn ? 0 : dlen;
			mm[i].msg_hdr.msg_iov = &a->iov;
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		for (long i = 0; i < count; i += batch) {
			int r;

			STAMP();
			r = sendmmsg(fd, mm, (unsigned)batch, 0);
			sent += r > 0 ? r : 0;
			PACE();
		}
		count = (count + batch - 1) / batch * batch;
	} else if (strcmp(mode, "udp_segment") == 0) {
		size_t len = (size_t)size * (size_t)batch;

		for (long i = 0; i < count; i += batch) {
			STAMP();
			sent += send(fd, buf, len, 0) == (ssize_t)len ? batch : 0;
			PACE();
		}
		count = (count + batch - 1) / batch * batch;
	} else {
		fprintf(stderr, "udp_bench: unknown mode %s\n", mode);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &r1);
	{
		double wall = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		double user = (tv_ns(r1.ru_utime) - tv_ns(r0.ru_utime)) / (double)count;
		double sys = (tv_ns(r1.ru_stime) - tv_ns(r0.ru_stime)) / (double)count;

		printf("mode=%s%s size=%d count=%ld sent=%ld wall_s=%.3f dgrams_per_s=%.0f "
		       "user_ns=%.0f sys_ns=%.0f cpu_ns=%.0f rss_kb=%ld\n",
		       mode, heap ? "/heap" : "", size, count, sent, wall, count / wall, user, sys,
		       user + sys, rss_kb());
	}
	free(buf);
	if (heap)
		free(a);
	return sent == count ? 0 : 1;
}
