/* host_sigsend: a program whose first-ever sends happen in a SIGALRM handler that interrupts main
 * while main loops in malloc and free of varying sizes; then a child of fork() does the same. The
 * program has its own malloc family (over glibc's __libc_* functions) that counts the calls made
 * while a handler runs: POSIX makes sendto async-signal-safe, and a handler that interrupted
 * malloc must not enter it again (a thread started from the handler does: its TLS comes from
 * calloc). Prints, for the parent and the child, "SENDS sends N ok M failed, K allocator calls in
 * the handler"; the e2e host test compares that and the datagrams received natively and under
 * the shim.
 *
 *   host_sigsend ADDR PORT */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SENDS 10

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

static volatile sig_atomic_t in_handler, in_handler_calls, sent_ok, sent_bad;
static int sock = -1;
static struct sockaddr_in dst;
static const char *who = "parent";

static void note(void)
{
	if (in_handler)
		in_handler_calls++;
}

void *malloc(size_t n)
{
	note();
	return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	note();
	return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	note();
	return __libc_realloc(p, n);
}

void free(void *p)
{
	note();
	__libc_free(p);
}

void *memalign(size_t al, size_t n)
{
	note();
	return __libc_memalign(al, n);
}

void *aligned_alloc(size_t al, size_t n)
{
	note();
	return __libc_memalign(al, n);
}

int posix_memalign(void **out, size_t al, size_t n)
{
	void *p;

	note();
	p = __libc_memalign(al, n);
	if (p == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

static void on_alarm(int sig)
{
	char msg[32];
	int saved = errno, len;

	(void)sig;
	if (sent_ok + sent_bad >= SENDS)
		return;
	in_handler = 1;
	len = snprintf(msg, sizeof(msg), "%s %d", who, (int)(sent_ok + sent_bad));
	if (sendto(sock, msg, (size_t)len, 0, (struct sockaddr *)&dst, sizeof(dst)) == len)
		sent_ok++;
	else
		sent_bad++;
	in_handler = 0;
	errno = saved;
}

/* main's part: malloc and free until the handler has sent SENDS datagrams (at most 5 s) */
static void run(void)
{
	struct itimerval it = {{0, 2000}, {0, 2000}}, off = {{0, 0}, {0, 0}};
	struct timespec t0, now;
	unsigned size = 16;

	sent_ok = sent_bad = in_handler_calls = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	setitimer(ITIMER_REAL, &it, NULL);
	for (long i = 0; sent_ok + sent_bad < SENDS; i++) {
		void *p = malloc(size), *q = calloc(1, size / 2 + 1);

		memset(p, (int)i, size);
		free(q);
		free(p);
		size = size * 7 % 65521 + 16; /* 16 B .. 64 KiB */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= 5)
			break;
	}
	setitimer(ITIMER_REAL, &off, NULL);
	printf("%s sends %d ok %d failed, %d allocator calls in the handler\n", who, (int)sent_ok,
	       (int)sent_bad, (int)in_handler_calls);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	int status;
	pid_t pid;

	if (argc < 3)
		return 2;
	dst.sin_family = AF_INET;
	dst.sin_port = htons((unsigned short)atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &dst.sin_addr);
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (sock < 0)
		return 3;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	run();
	pid = fork();
	if (pid == 0) {
		who = "child";
		run();
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 4;
	printf("child status %d\n", status);
	return 0;
}
