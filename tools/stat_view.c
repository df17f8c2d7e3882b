/* stat_view: snapshots, the --watch table and the --json objects of shim-stat (stat_view.h). */
#include "stat_view.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

double stat_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t load(const _Atomic uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

bool stat_snap_take(struct target *t, struct stat_snap *out)
{
	const struct stats_shared *s = t->block;

	out->t = stat_now();
	for (int i = 0; i < STAT_COUNT; i++)
		out->c[i] = load(&s->counters[i]);
	for (int i = 0; i < KR_COUNT; i++)
		out->k[i] = load(&s->kernel[i]);
	for (int i = 0; i < STATS_ERRNO_MAX; i++)
		out->e[i] = load(&s->errnos[i]);
	if (t->snap == NULL) {
		t->snap = malloc(sizeof(*t->snap));
		if (t->snap == NULL)
			return false;
	}
	*t->snap = *out;
	return true;
}

static double rate(uint64_t now, uint64_t prev, double dt)
{
	return dt > 0 && now >= prev ? (double)(now - prev) / dt : 0;
}

void view_watch_head(FILE *f, size_t n, double dt)
{
	fprintf(f, "shim-stat: %zu process%s under libshim, per second over the last %.2f s\n", n,
		n == 1 ? "" : "es", dt);
	fprintf(f, "%7s %-16s %10s %10s %12s %9s %9s %12s %10s %9s\n", "PID", "COMM", "dgrams/s",
		"frames/s", "bytes/s", "kernel/s", "errors/s", "dgrams", "to_kernel", "errors");
}

void view_watch_rows(FILE *f, const struct target *t, const struct stat_snap *prev,
		     const struct stat_snap *now)
{
	double dt = now->t - prev->t;

	fprintf(f, "%7d %-16s %10.1f %10.1f %12.1f %9.1f %9.1f %12llu %10llu %9llu%s\n",
		(int)t->pid, t->comm, rate(now->c[STAT_DGRAMS_SENT], prev->c[STAT_DGRAMS_SENT], dt),
		rate(now->c[STAT_FRAMES_SENT], prev->c[STAT_FRAMES_SENT], dt),
		rate(now->c[STAT_BYTES_SENT], prev->c[STAT_BYTES_SENT], dt),
		rate(now->c[STAT_TO_KERNEL], prev->c[STAT_TO_KERNEL], dt),
		rate(now->c[STAT_ERRORS], prev->c[STAT_ERRORS], dt),
		(unsigned long long)now->c[STAT_DGRAMS_SENT],
		(unsigned long long)now->c[STAT_TO_KERNEL], (unsigned long long)now->c[STAT_ERRORS],
		t->ended ? "  (ended: final counters)" : "");
	for (int k = 0; k < KR_COUNT; k++)
		if (now->k[k])
			fprintf(f, "%7s   kernel.%-19s %9.1f/s %12llu\n", "",
				stats_kernel_name((enum shim_kernel_reason)k),
				rate(now->k[k], prev->k[k], dt), (unsigned long long)now->k[k]);
	for (int e = 1; e < STATS_ERRNO_MAX; e++) {
		const char *name = strerrorname_np(e);

		if (now->e[e])
			fprintf(f, "%7s   errno.%-20s %9.1f/s %12llu\n", "", name ? name : "?",
				rate(now->e[e], prev->e[e], dt), (unsigned long long)now->e[e]);
	}
}

/* A JSON string: quotes, backslashes and control characters escaped; bytes above 127 as the
 * code points of the same value (a process name need not be UTF-8). */
static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

void view_json_begin(FILE *f, double dt)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(f, "{\"time\": %.6f, \"monotonic\": %.6f, ",
		(double)ts.tv_sec + (double)ts.tv_nsec / 1e9, stat_now());
	if (dt >= 0)
		fprintf(f, "\"interval\": %.6f, ", dt);
	fputs("\"processes\": [", f);
}

static void json_counts(FILE *f, const struct stat_snap *now, const struct stat_snap *prev,
			double dt)
{
	bool first = true;

#define VAL(now_, prev_)                                                                           \
	do {                                                                                       \
		if (prev)                                                                          \
			fprintf(f, "%.3f", rate((now_), (prev_), dt));                             \
		else                                                                               \
			fprintf(f, "%llu", (unsigned long long)(now_));                            \
	} while (0)

	for (int i = 0; i < STAT_COUNT; i++) {
		fprintf(f, "%s\"%s\": ", i ? ", " : "", stats_name((enum shim_stat)i));
		VAL(now->c[i], prev ? prev->c[i] : 0);
	}
	fputs(prev ? ", \"kernel\": {" : "}, \"kernel\": {", f);
	for (int k = 0; k < KR_COUNT; k++) {
		fprintf(f, "%s\"%s\": ", k ? ", " : "",
			stats_kernel_name((enum shim_kernel_reason)k));
		VAL(now->k[k], prev ? prev->k[k] : 0);
	}
	fputs(prev ? "}, \"errnos\": {" : "}, \"errnos\": {", f);
	for (int e = 1; e < STATS_ERRNO_MAX; e++) {
		const char *name = strerrorname_np(e);

		if (!now->e[e] || name == NULL)
			continue;
		fprintf(f, "%s\"%s\": ", first ? "" : ", ", name);
		VAL(now->e[e], prev ? prev->e[e] : 0);
		first = false;
	}
	fputs("}", f);
#undef VAL
}

void view_json_process(FILE *f, bool first, const struct target *t, const struct stat_snap *prev,
		       const struct stat_snap *now)
{
	fprintf(f, "%s{\"pid\": %d, \"comm\": ", first ? "" : ", ", (int)t->pid);
	json_string(f, t->comm);
	fprintf(f, ", \"ended\": %s, \"sampled\": %.6f, \"counters\": {",
		t->ended ? "true" : "false", now->t);
	json_counts(f, now, NULL, 0);
	if (prev) {
		fprintf(f, ", \"rates\": {\"seconds\": %.6f, ", now->t - prev->t);
		json_counts(f, now, prev, now->t - prev->t);
		fputs("}", f);
	}
	fputs("}", f);
}

void view_json_end(FILE *f)
{
	fputs("]}\n", f);
	fflush(f);
}
