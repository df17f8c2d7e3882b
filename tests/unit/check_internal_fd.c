/* Unit tests for the placing of the shim's own fds (src/core/internal_fd.c): above the program's
 * soft RLIMIT_NOFILE, the limit unchanged afterwards; nothing of the program's range taken after
 * load; a fork child's replacement in the number it replaces; a close of one moving it. Each test
 * runs in a process of its own (Check forks), so limits set here end with it. */
#include "shim/fdtable.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static enum fd_kind kind_of(int fd)
{
	struct shim_sock *sk = NULL;
	enum fd_kind k = fdtable_lookup(fd, &sk);

	if (sk != NULL)
		shim_sock_put(sk);
	return k;
}

/* Whether the hard limit can be raised (CAP_SYS_RESOURCE): then no range is ever too small. */
static int can_raise_hard(void)
{
	struct rlimit rl, up;

	getrlimit(RLIMIT_NOFILE, &rl);
	up = rl;
	up.rlim_max = rl.rlim_max + 1;
	if (setrlimit(RLIMIT_NOFILE, &up) != 0)
		return 0;
	setrlimit(RLIMIT_NOFILE, &rl);
	return 1;
}

static void set_limit(rlim_t soft, rlim_t hard)
{
	struct rlimit rl = {soft, hard};

	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

static void assert_limit(rlim_t soft, rlim_t hard)
{
	struct rlimit rl;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	ck_assert_uint_eq(rl.rlim_cur, soft);
	ck_assert_uint_eq(rl.rlim_max, hard);
}

static ino_t inode(int fd)
{
	struct stat st;

	ck_assert_int_eq(fstat(fd, &st), 0);
	return st.st_ino;
}

START_TEST(test_placed_above_the_soft_limit)
{
	struct rlimit rl;
	int s, fd, top;

	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_max < 256)
		return; /* no room to test in */
	set_limit(64, rl.rlim_max);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	fd = internal_fd_adopt(s, true);
	ck_assert_int_ge(fd, 64);
	ck_assert_int_eq(fcntl(fd, F_GETFD), FD_CLOEXEC);
	ck_assert_int_eq(fcntl(s, F_GETFD), -1); /* the original is closed */
	ck_assert_int_eq(kind_of(fd), FD_INTERNAL);
	assert_limit(64, rl.rlim_max);
	/* the whole range is the program's: the top number too */
	s = socket(AF_INET, SOCK_DGRAM, 0);
	top = fcntl(s, F_DUPFD_CLOEXEC, 63);
	ck_assert_int_eq(top, 63);
	ck_assert_int_eq(fcntl(s, F_DUPFD_CLOEXEC, 64), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* and the shim's fd works above it */
	ck_assert_int_eq(fcntl(fd, F_GETFL) >= 0, 1);
}
END_TEST

START_TEST(test_one_window_at_load)
{
	struct rlimit rl;
	int fds[3];

	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_max < 256)
		return;
	set_limit(64, rl.rlim_max);
	internal_fd_load_begin();
	for (int i = 0; i < 3; i++) {
		fds[i] = internal_fd_adopt(socket(AF_INET, SOCK_DGRAM, 0), true);
		ck_assert_int_ge(fds[i], 64);
		ck_assert_int_eq(kind_of(fds[i]), FD_INTERNAL);
	}
	internal_fd_load_done();
	assert_limit(64, rl.rlim_max);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(fcntl(fds[i], F_GETFD), FD_CLOEXEC);
}
END_TEST

START_TEST(test_no_room_at_load_window)
{
	int r;

	set_limit(64, 64);
	internal_fd_load_begin();
	r = internal_fd_adopt(socket(AF_INET, SOCK_DGRAM, 0), true);
	internal_fd_load_done();
	if (can_raise_hard())
		ck_assert_int_ge(r, 64);
	else
		ck_assert(r >= 32 && r < 64);
	assert_limit(64, 64);
}
END_TEST

START_TEST(test_large_limit_in_range_below_4096)
{
	struct rlimit rl;
	int r;

	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_max < 8192)
		return;
	set_limit(8192, rl.rlim_max);
	internal_fd_load_done(); /* after load too: nine numbers of 8192 are nothing to miss */
	r = internal_fd_adopt(socket(AF_INET, SOCK_DGRAM, 0), true);
	ck_assert(r >= 4096 - 32 && r < 4096);
	ck_assert_int_eq(kind_of(r), FD_INTERNAL);
	assert_limit(8192, rl.rlim_max);
}
END_TEST

START_TEST(test_no_room_after_load_takes_nothing)
{
	int s, r;

	set_limit(64, 64);
	internal_fd_load_done();
	s = socket(AF_INET, SOCK_DGRAM, 0);
	r = internal_fd_adopt(s, true);
	if (can_raise_hard()) { /* placed above, the limits set back */
		ck_assert_int_ge(r, 64);
	} else {
		ck_assert_int_eq(r, -EMFILE);
		ck_assert_int_eq(fcntl(s, F_GETFD), -1); /* closed: the number is the program's */
	}
	assert_limit(64, 64);
}
END_TEST

START_TEST(test_no_room_at_load_goes_high_in_range)
{
	int s, r;

	set_limit(64, 64);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	r = internal_fd_adopt(s, true);
	if (can_raise_hard())
		ck_assert_int_ge(r, 64);
	else
		ck_assert(r >= 32 && r < 64);
	ck_assert_int_eq(kind_of(r), FD_INTERNAL);
	assert_limit(64, 64);
}
END_TEST

START_TEST(test_replace_takes_the_old_number)
{
	int old, s, r;
	ino_t before, now;

	set_limit(64, 64);
	old = internal_fd_adopt(socket(AF_INET, SOCK_DGRAM, 0), true); /* "the parent's" */
	ck_assert_int_ge(old, 0);
	before = inode(old);
	internal_fd_load_done();
	s = socket(AF_INET, SOCK_DGRAM, 0);
	now = inode(s);
	r = internal_fd_replace(old, s);
	if (old < 64) { /* in range: the new one in its place, nothing else taken */
		ck_assert_int_eq(r, old);
		ck_assert_int_eq(fcntl(s, F_GETFD), -1);
	}
	ck_assert_int_ge(r, 0);
	ck_assert(inode(r) == now && inode(r) != before);
	ck_assert_int_eq(fcntl(r, F_GETFD), FD_CLOEXEC);
	ck_assert_int_eq(kind_of(r), FD_INTERNAL);
}
END_TEST

START_TEST(test_replace_above_the_limit)
{
	struct rlimit rl;
	int old, s, r;

	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_max < 256)
		return;
	set_limit(64, rl.rlim_max);
	old = internal_fd_adopt(socket(AF_INET, SOCK_DGRAM, 0), true);
	ck_assert_int_ge(old, 64);
	internal_fd_load_done();
	s = socket(AF_INET, SOCK_DGRAM, 0);
	r = internal_fd_replace(old, s); /* dup3 cannot reach old: placed as any other */
	ck_assert_int_ge(r, 64);
	ck_assert_int_eq(fcntl(s, F_GETFD), -1);
	ck_assert_int_eq(kind_of(r), FD_INTERNAL);
	assert_limit(64, rl.rlim_max);
}
END_TEST

START_TEST(test_relocate_frees_the_number)
{
	static int slot;
	int old;
	ino_t ino;

	slot = internal_fd_adopt(socket(AF_INET, SOCK_DGRAM, 0), true);
	ck_assert_int_ge(slot, 0);
	internal_fd_track(&slot);
	internal_fd_load_done();
	old = slot;
	ino = inode(old);
	ck_assert_int_ge(internal_fd_relocate(old), 0);
	ck_assert_int_ne(slot, old);
	ck_assert(inode(slot) == ino);
	ck_assert_int_eq(kind_of(old), FD_UNKNOWN); /* the program's now: close(old) may go on */
	ck_assert_int_eq(kind_of(slot), FD_INTERNAL);
	ck_assert_int_eq(close(old), 0);
	ck_assert(inode(slot) == ino);
	/* an fd the shim does not track cannot move */
	ck_assert_int_eq(internal_fd_relocate(0), -EBADF);
}
END_TEST

/* The registry has no fixed number of places: the 40th fd tracked moves as the first did (a
 * registry of 16 would have let it stay, and the program's dup2 would have taken it). */
START_TEST(test_many_tracked_fds_all_move)
{
	static int slots[40];
	int n = (int)(sizeof(slots) / sizeof(slots[0]));

	for (int i = 0; i < n; i++) {
		slots[i] = internal_fd_adopt(socket(AF_INET, SOCK_DGRAM, 0), true);
		ck_assert_int_ge(slots[i], 0);
		internal_fd_track(&slots[i]);
	}
	internal_fd_load_done();
	for (int i = 0; i < n; i++) {
		int old = slots[i];
		ino_t ino = inode(old);

		ck_assert_int_eq(kind_of(old), FD_INTERNAL);
		ck_assert_int_ge(internal_fd_relocate(old), 0);
		ck_assert_int_ne(slots[i], old);
		ck_assert(inode(slots[i]) == ino);
		ck_assert_int_eq(kind_of(old), FD_UNKNOWN);
		ck_assert_int_eq(close(old), 0);
	}
	for (int i = 0; i < n; i++)
		internal_fd_close(slots[i]);
	ck_assert_int_eq(internal_fd_next(0, ~0u), -1);
}
END_TEST

static Suite *internal_fd_suite(void)
{
	Suite *s = suite_create("internal_fd");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_placed_above_the_soft_limit);
	tcase_add_test(tc, test_one_window_at_load);
	tcase_add_test(tc, test_no_room_at_load_window);
	tcase_add_test(tc, test_large_limit_in_range_below_4096);
	tcase_add_test(tc, test_no_room_after_load_takes_nothing);
	tcase_add_test(tc, test_no_room_at_load_goes_high_in_range);
	tcase_add_test(tc, test_replace_takes_the_old_number);
	tcase_add_test(tc, test_replace_above_the_limit);
	tcase_add_test(tc, test_relocate_frees_the_number);
	tcase_add_test(tc, test_many_tracked_fds_all_move);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(internal_fd_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
