/* shared_sock: one UDP socket used through two fds or by two processes; the second one changes it
 * (IP_TTL and IP_TOS, connect, shutdown) and the first one sends afterwards.
 *
 *   shared_sock MODE DEST        MODE: dup, dup3, dupfd_cloexec, scm_self, pidfd_self, fork,
 *                                exec, spawn, scm_exec, inherit
 *   shared_sock op FD OP DEST    (run by exec/spawn) OP on the inherited FD
 *   shared_sock send MODE FD WHAT PORT DEST   (run by inherit) one datagram on the inherited FD:
 *                                sendto DEST:PORT, or send() for PORT 0
 *   shared_sock scm-helper FD    (run by scm_exec) receive sockets with SCM_RIGHTS on the unix
 *                                socket FD, each with an OP byte; do it; answer one byte
 *
 * The socket sends three datagrams to DEST:9000 (the shim learns the flow), then: the other party
 * sets TTL 7 and TOS 0x28, two datagrams to DEST:9000; it connects the socket to DEST:9001, two
 * datagrams with send(); it shuts the socket down for writing, one more send() (EPIPE natively).
 * Every call's result is printed; the receiver tells TTL, TOS and port of what arrived.
 * In mode inherit the roles change: the program makes the changes itself, and each datagram is
 * sent by a new program it execs, which inherits the socket (and sees it for the first time). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *self;
static const char *dest;
static const char *mode;

enum { OP_TOS = 't', OP_CONNECT = 'c', OP_SHUTDOWN = 's' };

static void show(const char *what, long r)
{
	if (r < 0)
		printf("%s %s = -1 %s\n", mode, what, strerrorname_np(errno));
	else
		printf("%s %s = %ld\n", mode, what, r);
	fflush(stdout);
}

static struct sockaddr_in to_port(int port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	inet_pton(AF_INET, dest, &a.sin_addr);
	return a;
}

/* OP on fd, as the other party */
static void do_op(int fd, int op)
{
	if (op == OP_TOS) {
		int ttl = 7, tos = 0x28;

		show("other setsockopt(IP_TTL)", setsockopt(fd, SOL_IP, IP_TTL, &ttl, sizeof(ttl)));
		show("other setsockopt(IP_TOS)", setsockopt(fd, SOL_IP, IP_TOS, &tos, sizeof(tos)));
	} else if (op == OP_CONNECT) {
		struct sockaddr_in a = to_port(9001);

		show("other connect", connect(fd, (struct sockaddr *)&a, sizeof(a)));
	} else if (op == OP_SHUTDOWN) {
		show("other shutdown", shutdown(fd, SHUT_WR));
	}
}

static int send_fd(int unix_fd, int fd, char op)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {&op, 1};
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	memset(cbuf, 0, sizeof(cbuf));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(unix_fd, &m, 0) == 1 ? 0 : -1;
}

/* returns the received fd (and the op byte in *op), or -1 at the end */
static int recv_fd(int unix_fd, char *op)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {op, 1};
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(unix_fd, &m, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (c == NULL || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void wait_child(pid_t pid)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		printf("%s child failed\n", mode);
		exit(1);
	}
}

static int other_fd = -1; /* dup, scm_self, pidfd_self: the second fd */
static int unix_fd = -1;  /* scm_exec: the helper's end */

static void other(int s, int op)
{
	char fdtxt[16], optxt[2] = {(char)op, 0};
	pid_t pid;

	snprintf(fdtxt, sizeof(fdtxt), "%d", s);
	if (other_fd >= 0) {
		do_op(other_fd, op);
	} else if (strcmp(mode, "inherit") == 0) {
		do_op(s, op); /* the exec'd senders see it */
	} else if (strcmp(mode, "fork") == 0) {
		pid = fork();
		if (pid == 0) {
			do_op(s, op);
			_exit(0);
		}
		wait_child(pid);
	} else if (strcmp(mode, "exec") == 0) {
		pid = fork();
		if (pid == 0) {
			execl(self, self, "op", fdtxt, optxt, dest, (char *)NULL);
			_exit(127);
		}
		wait_child(pid);
	} else if (strcmp(mode, "spawn") == 0) {
		char *argv[] = {(char *)self, "op", fdtxt, optxt, (char *)dest, NULL};

		if (posix_spawn(&pid, self, NULL, NULL, argv, environ) != 0)
			pid = -1;
		wait_child(pid);
	} else if (strcmp(mode, "scm_exec") == 0) {
		char ack;

		if (send_fd(unix_fd, s, (char)op) != 0 || read(unix_fd, &ack, 1) != 1) {
			printf("%s helper failed\n", mode);
			exit(1);
		}
	}
}

static void send_here(int s, const char *what, int port)
{
	struct sockaddr_in a = to_port(port);
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%s %s", mode, what);

	if (port != 0)
		show(what, sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&a, sizeof(a)));
	else
		show(what, send(s, buf, (size_t)n, MSG_NOSIGNAL));
}

/* one datagram: here, or in mode inherit by an exec'd program */
static void send_one(int s, const char *what, int port)
{
	char fdtxt[16], porttxt[16];
	pid_t pid;

	if (strcmp(mode, "inherit") != 0) {
		send_here(s, what, port);
		return;
	}
	snprintf(fdtxt, sizeof(fdtxt), "%d", s);
	snprintf(porttxt, sizeof(porttxt), "%d", port);
	pid = fork();
	if (pid == 0) {
		execl(self, self, "send", mode, fdtxt, what, porttxt, dest, (char *)NULL);
		_exit(127);
	}
	wait_child(pid);
}

static void send_to(int s, const char *what, int port)
{
	send_one(s, what, port);
}

static void send_conn(int s, const char *what)
{
	send_one(s, what, 0);
}

int main(int argc, char **argv)
{
	bool in_process;
	int s;

	if (argc == 5 && strcmp(argv[1], "op") == 0) {
		mode = "exec-child";
		dest = argv[4];
		do_op(atoi(argv[2]), argv[3][0]);
		return 0;
	}
	if (argc == 7 && strcmp(argv[1], "send") == 0) {
		mode = argv[2];
		dest = argv[6];
		send_here(atoi(argv[3]), argv[4], atoi(argv[5]));
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "scm-helper") == 0) {
		int ufd = atoi(argv[2]), fd;
		char op;

		mode = "scm-helper";
		dest = "192.0.2.2";
		while ((fd = recv_fd(ufd, &op)) >= 0) {
			do_op(fd, op);
			close(fd);
			if (write(ufd, "k", 1) != 1)
				return 1;
		}
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: shared_sock MODE DEST\n");
		return 2;
	}
	self = "/proc/self/exe";
	mode = argv[1];
	dest = argv[2];
	{
		static char exe[4096];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		if (n > 0) {
			exe[n] = 0;
			self = exe;
		}
	}
	s = socket(AF_INET, SOCK_DGRAM, 0); /* inheritable: exec and spawn pass it on */
	in_process = strcmp(mode, "dup") == 0 || strcmp(mode, "dup3") == 0 ||
		     strcmp(mode, "dupfd_cloexec") == 0 || strcmp(mode, "scm_self") == 0 ||
		     strcmp(mode, "pidfd_self") == 0;
	if (strcmp(mode, "dup") == 0) {
		other_fd = dup(s);
	} else if (strcmp(mode, "dup3") == 0) {
		other_fd = dup3(s, 40, O_CLOEXEC);
	} else if (strcmp(mode, "dupfd_cloexec") == 0) {
		other_fd = fcntl(s, F_DUPFD_CLOEXEC, 50);
	} else if (strcmp(mode, "scm_self") == 0) {
		int sv[2];
		char op;

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 || send_fd(sv[0], s, 'x') != 0)
			return 1;
		other_fd = recv_fd(sv[1], &op);
	} else if (strcmp(mode, "pidfd_self") == 0) {
		int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);

		other_fd = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, s, 0);
	} else if (strcmp(mode, "scm_exec") == 0) {
		int sv[2];
		char fdtxt[16];
		pid_t pid;

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
			return 1;
		pid = fork();
		if (pid == 0) { /* a program of its own, sharing no memory with this one */
			int fd = dup(sv[1]); /* without close-on-exec */

			snprintf(fdtxt, sizeof(fdtxt), "%d", fd);
			close(s); /* it gets the socket by SCM_RIGHTS only */
			execl(self, self, "scm-helper", fdtxt, (char *)NULL);
			_exit(127);
		}
		close(sv[1]);
		unix_fd = sv[0];
	} else if (strcmp(mode, "fork") != 0 && strcmp(mode, "exec") != 0 &&
		   strcmp(mode, "spawn") != 0 && strcmp(mode, "inherit") != 0) {
		fprintf(stderr, "shared_sock: unknown mode %s\n", mode);
		return 2;
	}
	if (in_process && other_fd < 0) {
		show("second fd", -1);
		return 1;
	}

	send_to(s, "b1", 9000);
	send_to(s, "b2", 9000);
	send_to(s, "b3", 9000);
	other(s, OP_TOS);
	send_to(s, "t1", 9000);
	send_to(s, "t2", 9000);
	other(s, OP_CONNECT);
	send_conn(s, "c1");
	send_conn(s, "c2");
	other(s, OP_SHUTDOWN);
	send_conn(s, "s1");
	send_to(s, "s2", 9000);
	if (unix_fd >= 0) {
		close(unix_fd); /* the helper ends */
		while (wait(NULL) > 0)
			;
	}
	return 0;
}
