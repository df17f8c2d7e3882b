/* shim-stat: the counters of processes running under libshim, read while they run.
 *
 *   shim-stat [-w] [-i SECONDS [-n COUNT]] [--json] [--all | PID...]
 *
 * libshim keeps each process's counters in one page of a memfd named "libshim-stats" that the
 * process holds open (an fd hidden from the program) and maps shared. shim-stat finds that fd in
 * /proc/PID/fd (stat_targets.c), maps the same page read-only and prints it in the format of the
 * exit report (SHIM_STATS=1), or as a table of per-second rates refreshed every interval (--watch),
 * or as JSON (--json; stat_view.c). Reading another process's /proc/PID/fd takes what ptrace's
 * read check takes: the same user (and a dumpable process), or root. Nothing is left on disk when
 * a process ends. */
#include "stat_targets.h"
#include "stat_view.h"

#include "shim/stats.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: shim-stat [-w] [-i SECONDS [-n COUNT]] [--json] [--all | PID...]\n"
    "\n"
    "Print the libshim counters of running processes, in the format of the exit report\n"
    "(shim-run --stats, SHIM_STATS=1): datagrams, bytes and frames the shim sent, fragments,\n"
    "neighbour misses and drops, route cache hits and misses, hand-offs to the kernel socket by\n"
    "reason, and errors by errno; or their rates per second (--watch), or JSON (--json).\n"
    "\n"
    /* gen-doc: options { */
    "  PID...                the processes to read (default: every process under libshim\n"
    "                        that this user may read)\n"
    "  -i, --interval SECONDS\n"
    "                        print again every SECONDS (a decimal number) until the\n"
    "                        processes have ended; the last report shows their final\n"
    "                        counters. With --watch: the refresh interval\n"
    "  -n, --count COUNT     with -i or --watch: stop after COUNT reports\n"
    "  -w, --watch           refresh every second (or every -i SECONDS) a table of each\n"
    "                        process's rates per second: datagrams, frames and bytes the\n"
    "                        shim sent, hand-offs to the kernel and errors, then one line\n"
    "                        per hand-off reason and errno seen; on a terminal the screen\n"
    "                        is redrawn, else each table follows the last. Without PIDs,\n"
    "                        processes that start under libshim meanwhile join. Ends when\n"
    "                        the processes have (with PIDs), at COUNT, or with Ctrl-C\n"
    "  -a, --all             every process under libshim that this user may read (what no\n"
    "                        PID means), like onload_stackdump lots\n"
    "  -j, --json            print JSON instead, one object per line (per report, or per\n"
    "                        --watch round with the rates): {\"time\", \"monotonic\",\n"
    "                        \"interval\", \"processes\": [{\"pid\", \"comm\", \"ended\",\n"
    "                        \"sampled\", \"counters\", \"kernel\", \"errnos\", \"rates\"}]}\n"
    "  -h, --help            this text\n"
    /* gen-doc } */
    "\n"
    "The counters are read from a memory file the process holds open (/proc/PID/fd), so\n"
    "shim-stat must run as the process's user or as root. Exit status: 0, 1 when a process\n"
    "could not be read, 2 for a usage error.\n";

struct options {
	double interval; /* 0: once */
	long count;	 /* 0: no limit */
	bool watch, json, all;
};

static int usage_error(const char *fmt, const char *arg)
{
	fputs("shim-stat: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (shim-stat --help lists the options)\n", stderr);
	return 2;
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

/* Returns -1 to go on, or the exit status. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
	    {"interval", required_argument, NULL, 'i'},
	    {"count", required_argument, NULL, 'n'},
	    {"watch", no_argument, NULL, 'w'},
	    {"json", no_argument, NULL, 'j'},
	    {"all", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+i:n:wjah", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (parse_seconds(optarg, &o->interval) < 0) {
				fprintf(stderr,
					"shim-stat: -i wants a number of seconds > 0, not "
					"'%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'n': {
			char *end;

			o->count = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o->count <= 0) {
				fprintf(stderr, "shim-stat: -n wants a count > 0, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		}
		case 'w':
			o->watch = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'a':
			o->all = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			if (optopt) {
				char opt[3] = {'-', (char)optopt, '\0'};

				return usage_error(strchr("in", optopt) ? "option %s needs a value"
									: "option %s is not known",
						   opt);
			}
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (o->count && !o->interval && !o->watch) {
		fprintf(stderr, "shim-stat: -n goes with -i or --watch\n");
		return 2;
	}
	if (o->all && optind < argc)
		return usage_error("--all reads every process: give it no PID (not '%s')",
				   argv[optind]);
	if (o->watch && !o->interval)
		o->interval = 1;
	for (int i = optind; i < argc; i++) {
		if (!stat_all_digits(argv[i]) || strlen(argv[i]) > 9) {
			fprintf(stderr, "shim-stat: '%s' is not a process id\n", argv[i]);
			return 2;
		}
	}
	return -1;
}

static void sleep_for(double seconds)
{
	struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
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

/* The reports of the exit report's format, once or every interval (-i). */
static void run_reports(struct targets *ts, const struct options *o)
{
	long printed = 0;

	for (long round = 1;; round++) {
		bool all_ended = true;
		struct stat_snap now;

		if (o->json)
			view_json_begin(stdout, -1);
		for (size_t i = 0, shown = 0; i < ts->n; i++) {
			struct target *t = &ts->t[i];
			bool ended = o->interval && target_has_ended(t);

			if (t->gone)
				continue; /* its final counters were printed */
			if (o->json) {
				if (!stat_snap_take(t, &now))
					continue;
				view_json_process(stdout, shown++ == 0, t, NULL, &now);
			} else {
				if (printed++)
					putchar('\n');
				print_block(t->block);
				if (ended)
					printf("  (process %d has ended: these are its final "
					       "counters)\n",
					       (int)t->pid);
			}
			t->gone = ended;
			all_ended &= ended;
		}
		if (o->json)
			view_json_end(stdout);
		fflush(stdout);
		if (!o->interval || all_ended || (o->count && round >= o->count))
			break;
		sleep_for(o->interval);
	}
}

/* --watch: every interval, each process's rates since the last round. Without PIDs, processes
 * that start under libshim meanwhile join at the next round. */
static int run_watch(struct targets *ts, const struct options *o, bool scan)
{
	bool clear = !o->json && isatty(STDOUT_FILENO);
	struct stat_snap prev, now;
	double last = stat_now();

	for (size_t i = 0; i < ts->n; i++)
		stat_snap_take(&ts->t[i], &prev);
	for (long round = 1;; round++) {
		size_t live = 0, shown = 0;
		bool any = false;

		sleep_for(o->interval);
		if (scan && targets_scan(ts) < 0)
			return 1;
		for (size_t i = 0; i < ts->n; i++)
			live += !ts->t[i].gone;
		if (clear)
			fputs("\033[H\033[2J", stdout);
		if (o->json)
			view_json_begin(stdout, stat_now() - last);
		else
			view_watch_head(stdout, live, stat_now() - last);
		last = stat_now();
		for (size_t i = 0; i < ts->n; i++) {
			struct target *t = &ts->t[i];
			bool fresh = t->snap == NULL;

			if (t->gone)
				continue;
			target_has_ended(t);
			if (fresh) /* joined this round: rates from the next one on */
				stat_snap_take(t, &prev);
			else
				prev = *t->snap;
			if (!stat_snap_take(t, &now))
				continue;
			if (o->json)
				view_json_process(stdout, shown++ == 0, t, &prev, &now);
			else
				view_watch_rows(stdout, t, &prev, &now);
			t->gone = t->ended;
			any |= !t->ended;
		}
		if (o->json)
			view_json_end(stdout);
		fflush(stdout);
		if ((o->count && round >= o->count) || (!scan && !any))
			break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = {0};
	struct targets ts = {0};
	int status = parse_options(argc, argv, &o);
	bool scan = optind >= argc;

	if (status >= 0)
		return status;
	status = 0;
	for (int i = optind; i < argc; i++) {
		pid_t pid = (pid_t)atoi(argv[i]);
		int err;
		const struct stats_shared *s = stat_open_block(pid, &err);

		if (s == NULL) {
			stat_say_why(pid, err);
			status = 1;
			continue;
		}
		if (!targets_add(&ts, pid, s))
			return 1;
	}
	if (scan) {
		if (targets_scan(&ts) < 0) {
			perror("shim-stat: /proc");
			return 1;
		}
		if (ts.n == 0) {
			fprintf(stderr, "shim-stat: no process under libshim found%s\n",
				getuid() ? " (among those this user may read)" : "");
			return 1;
		}
	}
	if (ts.n == 0)
		return status;
	if (o.watch) {
		if (run_watch(&ts, &o, scan) != 0) {
			perror("shim-stat: /proc");
			return 1;
		}
	} else {
		run_reports(&ts, &o);
	}
	return status;
}
