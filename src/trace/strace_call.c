/* strace_call: one trace line per system call: name, arguments, the result column. */
#include "shim/strace.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/syscall.h>

#include "decode.h"
#include "fmt.h"
#include "xlat.h"

/* strace -a default: the column "= result" is aligned to. */
#define RESULT_COLUMN 40

typedef void (*args_fn)(struct sbuf *b, const struct strace_call *c);
typedef void (*result_fn)(struct sbuf *b, const struct strace_call *c);

static void result_unsigned(struct sbuf *b, const struct strace_call *c)
{
	sbuf_printf(b, "%" PRIu64, (uint64_t)c->ret);
}

static void result_fd(struct sbuf *b, const struct strace_call *c)
{
	if ((uint64_t)c->ret <= INT32_MAX)
		sbuf_printf(b, "%d", (int)c->ret);
	else
		sbuf_printf(b, "%ld", c->ret);
}

struct decoder {
	long nr;
	const char *name;
	args_fn args;
	result_fn result;
};

static const struct decoder decoders[] = {
    {SYS_socket, "socket", fmt_socket_args, result_fd},
    {SYS_connect, "connect", fmt_sockaddr_args, result_unsigned},
    {SYS_bind, "bind", fmt_sockaddr_args, result_unsigned},
    {SYS_close, "close", fmt_close_args, result_unsigned},
    {SYS_close_range, "close_range", fmt_close_range_args, result_unsigned},
    {SYS_dup, "dup", fmt_dup_args, result_fd},
    {SYS_dup2, "dup2", fmt_dup2_args, result_fd},
    {SYS_dup3, "dup3", fmt_dup3_args, result_fd},
    {SYS_fcntl, "fcntl", fmt_fcntl_args, fmt_fcntl_result},
    {SYS_sendto, "sendto", fmt_sendto_args, result_unsigned},
    {SYS_sendmsg, "sendmsg", fmt_sendmsg_args, result_unsigned},
    {SYS_sendmmsg, "sendmmsg", fmt_sendmmsg_args, result_unsigned},
    {SYS_write, "write", fmt_write_args, result_unsigned},
    {SYS_writev, "writev", fmt_writev_args, result_unsigned},
    {SYS_setsockopt, "setsockopt", fmt_setsockopt_args, result_unsigned},
    {SYS_getsockopt, "getsockopt", fmt_getsockopt_args, result_unsigned},
    {SYS_getsockname, "getsockname", fmt_getname_args, result_unsigned},
    {SYS_getpeername, "getpeername", fmt_getname_args, result_unsigned},
    {SYS_shutdown, "shutdown", fmt_shutdown_args, result_unsigned},
};

static const struct decoder *find_decoder(long nr)
{
	for (size_t i = 0; i < sizeof(decoders) / sizeof(decoders[0]); i++)
		if (decoders[i].nr == nr)
			return &decoders[i];
	return NULL;
}

const char *strace_syscall_name(long nr)
{
	const struct decoder *d = find_decoder(nr);

	return d ? d->name : NULL;
}

int strace_call_failed(const struct strace_call *c)
{
	return c->ret == -1 && c->err != 0;
}

/* Kernel-internal restart codes, which strace shows with "?" instead of -1. */
static const char *restart_text(int err)
{
	switch (err) {
	case 512:
		return "? ERESTARTSYS (To be restarted if SA_RESTART is set)";
	case 513:
		return "? ERESTARTNOINTR (To be restarted)";
	case 514:
		return "? ERESTARTNOHAND (To be restarted if no handler)";
	case 516:
		return "? ERESTART_RESTARTBLOCK (Interrupted by signal)";
	}
	return NULL;
}

static void print_error(struct sbuf *b, const struct strace_call *c)
{
	const char *restart = restart_text(c->err);
	if (restart) {
		sbuf_puts(b, restart);
		return;
	}
	const char *name = xlat_errno_name((uint64_t)(unsigned)c->err);
	if (!name) {
		sbuf_printf(b, "%ld (errno %u)", c->ret, (unsigned)c->err);
		return;
	}
	/* strace prints strerror() in its locale; the shim prints the C locale's text. */
	const char *desc = strerrordesc_np(c->err);
	if (desc)
		sbuf_printf(b, "%ld %s (%s)", c->ret, name, desc);
	else
		sbuf_printf(b, "%ld %s (Unknown error %d)", c->ret, name, c->err);
}

/* Pads the line started at `start` so that what follows begins at RESULT_COLUMN. */
static void pad_to_result_column(struct sbuf *b, size_t start)
{
	static const char spaces[RESULT_COLUMN] = "                                        ";
	const size_t col = b->len - start;

	if (col < RESULT_COLUMN)
		sbuf_putn(b, spaces, RESULT_COLUMN - col);
}

static void print_raw_args(struct sbuf *b, const struct strace_call *c)
{
	for (int i = 0; i < 6; i++)
		sbuf_printf(b, "%s%#lx", i ? ", " : "", c->args[i]);
}

void strace_format_call(struct sbuf *b, const struct strace_call *c)
{
	const size_t start = b->len;
	const struct decoder *d = find_decoder(c->nr);

	if (d) {
		sbuf_puts(b, d->name);
		sbuf_putc(b, '(');
		fmt_ifindex_socket(c->nr == SYS_socket ? -1 : (int)c->args[0]);
		d->args(b, c);
		fmt_ifindex_socket(-1);
	} else {
		sbuf_printf(b, "syscall_%#lx(", (unsigned long)c->nr);
		print_raw_args(b, c);
	}
	sbuf_puts(b, ") ");
	pad_to_result_column(b, start);
	sbuf_puts(b, "= ");
	if (strace_call_failed(c))
		print_error(b, c);
	else if (d)
		d->result(b, c);
	else
		sbuf_printf(b, "%#lx", (unsigned long)c->ret);
	sbuf_putc(b, '\n');
}
