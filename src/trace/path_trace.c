/* path_trace: SHIM_TRACE=path lines (see include/shim/path_trace.h). */
#include "shim/shim_fmt.h"
#include "shim/path_trace.h"
#include "shim/result.h"
#include "shim/trace.h"

#include <stdarg.h>
#include <string.h>

bool trace_path_enabled;

void path_begin(struct path_trace *t, const char *call, int fd)
{
	t->on = trace_path_enabled;
	if (!t->on)
		return;
	sbuf_init(&t->b, t->mem, sizeof(t->mem));
	sbuf_printf(&t->b, "libshim path: %s(%d)", call, fd);
}

void path_step_fmt(struct path_trace *t, const char *fmt, ...)
{
	char step[256];
	va_list ap;

	if (t == NULL || !t->on)
		return;
	va_start(ap, fmt);
	shim_vsnprintf(step, sizeof(step), fmt, ap);
	va_end(ap);
	sbuf_puts(&t->b, t->b.len > 0 && strchr(t->b.p, ')') != NULL ? " \xe2\x86\x92 " : " ");
	sbuf_puts(&t->b, step);
}

void path_end(struct path_trace *t, long result)
{
	if (t == NULL || !t->on)
		return;
	if (result == SHIM_TO_KERNEL)
		sbuf_puts(&t->b, " \xe2\x86\x92 kernel socket");
	else if (result < 0)
		sbuf_printf(&t->b, " = -%ld %s", -result, strerrorname_np((int)-result));
	else
		sbuf_printf(&t->b, " = %ld", result);
	shim_notice(t->b.p);
	sbuf_release(&t->b);
	t->on = false;
}
