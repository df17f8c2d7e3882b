/* summary: the strace -c style table of SHIM_SUMMARY (see include/shim/summary.h). */
#include "shim/shim_fmt.h"
#include "shim/summary.h"
#include "shim/shim_lock.h"
#include "shim/stats.h"
#include "shim/strace.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

bool summary_enabled;
static __thread unsigned char call_route __attribute__((tls_model("initial-exec")));

/* The system calls the interposers report (what strace -c would count for them). */
static const long summary_nrs[] = {
    SYS_socket, SYS_connect,	 SYS_bind,     SYS_shutdown, SYS_setsockopt, SYS_getsockopt,
    SYS_close,	SYS_close_range, SYS_dup,      SYS_dup2,     SYS_dup3,	     SYS_fcntl,
    SYS_sendto, SYS_sendmsg,	 SYS_sendmmsg, SYS_write,    SYS_writev,
};
#define N_CALLS (sizeof(summary_nrs) / sizeof(summary_nrs[0]))

struct row {
	_Atomic uint64_t calls, errors, nsec, by_route[4];
};

static struct row rows[N_CALLS];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t summary_begin(void)
{
	call_route = SUMMARY_ROUTE_NONE;
	return now_ns();
}

void summary_note_route(enum summary_route route)
{
	call_route = (unsigned char)route;
}

static void add(_Atomic uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

void summary_end(long nr, long ret, uint64_t t0)
{
	int saved = errno;
	uint64_t t = now_ns();

	for (size_t i = 0; i < N_CALLS; i++) {
		if (summary_nrs[i] != nr)
			continue;
		add(&rows[i].calls, 1);
		if (ret < 0)
			add(&rows[i].errors, 1);
		if (t >= t0)
			add(&rows[i].nsec, t - t0);
		add(&rows[i].by_route[call_route & 3], 1);
		break;
	}
	call_route = SUMMARY_ROUTE_NONE;
	errno = saved;
}

void summary_after_fork(void)
{
	memset(rows, 0, sizeof(rows)); /* the child is single-threaded here */
}
SHIM_AFTER_FORK(summary_after_fork);

static uint64_t get(const _Atomic uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* A count, or blanks when it is 0 (as strace leaves an empty errors column). */
static void put_count(struct shim_text *o, int width, uint64_t v)
{
	if (v)
		shim_text_put(o, " %*llu", width, (unsigned long long)v);
	else
		shim_text_put(o, " %*s", width, "");
}

static const char rule[] = "------ ----------- ----------- --------- --------- --------- "
			   "--------- --------- ----------------\n";

size_t summary_format(char *buf, size_t cap)
{
	struct shim_text o = {buf, cap, 0};
	const struct stats_shared *s = stats_block();
	size_t order[N_CALLS], n = 0;
	uint64_t total_ns = 0, total_calls = 0, total_errors = 0;
	char comm[sizeof(s->comm) + 1];

	if (cap)
		buf[0] = '\0';
	for (size_t i = 0; i < N_CALLS; i++) {
		if (get(&rows[i].calls) == 0)
			continue;
		total_ns += get(&rows[i].nsec);
		total_calls += get(&rows[i].calls);
		total_errors += get(&rows[i].errors);
		order[n++] = i;
	}
	if (n == 0)
		return 0;
	/* by time spent, most first (strace -c's order); a few rows: insertion sort */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i;
		     j > 0 && get(&rows[order[j]].nsec) > get(&rows[order[j - 1]].nsec); j--) {
			size_t t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}

	memcpy(comm, s->comm, sizeof(s->comm));
	comm[sizeof(s->comm)] = '\0';
	shim_text_put(&o, "libshim summary, pid %d (%s): the intercepted calls\n", (int)s->pid,
		      comm);
	shim_text_put(
	    &o, "%% time     seconds  usecs/call     calls    errors      shim to_kernel   to_libc "
		"syscall\n");
	shim_text_put(&o, "%s", rule);
	for (size_t k = 0; k < n; k++) {
		const struct row *r = &rows[order[k]];
		uint64_t ns = get(&r->nsec), calls = get(&r->calls);
		const char *name = strace_syscall_name(summary_nrs[order[k]]);

		shim_text_put(&o, "%6.2f %11.6f %11llu %9llu",
			      total_ns ? 100.0 * (double)ns / (double)total_ns : 0,
			      (double)ns / 1e9, (unsigned long long)(ns / 1000 / calls),
			      (unsigned long long)calls);
		put_count(&o, 9, get(&r->errors));
		put_count(&o, 9, get(&r->by_route[SUMMARY_ROUTE_SHIM]));
		put_count(&o, 9, get(&r->by_route[SUMMARY_ROUTE_KERNEL]));
		put_count(&o, 9, get(&r->by_route[SUMMARY_ROUTE_NOT_OWNED]));
		shim_text_put(&o, " %s\n", name ? name : "?");
	}
	shim_text_put(&o, "%s", rule);
	shim_text_put(&o, "100.00 %11.6f %11llu %9llu", (double)total_ns / 1e9,
		      (unsigned long long)(total_ns / 1000 / total_calls),
		      (unsigned long long)total_calls);
	put_count(&o, 9, total_errors);
	shim_text_put(&o, " %9s %9s %9s total\n", "", "", "");

	/* the shim's own split, from the counters (include/shim/stats.h) */
	shim_text_put(
	    &o, "  sent by the shim: %llu datagrams, %llu bytes, %llu frames (%llu fragmented)\n",
	    (unsigned long long)stats_get(STAT_DGRAMS_SENT),
	    (unsigned long long)stats_get(STAT_BYTES_SENT),
	    (unsigned long long)stats_get(STAT_FRAMES_SENT),
	    (unsigned long long)stats_get(STAT_FRAGMENTED));
	shim_text_put(&o, "  handed to the kernel socket: %llu",
		      (unsigned long long)stats_get(STAT_TO_KERNEL));
	for (int k = 0, first = 1; k < KR_COUNT; k++) {
		uint64_t v = stats_get_kernel((enum shim_kernel_reason)k);

		if (v) {
			shim_text_put(&o, "%s%s %llu", first ? " (" : ", ",
				      stats_kernel_name((enum shim_kernel_reason)k),
				      (unsigned long long)v);
			first = 0;
		}
		if (k == KR_COUNT - 1 && !first)
			shim_text_put(&o, ")");
	}
	shim_text_put(&o, "\n  failed by the shim: %llu",
		      (unsigned long long)stats_get(STAT_ERRORS));
	for (int e = 1, first = 1; e < STATS_ERRNO_MAX; e++) {
		uint64_t v = stats_get_errno(e);
		const char *name = strerrorname_np(e);

		if (v) {
			shim_text_put(&o, "%s%s %llu", first ? " (" : ", ", name ? name : "?",
				      (unsigned long long)v);
			first = 0;
		}
		if (e == STATS_ERRNO_MAX - 1 && !first)
			shim_text_put(&o, ")");
	}
	shim_text_put(&o, "\n");
	return o.len;
}
