/* shim_fmt: the shim's own snprintf gives libc's text for every conversion it takes. */
#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "shim/shim_fmt.h"

#define SAME(...)                                                                                  \
	do {                                                                                       \
		char want_[256], got_[256];                                                        \
		int wn_ = snprintf(want_, sizeof(want_), __VA_ARGS__);                             \
		int gn_ = shim_snprintf(got_, sizeof(got_), __VA_ARGS__);                          \
		ck_assert_msg(wn_ == gn_ && strcmp(want_, got_) == 0,                              \
			      "%s: libc \"%s\" (%d), shim \"%s\" (%d)", #__VA_ARGS__, want_, wn_,  \
			      got_, gn_);                                                          \
		checked++;                                                                         \
	} while (0)

static int checked;

START_TEST(integers_like_libc)
{
	static const long long vals[] = {
	    0,	   1,	   -1,	    7,	     42,	-42,	   255,	       4096,
	    65535, -65536, INT_MAX, INT_MIN, LLONG_MAX, LLONG_MIN, 1000000007, 123456789};
	static const char *ifmt[] = {"%d",   "%5d",   "%-5d|",	 "%05d", "%+d", "% d",
				     "%.3d", "%8.3d", "%-8.3d|", "%.0d", "%i",	"%x",
				     "%#x",  "%08x",  "%#010x",	 "%X",	 "%o",	"%#o",
				     "%03o", "%u",    "%10u",	 "%2x"};
	static const char *llfmt[] = {"%lld", "%llu", "%llx", "%#llx", "%20lld", "%-20llu|",
				      "%ld",  "%lu",  "%#lx", "%zu",   "%zx"};

	for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
		for (size_t f = 0; f < sizeof(ifmt) / sizeof(ifmt[0]); f++)
			SAME(ifmt[f], (int)vals[v]);
		for (size_t f = 0; f < sizeof(llfmt) / sizeof(llfmt[0]); f++)
			SAME(llfmt[f], vals[v]);
		SAME("%hhu %hhd %hu %hd", (int)vals[v], (int)vals[v], (int)vals[v], (int)vals[v]);
		SAME("%*d|%-*d|%.*d", 6, (int)vals[v], 6, (int)vals[v], 4, (int)vals[v]);
		SAME("%#0*x", 10, (unsigned)vals[v]);
		SAME("%*llu", 12, (unsigned long long)vals[v]);
	}
	ck_assert_int_gt(checked, 500);
}
END_TEST

START_TEST(strings_chars_pointers_like_libc)
{
	static const char *strs[] = {"", "a", "hello", "a longer string of text, 40 bytes long.."};
	int x;

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		SAME("%s|%9s|%-9s|%.3s|%.32s|%.*s", strs[i], strs[i], strs[i], strs[i], strs[i], 2,
		     strs[i]);
		SAME("%-18s|%*s|%.64s|%.100s", strs[i], 12, strs[i], strs[i], strs[i]);
	}
	SAME("%c%c %5c|%-3c|", 'a', 'Z', 'q', 'w');
	SAME("%p %p %20p|", (void *)&x, (void *)0, (void *)&x);
	SAME("100%% %s %d%%", "x", 5);
	SAME("plain text, nothing to convert");
}
END_TEST

START_TEST(doubles_like_libc)
{
	static const double vals[] = {0,     1,	    0.5,  0.000001,  0.0000004, 0.9999996,
				      12.25, 100.0, -3.5, 1234.5678, 99.999999, 1e9 + 0.25};

	for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++)
		SAME("%f|%11.6f|%6.2f|%.0f|%.3f|%-10.1f|%010.2f", vals[v], vals[v], vals[v],
		     vals[v], vals[v], vals[v], vals[v]);
}
END_TEST

START_TEST(truncation_like_libc)
{
	char small[8];
	int n = shim_snprintf(small, sizeof(small), "%s-%d", "abcdef", 12345);

	ck_assert_int_eq(n, 12);
	ck_assert_str_eq(small, "abcdef-");
	ck_assert_int_eq(shim_snprintf(NULL, 0, "%d", 123), 3);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("shim_fmt");
	TCase *tc = tcase_create("fmt");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, integers_like_libc);
	tcase_add_test(tc, strings_chars_pointers_like_libc);
	tcase_add_test(tc, doubles_like_libc);
	tcase_add_test(tc, truncation_like_libc);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
