/* fmt_array: arrays of elements, in the program's memory or local, abbreviated as strace does. */
#include "fmt.h"

#include <inttypes.h>
#include <string.h>

#include "shim/umem.h"

/* Walks the array; fetch is NULL for local memory (elements are used in place). */
static void print_array(struct sbuf *b, uint64_t start, uint64_t nmemb, size_t elem_size,
			void *elem_buf, bool remote, fmt_elem_fn print, void *ctx)
{
	if (!start) {
		sbuf_puts(b, "NULL");
		return;
	}
	if (!nmemb) {
		sbuf_puts(b, "[]");
		return;
	}
	const uint64_t size = nmemb * elem_size;
	const uint64_t end = start + size;
	if (end <= start || size / elem_size != nmemb) {
		if (remote)
			fmt_addr(b, start);
		else
			sbuf_puts(b, "???");
		return;
	}
	const uint64_t abbrev_end =
	    nmemb > FMT_MAX_STRLEN ? start + elem_size * FMT_MAX_STRLEN : end;
	uint64_t cur;

	for (cur = start; cur < end; cur += elem_size) {
		if (cur != start)
			sbuf_puts(b, ", ");
		const void *elem;
		if (remote) {
			if (umem_read(elem_buf, (const void *)(uintptr_t)cur, elem_size) < 0) {
				if (cur == start)
					fmt_addr(b, cur);
				else
					sbuf_printf(b, "... /* %#" PRIx64 " */", cur);
				break;
			}
			elem = elem_buf;
		} else {
			elem = (const void *)(uintptr_t)cur;
		}
		if (cur == start)
			sbuf_putc(b, '[');
		if (cur >= abbrev_end) {
			sbuf_puts(b, "...");
			cur = end;
			break;
		}
		if (!print(b, elem, ctx)) {
			cur = end;
			break;
		}
	}
	if (cur != start || !remote)
		sbuf_putc(b, ']');
}

void fmt_remote_array(struct sbuf *b, uint64_t addr, uint64_t nmemb, size_t elem_size,
		      void *elem_buf, fmt_elem_fn print, void *ctx)
{
	print_array(b, addr, nmemb, elem_size, elem_buf, true, print, ctx);
}

void fmt_local_array(struct sbuf *b, const void *base, size_t nmemb, size_t elem_size,
		     fmt_elem_fn print, void *ctx)
{
	print_array(b, (uintptr_t)base, nmemb, elem_size, NULL, false, print, ctx);
}

bool fmt_elem_int(struct sbuf *b, const void *elem, void *ctx)
{
	int v;

	(void)ctx;
	memcpy(&v, elem, sizeof(v));
	sbuf_printf(b, "%d", v);
	return true;
}

bool fmt_elem_uint(struct sbuf *b, const void *elem, void *ctx)
{
	unsigned v;

	(void)ctx;
	memcpy(&v, elem, sizeof(v));
	sbuf_printf(b, "%u", v);
	return true;
}

bool fmt_elem_hex8(struct sbuf *b, const void *elem, void *ctx)
{
	(void)ctx;
	sbuf_printf(b, "%#x", *(const unsigned char *)elem);
	return true;
}
