/* sbuf: an append-only text buffer for building trace lines.
 *
 * Starts in caller-provided storage (usually on the stack) and moves to the heap only when a line
 * outgrows it. Never fails visibly: on allocation failure the text is cut and `truncated` is set.
 */
#ifndef SHIM_SBUF_H
#define SHIM_SBUF_H

#include <stddef.h>

struct sbuf {
	char *p;       /* text, always NUL-terminated */
	size_t len;    /* bytes used, without the NUL */
	size_t cap;    /* bytes available, with the NUL */
	int on_heap;   /* p was allocated by sbuf and is freed by sbuf_release */
	int truncated; /* text was cut because memory ran out */
};

void sbuf_init(struct sbuf *b, char *mem, size_t cap);
void sbuf_release(struct sbuf *b);
void sbuf_putc(struct sbuf *b, char c);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_putn(struct sbuf *b, const char *s, size_t n);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
