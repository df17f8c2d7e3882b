/* summary: SHIM_SUMMARY (shim-run --summary), a table of the intercepted calls in the manner of
 * `strace -c`, printed when the process exits: for each system call (as strace names it: send() is
 * sendto), the calls, the failed ones, the time spent in the interposer (the shim's work and the
 * kernel's), and how the calls were answered: by the shim itself, handed to the kernel socket (a
 * socket the shim owns, for a reason the counters name), or passed to libc (not a socket the shim
 * owns: stdout, a TCP socket, passthrough mode).
 *
 * Costs nothing when off: the interposers' common prologue (SHIM_INSIDE_COUNTED in
 * preload/guard.h, the generated wrappers of preload/calls.h) tests summary_enabled once, and the
 * send calls' epilogue shares the trace's test (trace_epilogue_enabled). The fast entry is off
 * while the summary is on, as while tracing. Counters are process-wide relaxed atomics; a forked
 * child starts from zero. */
#ifndef SHIM_SUMMARY_H
#define SHIM_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum summary_route {
	SUMMARY_ROUTE_NONE = 0,
	SUMMARY_ROUTE_SHIM,	 /* the shim answered (sent, or failed the call itself) */
	SUMMARY_ROUTE_KERNEL,	 /* a socket the shim owns, handed to the kernel socket */
	SUMMARY_ROUTE_NOT_OWNED, /* not a socket the shim owns: libc answered */
};

extern bool summary_enabled;

/* The start of an intercepted call: the time to give summary_end. */
uint64_t summary_begin(void);

/* A send call's epilogue: how the shim answered the current call of this thread. */
void summary_note_route(enum summary_route route);

/* The end of an intercepted call begun at t0: system call nr returned ret (-1: failed), answered as
 * the last summary_note_route said (none: a call the shim never answers itself). errno is kept. */
void summary_end(long nr, long ret, uint64_t t0);

/* In a child after fork: counters from zero. */
void summary_after_fork(void);

/* The table, several lines ending in a newline; nothing (0) when no call was counted. The
 * datagrams the shim sent, its hand-offs by reason and its errors by errno (include/shim/stats.h)
 * follow the table. Returns the length it needs (as snprintf). */
size_t summary_format(char *buf, size_t cap);

#endif
