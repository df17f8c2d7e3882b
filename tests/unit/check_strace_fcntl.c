/* fcntl: every command's argument and how strace 6.1 shows the value some commands return. */
#include "check_strace_util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>

/* struct flock as the x86-64 kernel lays it out. */
struct kflock {
	short type, whence;
	int64_t start, len;
	int pid;
};

START_TEST(command_names)
{
	EXPECT_LINE(CALL(SYS_fcntl, -1, EBADF, ARG(-1), F_DUPFD, 0),
		    "fcntl(-1, F_DUPFD, 0)                   = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(CALL(SYS_fcntl, -1, EBADF, ARG(-1), F_GETSIG, 0),
		    "fcntl(-1, F_GETSIG)                     = -1 EBADF (Bad file descriptor)\n");
	/* The kernel's F_GETLK64 numbers, not glibc's. */
	EXPECT_LINE(CALL(SYS_fcntl, -1, EBADF, ARG(-1), 12, 0),
		    "fcntl(-1, F_GETLK64, 0)                 = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(CALL(SYS_fcntl, -1, EBADF, ARG(-1), 13, 0),
		    "fcntl(-1, F_SETLK64, 0)                 = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(CALL(SYS_fcntl, -1, EBADF, ARG(-1), 15, 0),
		    "fcntl(-1, F_SETOWN_EX, NULL)            = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(CALL(SYS_fcntl, -1, EBADF, ARG(-1), 16, 0),
		    "fcntl(-1, F_GETOWN_EX, NULL)            = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(CALL(SYS_fcntl, -1, EBADF, ARG(-1), 17, 0),
		    "fcntl(-1, F_GETOWNER_UIDS, 0)           = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(CALL(SYS_fcntl, -1, EBADF, ARG(-1), 18, 0),
		    "fcntl(-1, 0x12 /* F_??? */, 0)          = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(CALL(SYS_fcntl, -1, EFAULT, 3, 17, 5),
		    "fcntl(3, F_GETOWNER_UIDS, 0x5)          = -1 EFAULT (Bad address)\n");
	EXPECT_LINE(CALL(SYS_fcntl, -1, EBADF, ARG(-1), 1029, 0),
		    "fcntl(-1, F_CANCELLK, 0)                = -1 EBADF (Bad file descriptor)\n");
}
END_TEST

START_TEST(file_status_flags)
{
	EXPECT_LINE(CALL(SYS_fcntl, 0x802, 0, 4, F_GETFL),
		    "fcntl(4, F_GETFL)                       = 0x802 (flags O_RDWR|O_NONBLOCK)\n");
	EXPECT_LINE(
	    CALL(SYS_fcntl, 0x8000, 0, 3, F_GETFL),
	    "fcntl(3, F_GETFL)                       = 0x8000 (flags O_RDONLY|O_LARGEFILE)\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0x1, 0, 6, F_GETFL),
		    "fcntl(6, F_GETFL)                       = 0x1 (flags O_WRONLY)\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 3, F_GETFL),
		    "fcntl(3, F_GETFL)                       = 0 (flags O_RDONLY)\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 4, F_SETFL, O_NONBLOCK | O_APPEND),
		    "fcntl(4, F_SETFL, O_RDONLY|O_APPEND|O_NONBLOCK) = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 4, F_SETFL, 0),
		    "fcntl(4, F_SETFL, O_RDONLY)             = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 4, F_SETFL, O_RDWR | 0x40000000),
		    "fcntl(4, F_SETFL, O_RDWR|0x40000000)    = 0\n");
	/* O_LARGEFILE is the kernel's 0100000 (glibc defines it as 0 on x86-64). */
	EXPECT_LINE(
	    CALL(SYS_fcntl, 0, 0, 3, F_SETFL,
		 O_WRONLY | O_SYNC | O_DIRECT | O_TMPFILE | O_CLOEXEC | O_PATH | 0100000 |
		     0x10000000),
	    "fcntl(3, F_SETFL, O_WRONLY|O_SYNC|O_DIRECT|O_LARGEFILE|O_CLOEXEC|O_PATH|O_TMPFILE|"
	    "0x10000000) = 0\n");
	/* __O_SYNC alone, FASYNC last. */
	EXPECT_LINE(
	    CALL(SYS_fcntl, 0, 0, 3, F_SETFL,
		 O_NOCTTY | O_TRUNC | O_EXCL | O_CREAT | O_NOATIME | O_NOFOLLOW | 020000 |
		     04000000),
	    "fcntl(3, F_SETFL, O_RDONLY|O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|__O_SYNC|O_NOFOLLOW|"
	    "O_NOATIME|FASYNC) = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 4, F_SETFL, O_DSYNC | O_DIRECTORY),
		    "fcntl(4, F_SETFL, O_RDONLY|O_DSYNC|O_DIRECTORY) = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 4, F_SETFL, O_ACCMODE),
		    "fcntl(4, F_SETFL, O_ACCMODE)            = 0\n");
}
END_TEST

START_TEST(descriptor_flags_and_dupfd)
{
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 4, F_GETFD),
		    "fcntl(4, F_GETFD)                       = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, 1, 0, 4, F_GETFD),
		    "fcntl(4, F_GETFD)                       = 0x1 (flags FD_CLOEXEC)\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 4, F_SETFD, FD_CLOEXEC),
		    "fcntl(4, F_SETFD, FD_CLOEXEC)           = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 4, F_SETFD, 0),
		    "fcntl(4, F_SETFD, 0)                    = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 4, F_SETFD, 3),
		    "fcntl(4, F_SETFD, FD_CLOEXEC|0x2)       = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 4, F_SETFD, 2),
		    "fcntl(4, F_SETFD, 0x2 /* FD_??? */)     = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, 11, 0, 4, F_DUPFD, 10),
		    "fcntl(4, F_DUPFD, 10)                   = 11\n");
	EXPECT_LINE(CALL(SYS_fcntl, 20, 0, 4, F_DUPFD_CLOEXEC, 20),
		    "fcntl(4, F_DUPFD_CLOEXEC, 20)           = 20\n");
	EXPECT_LINE(CALL(SYS_fcntl, -1, EINVAL, 4, F_DUPFD, ARG(-1L)),
		    "fcntl(4, F_DUPFD, -1)                   = -1 EINVAL (Invalid argument)\n");
	EXPECT_LINE(CALL(SYS_fcntl, -1, EINVAL, 4, F_DUPFD, 0xffffffffUL),
		    "fcntl(4, F_DUPFD, 4294967295)           = -1 EINVAL (Invalid argument)\n");
}
END_TEST

START_TEST(owner_and_signal)
{
	struct {
		int type, pid;
	} own = {F_OWNER_PID, 19819}, own2 = {7, 5};
	char *bad = unmapped_page();

	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 4, F_SETOWN, 19819),
		    "fcntl(4, F_SETOWN, 19819)               = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, 19819, 0, 4, F_GETOWN),
		    "fcntl(4, F_GETOWN)                      = 19819\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 4, F_SETOWN, ARG(-19806L)),
		    "fcntl(4, F_SETOWN, -19806)              = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, -19806, 0, 4, F_GETOWN),
		    "fcntl(4, F_GETOWN)                      = -19806\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 4, F_SETOWN_EX, ARG(&own)),
		    "fcntl(4, F_SETOWN_EX, {type=F_OWNER_PID, pid=19819}) = 0\n");
	EXPECT_LINE(
	    CALL(SYS_fcntl, -1, EINVAL, 4, F_SETOWN_EX, ARG(&own2)),
	    "fcntl(4, F_SETOWN_EX, {type=0x7 /* F_OWNER_??? */, pid=5}) = -1 EINVAL (Invalid "
	    "argument)\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 4, F_GETOWN_EX, ARG(&own)),
		    "fcntl(4, F_GETOWN_EX, {type=F_OWNER_PID, pid=19819}) = 0\n");
	/* Decoded on exit: a failed call shows the address even when it is readable. */
	EXPECT_LINEF(CALL(SYS_fcntl, -1, EFAULT, 4, F_GETOWN_EX, ARG(&own)),
		     "-1 EFAULT (Bad address)", "fcntl(4, F_GETOWN_EX, %#lx)", ARG(&own));
	EXPECT_LINEF(CALL(SYS_fcntl, -1, EFAULT, 4, F_SETOWN_EX, ARG(bad)),
		     "-1 EFAULT (Bad address)", "fcntl(4, F_SETOWN_EX, %#lx)", ARG(bad));
	EXPECT_LINE(CALL(SYS_fcntl, -1, EFAULT, 4, F_SETOWN_EX, 0),
		    "fcntl(4, F_SETOWN_EX, NULL)             = -1 EFAULT (Bad address)\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 4, F_SETSIG, SIGUSR1),
		    "fcntl(4, F_SETSIG, SIGUSR1)             = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, 10, 0, 4, F_GETSIG),
		    "fcntl(4, F_GETSIG)                      = 10 (SIGUSR1)\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 4, F_SETSIG, 40),
		    "fcntl(4, F_SETSIG, SIGRT_8)             = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, 40, 0, 4, F_GETSIG),
		    "fcntl(4, F_GETSIG)                      = 40 (SIGRT_8)\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 4, F_SETSIG, 32),
		    "fcntl(4, F_SETSIG, SIGRTMIN)            = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, 32, 0, 4, F_GETSIG),
		    "fcntl(4, F_GETSIG)                      = 32 (SIGRTMIN)\n");
	EXPECT_LINE(CALL(SYS_fcntl, 64, 0, 4, F_GETSIG),
		    "fcntl(4, F_GETSIG)                      = 64 (SIGRT_32)\n");
	EXPECT_LINE(CALL(SYS_fcntl, -1, EINVAL, 4, F_SETSIG, 65),
		    "fcntl(4, F_SETSIG, 65)                  = -1 EINVAL (Invalid argument)\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 4, F_SETSIG, 0),
		    "fcntl(4, F_SETSIG, 0)                   = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 4, F_GETSIG),
		    "fcntl(4, F_GETSIG)                      = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, -1, EINVAL, 4, F_SETSIG, ARG(-1L)),
		    "fcntl(4, F_SETSIG, -1)                  = -1 EINVAL (Invalid argument)\n");
}
END_TEST

START_TEST(pipes_leases_notify_seals)
{
	EXPECT_LINE(CALL(SYS_fcntl, 65536, 0, 5, F_GETPIPE_SZ),
		    "fcntl(5, F_GETPIPE_SZ)                  = 65536\n");
	EXPECT_LINE(CALL(SYS_fcntl, 8192, 0, 5, F_SETPIPE_SZ, 8192),
		    "fcntl(5, F_SETPIPE_SZ, 8192)            = 8192\n");
	EXPECT_LINE(CALL(SYS_fcntl, -1, EINVAL, 5, F_SETPIPE_SZ, ARG(-5L)),
		    "fcntl(5, F_SETPIPE_SZ, -5)              = -1 EINVAL (Invalid argument)\n");
	EXPECT_LINE(CALL(SYS_fcntl, 2, 0, 3, F_GETLEASE),
		    "fcntl(3, F_GETLEASE)                    = 0x2 (F_UNLCK)\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 3, F_GETLEASE),
		    "fcntl(3, F_GETLEASE)                    = 0 (F_RDLCK)\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 3, F_SETLEASE, F_RDLCK),
		    "fcntl(3, F_SETLEASE, F_RDLCK)           = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, -1, EINVAL, 3, F_SETLEASE, 77),
		    "fcntl(3, F_SETLEASE, 0x4d /* F_??? */)  = -1 EINVAL (Invalid argument)\n");
	EXPECT_LINE(CALL(SYS_fcntl, -1, ENOTDIR, 3, F_NOTIFY, DN_MODIFY | DN_MULTISHOT),
		    "fcntl(3, F_NOTIFY, DN_MODIFY|DN_MULTISHOT) = -1 ENOTDIR (Not a directory)\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 3, F_NOTIFY, 0),
		    "fcntl(3, F_NOTIFY, 0)                   = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, -1, ENOTDIR, 3, F_NOTIFY, 0x100),
		    "fcntl(3, F_NOTIFY, 0x100 /* DN_??? */)  = -1 ENOTDIR (Not a directory)\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 7, F_GET_SEALS),
		    "fcntl(7, F_GET_SEALS)                   = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 7, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK),
		    "fcntl(7, F_ADD_SEALS, F_SEAL_SHRINK|F_SEAL_GROW) = 0\n");
	EXPECT_LINE(
	    CALL(SYS_fcntl, 6, 0, 7, F_GET_SEALS),
	    "fcntl(7, F_GET_SEALS)                   = 0x6 (seals F_SEAL_SHRINK|F_SEAL_GROW)\n");
	EXPECT_LINE(
	    CALL(SYS_fcntl, -1, EINVAL, 7, F_ADD_SEALS, 0x40),
	    "fcntl(7, F_ADD_SEALS, 0x40 /* F_SEAL_??? */) = -1 EINVAL (Invalid argument)\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 7, F_ADD_SEALS, 0),
		    "fcntl(7, F_ADD_SEALS, 0)                = 0\n");
	EXPECT_LINE(CALL(SYS_fcntl, -1, EINVAL, 3, F_GET_SEALS),
		    "fcntl(3, F_GET_SEALS)                   = -1 EINVAL (Invalid argument)\n");
}
END_TEST

START_TEST(record_locks)
{
	struct kflock fl = {F_RDLCK, SEEK_SET, 0, 10, 0};
	struct kflock unlocked = {F_UNLCK, SEEK_SET, 0, 10, 0};
	struct kflock fl3 = {F_UNLCK, SEEK_END, 1, 2, 77};
	struct kflock fl4 = {9, 9, 1, 2, 77};
	char *bad = unmapped_page();

	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 3, F_SETLK, ARG(&fl)),
		    "fcntl(3, F_SETLK, {l_type=F_RDLCK, l_whence=SEEK_SET, l_start=0, l_len=10}) = "
		    "0\n");
	EXPECT_LINE(CALL(SYS_fcntl, 0, 0, 3, F_GETLK, ARG(&unlocked)),
		    "fcntl(3, F_GETLK, {l_type=F_UNLCK, l_whence=SEEK_SET, l_start=0, l_len=10, "
		    "l_pid=0}) = 0\n");
	EXPECT_LINEF(CALL(SYS_fcntl, -1, EINVAL, 3, F_GETLK, ARG(&fl)),
		     "-1 EINVAL (Invalid argument)", "fcntl(3, F_GETLK, %#lx)", ARG(&fl));
	EXPECT_LINEF(CALL(SYS_fcntl, -1, EINVAL, 3, F_OFD_GETLK, ARG(&fl3)),
		     "-1 EINVAL (Invalid argument)", "fcntl(3, F_OFD_GETLK, %#lx)", ARG(&fl3));
	EXPECT_LINE(
	    CALL(SYS_fcntl, -1, EINVAL, 3, F_OFD_SETLK, ARG(&fl3)),
	    "fcntl(3, F_OFD_SETLK, {l_type=F_UNLCK, l_whence=SEEK_END, l_start=1, l_len=2}) "
	    "= -1 EINVAL (Invalid argument)\n");
	EXPECT_LINE(CALL(SYS_fcntl, -1, EINVAL, 3, F_SETLK, ARG(&fl4)),
		    "fcntl(3, F_SETLK, {l_type=0x9 /* F_??? */, l_whence=0x9 /* SEEK_??? */, "
		    "l_start=1, l_len=2}) = -1 EINVAL (Invalid argument)\n");
	EXPECT_LINEF(CALL(SYS_fcntl, -1, EFAULT, 3, F_GETLK, ARG(bad)), "-1 EFAULT (Bad address)",
		     "fcntl(3, F_GETLK, %#lx)", ARG(bad));
	EXPECT_LINEF(CALL(SYS_fcntl, -1, EFAULT, 3, F_SETLK, ARG(bad)), "-1 EFAULT (Bad address)",
		     "fcntl(3, F_SETLK, %#lx)", ARG(bad));
	EXPECT_LINE(CALL(SYS_fcntl, -1, EFAULT, 3, F_SETLK, 0),
		    "fcntl(3, F_SETLK, NULL)                 = -1 EFAULT (Bad address)\n");
	EXPECT_LINE(CALL(SYS_fcntl, -1, EFAULT, 3, F_OFD_GETLK, 0),
		    "fcntl(3, F_OFD_GETLK, NULL)             = -1 EFAULT (Bad address)\n");
	EXPECT_LINEF(CALL(SYS_fcntl, -1, EINVAL, 3, 12, ARG(&fl)), "-1 EINVAL (Invalid argument)",
		     "fcntl(3, F_GETLK64, %#lx)", ARG(&fl));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("strace_fcntl");
	TCase *tc = tcase_create("fcntl");

	tcase_add_test(tc, command_names);
	tcase_add_test(tc, file_status_flags);
	tcase_add_test(tc, descriptor_flags_and_dupfd);
	tcase_add_test(tc, owner_and_signal);
	tcase_add_test(tc, pipes_leases_notify_seals);
	tcase_add_test(tc, record_locks);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
