/* shim-stat: the counters of processes running under libshim, read while they run.
 *
 *   shim-stat [-i SECONDS [-n COUNT]] [PID...]
 *
 * libshim keeps each process's counters in one page of a memfd named "libshim-stats" that the
 * process holds open (an fd hidden from the program) and maps shared. shim-stat finds that fd in
 * /proc/PID/fd, maps the same page read-only and prints it in the format of the exit report
 * (SHIM_STATS=1). Reading another process's /proc/PID/fd takes what ptrace's read check takes:
 * the same user (and a dumpable process), or root. Nothing is left on disk when a process ends. */
#include "shim/stats.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#define MEMFD_LINK "/memfd:" STATS_MEMFD_NAME " (deleted)"

static const char usage_text[] =
    "usage: shim-stat [-i SECONDS [-n COUNT]] [PID...]\n"
    "\n"
    "Print the libshim counters of running processes, in the format of the exit report\n"
    "(shim-run --stats, SHIM_STATS=1): datagrams, bytes and frames the shim sent, fragments,\n"
    "neighbour misses and drops, route cache hits and misses, hand-offs to the kernel socket by\n"
    "reason, and errors by errno.\n"
    "\n"
    /* gen-doc: options { */
    "  PID...                the processes to read (default: every process under libshim that\n"
    "                        this user may read)\n"
    "  -i, --interval SECONDS\n"
    "                        print again every SECONDS (a decimal number) until the processes\n"
    "                        have ended; the last report shows their final counters\n"
    "  -n, --count COUNT     with -i: stop after COUNT reports\n"
    "  -h, --help            this text\n"
    /* gen-doc } */
    "\n"
    "The counters are read from a memory file the process holds open (/proc/PID/fd), so\n"
    "shim-stat must run as the process's user or as root. Exit status: 0, 1 when a process\n"
    "could not be read, 2 for a usage error.\n";

struct target {
	pid_t pid;
	const struct stats_shared *block;
	int pidfd;
	bool ended;
};

/* Append a process to watch (with a pidfd, to notice its end). False when out of memory. */
static bool add_target(struct target **t, size_t *nt, size_t *cap, pid_t pid,
		       const struct stats_shared *block)
{
	if (*nt == *cap) {
		struct target *grown;

		*cap = *cap ? *cap * 2 : 8;
		grown = realloc(*t, *cap * sizeof(**t));
		if (grown == NULL)
			return false;
		*t = grown;
	}
	(*t)[(*nt)++] = (struct target){pid, block, (int)syscall(SYS_pidfd_open, pid, 0), false};
	return true;
}

static bool all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* The block of pid, or NULL with *err set (errno style; ENOENT: no such process, ESRCH: not
 * under libshim, EACCES: not allowed). */
static const struct stats_shared *open_block(pid_t pid, int *err)
{
	char dir[64], path[PATH_MAX], link[128];
	const struct stats_shared *found = NULL;
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (d == NULL) {
		*err = errno;
		return NULL;
	}
	*err = ESRCH;
	while (found == NULL && (e = readdir(d)) != NULL) {
		ssize_t n;
		struct stat st;
		void *p;
		int fd;

		if (!all_digits(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, MEMFD_LINK) != 0)
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			*err = errno;
			continue;
		}
		if (fstat(fd, &st) == 0 && (size_t)st.st_size >= sizeof(struct stats_shared)) {
			p = mmap(NULL, sizeof(struct stats_shared), PROT_READ, MAP_SHARED, fd, 0);
			if (p != MAP_FAILED) {
				const struct stats_shared *s = p;

				if (memcmp(s->magic, STATS_MAGIC, sizeof(STATS_MAGIC)) == 0 &&
				    s->n_counters == STAT_COUNT && s->n_kernel == KR_COUNT &&
				    s->n_errno == STATS_ERRNO_MAX && s->pid == pid)
					found = s;
				else
					munmap(p, sizeof(struct stats_shared));
			}
		}
		close(fd);
	}
	closedir(d);
	return found;
}

static void print_block(const struct stats_shared *s)
{
	char mem[4096], *buf = mem;
	size_t n = stats_format(s, mem, sizeof(mem));

	if (n >= sizeof(mem)) {
		buf = malloc(n + 1);
		if (buf == NULL)
			return;
		stats_format(s, buf, n + 1);
	}
	fputs(buf, stdout);
	if (buf != mem)
		free(buf);
}

static void comm_of(pid_t pid, char *out, size_t cap)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	out[0] = '\0';
	f = fopen(path, "r");
	if (f == NULL)
		return;
	if (fgets(out, (int)cap, f) != NULL)
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

static void say_why(pid_t pid, int err)
{
	char comm[64];

	comm_of(pid, comm, sizeof(comm));
	if (err == ENOENT)
		fprintf(stderr, "shim-stat: no process %d\n", (int)pid);
	else if (err == ESRCH)
		fprintf(stderr,
			"shim-stat: process %d (%s) is not running under libshim (it holds no %s "
			"memfd; in passthrough mode there are no counters)\n",
			(int)pid, comm, STATS_MEMFD_NAME);
	else if (err == EACCES || err == EPERM)
		fprintf(stderr,
			"shim-stat: cannot read the fds of process %d (%s): %s (run shim-stat as "
			"that process's user or as root)\n",
			(int)pid, comm, strerror(err));
	else
		fprintf(stderr, "shim-stat: cannot read process %d: %s\n", (int)pid, strerror(err));
}

static bool has_ended(struct target *t)
{
	if (t->ended)
		return true;
	if (t->pidfd >= 0) {
		struct pollfd p = {t->pidfd, POLLIN, 0};

		t->ended = poll(&p, 1, 0) == 1;
	} else {
		t->ended = kill(t->pid, 0) != 0 && errno == ESRCH;
	}
	return t->ended;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !(v > 0) || v > 86400)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"interval", required_argument, NULL, 'i'},
	    {"count", required_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct target *t = NULL;
	size_t nt = 0, cap = 0;
	double interval = 0;
	long count = 0, printed = 0;
	int c, status = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+i:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (parse_seconds(optarg, &interval) < 0) {
				fprintf(stderr,
					"shim-stat: -i wants a number of seconds > 0, not "
					"'%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'n': {
			char *end;

			count = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || count <= 0) {
				fprintf(stderr, "shim-stat: -n wants a count > 0, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		}
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			if (optopt)
				fprintf(stderr,
					"shim-stat: option -%c %s (shim-stat --help lists the "
					"options)\n",
					optopt,
					strchr("in", optopt) ? "needs a value" : "is not known");
			else
				fprintf(
				    stderr,
				    "shim-stat: unknown option '%s' (shim-stat --help lists the "
				    "options)\n",
				    argv[optind - 1]);
			return 2;
		}
	}
	if (count && !interval) {
		fprintf(stderr, "shim-stat: -n goes with -i\n");
		return 2;
	}

	if (optind < argc) {
		for (int i = optind; i < argc; i++) {
			if (!all_digits(argv[i]) || strlen(argv[i]) > 9) {
				fprintf(stderr, "shim-stat: '%s' is not a process id\n", argv[i]);
				return 2;
			}
		}
		for (int i = optind; i < argc; i++) {
			pid_t pid = (pid_t)atoi(argv[i]);
			int err;
			const struct stats_shared *s = open_block(pid, &err);

			if (s == NULL) {
				say_why(pid, err);
				status = 1;
				continue;
			}
			if (!add_target(&t, &nt, &cap, pid, s))
				return 1;
		}
	} else {
		DIR *d = opendir("/proc");
		struct dirent *e;

		if (d == NULL) {
			perror("shim-stat: /proc");
			return 1;
		}
		while ((e = readdir(d)) != NULL) {
			pid_t pid;
			int err;
			const struct stats_shared *s;

			if (!all_digits(e->d_name))
				continue;
			pid = (pid_t)atoi(e->d_name);
			if (pid == getpid())
				continue;
			s = open_block(pid, &err);
			if (s == NULL)
				continue;
			if (!add_target(&t, &nt, &cap, pid, s))
				return 1;
		}
		closedir(d);
		if (nt == 0) {
			fprintf(stderr, "shim-stat: no process under libshim found%s\n",
				getuid() ? " (among those this user may read)" : "");
			return 1;
		}
	}
	if (nt == 0)
		return status;

	for (long round = 1;; round++) {
		bool all_ended = true;

		for (size_t i = 0; i < nt; i++) {
			bool was_ended = t[i].ended, ended = interval && has_ended(&t[i]);

			if (was_ended)
				continue; /* its final counters were printed */
			if (printed++)
				putchar('\n');
			print_block(t[i].block);
			if (ended)
				printf("  (process %d has ended: these are its final counters)\n",
				       (int)t[i].pid);
			all_ended &= ended;
		}
		fflush(stdout);
		if (!interval || all_ended || (count && round >= count))
			break;
		{
			struct timespec ts = {(time_t)interval,
					      (long)((interval - (double)(time_t)interval) * 1e9)};

			nanosleep(&ts, NULL);
		}
	}
	free(t);
	return status;
}
