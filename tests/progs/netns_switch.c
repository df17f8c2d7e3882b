/* netns_switch: datagrams sent on sockets made before and after the program switches network
 * namespace mid-run, with setns() into another namespace and then unshare(CLONE_NEWNET). A socket
 * belongs to the namespace its thread was in when it was made and sends there for its whole life.
 * Each send's payload is its label; each call's result is printed ("label = N" or "label = -1
 * ERRNO"), so a run natively and a run under the shim can be compared, and the receivers of the
 * two namespaces say where each datagram arrived.
 *
 *   netns_switch MODE OTHER_NETNS ADDR PORT
 * MODE late:   a send in the first namespace, then setns, sends on old and new sockets, then
 *              unshare(CLONE_NEWNET) (an empty namespace), sends on every socket again;
 *      early:  setns before anything was sent (the first route lookup happens after the switch);
 *      thread: a second thread switches with setns and sends on its new socket and on the main
 *              thread's socket, while the main thread stays and sends before and after. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in dst;
static const char *other;

static int udp_socket(const char *label)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		printf("%s socket = -1 %s\n", label, strerrorname_np(errno));
	return fd;
}

static void send_label(int fd, const char *label)
{
	ssize_t r = sendto(fd, label, strlen(label), 0, (struct sockaddr *)&dst, sizeof(dst));

	if (r < 0)
		printf("%s = -1 %s\n", label, strerrorname_np(errno));
	else
		printf("%s = %zd\n", label, r);
	fflush(stdout);
}

static int enter(const char *path)
{
	int nsfd = open(path, O_RDONLY | O_CLOEXEC);

	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) != 0) {
		printf("setns %s = -1 %s\n", path, strerrorname_np(errno));
		return -1;
	}
	close(nsfd);
	printf("setns = 0\n");
	return 0;
}

static int main_sock;

static void *thread_body(void *arg)
{
	int s2;

	(void)arg;
	if (enter(other) != 0)
		return NULL;
	s2 = udp_socket("thread s2");
	send_label(s2, "thread s2 made after setns");
	/* a TOS of its own: the main thread's socket needs a route lookup, made from this thread */
	setsockopt(main_sock, IPPROTO_IP, IP_TOS, &(int){0x10}, sizeof(int));
	send_label(main_sock, "thread s1 of the main thread");
	close(s2);
	return NULL;
}

int main(int argc, char **argv)
{
	int s1, s2, s3;

	if (argc != 5) {
		fprintf(stderr, "usage: netns_switch late|early|thread OTHER_NETNS ADDR PORT\n");
		return 2;
	}
	other = argv[2];
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)atoi(argv[4]));
	inet_pton(AF_INET, argv[3], &dst.sin_addr);
	setvbuf(stdout, NULL, _IOLBF, 0);

	s1 = udp_socket("s1");
	if (strcmp(argv[1], "thread") == 0) {
		pthread_t th;

		main_sock = s1;
		send_label(s1, "thread s1 before");
		pthread_create(&th, NULL, thread_body, NULL);
		pthread_join(th, NULL);
		send_label(s1, "thread s1 after the thread switched");
		s3 = udp_socket("s3");
		send_label(s3, "thread s3 made by the main thread");
		return 0;
	}
	if (strcmp(argv[1], "late") == 0)
		send_label(s1, "late s1 before setns");
	if (enter(other) != 0)
		return 1;
	s2 = udp_socket("s2");
	send_label(s2,
		   argv[1][0] == 'l' ? "late s2 made after setns" : "early s2 made after setns");
	send_label(s1, argv[1][0] == 'l' ? "late s1 after setns" : "early s1 after setns");
	if (unshare(CLONE_NEWNET) != 0) {
		printf("unshare = -1 %s\n", strerrorname_np(errno));
		return 1;
	}
	printf("unshare = 0\n");
	s3 = udp_socket("s3");
	send_label(s3, "s3 made in the new empty namespace");
	send_label(s1, argv[1][0] == 'l' ? "late s1 after unshare" : "early s1 after unshare");
	send_label(s2, argv[1][0] == 'l' ? "late s2 after unshare" : "early s2 after unshare");
	return 0;
}
