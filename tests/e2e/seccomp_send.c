/* seccomp_send: a program under a seccomp filter of its own (libseccomp), which kills it or answers
 * EPERM on one system call, installed before it loads (the filter is in force when the shim's
 * constructor runs), before its first send, or after it. The e2e seccomp test runs it natively and
 * under the shim and compares the lines printed, the exit status and the datagrams received.
 *
 *   seccomp_send kill|eperm sendto|sendmsg|process_vm_readv|netlink load|before|after TAG ADDR PORT
 * Prints "<call> <return> <errno>" for: sendto, sendmsg (UDP to ADDR:PORT, payloads
 * "TAG <call>"), socket(AF_NETLINK), process_vm_readv of its own memory, a forked child's sendto
 * (and its wait status); one line each, written as it happens (a killed program stops there). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AF_NETLINK
#define AF_NETLINK 16
#endif

static void report(const char *what, long r, int err)
{
	printf("%s %ld %d\n", what, r, r < 0 ? err : 0);
}

static int install(const char *action, const char *call)
{
	uint32_t act = strcmp(action, "kill") == 0 ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_ERRNO(EPERM);
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc;

	if (ctx == NULL)
		return -1;
	if (strcmp(call, "netlink") == 0)
		rc = seccomp_rule_add(ctx, act, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, AF_NETLINK));
	else
		rc = seccomp_rule_add(ctx, act, seccomp_syscall_resolve_name(call), 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}

static void send_one(int s, const struct sockaddr_in *dst, const char *tag, const char *what)
{
	char msg[64];
	int n = snprintf(msg, sizeof(msg), "%s %s", tag, what);

	long r;

	errno = 0;
	r = sendto(s, msg, (size_t)n, 0, (const struct sockaddr *)dst, sizeof(*dst));
	report(what, r, errno);
}

int main(int argc, char **argv)
{
	struct sockaddr_in dst = {.sin_family = AF_INET};
	char buf[16] = "x", msg[64], copy[16];
	struct iovec iov, local = {copy, sizeof(copy)}, remote = {buf, sizeof(buf)};
	struct msghdr mh = {
	    .msg_name = &dst, .msg_namelen = sizeof(dst), .msg_iov = &iov, .msg_iovlen = 1};
	int s, status = -1;
	pid_t child;
	long r;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 7 || inet_pton(AF_INET, argv[5], &dst.sin_addr) != 1)
		return 2;
	dst.sin_port = htons((unsigned short)atoi(argv[6]));
	if (strcmp(argv[3], "load") == 0) { /* the filter, then this program again under it */
		if (install(argv[1], argv[2]) != 0)
			return 3;
		argv[3] = "loaded";
		execv("/proc/self/exe", argv);
		return 4;
	}
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (strcmp(argv[3], "after") == 0)
		send_one(s, &dst, argv[4], "first");
	if (strcmp(argv[3], "loaded") != 0 && install(argv[1], argv[2]) != 0)
		return 3;
	send_one(s, &dst, argv[4], "sendto");
	iov.iov_base = msg;
	iov.iov_len = (size_t)snprintf(msg, sizeof(msg), "%s sendmsg", argv[4]);
	errno = 0;
	r = sendmsg(s, &mh, 0);
	report("sendmsg", r, errno);
	errno = 0;
	r = socket(AF_NETLINK, SOCK_RAW, 0);
	report("netlink", r, errno);
	errno = 0;
	r = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	report("process_vm_readv", r, errno);
	child = fork(); /* a child under the filter sends too (the shim's fork handling makes none
			 * of its own calls there) */
	if (child == 0) {
		send_one(s, &dst, argv[4], "child");
		_exit(0);
	}
	waitpid(child, &status, 0);
	report("child_status", status, 0);
	send_one(s, &dst, argv[4], "last");
	return 0;
}
