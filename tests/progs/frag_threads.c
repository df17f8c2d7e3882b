/* frag_threads: 8 threads send fragmented datagrams on one shared UDP socket; a receiver checks
 * that every one of them arrived once and intact (e2e.frag_threads).
 *
 *   frag_threads send ADDR PORT COUNT    8 threads x COUNT datagrams of 1481..8480 bytes
 *                                        (2..6 fragments at MTU 1500); prints "sent N failures F"
 *   frag_threads recv ADDR PORT TOTAL SECONDS
 *                                        receives until TOTAL arrived or SECONDS passed without
 *                                        one; prints "ready", then "received N missing M
 *                                        duplicated D corrupted C" and exits 0 only when all
 *                                        TOTAL arrived exactly once and intact.
 * Payload: "T<thread> S<seq> " then a byte pattern derived from both and the offset, so a
 * datagram reassembled from another datagram's fragments is seen as corrupted. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define THREADS 8
#define MAXLEN	8480

struct job {
	int fd, thread, count, failures;
	struct sockaddr_in dst;
};

static size_t dgram_len(int t, int seq)
{
	return 1481 + (size_t)((seq * 977 + t * 131) % 7000);
}

/* Byte i of datagram (t, seq) is 'a' + (31 i + 7 seq + t) mod 26; 31 i mod 26 repeats every 26
 * bytes, so one precomputed row per value of (7 seq + t) mod 26 gives the bytes by memcpy. */
static char rows[26][MAXLEN];

static void make_rows(void)
{
	for (int k = 0; k < 26; k++)
		for (size_t i = 0; i < MAXLEN; i++)
			rows[k][i] = (char)('a' + (i * 31 + (size_t)k) % 26);
}

static const char *row(int t, int seq)
{
	return rows[(seq * 7 + t) % 26];
}

static size_t fill(char *buf, int t, int seq)
{
	size_t len = dgram_len(t, seq);
	int n = snprintf(buf, 32, "T%d S%d ", t, seq);

	memcpy(buf + n, row(t, seq) + n, len - (size_t)n);
	return len;
}

static void *send_loop(void *arg)
{
	struct job *j = arg;
	static __thread char buf[MAXLEN];

	for (int seq = 0; seq < j->count; seq++) {
		size_t len = fill(buf, j->thread, seq);

		if (sendto(j->fd, buf, len, 0, (struct sockaddr *)&j->dst, sizeof(j->dst)) !=
		    (ssize_t)len)
			j->failures++;
		/* let the receiving CPU keep up (its backlog holds 1000 frames): bounded pauses */
		if (seq % 8 == 7)
			nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	return NULL;
}

static int do_send(const char *addr, int port, int count)
{
	struct job jobs[THREADS];
	pthread_t th[THREADS];
	int fd = socket(AF_INET, SOCK_DGRAM, 0), failures = 0;

	if (fd < 0) {
		perror("socket");
		return 2;
	}
	for (int t = 0; t < THREADS; t++) {
		jobs[t] = (struct job){.fd = fd, .thread = t, .count = count};
		jobs[t].dst.sin_family = AF_INET;
		jobs[t].dst.sin_port = htons((unsigned short)port);
		inet_pton(AF_INET, addr, &jobs[t].dst.sin_addr);
	}
	for (int t = 0; t < THREADS; t++)
		pthread_create(&th[t], NULL, send_loop, &jobs[t]);
	for (int t = 0; t < THREADS; t++) {
		pthread_join(th[t], NULL);
		failures += jobs[t].failures;
	}
	printf("sent %d failures %d\n", THREADS * count - failures, failures);
	return failures ? 1 : 0;
}

static int do_recv(const char *addr, int port, int total, int seconds)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), big = 64 << 20, per = total / THREADS;
	int got = 0, dup = 0, bad = 0, missing = 0;
	unsigned char *seen = calloc((size_t)total + 1, 1);
	static char buf[65536];

	inet_pton(AF_INET, addr, &sin.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	if (seen == NULL || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		perror("bind");
		return 2;
	}
	printf("ready\n");
	fflush(stdout);
	while (got < total) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int t, seq, hl;
		char head[32];
		ssize_t n;

		if (poll(&p, 1, seconds * 1000) <= 0)
			break;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			break;
		got++;
		buf[n] = 0; /* recv reads at most sizeof(buf) - 1 */
		if (sscanf(buf, "T%d S%d ", &t, &seq) != 2 || t < 0 || t >= THREADS || seq < 0 ||
		    seq >= per || (size_t)n != dgram_len(t, seq) ||
		    (hl = snprintf(head, sizeof(head), "T%d S%d ", t, seq)) <= 0 ||
		    memcmp(buf, head, (size_t)hl) != 0 ||
		    memcmp(buf + hl, row(t, seq) + hl, (size_t)(n - hl)) != 0) {
			bad++;
			continue;
		}
		if (seen[t * per + seq]++)
			dup++;
	}
	for (int i = 0; i < per * THREADS; i++)
		missing += !seen[i];
	printf("received %d missing %d duplicated %d corrupted %d\n", got, missing, dup, bad);
	return missing || dup || bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	make_rows();
	if (argc == 5 && strcmp(argv[1], "send") == 0)
		return do_send(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 6 && strcmp(argv[1], "recv") == 0)
		return do_recv(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	fprintf(stderr,
		"usage: frag_threads send ADDR PORT COUNT | recv ADDR PORT TOTAL SECONDS\n");
	return 2;
}
