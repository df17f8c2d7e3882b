/* summary_sender: sends a known number of UDP datagrams with known failures, for tools.summary.
 *
 *   summary_sender DEST_IP BROADCAST_IP COUNT
 *
 * On one socket: COUNT sendto to DEST_IP:9000, 3 sendto on a closed fd (EBADF), 2 datagrams too
 * long for UDP (EMSGSIZE), 1 broadcast to BROADCAST_IP:9000 with SO_BROADCAST (the shim hands it to
 * the kernel); on a connected one: 4 send, 2 write, 3 sendmsg. Exit status 0 when every call
 * returned what it should (it checks each one), else 1. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static int bad;

static void expect(const char *what, long got, long want, int err, int want_err)
{
	if (got != want || (want < 0 && err != want_err)) {
		fprintf(stderr, "summary_sender: %s returned %ld (%s), not %ld\n", what, got,
			strerror(err), want);
		bad = 1;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(9000)};
	struct sockaddr_in bc = dst;
	static char big[70000];
	char msg[32];
	int count, s, c, closed, one = 1;
	long r;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[2], &bc.sin_addr) != 1 || (count = atoi(argv[3])) <= 0) {
		fprintf(stderr, "usage: summary_sender DEST_IP BROADCAST_IP COUNT\n");
		return 2;
	}
	s = socket(AF_INET, SOCK_DGRAM, 0);
	c = socket(AF_INET, SOCK_DGRAM, 0);
	closed = dup(s);
	close(closed);
	for (int i = 0; i < count; i++) {
		int n = snprintf(msg, sizeof(msg), "sendto %d", i);

		r = sendto(s, msg, (size_t)n, 0, (struct sockaddr *)&dst, sizeof(dst));
		expect("sendto", r, n, errno, 0);
	}
	for (int i = 0; i < 3; i++) {
		r = sendto(closed, "x", 1, 0, (struct sockaddr *)&dst, sizeof(dst));
		expect("sendto on a closed fd", r, -1, errno, EBADF);
	}
	for (int i = 0; i < 2; i++) {
		r = sendto(s, big, sizeof(big), 0, (struct sockaddr *)&dst, sizeof(dst));
		expect("sendto of 70000 bytes", r, -1, errno, EMSGSIZE);
	}
	r = setsockopt(s, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	expect("setsockopt", r, 0, errno, 0);
	r = sendto(s, "to all", 6, 0, (struct sockaddr *)&bc, sizeof(bc));
	expect("sendto broadcast", r, 6, errno, 0);

	r = connect(c, (struct sockaddr *)&dst, sizeof(dst));
	expect("connect", r, 0, errno, 0);
	for (int i = 0; i < 4; i++) {
		r = send(c, "send", 4, 0);
		expect("send", r, 4, errno, 0);
	}
	for (int i = 0; i < 2; i++) {
		r = write(c, "write", 5);
		expect("write", r, 5, errno, 0);
	}
	for (int i = 0; i < 3; i++) {
		struct iovec iov[2] = {{"send", 4}, {"msg", 3}};
		struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};

		r = sendmsg(c, &mh, 0);
		expect("sendmsg", r, 7, errno, 0);
	}
	close(c);
	close(s);
	return bad;
}
