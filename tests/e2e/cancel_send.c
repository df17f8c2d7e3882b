/* cancel_send: deferred pthread_cancel of a thread looping in one send call, for each call; the
 * e2e cancel test runs it natively and under the shim and compares the output.
 *
 *   cancel_send ADDR PORT
 * For each of send, sendto, sendmsg, sendmmsg, write, writev (UDP to ADDR:PORT, connected where
 * the call needs it), and write to a full pipe (a call that blocks): a thread loops in the call
 * (bounded: 10 s), the main thread cancels it once it has made its first calls, and joins it with
 * a 5 s bound. Prints "<call> cancelled" when the join returned PTHREAD_CANCELED in time, or what
 * happened instead. Exit 0 when every thread was cancelled. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum call { C_SEND, C_SENDTO, C_SENDMSG, C_SENDMMSG, C_WRITE, C_WRITEV, C_PIPE, C_COUNT };
static const char *const names[C_COUNT] = {"send",  "sendto", "sendmsg",	"sendmmsg",
					   "write", "writev", "write_full_pipe"};

static struct sockaddr_in dst;

struct job {
	enum call call;
	int fd;
	volatile long calls;
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *loop(void *arg)
{
	struct job *j = arg;
	char buf[64] = "cancel me";
	struct iovec iov = {buf, 9};
	struct msghdr mh = {
	    .msg_name = &dst, .msg_namelen = sizeof(dst), .msg_iov = &iov, .msg_iovlen = 1};
	struct mmsghdr mm = {.msg_hdr = mh};
	double end = now() + 10;

	while (now() < end) {
		switch (j->call) {
		case C_SEND:
			send(j->fd, buf, 9, 0);
			break;
		case C_SENDTO:
			sendto(j->fd, buf, 9, 0, (struct sockaddr *)&dst, sizeof(dst));
			break;
		case C_SENDMSG:
			sendmsg(j->fd, &mh, 0);
			break;
		case C_SENDMMSG:
			sendmmsg(j->fd, &mm, 1, 0);
			break;
		case C_WRITE:
		case C_PIPE:
			if (write(j->fd, buf, sizeof(buf)) < 0 && errno == EBADF)
				return NULL;
			break;
		case C_WRITEV:
			writev(j->fd, &iov, 1);
			break;
		default:
			return NULL;
		}
		j->calls++;
	}
	return NULL; /* not cancelled within 10 s */
}

static int run(enum call c)
{
	struct job j = {c, -1, 0};
	struct timespec bound;
	pthread_t th;
	void *res = NULL;
	int pipefd[2] = {-1, -1}, err;

	if (c == C_PIPE) {
		if (pipe(pipefd) != 0)
			return 1;
		fcntl(pipefd[1], F_SETFL, 0);
		j.fd = pipefd[1];
	} else {
		j.fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (c == C_SEND || c == C_WRITE || c == C_WRITEV)
			connect(j.fd, (struct sockaddr *)&dst, sizeof(dst));
	}
	if (pthread_create(&th, NULL, loop, &j) != 0)
		return 1;
	for (int i = 0; i < 2000 && j.calls < 3 && c != C_PIPE; i++)
		usleep(1000);
	usleep(20000); /* the pipe's writer fills it and blocks */
	pthread_cancel(th);
	clock_gettime(CLOCK_REALTIME, &bound);
	bound.tv_sec += 5;
	err = pthread_timedjoin_np(th, &res, &bound);
	if (err == ETIMEDOUT)
		printf("%s not cancelled within 5 s\n", names[c]);
	else if (err != 0)
		printf("%s join failed: %s\n", names[c], strerror(err));
	else if (res != PTHREAD_CANCELED)
		printf("%s ended without being cancelled\n", names[c]);
	else
		printf("%s cancelled\n", names[c]);
	fflush(stdout);
	if (err == ETIMEDOUT)
		_exit(1); /* the thread still runs: do not close its fd under it */
	close(j.fd);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	return err != 0 || res != PTHREAD_CANCELED;
}

int main(int argc, char **argv)
{
	int failed = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: cancel_send ADDR PORT\n");
		return 2;
	}
	dst.sin_family = AF_INET;
	dst.sin_port = htons((unsigned short)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1)
		return 2;
	for (int c = 0; c < C_COUNT; c++)
		failed += run((enum call)c);
	return failed != 0;
}
