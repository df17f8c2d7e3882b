/* stat_view: what shim-stat prints besides the report of a block (stats_format): snapshots of the
 * counters, the --watch table of per-second rates, and the --json objects. */
#ifndef SHIM_STAT_VIEW_H
#define SHIM_STAT_VIEW_H

#include "stat_targets.h"

#include <stdint.h>
#include <stdio.h>

struct stat_snap {
	double t; /* CLOCK_MONOTONIC seconds when taken */
	uint64_t c[STAT_COUNT], k[KR_COUNT], e[STATS_ERRNO_MAX];
};

double stat_now(void);

/* A copy of the block's counters now (into t->snap, allocated on first use); false when out of
 * memory. */
bool stat_snap_take(struct target *t, struct stat_snap *out);

/* --watch: the heading of one round (n processes, rates over dt seconds), and one process's rows:
 * rates from prev to now, totals of now, then a line per hand-off reason and errno seen. */
void view_watch_head(FILE *f, size_t n, double dt);
void view_watch_rows(FILE *f, const struct target *t, const struct stat_snap *prev,
		     const struct stat_snap *now);

/* --json: one object per line, {"time": ..., "monotonic": ..., ["interval": dt,] "processes": [
 * {"pid", "comm", "ended", "sampled": monotonic seconds, "counters": {name: n}, "kernel": {reason:
 * n}, "errnos": {"EMSGSIZE": n}, ["rates": {"seconds": since the last sample, name: per second,
 * ..., "kernel": {...}, "errnos": {...}}]}, ...]}. */
void view_json_begin(FILE *f, double dt); /* dt < 0: no rates */
void view_json_process(FILE *f, bool first, const struct target *t, const struct stat_snap *prev,
		       const struct stat_snap *now); /* prev NULL: no rates */
void view_json_end(FILE *f);

#endif
