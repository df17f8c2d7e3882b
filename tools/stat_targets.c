/* stat_targets: the processes shim-stat reads (see stat_targets.h). */
#include "stat_targets.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MEMFD_LINK "/memfd:" STATS_MEMFD_NAME " (deleted)"

bool stat_all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* The block behind one fd of pid, if it is one of the current layout. */
static const struct stats_shared *map_block(pid_t pid, const char *path)
{
	const struct stats_shared *found = NULL;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && (size_t)st.st_size >= sizeof(struct stats_shared)) {
		void *p = mmap(NULL, sizeof(struct stats_shared), PROT_READ, MAP_SHARED, fd, 0);

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
	return found;
}

const struct stats_shared *stat_open_block(pid_t pid, int *err)
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

		if (!stat_all_digits(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, MEMFD_LINK) != 0)
			continue;
		errno = 0;
		found = map_block(pid, path);
		if (found == NULL && errno)
			*err = errno;
	}
	closedir(d);
	return found;
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

void stat_say_why(pid_t pid, int err)
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

bool targets_add(struct targets *ts, pid_t pid, const struct stats_shared *block)
{
	struct target *t;

	if (ts->n == ts->cap) {
		size_t cap = ts->cap ? ts->cap * 2 : 8;
		struct target *grown = realloc(ts->t, cap * sizeof(*grown));

		if (grown == NULL)
			return false;
		ts->t = grown;
		ts->cap = cap;
	}
	t = &ts->t[ts->n++];
	*t = (struct target){pid, block, (int)syscall(SYS_pidfd_open, pid, 0), false, false, true,
			     "",  NULL};
	comm_of(pid, t->comm, sizeof(t->comm));
	if (t->comm[0] == '\0') /* gone already: the name the block was made with */
		memcpy(t->comm, block->comm, sizeof(block->comm));
	t->comm[sizeof(t->comm) - 1] = '\0';
	return true;
}

static bool known(const struct targets *ts, pid_t pid)
{
	for (size_t i = 0; i < ts->n; i++)
		if (ts->t[i].pid == pid && !ts->t[i].ended)
			return true;
	return false;
}

int targets_scan(struct targets *ts)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int added = 0;

	if (d == NULL)
		return -1;
	for (size_t i = 0; i < ts->n; i++)
		ts->t[i].is_new = false;
	while ((e = readdir(d)) != NULL) {
		pid_t pid;
		int err;
		const struct stats_shared *s;

		if (!stat_all_digits(e->d_name))
			continue;
		pid = (pid_t)atoi(e->d_name);
		if (pid == getpid() || known(ts, pid))
			continue;
		s = stat_open_block(pid, &err);
		if (s == NULL)
			continue;
		if (!targets_add(ts, pid, s)) {
			closedir(d);
			errno = ENOMEM;
			return -1;
		}
		added++;
	}
	closedir(d);
	return added;
}

bool target_has_ended(struct target *t)
{
	if (t->ended)
		return true;
	if (t->pidfd >= 0) {
		struct pollfd p = {t->pidfd, POLLIN, 0};

		t->ended = poll(&p, 1, 0) == 1;
	} else {
		t->ended = kill(t->pid, 0) != 0 && errno == ESRCH;
	}
	if (t->ended && t->pidfd >= 0) {
		close(t->pidfd);
		t->pidfd = -1;
	}
	return t->ended;
}
