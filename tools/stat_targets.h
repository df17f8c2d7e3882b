/* stat_targets: the processes shim-stat reads — found by pid or by a scan of /proc, each with its
 * counters block (the "libshim-stats" memfd it holds, mapped read-only) and a pidfd to notice its
 * end. */
#ifndef SHIM_STAT_TARGETS_H
#define SHIM_STAT_TARGETS_H

#include "shim/stats.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct stat_snap;

struct target {
	pid_t pid;
	const struct stats_shared *block;
	int pidfd;
	bool ended;  /* seen to have ended */
	bool gone;   /* ended, and its final counters were shown */
	bool is_new; /* found by the last scan */
	char comm[17];
	struct stat_snap *snap; /* the last snapshot (stat_view.h), owned */
};

struct targets {
	struct target *t;
	size_t n, cap;
};

/* The block of pid, or NULL with *err set (errno style; ENOENT: no such process, ESRCH: not
 * under libshim, EACCES: not allowed). */
const struct stats_shared *stat_open_block(pid_t pid, int *err);

/* Say on standard error why pid cannot be read (err from stat_open_block). */
void stat_say_why(pid_t pid, int err);

/* Add pid with its block. False when out of memory. */
bool targets_add(struct targets *ts, pid_t pid, const struct stats_shared *block);

/* Add every process under libshim this user may read that is not in ts yet (this process left
 * out). Returns how many were added, or -1 (errno set) when /proc cannot be read. */
int targets_scan(struct targets *ts);

/* Whether t has ended (a pidfd poll, or kill(pid, 0) without one). */
bool target_has_ended(struct target *t);

bool stat_all_digits(const char *s);

#endif
