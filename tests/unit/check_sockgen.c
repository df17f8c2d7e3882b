/* Unit tests for the shared per-socket generations (src/core/sockgen.c). */
#include "shim/sockgen.h"

#include <check.h>
#include <sys/wait.h>
#include <unistd.h>

START_TEST(test_one_cell_per_cookie)
{
	unsigned *a = sockgen_cell(1000), *b = sockgen_cell(1001);

	ck_assert_ptr_eq(sockgen_cell(1000), a);
	ck_assert_ptr_ne(a, b);		      /* consecutive cookies spread */
	ck_assert_ptr_ne(sockgen_cell(0), a); /* unknown: a cell of the process */
	/* the per-user file in /dev/shm where it can be made, else the anonymous mapping */
	ck_assert_int_eq(sockgen_backing(), access("/dev/shm", W_OK) == 0 ? 2 : 1);
	ck_assert_uint_eq(sockgen_bump(a), sockgen_read(a) - 1);
}
END_TEST

/* A bump made by a forked child is seen by the parent, and one made by an exec'd program (which
 * maps the file again) too: here a second mapping stands for it. */
START_TEST(test_bump_seen_across_fork)
{
	unsigned *c = sockgen_cell(424242);
	unsigned before = sockgen_read(c);
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		sockgen_bump(c);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_uint_eq(sockgen_read(c), before + 1);
}
END_TEST

static Suite *sockgen_suite(void)
{
	Suite *s = suite_create("sockgen");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_one_cell_per_cookie);
	tcase_add_test(tc, test_bump_seen_across_fork);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sockgen_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
