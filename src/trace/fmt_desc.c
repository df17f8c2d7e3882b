/* fmt_desc: the arguments of close, close_range, dup*, write and writev. */
#include "decode.h"

#include <inttypes.h>

#include "fmt.h"
#include "xlat.h"

void fmt_fd(struct sbuf *b, unsigned long arg)
{
	sbuf_printf(b, "%d", (int)arg);
}

void fmt_close_args(struct sbuf *b, const struct strace_call *c)
{
	fmt_fd(b, c->args[0]);
}

void fmt_close_range_args(struct sbuf *b, const struct strace_call *c)
{
	sbuf_printf(b, "%u, %u, ", (unsigned)c->args[0], (unsigned)c->args[1]);
	xlat_print_flags(b, &xlat_close_range_flags, (unsigned)c->args[2], "CLOSE_RANGE_???");
}

void fmt_dup_args(struct sbuf *b, const struct strace_call *c)
{
	fmt_fd(b, c->args[0]);
}

void fmt_dup2_args(struct sbuf *b, const struct strace_call *c)
{
	fmt_fd(b, c->args[0]);
	sbuf_puts(b, ", ");
	fmt_fd(b, c->args[1]);
}

void fmt_dup3_args(struct sbuf *b, const struct strace_call *c)
{
	fmt_dup2_args(b, c);
	sbuf_puts(b, ", ");
	xlat_print_flags(b, &xlat_open_mode_flags, (unsigned)c->args[2], "O_???");
}

void fmt_write_args(struct sbuf *b, const struct strace_call *c)
{
	fmt_fd(b, c->args[0]);
	sbuf_puts(b, ", ");
	fmt_mem_str(b, c->args[1], c->args[2], 0);
	sbuf_printf(b, ", %" PRIu64, (uint64_t)c->args[2]);
}

void fmt_writev_args(struct sbuf *b, const struct strace_call *c)
{
	fmt_fd(b, c->args[0]);
	sbuf_puts(b, ", ");
	fmt_iov_array(b, c->args[1], c->args[2]);
	sbuf_printf(b, ", %" PRIu64, (uint64_t)c->args[2]);
}
