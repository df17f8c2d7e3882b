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

#endif
