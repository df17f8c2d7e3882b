/* strace: format one system call as strace 6.1 prints it.
 *
 * The preload layer describes each intercepted call as the system call glibc would have made
 * (send() is sendto(fd, buf, len, flags, NULL, 0), fcntl64() is fcntl, ...) together with its
 * result, and strace_format_call appends the line strace would print for it, `\n` included, e.g.
 *   sendto(3, "x", 1, MSG_DONTWAIT, NULL, 0) = 1
 * Memory the arguments point to is read with umem_read, so a bad pointer prints as an address, as
 * in strace, and never faults. */
#ifndef SHIM_STRACE_H
#define SHIM_STRACE_H

#include "shim/sbuf.h"

struct strace_call {
	long nr;	       /* x86-64 system call number (SYS_sendto, ...) */
	unsigned long args[6]; /* raw arguments, as the syscall receives them */
	long ret;	       /* return value; -1 on error */
	int err;	       /* errno when ret == -1 */
};

/* Append the complete strace line for c to b. */
void strace_format_call(struct sbuf *b, const struct strace_call *c);

/* The names of the system calls strace_format_call decodes; NULL for any other number. */
const char *strace_syscall_name(long nr);

#endif
