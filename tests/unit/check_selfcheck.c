/* Unit tests for the verdict of shim-run --selfcheck (src/core/selfcheck.c). */
#include "shim/config.h"
#include "shim/selfcheck.h"

#include <check.h>
#include <string.h>

static uint32_t parse(const char *text, const char *release)
{
	return selfcheck_parse(text, strlen(text), release);
}

START_TEST(test_features)
{
	ck_assert_uint_eq(parse("kernel 6.1.0\ndiffers gso cork\n", "6.1.0"),
			  SC_BIT(SC_GSO) | SC_BIT(SC_CORK));
	ck_assert_uint_eq(parse("# comment\nkernel 6.1.0\ndiffers\n", "6.1.0"), 0);
	ck_assert_uint_eq(parse("kernel 6.1.0\ndiffers all frag coalesce", "6.1.0"),
			  SC_BIT(SC_ALL) | SC_BIT(SC_FRAG) | SC_BIT(SC_COALESCE));
	/* every name the selfcheck writes is known */
	ck_assert_uint_eq(parse("kernel k\ndiffers all gso cork udplite ip_options mcast cmsg "
				"nocheck frag coalesce ipv6\n",
				"k"),
			  (1u << SC_COUNT) - 1);
}
END_TEST

START_TEST(test_kernel_must_match)
{
	ck_assert_uint_eq(parse("kernel 6.1.0\ndiffers gso\n", "6.1.1"), 0);
	ck_assert_uint_eq(parse("kernel 6.1.0-x\ndiffers gso\n", "6.1.0"), 0);
	ck_assert_uint_eq(parse("differs gso\n", "6.1.0"), 0); /* no kernel line */
	ck_assert_uint_eq(parse("kernel\ndiffers gso\n", "6.1.0"), 0);
}
END_TEST

START_TEST(test_tolerant)
{
	/* unknown words, comments, CRLF, blanks, a missing final newline */
	ck_assert_uint_eq(parse("\n  kernel 5.15.0 \r\n# differs all\ndiffers  nosuch\tmcast\r\n"
				"other line\ndiffers cmsg",
				"5.15.0"),
			  SC_BIT(SC_MCAST) | SC_BIT(SC_CMSG));
	ck_assert_uint_eq(parse("", "5.15.0"), 0);
	ck_assert_uint_eq(parse("kernel 5.15.0\ndiffers gsox cor\n", "5.15.0"), 0);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(selfcheck_feature_name(SC_IP_OPTIONS), "ip_options");
	ck_assert_str_eq(selfcheck_feature_name(SC_COUNT), "?");
	ck_assert_int_eq(selfcheck_first(SC_BIT(SC_MCAST) | SC_BIT(SC_FRAG)), SC_MCAST);
	ck_assert_int_eq(selfcheck_first(0), SC_COUNT);
}
END_TEST

START_TEST(test_load_missing_file)
{
	ck_assert_uint_eq(selfcheck_load("/nonexistent/libshim-selfcheck"), 0);
	ck_assert_uint_eq(selfcheck_load(""), 0);
	ck_assert_uint_eq(shim_selfcheck_differs, 0);
}
END_TEST

static const char *one_var(const char *name, void *ctx)
{
	return strcmp(name, "SHIM_SELFCHECK_FILE") == 0 ? ctx : NULL;
}

static void no_report(const char *line, void *ctx)
{
	(void)line;
	++*(int *)ctx;
}

/* SHIM_SELFCHECK_FILE in src/core/config.c: the default path, a path of its own, off */
START_TEST(test_config_file)
{
	struct shim_config cfg;
	int problems = 0;

	ck_assert_int_eq(shim_config_parse(&cfg, one_var, NULL, no_report, &problems), 0);
	ck_assert_str_eq(cfg.selfcheck_file, "/var/lib/libshim/selfcheck");
	ck_assert_int_eq(shim_config_parse(&cfg, one_var, "", no_report, &problems), 0);
	ck_assert_str_eq(cfg.selfcheck_file, "/var/lib/libshim/selfcheck");
	ck_assert_int_eq(shim_config_parse(&cfg, one_var, "/tmp/v", no_report, &problems), 0);
	ck_assert_str_eq(cfg.selfcheck_file, "/tmp/v");
	ck_assert_int_eq(shim_config_parse(&cfg, one_var, "off", no_report, &problems), 0);
	ck_assert_str_eq(cfg.selfcheck_file, "");
	ck_assert_int_eq(problems, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("selfcheck");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_features);
	tcase_add_test(tc, test_kernel_must_match);
	tcase_add_test(tc, test_tolerant);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_load_missing_file);
	tcase_add_test(tc, test_config_file);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
