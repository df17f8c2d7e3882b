/* cork_threads: 8 threads send fixed-size pieces with MSG_MORE on ONE socket at once, for the e2e
 * corking test. Every tenth piece of a thread is sent without MSG_MORE and pushes whatever is
 * pending, so datagrams are made of whole pieces from any threads. A first corked send that loses
 * the race to cork the socket gets EINVAL from the kernel ("socket already corked", nothing
 * appended) and is sent again. At the end setsockopt(UDP_CORK) 1 then 0 pushes what is left.
 * Piece (t, seq) is PIECE bytes: "T<t> S<seq> " and a pattern of both (cork_sink.py checks them).
 *
 *   cork_threads ADDR PORT COUNT
 * Prints "pieces N retries R failures F" and exits 0 when every piece was accepted. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define THREADS 8
#define PIECE	100
#define TRIES	100000

struct job {
	int fd, thread, count, failures;
	long retries;
	struct sockaddr_in dst;
};

static void fill_piece(char *buf, int t, int seq)
{
	int n = snprintf(buf, PIECE, "T%d S%d ", t, seq);

	for (int i = n; i < PIECE; i++)
		buf[i] = (char)('a' + (i * 7 + seq * 3 + t) % 26);
}

static void *send_loop(void *arg)
{
	struct job *j = arg;
	char buf[PIECE];

	for (int seq = 0; seq < j->count; seq++) {
		int flags = seq % 10 == 9 ? 0 : MSG_MORE, tries = 0;
		ssize_t r;

		fill_piece(buf, j->thread, seq);
		while ((r = sendto(j->fd, buf, PIECE, flags, (struct sockaddr *)&j->dst,
				   sizeof(j->dst))) < 0 &&
		       errno == EINVAL && ++tries < TRIES)
			j->retries++;
		if (r != PIECE)
			j->failures++;
		if (seq % 64 == 63) /* let the receiver keep up: bounded, small pauses */
			nanosleep(&(struct timespec){0, 2000000}, NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct job jobs[THREADS];
	pthread_t th[THREADS];
	int fd, failures = 0, count, on = 1, off = 0;
	long retries = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: cork_threads ADDR PORT COUNT\n");
		return 2;
	}
	count = atoi(argv[3]);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	for (int t = 0; t < THREADS; t++) {
		memset(&jobs[t], 0, sizeof(jobs[t]));
		jobs[t].fd = fd;
		jobs[t].thread = t;
		jobs[t].count = count;
		jobs[t].dst.sin_family = AF_INET;
		jobs[t].dst.sin_port = htons((unsigned short)atoi(argv[2]));
		inet_pton(AF_INET, argv[1], &jobs[t].dst.sin_addr);
	}
	for (int t = 0; t < THREADS; t++)
		pthread_create(&th[t], NULL, send_loop, &jobs[t]);
	for (int t = 0; t < THREADS; t++) {
		pthread_join(th[t], NULL);
		failures += jobs[t].failures;
		retries += jobs[t].retries;
	}
	if (setsockopt(fd, SOL_UDP, UDP_CORK, &on, sizeof(on)) != 0 ||
	    setsockopt(fd, SOL_UDP, UDP_CORK, &off, sizeof(off)) != 0)
		failures++;
	printf("pieces %d retries %ld failures %d\n", THREADS * count - failures, retries,
	       failures);
	return failures ? 1 : 0;
}
