/* host_send: sends UDP datagrams from every place a host program can — a constructor, main, an
 * atexit handler and a destructor — with each send call (sendto, send, sendmsg, sendmmsg, write,
 * writev), and prints each call's result as "<where> <call> <return> <errno>". The e2e host test
 * (tests/e2e/run-host) runs it natively and under the shim, with allocators preloaded or linked
 * in, and compares the output and the datagrams received.
 *
 *   host_send ADDR PORT
 * Every datagram's payload is "<where> <call>" (sendmmsg: "<where> sendmmsg <i>"). 11 datagrams
 * in all; exit status 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static struct sockaddr_in dst;
static int fd = -1, cfd = -1; /* unconnected, connected */

/* one line on standard output, written with write() (which the shim interposes) */
static void report(const char *where, const char *call, long ret, int err)
{
	char line[128];
	int n = snprintf(line, sizeof(line), "%s %s %ld %d\n", where, call, ret, ret < 0 ? err : 0);

	if (write(1, line, (size_t)n) != n)
		_exit(3);
}

static void send_two(const char *where)
{
	char msg[64];
	long r;

	snprintf(msg, sizeof(msg), "%s sendto", where);
	errno = 0;
	r = sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&dst, sizeof(dst));
	report(where, "sendto", r, errno);
	/* an invalid address length: the same errno from the shim as from the kernel */
	errno = 0;
	r = sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&dst, 3);
	report(where, "sendto_badlen", r, errno);
}

__attribute__((constructor)) static void ctor(int argc, char **argv)
{
	if (argc < 3)
		return;
	dst.sin_family = AF_INET;
	dst.sin_port = htons((unsigned short)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1)
		return;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	send_two("ctor");
}

static void at_exit(void)
{
	send_two("atexit");
}

__attribute__((destructor)) static void dtor(void)
{
	if (fd >= 0)
		send_two("dtor");
}

int main(int argc, char **argv)
{
	char a[] = "main sendmmsg 0", b[] = "main sendmmsg 1", m[] = "main sendmsg";
	struct iovec iv[2] = {{a, sizeof(a) - 1}, {b, sizeof(b) - 1}};
	struct iovec wv[2] = {{"main ", 5}, {"writev", 6}};
	struct msghdr mh = {.msg_name = &dst, .msg_namelen = sizeof(dst)};
	struct mmsghdr mm[2];
	struct iovec miov = {m, sizeof(m) - 1};
	long r;

	(void)argv;
	if (argc < 3 || fd < 0) {
		fprintf(stderr, "usage: host_send ADDR PORT\n");
		return 2;
	}
	atexit(at_exit);
	cfd = socket(AF_INET, SOCK_DGRAM, 0);
	r = connect(cfd, (struct sockaddr *)&dst, sizeof(dst));
	report("main", "connect", r, errno);
	errno = 0;
	r = send(cfd, "main send", 9, 0);
	report("main", "send", r, errno);
	mh.msg_iov = &miov;
	mh.msg_iovlen = 1;
	errno = 0;
	r = sendmsg(fd, &mh, 0);
	report("main", "sendmsg", r, errno);
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 2; i++) {
		mm[i].msg_hdr.msg_name = &dst;
		mm[i].msg_hdr.msg_namelen = sizeof(dst);
		mm[i].msg_hdr.msg_iov = &iv[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	errno = 0;
	r = sendmmsg(fd, mm, 2, 0);
	report("main", "sendmmsg", r, errno);
	errno = 0;
	r = write(cfd, "main write", 10);
	report("main", "write", r, errno);
	errno = 0;
	r = writev(cfd, wv, 2);
	report("main", "writev", r, errno);
	errno = 0;
	r = send(cfd, "x", 1, MSG_OOB);
	report("main", "send_oob", r, errno);
	/* the same calls through syscall(): routed to the interposers (preload/calls.h) */
	errno = 0;
	r = syscall(SYS_sendto, fd, "main syscall", 12, 0, &dst, sizeof(dst));
	report("main", "syscall_sendto", r, errno);
	errno = 0;
	r = syscall(SYS_fcntl, cfd, F_GETFL);
	report("main", "syscall_fcntl", r, errno);
	errno = 0;
	r = syscall(SYS_close, 1000);
	report("main", "syscall_close", r, errno);
	send_two("main");
	return 0;
}
