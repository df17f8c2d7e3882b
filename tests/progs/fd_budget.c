/* fd_budget: what a program gets of its fd range, run natively and under the shim with the output
 * compared. Every datagram's payload says which socket sent it, so the receiver can check that
 * each one arrived.
 *
 *   fd_budget rlimit N [soft] ADDR PORT
 *       set RLIMIT_NOFILE to N (soft and hard; with "soft", the soft limit only), open UDP
 *       sockets until the kernel refuses, then sendto on each; prints how many sockets, the errno
 *       that ended it, how many sends succeeded, and the limits getrlimit shows
 *   fd_budget procfd ADDR PORT
 *       send on a socket, then fstat and close every fd listed in /proc/self/fd (but 0-2, the
 *       socket and the listing's own); prints each failure, the number the next socket gets, and
 *       sends on the old and the new socket
 *   fd_budget dupfd_top ADDR PORT
 *       F_DUPFD_CLOEXEC of a socket at the top of the soft limit and at each of the 40 numbers
 *       below it, then at the limit itself (EINVAL); sends through the top fd */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static struct sockaddr_in dst;

static int send_label(int fd, const char *label)
{
	ssize_t r = sendto(fd, label, strlen(label), 0, (struct sockaddr *)&dst, sizeof(dst));

	if (r < 0)
		printf("%s = -1 %s\n", label, strerrorname_np(errno));
	return r == (ssize_t)strlen(label);
}

static int rlimit_case(int n, int soft_only, int fork_child)
{
	struct rlimit rl;
	static int fds[4096];
	int count = 0, err = 0, sent = 0;
	char label[64];

	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = (rlim_t)n;
	if (!soft_only)
		rl.rlim_max = (rlim_t)n;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		printf("setrlimit = -1 %s\n", strerrorname_np(errno));
		return 1;
	}
	/* the first socket sends before the range is full (its state and route are read then);
	 * at the limit a TOS of its own makes it need a route lookup again */
	fds[count++] = socket(AF_INET, SOCK_DGRAM, 0);
	snprintf(label, sizeof(label), "rlimit %d socket 0 before the limit", n);
	send_label(fds[0], label);
	while (count < 4096) {
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		if (fd < 0) {
			err = errno;
			break;
		}
		fds[count++] = fd;
	}
	printf("sockets %d, then %s\n", count, err ? strerrorname_np(err) : "none");
	setsockopt(fds[0], IPPROTO_IP, IP_TOS, &(int){0x10}, sizeof(int));
	if (fork_child) { /* a child at the limit sends on every socket first */
		pid_t pid = fork();
		int st = 0;

		if (pid == 0) {
			for (int i = 0; i < count; i++) {
				snprintf(label, sizeof(label), "rlimit %d child socket %d", n, i);
				sent += send_label(fds[i], label);
			}
			printf("child sent %d of %d\n", sent, count);
			_exit(0);
		}
		waitpid(pid, &st, 0);
		printf("child status %d\n", st);
	}
	for (int i = 0; i < count; i++) {
		snprintf(label, sizeof(label), "rlimit %d socket %d", n, i);
		sent += send_label(fds[i], label);
	}
	printf("sent %d of %d\n", sent, count);
	getrlimit(RLIMIT_NOFILE, &rl);
	printf("getrlimit soft %llu%s\n", (unsigned long long)rl.rlim_cur,
	       soft_only		  ? ""
	       : rl.rlim_max == (rlim_t)n ? ", hard the same"
					  : ", hard differs");
	return 0;
}

static int procfd_case(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0), n = 0, bad = 0, listed[4096], t;
	DIR *d;
	struct dirent *de;

	send_label(s, "procfd before");
	d = opendir("/proc/self/fd");
	if (d == NULL)
		return 1;
	while ((de = readdir(d)) != NULL && n < 4096) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] != '.' && fd > 2 && fd != s && fd != dirfd(d))
			listed[n++] = fd;
	}
	closedir(d);
	for (int i = 0; i < n; i++) {
		struct stat st;

		if (fstat(listed[i], &st) != 0) {
			printf("fstat(listed fd) = -1 %s\n", strerrorname_np(errno));
			bad++;
		}
		if (close(listed[i]) != 0) {
			printf("close(listed fd) = -1 %s\n", strerrorname_np(errno));
			bad++;
		}
	}
	printf("every listed fd: fstat and close %s\n", bad ? "FAILED" : "= 0");
	t = socket(AF_INET, SOCK_DGRAM, 0);
	printf("next socket = %d\n", t);
	printf("sends after: %d %d\n", send_label(s, "procfd old socket after"),
	       send_label(t, "procfd new socket after"));
	return 0;
}

static int dupfd_top_case(void)
{
	struct rlimit rl;
	int s = socket(AF_INET, SOCK_DGRAM, 0), top, r;

	getrlimit(RLIMIT_NOFILE, &rl);
	top = (int)rl.rlim_cur - 1;
	r = fcntl(s, F_DUPFD_CLOEXEC, top);
	printf("F_DUPFD_CLOEXEC(limit - 1) = %s\n", r == top ? "limit - 1"
						    : r < 0  ? "-1"
							     : "other");
	for (int i = 40; i >= 1; i--) {
		r = fcntl(s, F_DUPFD_CLOEXEC, top - i);
		if (r != top - i)
			printf("F_DUPFD_CLOEXEC(limit - %d) = %d (%s)\n", i + 1, r - top,
			       r < 0 ? strerrorname_np(errno) : "another number");
	}
	r = fcntl(s, F_DUPFD_CLOEXEC, top - 40);
	printf("F_DUPFD_CLOEXEC(limit - 41) once more = %s\n", r < 0 ? strerrorname_np(errno)
							       : r < top - 40 ? "below"
									      : "above");
	r = fcntl(s, F_DUPFD_CLOEXEC, top + 1);
	printf("F_DUPFD_CLOEXEC(limit) = %d %s\n", r, r < 0 ? strerrorname_np(errno) : "");
	printf("send through limit - 1: %d\n", send_label(top, "dupfd through the top fd"));
	return 0;
}

int main(int argc, char **argv)
{
	int a = 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 4)
		goto usage;
	if (strncmp(argv[1], "rlimit", 6) == 0)
		a = argc > 5 && strcmp(argv[3], "soft") == 0 ? 4 : 3;
	if (argc < a + 2)
		goto usage;
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)atoi(argv[a + 1]));
	inet_pton(AF_INET, argv[a], &dst.sin_addr);
	if (strcmp(argv[1], "rlimit") == 0 || strcmp(argv[1], "rlimit_fork") == 0)
		return rlimit_case(atoi(argv[2]), a == 4, argv[1][6] == '_');
	if (strcmp(argv[1], "procfd") == 0)
		return procfd_case();
	if (strcmp(argv[1], "dupfd_top") == 0)
		return dupfd_top_case();
usage:
	fprintf(stderr,
		"usage: fd_budget rlimit|rlimit_fork N [soft]|procfd|dupfd_top ADDR PORT\n");
	return 2;
}
