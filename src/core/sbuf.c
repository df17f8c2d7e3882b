/* sbuf: an append-only text buffer, stack storage first, heap when it outgrows it. */
#include "shim/shim_fmt.h"
#include "shim/shim_alloc.h"
#include "shim/sbuf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define SBUF_MIN_HEAP 256

/* Storage for an sbuf without any: a valid empty string that is never written (cap is 0). */
static char sbuf_empty[1];

void sbuf_init(struct sbuf *b, char *mem, size_t cap)
{
	b->len = 0;
	b->on_heap = 0;
	b->truncated = 0;
	if (mem && cap) {
		b->p = mem;
		b->cap = cap;
		b->p[0] = '\0';
	} else {
		b->p = sbuf_empty;
		b->cap = 0;
	}
}

void sbuf_release(struct sbuf *b)
{
	if (b->on_heap)
		shim_free(b->p);
	b->p = sbuf_empty;
	b->cap = 0;
	b->len = 0;
	b->on_heap = 0;
}

/* Makes room for `extra` more bytes plus the NUL. Returns 0, or -1 when memory ran out. */
static int sbuf_reserve(struct sbuf *b, size_t extra)
{
	if (b->truncated)
		return -1;
	if (extra < b->cap && b->len < b->cap - extra)
		return 0;
	if (extra > (size_t)-1 / 2 - b->len)
		return -1;
	size_t want = b->len + extra + 1;
	size_t cap = b->cap * 2;
	if (cap < want)
		cap = want;
	if (cap < SBUF_MIN_HEAP)
		cap = SBUF_MIN_HEAP;
	char *p;
	if (b->on_heap) {
		p = shim_realloc(b->p, cap);
	} else {
		p = shim_alloc(cap);
		if (p)
			memcpy(p, b->p, b->len + 1);
	}
	if (!p)
		return -1;
	b->p = p;
	b->cap = cap;
	b->on_heap = 1;
	return 0;
}

/* Keeps what fits of s after allocation failed, and marks the text as cut. */
static void sbuf_cut(struct sbuf *b, const char *s, size_t n)
{
	if (!b->truncated && b->cap > b->len + 1) {
		size_t room = b->cap - b->len - 1;
		if (n > room)
			n = room;
		memcpy(b->p + b->len, s, n);
		b->len += n;
		b->p[b->len] = '\0';
	}
	b->truncated = 1;
}

void sbuf_putn(struct sbuf *b, const char *s, size_t n)
{
	if (b->truncated)
		return;
	if (sbuf_reserve(b, n) < 0) {
		sbuf_cut(b, s, n);
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void sbuf_putc(struct sbuf *b, char c)
{
	sbuf_putn(b, &c, 1);
}

void sbuf_puts(struct sbuf *b, const char *s)
{
	sbuf_putn(b, s, strlen(s));
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	char small[128];
	va_list ap;

	if (b->truncated)
		return;
	va_start(ap, fmt);
	int n = shim_vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		sbuf_putn(b, small, (size_t)n);
		return;
	}
	if (sbuf_reserve(b, (size_t)n) < 0) {
		sbuf_cut(b, small, sizeof(small) - 1);
		return;
	}
	va_start(ap, fmt);
	shim_vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}
