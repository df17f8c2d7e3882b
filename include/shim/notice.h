/* notice: the shim's output channel — one-line notices ("libshim: ...") and the trace lines go to
 * one fd of the shim's own, standard error until the trace sink (src/trace/trace_sink.c) places
 * its copy or the SHIM_TRACE_FILE there. In core so that every layer may report. */
#ifndef SHIM_NOTICE_H
#define SHIM_NOTICE_H

#include <stddef.h>

/* The fd the output goes to (atomic; -1: standard error). Set by trace_sink_open, moved by
 * internal_fd_relocate. */
extern int shim_out_fd;

/* Write len bytes to the output, whole (a short write is continued, EINTR retried). */
void shim_out_write(const char *p, size_t len);

/* Write one notice line ("libshim: ..."), newline added, to the output. */
void shim_notice(const char *line);

#endif
