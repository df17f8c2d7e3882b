/* shim_fmt: snprintf without libc's stdio.
 *
 * The shim formats trace lines, notices and counters on paths that may run in a signal handler,
 * during another library's initialisation or in a child after fork, where libc's stdio (locale
 * data, FILE locks, and allocation for some conversions) is not to be relied on. This formatter
 * keeps everything on the caller's stack. It takes the conversions the shim uses: d i u x X o c s
 * p % and f, with the flags - 0 # + and space, a width and a precision (numbers or *), and the
 * length modifiers hh h l ll z j t. C99 semantics: the result is the length the whole text needs;
 * at most size - 1 bytes and a NUL are stored. */
#ifndef SHIM_SHIM_FMT_H
#define SHIM_SHIM_FMT_H

#include <stdarg.h>
#include <stddef.h>

int shim_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int shim_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A text built piece by piece into buf: len counts what the whole text needs, as snprintf does,
 * and at most cap bytes are stored (the caller compares len with cap). */
struct shim_text {
	char *buf;
	size_t cap, len;
};

/* Appends fmt's text to t. */
void shim_text_put(struct shim_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
