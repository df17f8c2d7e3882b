/* host_fork: what a host process does to the shim — signals that send, forks of every kind.
 *   host_fork sigalrm DST PORT SECONDS   main sends "M n" at 5 kHz and a thread "T n" at 2 kHz
 *                                        while a 10 kHz SIGALRM handler sends "H n" on the same
 *                                        socket (on whichever thread it lands); prints the counts
 *   host_fork forks DST PORT N           two threads send and open/close sockets while main forks
 *                                        N children; each child sends "C" on the parent's socket
 *                                        and "K" on a socket of its own, then exits
 *   host_fork _fork DST PORT             a _Fork child (no atfork handler runs) changes a heap
 *                                        buffer and heap address, and sends: its own bytes to its
 *                                        own address (PORT+1); the parent then sends its own
 *   host_fork clone DST PORT             the same with a child of the raw clone system call
 *   host_fork vfork DST PORT             vfork, dup2(udp socket, 1) and exec of echo in the child;
 *                                        the parent's write(1) afterwards goes to its stdout
 *   host_fork spawn DST PORT             the same with posix_spawn and a dup2 file action
 *   host_fork vmsize DST PORT            sends one datagram, prints the address space size (kB)
 * Every mode prints one result line and exits 0 when every call it made succeeded. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
extern pid_t _Fork(void);

static struct sockaddr_in dst;
static int sock;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_udp(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0) {
		perror("socket");
		exit(2);
	}
	return s;
}

/* ---- sigalrm ---- */

/* The timer's signal is process-directed: the handler can run on both threads at once, so its
 * counters are updated atomically (a plain ++ lost counts natively). */
static long h_sent, h_err;

static void on_alarm(int sig)
{
	int saved = errno;
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "H %ld handler datagram padding",
			 __atomic_load_n(&h_sent, __ATOMIC_RELAXED) +
			     __atomic_load_n(&h_err, __ATOMIC_RELAXED));

	(void)sig;
	if (sendto(sock, buf, (size_t)n, 0, (struct sockaddr *)&dst, sizeof(dst)) == n)
		__atomic_fetch_add(&h_sent, 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&h_err, 1, __ATOMIC_RELAXED);
	errno = saved;
}

/* a second thread sending on the same socket (the timer's signal may land on either thread) */
static volatile int stop_racer;
static long t_sent, t_err;

static void *racer(void *arg)
{
	double next = now();

	(void)arg;
	while (!stop_racer) {
		char buf[64];
		int n = snprintf(buf, sizeof(buf), "T %ld thread datagram", t_sent + t_err);

		if (sendto(sock, buf, (size_t)n, 0, (struct sockaddr *)&dst, sizeof(dst)) == n)
			t_sent++;
		else
			t_err++;
		next += 0.0005;
		while (now() < next)
			;
	}
	return NULL;
}

static int mode_sigalrm(double seconds)
{
	struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
	struct itimerval it = {{0, 100}, {0, 100}}, off = {{0, 0}, {0, 0}};
	long m_sent = 0, m_err = 0;
	double start, next;
	pthread_t t;

	sock = open_udp();
	sigaction(SIGALRM, &sa, NULL);
	pthread_create(&t, NULL, racer, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	start = next = now();
	while (now() - start < seconds) {
		char buf[64];
		int n = snprintf(buf, sizeof(buf), "M %ld main datagram", m_sent + m_err);

		if (sendto(sock, buf, (size_t)n, 0, (struct sockaddr *)&dst, sizeof(dst)) == n)
			m_sent++;
		else
			m_err++;
		next += 0.0002;
		while (now() < next)
			;
	}
	setitimer(ITIMER_REAL, &off, NULL);
	stop_racer = 1;
	pthread_join(t, NULL);
	printf("main_sent %ld main_err %ld handler_sent %ld handler_err %ld thread_sent %ld "
	       "thread_err %ld\n",
	       m_sent, m_err, h_sent, h_err, t_sent, t_err);
	return m_err == 0 && h_err == 0 && t_err == 0 && h_sent > 0 ? 0 : 1;
}

/* ---- forks ---- */

static volatile int stop;

static void *churn(void *arg)
{
	struct sockaddr_in to = dst;

	(void)arg;
	to.sin_port = htons((uint16_t)(ntohs(dst.sin_port) + 1));
	/* sockets opened and closed as fast as they go (the shim's socket pool and fd table under
	 * their locks at the moment of fork), a datagram now and then */
	for (unsigned i = 0; !stop; i++) {
		int s = open_udp();

		if (i % 64 == 0) {
			sendto(s, "T thread", 8, 0, (struct sockaddr *)&to, sizeof(to));
			sendto(sock, "T thread", 8, 0, (struct sockaddr *)&to, sizeof(to));
		}
		close(s);
	}
	return NULL;
}

static int mode_forks(int n)
{
	pthread_t t[2];
	int ok = 0, hung = 0, failed = 0;

	sock = open_udp();
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, churn, NULL);
	for (int i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			int s;

			alarm(10); /* a child that hangs is killed, and counted */
			s = open_udp();
			if (sendto(sock, "C child", 7, 0, (struct sockaddr *)&dst, sizeof(dst)) !=
				7 ||
			    sendto(s, "K child", 7, 0, (struct sockaddr *)&dst, sizeof(dst)) != 7)
				_exit(1);
			close(s);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid) {
			failed++;
			continue;
		}
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
			hung++;
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			ok++;
		else
			failed++;
	}
	stop = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("children %d ok %d hung %d failed %d\n", n, ok, hung, failed);
	return ok == n ? 0 : 1;
}

/* ---- _Fork ---- */

/* a child made by the clone system call itself: no libc fork code and no interposer runs */
static pid_t raw_clone(void)
{
	return (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
}

static int mode_underscore_fork(pid_t (*forker)(void))
{
	/* on the heap: read through the shim's own-memory reader, not from the stack */
	struct sockaddr_in *to = malloc(sizeof(*to));
	char *buf = malloc(64);
	int status, len;
	pid_t pid;

	sock = open_udp();
	*to = dst;
	len = snprintf(buf, 64, "P first");
	if (sendto(sock, buf, (size_t)len, 0, (struct sockaddr *)to, sizeof(*to)) != len)
		return 1;
	len = snprintf(buf, 64, "dump parent-bytes");
	pid = forker();
	if (pid == 0) {
		to->sin_port = htons((uint16_t)(ntohs(dst.sin_port) + 1));
		len = snprintf(buf, 64, "dump child-bytes");
		_exit(sendto(sock, buf, (size_t)len, 0, (struct sockaddr *)to, sizeof(*to)) == len
			  ? 0
			  : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return 1;
	if (sendto(sock, buf, (size_t)len, 0, (struct sockaddr *)to, sizeof(*to)) != len)
		return 1;
	printf("child and parent sent\n");
	return 0;
}

/* ---- vfork, posix_spawn ---- */

static int parent_writes_stdout(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return 1;
	/* fd 1 of the parent is its own stdout, whatever the child did with its fd 1 */
	if (write(1, "parent-stdout\n", 14) != 14)
		return 1;
	return 0;
}

static int mode_vfork(void)
{
	pid_t pid;

	sock = open_udp();
	if (connect(sock, (struct sockaddr *)&dst, sizeof(dst)) != 0)
		return 1;
	pid = vfork();
	if (pid == 0) {
		dup2(sock, 1);
		execl("/bin/echo", "echo", "dump from-vfork-child", (char *)NULL);
		_exit(127);
	}
	return parent_writes_stdout(pid);
}

static int mode_spawn(void)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = {"echo", "dump from-spawn-child", NULL};
	pid_t pid;

	sock = open_udp();
	if (connect(sock, (struct sockaddr *)&dst, sizeof(dst)) != 0)
		return 1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sock, 1);
	if (posix_spawn(&pid, "/bin/echo", &fa, NULL, argv, environ) != 0)
		return 1;
	posix_spawn_file_actions_destroy(&fa);
	return parent_writes_stdout(pid);
}

/* ---- vmsize ---- */

/* One datagram sent, then the process's address space (VmSize, kB): what the shim maps counts
 * against the program's RLIMIT_AS. */
static int mode_vmsize(void)
{
	char buf[4096], *p;
	FILE *f;
	size_t n;

	sock = open_udp();
	if (sendto(sock, "V vmsize", 8, 0, (struct sockaddr *)&dst, sizeof(dst)) != 8)
		return 1;
	f = fopen("/proc/self/status", "r");
	if (f == NULL)
		return 1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strstr(buf, "VmSize:");
	if (p == NULL)
		return 1;
	printf("vmsize %ld\n", strtol(p + 7, NULL, 10));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: host_fork MODE DST PORT [ARG]\n");
		return 2;
	}
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)atoi(argv[3]));
	inet_pton(AF_INET, argv[2], &dst.sin_addr);
	setvbuf(stdout, NULL, _IONBF, 0);
	if (strcmp(argv[1], "sigalrm") == 0)
		return mode_sigalrm(argc > 4 ? atof(argv[4]) : 5);
	if (strcmp(argv[1], "forks") == 0)
		return mode_forks(argc > 4 ? atoi(argv[4]) : 500);
	if (strcmp(argv[1], "_fork") == 0)
		return mode_underscore_fork(_Fork);
	if (strcmp(argv[1], "clone") == 0)
		return mode_underscore_fork(raw_clone);
	if (strcmp(argv[1], "vfork") == 0)
		return mode_vfork();
	if (strcmp(argv[1], "spawn") == 0)
		return mode_spawn();
	if (strcmp(argv[1], "vmsize") == 0)
		return mode_vmsize();
	fprintf(stderr, "unknown mode %s\n", argv[1]);
	return 2;
}
