/* thread_sender: 8 threads send numbered datagrams at once, on one shared socket or on one socket
 * each, for the e2e threads test. Each payload is "T<thread> S<seq>" followed by a byte pattern
 * derived from both, so the receiver can check that nothing was lost, duplicated or corrupted.
 *
 *   thread_sender one|many ADDR PORT COUNT
 * Prints "sent N" and exits 0 when every send returned its full length. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define THREADS 8

struct job {
	int fd;
	int thread;
	int count;
	struct sockaddr_in dst;
	int failures;
};

static void *send_loop(void *arg)
{
	struct job *j = arg;
	char buf[512];

	for (int seq = 0; seq < j->count; seq++) {
		int n = snprintf(buf, sizeof(buf), "T%d S%d ", j->thread, seq);
		int len = n + 64 + (seq * 7 + j->thread * 13) % 300;

		for (int i = n; i < len; i++)
			buf[i] = (char)('a' + (i * 31 + seq + j->thread) % 26);
		if (sendto(j->fd, buf, (size_t)len, 0, (struct sockaddr *)&j->dst,
			   sizeof(j->dst)) != len)
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
	int shared = -1, failures = 0, count;

	if (argc != 5 || (strcmp(argv[1], "one") && strcmp(argv[1], "many"))) {
		fprintf(stderr, "usage: thread_sender one|many ADDR PORT COUNT\n");
		return 2;
	}
	count = atoi(argv[4]);
	if (strcmp(argv[1], "one") == 0)
		shared = socket(AF_INET, SOCK_DGRAM, 0);
	for (int t = 0; t < THREADS; t++) {
		jobs[t].fd = shared >= 0 ? shared : socket(AF_INET, SOCK_DGRAM, 0);
		jobs[t].thread = t;
		jobs[t].count = count;
		jobs[t].failures = 0;
		memset(&jobs[t].dst, 0, sizeof(jobs[t].dst));
		jobs[t].dst.sin_family = AF_INET;
		jobs[t].dst.sin_port = htons((unsigned short)atoi(argv[3]));
		inet_pton(AF_INET, argv[2], &jobs[t].dst.sin_addr);
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
