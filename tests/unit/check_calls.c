/* The interposition table (preload/calls.h) and the trace decoder table (src/trace/strace_call.c,
 * in the core, which cannot include the preload layer's list): every system call an interposer
 * traces has a decoder of that name, and syscall() routes each number to one interposer only. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../preload/calls.h"
#include "shim/strace.h"

struct entry {
	const char *name;
	long nr;
	int routed;  /* syscall(nr) goes to it */
	int decoded; /* 2: traced as the system call of its own name, 1: as nr's, 0: its own rule */
};

/* The generated wrappers' bodies trace a system call: SYSCALL kinds their own, FRAME kinds (send)
 * their number's (sendto). OWN kinds decide for themselves (fcntl traces fcntl's, prctl nothing).
 */
#define ROW(kind, ret, name, params, args, nr) {#name, nr, ROUTED_##kind, DECODED_##kind},
#define ROUTED_SYSCALL			       1
#define ROUTED_SYSCALL_CP		       1
#define ROUTED_OWN_SYSCALL		       1
#define ROUTED_FRAME			       0
#define ROUTED_FRAME_CP			       0
#define ROUTED_FAST_CP			       1
#define ROUTED_FAST_FRAME_CP		       0
#define ROUTED_OWN			       0
#define DECODED_SYSCALL			       2
#define DECODED_SYSCALL_CP		       2
#define DECODED_OWN_SYSCALL		       0
#define DECODED_FRAME			       1
#define DECODED_FRAME_CP		       1
#define DECODED_FAST_CP			       2
#define DECODED_FAST_FRAME_CP		       1
#define DECODED_OWN			       0

static const struct entry entries[] = {SHIM_CALLS(ROW)};
#define N_ENTRIES (sizeof(entries) / sizeof(entries[0]))

START_TEST(every_traced_call_has_its_decoder)
{
	for (size_t i = 0; i < N_ENTRIES; i++) {
		const char *name;

		if (entries[i].decoded == 0)
			continue;
		name = strace_syscall_name(entries[i].nr);
		ck_assert_msg(name != NULL, "%s: no trace decoder for system call %ld",
			      entries[i].name, entries[i].nr);
		if (entries[i].decoded == 2)
			ck_assert_str_eq(name, entries[i].name);
	}
}
END_TEST

START_TEST(each_number_routed_once)
{
	for (size_t i = 0; i < N_ENTRIES; i++)
		for (size_t j = i + 1; j < N_ENTRIES; j++)
			ck_assert_msg(!(entries[i].routed && entries[j].routed &&
					entries[i].nr == entries[j].nr),
				      "%s and %s both routed from syscall(%ld)", entries[i].name,
				      entries[j].name, entries[i].nr);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("calls");
	TCase *tc = tcase_create("table");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, every_traced_call_has_its_decoder);
	tcase_add_test(tc, each_number_routed_once);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
