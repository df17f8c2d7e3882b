/* udp_bench: an ordinary UDP sender that uses only the socket API, for comparing the kernel's send
 * path with libshim's. Sends COUNT datagrams of SIZE bytes to ADDR:PORT in one of these modes:
 *   sendto      unconnected sendto()
 *   send        connect() once, then send()
 *   sendmsg     unconnected sendmsg() with one iovec
 *   sendmmsg    unconnected sendmmsg() in batches of BATCH
 * and prints one line:
 *   mode=sendto size=64 count=200000 wall_s=0.52 dgrams_per_s=384615 user_ns=410 sys_ns=1890
 * cpu_ns=2300 where *_ns are CPU nanoseconds per datagram from getrusage (user, system, both).
 *
 *   udp_bench MODE ADDR PORT COUNT SIZE [BATCH] */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

static double tv_ns(struct timeval tv)
{
	return tv.tv_sec * 1e9 + tv.tv_usec * 1e3;
}

int main(int argc, char **argv)
{
	struct sockaddr_in dst;
	struct rusage r0, r1;
	struct timespec t0, t1;
	const char *mode;
	long count, sent = 0;
	int size, batch = 32, fd;
	char *buf;

	if (argc < 6) {
		fprintf(
		    stderr,
		    "usage: udp_bench sendto|send|sendmsg|sendmmsg ADDR PORT COUNT SIZE [BATCH]\n");
		return 2;
	}
	mode = argv[1];
	count = atol(argv[4]);
	size = atoi(argv[5]);
	if (argc > 6)
		batch = atoi(argv[6]);
	if (batch < 1 || batch > 1024)
		batch = 32;
	buf = calloc(1, (size_t)size + 1);
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons((unsigned short)atoi(argv[3]));
	inet_pton(AF_INET, argv[2], &dst.sin_addr);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (strcmp(mode, "send") == 0 && connect(fd, (struct sockaddr *)&dst, sizeof(dst)) != 0)
		return 1;
	/* warm up: autobind, route and neighbour lookups happen outside the measurement */
	sendto(fd, buf, (size_t)size, 0, (struct sockaddr *)&dst, sizeof(dst));

	getrusage(RUSAGE_SELF, &r0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (strcmp(mode, "sendto") == 0) {
		for (long i = 0; i < count; i++)
			sent += sendto(fd, buf, (size_t)size, 0, (struct sockaddr *)&dst,
				       sizeof(dst)) == size;
	} else if (strcmp(mode, "send") == 0) {
		for (long i = 0; i < count; i++)
			sent += send(fd, buf, (size_t)size, 0) == size;
	} else if (strcmp(mode, "sendmsg") == 0) {
		struct iovec iov = {buf, (size_t)size};
		struct msghdr mh = {
		    .msg_name = &dst, .msg_namelen = sizeof(dst), .msg_iov = &iov, .msg_iovlen = 1};

		for (long i = 0; i < count; i++)
			sent += sendmsg(fd, &mh, 0) == size;
	} else if (strcmp(mode, "sendmmsg") == 0) {
		struct iovec iov = {buf, (size_t)size};
		struct mmsghdr *mm = calloc((size_t)batch, sizeof(*mm));

		for (int i = 0; i < batch; i++) {
			mm[i].msg_hdr.msg_name = &dst;
			mm[i].msg_hdr.msg_namelen = sizeof(dst);
			mm[i].msg_hdr.msg_iov = &iov;
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		for (long i = 0; i < count; i += batch) {
			int r = sendmmsg(fd, mm, (unsigned)batch, 0);

			sent += r > 0 ? r : 0;
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

		printf(
		    "mode=%s size=%d count=%ld sent=%ld wall_s=%.3f dgrams_per_s=%.0f user_ns=%.0f "
		    "sys_ns=%.0f cpu_ns=%.0f\n",
		    mode, size, count, sent, wall, count / wall, user, sys, user + sys);
	}
	return sent == count ? 0 : 1;
}
