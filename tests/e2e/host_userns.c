/* host_userns: a single-threaded program that sends, calls unshare(CLONE_NEWUSER) (the kernel
 * wants a single-threaded caller: EINVAL otherwise) and sends again, then does the same in a child
 * of fork(). Prints each call's answer; the e2e host test compares them and the datagrams received
 * natively and under the shim (whose listener thread must not make the program multi-threaded
 * for that call).
 *
 *   host_userns ADDR PORT */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int sock;
static struct sockaddr_in dst;

static void send_label(const char *who, const char *what)
{
	char msg[64];
	int len = snprintf(msg, sizeof(msg), "%s %s", who, what);
	long n = sendto(sock, msg, (size_t)len, 0, (struct sockaddr *)&dst, sizeof(dst));

	printf("%s sendto %s = %ld %s\n", who, what, n, n < 0 ? strerrorname_np(errno) : "");
}

static void run(const char *who)
{
	int r;

	send_label(who, "before");
	r = unshare(CLONE_NEWUSER);
	printf("%s unshare(CLONE_NEWUSER) = %d %s\n", who, r, r < 0 ? strerrorname_np(errno) : "");
	send_label(who, "after");
	fflush(stdout);
}

int main(int argc, char **argv)
{
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
	pid = fork();
	if (pid == 0) {
		run("child");
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 4;
	printf("child status %d\n", status);
	run("parent");
	return 0;
}
