/* decode: per-system-call decoders (private to src/trace). Each prints the arguments between the
 * parentheses; result printers print what follows "= " for a successful call. */
#ifndef SHIM_TRACE_DECODE_H
#define SHIM_TRACE_DECODE_H

#include "shim/sbuf.h"
#include "shim/strace.h"

/* Marks args[5] of a getsockopt call as carrying the optlen before the call (low 32 bits). */
#define GETSOCKOPT_OPTLEN_BEFORE (1UL << 32)

/* Whether the call failed with an errno (and strace would print "= -1 EXXX (...)"). */
int strace_call_failed(const struct strace_call *c);

/* A file descriptor argument. */
void fmt_fd(struct sbuf *b, unsigned long arg);

/* Socket calls (fmt_net.c) */
void fmt_socket_args(struct sbuf *b, const struct strace_call *c);
void fmt_sockaddr_args(struct sbuf *b, const struct strace_call *c); /* connect, bind */
void fmt_sendto_args(struct sbuf *b, const struct strace_call *c);
void fmt_sendmsg_args(struct sbuf *b, const struct strace_call *c);
void fmt_sendmmsg_args(struct sbuf *b, const struct strace_call *c);
void fmt_shutdown_args(struct sbuf *b, const struct strace_call *c);
void fmt_setsockopt_args(struct sbuf *b, const struct strace_call *c);
void fmt_getsockopt_args(struct sbuf *b, const struct strace_call *c);
void fmt_getname_args(struct sbuf *b, const struct strace_call *c); /* getsockname, getpeername */

/* Descriptor calls (fmt_desc.c) */
void fmt_close_args(struct sbuf *b, const struct strace_call *c);
void fmt_close_range_args(struct sbuf *b, const struct strace_call *c);
void fmt_dup_args(struct sbuf *b, const struct strace_call *c);
void fmt_dup2_args(struct sbuf *b, const struct strace_call *c);
void fmt_dup3_args(struct sbuf *b, const struct strace_call *c);
void fmt_write_args(struct sbuf *b, const struct strace_call *c);
void fmt_writev_args(struct sbuf *b, const struct strace_call *c);

/* fcntl (fmt_fcntl.c) */
void fmt_fcntl_args(struct sbuf *b, const struct strace_call *c);
void fmt_fcntl_result(struct sbuf *b, const struct strace_call *c);

/* O_* flags as strace prints them for F_SETFL and dup3: access mode first, then the flags. */
void fmt_open_flags(struct sbuf *b, unsigned flags);

#endif
