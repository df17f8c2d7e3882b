/* sandbox: whether the calling thread runs under a seccomp filter (or strict mode).
 *
 * Under a filter, a system call the program never makes itself may kill it (SIGSYS), so the shim
 * makes no optional call of its own there (issue 10: the program's sandbox stays in force). */
#ifndef SHIM_SANDBOX_H
#define SHIM_SANDBOX_H

#include <stdbool.h>

/* The Seccomp field of /proc/thread-self/status (of /proc/self/status on kernels before 3.17) is
 * not 0 — or cannot be read, which counts as sandboxed. Reads the file each time (a filter can be
 * added at any moment, never removed): not for the send path. */
bool shim_sandboxed(void);

/* Set once the process is (or may be) under a seccomp filter it installed or inherited: the shim
 * then steps aside for good (preload/init.c shim_seccomp_begin) — the program's calls go to the
 * kernel as the program makes them, so the filter judges them, and the shim's own threads make no
 * further call a filter could refuse (they park in the call they were making). */
extern bool shim_seccomp_seen;

static inline bool shim_seccomp_active(void)
{
	return __atomic_load_n(&shim_seccomp_seen, __ATOMIC_ACQUIRE);
}

/* A thread of the shim that found shim_seccomp_active(): blocks for good in ppoll (no fds, no
 * timeout, every signal blocked in the shim's threads), the call the listener made before. */
void shim_seccomp_park(void) __attribute__((noreturn));

#endif
