/* pending_icmp: how soon a send sees the pending error (ECONNREFUSED) that the previous send's
 * ICMP port unreachable left on a connected socket. On veth the ICMP comes back inside the
 * sending call, so the kernel's very next send fails: sends alternate sent / refused.
 *
 *   pending_icmp seq ADDR PORT N          N sends on one connected socket
 *   pending_icmp threads ADDR PORT N T    T threads, each N sends on its own socket
 *   pending_icmp fork ADDR PORT N         N sends, then a forked child N sends on a new socket
 *                                         and on the parent's, then the parent N more
 *   pending_icmp reuse ADDR PORT N        N rounds: a socket connected, two sends, closed (the
 *                                         next socket takes the same fd number)
 *   pending_icmp mmsg ADDR PORT N         N sendmmsg calls of 3 entries
 *   pending_icmp eintr ADDR PORT N        a thread that sent on its own socket waits in
 *                                         epoll_wait (20 x 50 ms) while main makes N sends:
 *                                         prints how many waits ended with EINTR (none natively)
 *
 * Prints one line per socket: "sent=S refused=R next=X late=L" where next counts refused sends
 * right after a sent one (the error seen at the very next send) and late those after two or more
 * sent ones; for mmsg the results of the calls, "r1,r2,...". Exit status 0 unless a call failed
 * other than with ECONNREFUSED. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static struct sockaddr_in peer;
static int n_sends;

struct counts {
	int sent, refused, next, late, other;
};

static int connected_socket(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&peer, sizeof(peer)) != 0) {
		perror("socket/connect");
		exit(2);
	}
	return fd;
}

static void run_seq(int fd, int n, struct counts *c)
{
	char buf[16] = "pending";
	int since = 0; /* sent ones since the last refused */

	for (int i = 0; i < n; i++) {
		ssize_t r = send(fd, buf, sizeof(buf), 0);

		if (r >= 0) {
			c->sent++;
			since++;
		} else if (errno == ECONNREFUSED) {
			c->refused++;
			if (since == 1)
				c->next++;
			else if (since > 1)
				c->late++;
			since = 0;
		} else {
			c->other++;
		}
	}
}

static void print_counts(const char *who, const struct counts *c)
{
	printf("%s sent=%d refused=%d next=%d late=%d other=%d\n", who, c->sent, c->refused,
	       c->next, c->late, c->other);
	fflush(stdout);
}

static void *waiter_main(void *arg)
{
	int fd = connected_socket(), ep = epoll_create1(0), *eintr = arg;
	char buf[8] = {0};
	struct epoll_event ev;

	send(fd, buf, sizeof(buf), 0);
	send(fd, buf, sizeof(buf), 0);
	for (int i = 0; i < 20; i++)
		if (epoll_wait(ep, &ev, 1, 50) < 0 && errno == EINTR)
			(*eintr)++;
	close(ep);
	close(fd);
	return NULL;
}

static void *thread_main(void *arg)
{
	struct counts *c = arg;
	int fd = connected_socket();

	run_seq(fd, n_sends, c);
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	struct counts c = {0};
	const char *mode;

	if (argc < 5) {
		fprintf(stderr,
			"usage: pending_icmp seq|threads|fork|reuse|mmsg ADDR PORT N [T]\n");
		return 2;
	}
	mode = argv[1];
	peer.sin_family = AF_INET;
	peer.sin_port = htons((uint16_t)atoi(argv[3]));
	inet_pton(AF_INET, argv[2], &peer.sin_addr);
	n_sends = atoi(argv[4]);
	if (strcmp(mode, "seq") == 0) {
		run_seq(connected_socket(), n_sends, &c);
		print_counts("seq", &c);
	} else if (strcmp(mode, "threads") == 0) {
		int t = argc > 5 ? atoi(argv[5]) : 4;
		pthread_t th[16];
		struct counts tc[16];

		if (t > 16)
			t = 16;
		memset(tc, 0, sizeof(tc));
		for (int i = 0; i < t; i++)
			pthread_create(&th[i], NULL, thread_main, &tc[i]);
		for (int i = 0; i < t; i++) {
			char who[32];

			pthread_join(th[i], NULL);
			snprintf(who, sizeof(who), "thread%d", i);
			print_counts(who, &tc[i]);
			c.other += tc[i].other;
		}
	} else if (strcmp(mode, "fork") == 0) {
		int fd = connected_socket(), status;
		pid_t pid;

		run_seq(fd, n_sends, &c);
		print_counts("parent", &c);
		pid = fork();
		if (pid == 0) {
			struct counts cc = {0}, cp = {0};

			run_seq(connected_socket(), n_sends, &cc);
			print_counts("child-own", &cc);
			run_seq(fd, n_sends, &cp);
			print_counts("child-parents", &cp);
			_exit(cc.other || cp.other);
		}
		waitpid(pid, &status, 0);
		memset(&c, 0, sizeof(c));
		run_seq(fd, n_sends, &c);
		print_counts("parent-after", &c);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			c.other++;
	} else if (strcmp(mode, "eintr") == 0) {
		pthread_t th;
		int eintr = 0, fd;

		pthread_create(&th, NULL, waiter_main, &eintr);
		usleep(20000);
		fd = connected_socket();
		for (int i = 0; i < 400; i++) { /* while the waiter waits: 2 ms apart */
			run_seq(fd, 2, &c);
			usleep(2000);
		}
		pthread_join(th, NULL);
		printf("eintr=%d\n", eintr);
		c.other = 0;
	} else if (strcmp(mode, "reuse") == 0) {
		for (int i = 0; i < n_sends; i++) {
			int fd = connected_socket();

			run_seq(fd, 2, &c);
			close(fd);
		}
		print_counts("reuse", &c);
	} else if (strcmp(mode, "mmsg") == 0) {
		int fd = connected_socket();
		char buf[3][16];
		struct iovec iov[3];
		struct mmsghdr mm[3];

		printf("mmsg");
		for (int i = 0; i < n_sends; i++) {
			int r;

			memset(mm, 0, sizeof(mm));
			for (int j = 0; j < 3; j++) {
				memset(buf[j], 'a' + j, sizeof(buf[j]));
				iov[j] = (struct iovec){buf[j], sizeof(buf[j])};
				mm[j].msg_hdr.msg_iov = &iov[j];
				mm[j].msg_hdr.msg_iovlen = 1;
			}
			r = sendmmsg(fd, mm, 3, 0);
			if (r < 0 && errno != ECONNREFUSED)
				c.other++;
			printf("%s%d", i ? "," : " ", r);
		}
		printf("\n");
	} else {
		fprintf(stderr, "pending_icmp: unknown mode %s\n", mode);
		return 2;
	}
	return c.other != 0;
}
