/* Helpers for the strace formatter tests: build a call, format it, compare with the line strace 6.1
 * printed for the same call. */
#ifndef CHECK_STRACE_UTIL_H
#define CHECK_STRACE_UTIL_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim/sbuf.h"
#include "shim/strace.h"

/* A call: CALL(SYS_x, ret, err, args...). */
#define CALL(nr_, ret_, err_, ...)                                                                 \
	((struct strace_call){.nr = (nr_), .args = {__VA_ARGS__}, .ret = (ret_), .err = (err_)})
#define ARG(x) ((unsigned long)(x))

/* The formatted line, heap allocated. */
static inline char *format_call(struct strace_call c)
{
	char mem[64];
	struct sbuf b;

	sbuf_init(&b, mem, sizeof(mem));
	strace_format_call(&b, &c);
	char *line = strdup(b.p);
	sbuf_release(&b);
	return line;
}

/* Compares lines; a mismatch reports where they differ (the whole lines go to stderr, as check
 * cannot carry long messages). */
static inline void expect_same(const char *got, const char *want, const char *file, int line)
{
	if (strcmp(got, want) == 0)
		return;
	size_t at = 0;
	while (got[at] && got[at] == want[at])
		at++;
	fprintf(stderr, "%s:%d: got:  %s%s:%d: want: %s", file, line, got, file, line, want);
	size_t from = at > 40 ? at - 40 : 0;
	ck_abort_msg("line differs at %zu: got \"...%.80s\", want \"...%.80s\"", at, got + from,
		     want + from);
}

#define EXPECT_LINE(call_, want_)                                                                  \
	do {                                                                                       \
		char *got_ = format_call(call_);                                                   \
		expect_same(got_, want_, __FILE__, __LINE__);                                      \
		free(got_);                                                                        \
	} while (0)

/* Expected lines that contain addresses: printf-style, with %p-like "%#lx" arguments. The
 * result column is padded as strace does, so pass the text before " = " and the result apart. */
static inline char *expected(const char *result, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline char *expected(const char *result, const char *fmt, ...)
{
	char *call;
	char *line;
	va_list ap;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&call, fmt, ap), 0);
	va_end(ap);
	size_t n = strlen(call);
	int pad = n < 39 ? (int)(39 - n) : 0;
	ck_assert_int_ge(asprintf(&line, "%s%*s = %s\n", call, pad, "", result), 0);
	free(call);
	return line;
}

#define EXPECT_LINEF(call_, result_, ...)                                                          \
	do {                                                                                       \
		char *want_ = expected(result_, __VA_ARGS__);                                      \
		EXPECT_LINE(call_, want_);                                                         \
		free(want_);                                                                       \
	} while (0)

/* A page that is mapped no more: reading it faults. */
static inline char *unmapped_page(void)
{
	char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	munmap(p, 4096);
	return p;
}

/* A readable page followed by an unmapped one; returns the start of the unmapped one. */
static inline char *page_before_hole(void)
{
	char *p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	munmap(p + 4096, 4096);
	return p + 4096;
}

static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
