/* trace: where the shim's trace lines and its one-line notices go.
 *
 * Output goes to an fd of the shim's own (FD_INTERNAL, O_CLOEXEC, placed high): a copy of standard
 * error taken at start-up, or the SHIM_TRACE_FILE opened for appending. Each line is one write(2),
 * so lines from threads and processes sharing the file never interleave. */
#ifndef SHIM_TRACE_H
#define SHIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "shim/notice.h"
#include "shim/strace.h"

/* Set up the output: path NULL or "" means standard error. Returns 0, or -errno when the file could
 * not be opened (output then stays on standard error). */
int trace_sink_open(const char *path);

/* Whether strace-format call lines are wanted (SHIM_TRACE=calls). */
extern bool trace_calls_enabled;

/* Whether the interposers' epilogue has anything to do: call lines, or the SHIM_SUMMARY table
 * (include/shim/summary.h). One test for both when neither is on. */
extern bool trace_epilogue_enabled;

/* Format c as strace does and write the line. */
void trace_call(const struct strace_call *c);

/* The internal fd the output goes to, or -1. */
int trace_sink_fd(void);

#endif
