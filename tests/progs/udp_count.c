/* udp_count: a kernel UDP receiver for the e2e tests that counts, exactly, what arrives.
 *   udp_count ADDR IDLE_MS MAX_S PORT...
 * Binds ADDR:PORT for every PORT (16 MiB receive buffers), prints "ready", and receives until no
 * datagram came for IDLE_MS after the first one, or MAX_S seconds passed. Then prints one line per
 * (port, first word of the payload) with the count, "PORT WORD COUNT", sorted, and a line
 * "total N". Datagrams whose first word is "dump" are printed whole ("PORT data: ..."). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PORTS 8
#define MAX_KEYS  64

struct key {
	int port;
	char word[32];
	long count;
};

static struct key keys[MAX_KEYS];
static int nkeys;

static void count(int port, const char *buf, size_t n)
{
	char word[32];
	size_t w = 0;

	while (w < n && w < sizeof(word) - 1 && buf[w] != ' ' && buf[w] != '\n' && buf[w] != '\0')
		w++;
	memcpy(word, buf, w);
	word[w] = '\0';
	for (int i = 0; i < nkeys; i++)
		if (keys[i].port == port && strcmp(keys[i].word, word) == 0) {
			keys[i].count++;
			return;
		}
	if (nkeys < MAX_KEYS) {
		keys[nkeys].port = port;
		strcpy(keys[nkeys].word, word);
		keys[nkeys++].count = 1;
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	return x->port != y->port ? x->port - y->port : strcmp(x->word, y->word);
}

int main(int argc, char **argv)
{
	struct pollfd pf[MAX_PORTS];
	int ports[MAX_PORTS], np = 0, idle_ms, bufsz = 16 << 20;
	double start, last = 0, max_s;
	long total = 0;
	static char buf[65536];

	if (argc < 5) {
		fprintf(stderr, "usage: udp_count ADDR IDLE_MS MAX_S PORT...\n");
		return 2;
	}
	idle_ms = atoi(argv[2]);
	max_s = atof(argv[3]);
	for (int i = 4; i < argc && np < MAX_PORTS; i++, np++) {
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[i]))};

		inet_pton(AF_INET, argv[1], &a.sin_addr);
		ports[np] = atoi(argv[i]);
		pf[np].fd = socket(AF_INET, SOCK_DGRAM, 0);
		pf[np].events = POLLIN;
		setsockopt(pf[np].fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz, sizeof(bufsz));
		if (bind(pf[np].fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
			perror("bind");
			return 2;
		}
	}
	printf("ready\n");
	fflush(stdout);
	start = now();
	for (;;) {
		double t = now();
		int wait = 200;

		if (t - start > max_s || (last != 0 && (t - last) * 1000 > idle_ms))
			break;
		if (poll(pf, (nfds_t)np, wait) <= 0)
			continue;
		for (int i = 0; i < np; i++) {
			ssize_t n;

			if (!(pf[i].revents & POLLIN))
				continue;
			while ((n = recv(pf[i].fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) >= 0) {
				buf[n] = '\0';
				count(ports[i], buf, (size_t)n);
				if (strncmp(buf, "dump", 4) == 0)
					printf("%d data: %s\n", ports[i], buf);
				total++;
				last = now();
			}
		}
	}
	qsort(keys, (size_t)nkeys, sizeof(keys[0]), cmp);
	for (int i = 0; i < nkeys; i++)
		printf("%d %s %ld\n", keys[i].port, keys[i].word, keys[i].count);
	printf("total %ld\n", total);
	return 0;
}
