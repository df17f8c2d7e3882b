/* Unit tests for ucopy and the fault handler (src/core/ucopy.c, src/core/fault.c): copies of
 * every size that stop at an unreadable or unwritable byte and say how much is left; the inline
 * loads; umem_read on memory made PROT_NONE after a successful read (no stale shortcut), on a
 * page of the caller's own stack and on a SIGBUS page; and faults outside ucopy going to the
 * program's own handler, its default action or a blocked signal's forced default, as without the
 * shim. Each test runs in its own process (the handler is installed per process). */
#include "shim/fault.h"
#include "shim/ucopy.h"
#include "shim/umem.h"

#include <check.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096

/* two pages: the first read-write, the second as prot */
static char *two_pages(int prot)
{
	char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(p, MAP_FAILED);
	for (int i = 0; i < PG; i++)
		p[i] = (char)(i * 7);
	ck_assert_int_eq(mprotect(p + PG, PG, prot), 0);
	return p;
}

START_TEST(test_copy_sizes_stop_at_fault)
{
	char *p, dst[2 * PG];

	ck_assert_int_eq(fault_handler_install(), 0);
	ck_assert(umem_fault_safe());
	p = two_pages(PROT_NONE);
	/* every length up to 600 ending k bytes into the unreadable page: k bytes left (the word
	 * loop may leave up to 7 more), and the readable ones copied */
	for (size_t n = 1; n <= 600; n++) {
		for (size_t k = 0; k <= 9 && k <= n; k++) {
			const char *src = p + PG - (n - k);
			size_t left;

			memset(dst, 0, n);
			left = ucopy(dst, src, n);
			if (k == 0) {
				ck_assert_uint_eq(left, 0);
				ck_assert_int_eq(memcmp(dst, src, n), 0);
			} else {
				ck_assert_uint_ge(left, k);
				ck_assert_uint_le(left, k + 7 < n ? k + 7 : n);
				ck_assert_int_eq(memcmp(dst, src, n - left), 0);
			}
		}
	}
	/* writing into a read-only page stops there too */
	ck_assert_int_eq(mprotect(p + PG, PG, PROT_READ), 0);
	ck_assert_uint_gt(ucopy(p + PG - 4, dst, 8), 0);
	ck_assert_uint_eq(ucopy(p + PG - 8, dst, 8), 0);
	ck_assert_uint_eq(ucopy(dst, NULL, 16), 16);
}
END_TEST

START_TEST(test_inline_loads_and_touch)
{
	char *p = two_pages(PROT_READ);
	uint64_t v = 0;
	char buf[64];

	ck_assert_int_eq(fault_handler_install(), 0);
	ck_assert_int_eq(ucopy_load8(&v, p + 8), 0);
	ck_assert_int_eq(memcmp(&v, p + 8, 8), 0);
	ck_assert_int_eq(ucopy_load8(&v, (void *)0x1000), 1);
	ck_assert_int_eq(ucopy_load8(&v, (void *)0x8000000000000000UL), 1); /* non-canonical */
	ck_assert_int_eq(ucopy_load_words(buf, p + 64, 56), 0);
	ck_assert_int_eq(memcmp(buf, p + 64, 56), 0);
	ck_assert_int_eq(ucopy_touch4(p + PG - 4), 0);
	ck_assert_int_eq(ucopy_touch4(p + PG), 1); /* read-only: the store faults */
	ck_assert_int_eq(umem_writable4(p + PG), 0);
	ck_assert_int_eq(umem_writable4(p), 1);
	ck_assert_int_eq(mprotect(p + PG, PG, PROT_NONE), 0);
	ck_assert_int_eq(ucopy_load_words(buf, p + PG - 16, 24), 1);
}
END_TEST

/* A read that worked says nothing about the next one: mprotect in between. */
START_TEST(test_protection_changed_after_use)
{
	char *p = two_pages(PROT_READ | PROT_WRITE), dst[16];

	ck_assert_int_eq(fault_handler_install(), 0);
	ck_assert_int_eq(umem_read(dst, p + PG, 16), 0);
	ck_assert_int_eq(umem_read_inline(dst, p + PG, 16), 0);
	ck_assert_int_eq(mprotect(p + PG, PG, PROT_NONE), 0);
	ck_assert_int_eq(umem_read(dst, p + PG, 16), -1);
	ck_assert_int_eq(umem_read_inline(dst, p + PG, 16), -1);
	ck_assert_uint_eq(umem_read_partial(dst, p + PG - 8, 16), 8);
	munmap(p + PG, PG);
	ck_assert_int_eq(umem_read(dst, p + PG, 16), -1);
}
END_TEST

/* A page of this thread's own stack, above the current frame, made PROT_NONE. */
static __attribute__((noinline)) int read_from(const void *src)
{
	char dst[16];

	return umem_read_inline(dst, src, 16) + umem_read(dst, src, 16);
}

START_TEST(test_own_stack_page)
{
	char area[3 * PG];
	char *page = (char *)(((uintptr_t)area + PG - 1) & ~(uintptr_t)(PG - 1));

	ck_assert_int_eq(fault_handler_install(), 0);
	memset(page, 1, 16);
	ck_assert_int_eq(read_from(page), 0);
	ck_assert_int_eq(mprotect(page, PG, PROT_NONE), 0);
	ck_assert_int_eq(read_from(page), -2);
	ck_assert_int_eq(mprotect(page, PG, PROT_READ | PROT_WRITE), 0);
	__asm__ volatile("" : : "r"(area) : "memory");
}
END_TEST

START_TEST(test_sigbus_page)
{
	char path[] = "/tmp/check_ucopy.XXXXXX", dst[16];
	int fd = mkstemp(path);
	char *p;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, PG), 0);
	p = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	unlink(path);
	ck_assert_ptr_ne(p, MAP_FAILED);
	ck_assert_int_eq(fault_handler_install(), 0);
	ck_assert_int_eq(umem_read(dst, p, 16), 0);
	ck_assert_int_eq(umem_read(dst, p + PG, 16), -1);
	ck_assert_int_eq(umem_read_inline(dst, p + PG, 16), -1);
}
END_TEST

/* The program's own handler: recorded, reported back, and called for its own faults only. */
static sigjmp_buf jb;
static volatile int calls, inner_read = 7;
static void *volatile fault_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	char dst[8];

	(void)uc;
	ck_assert_int_eq(sig, SIGSEGV);
	calls++;
	fault_addr = si->si_addr;
	/* SIGSEGV is blocked here: a ucopy fault would end the process, the shim reads otherwise */
	inner_read = umem_read(dst, (void *)0x1000, sizeof(dst));
	siglongjmp(jb, 1);
}

START_TEST(test_program_handler_chained)
{
	struct sigaction sa, old, before;
	char dst[16];

	/* what was there (a sanitizer's handler, or the default) is the program's from now on */
	ck_assert_int_eq(sigaction(SIGSEGV, NULL, &before), 0);
	ck_assert_int_eq(fault_handler_install(), 0);
	ck_assert_int_eq(fault_sigaction(SIGSEGV, NULL, &old), 0);
	ck_assert_ptr_eq((void *)old.sa_handler, (void *)before.sa_handler);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	ck_assert_int_eq(fault_sigaction(SIGSEGV, &sa, &old), 0);
	ck_assert_ptr_eq((void *)old.sa_handler, (void *)before.sa_handler);
	ck_assert_int_eq(fault_sigaction(SIGSEGV, NULL, &old), 0);
	ck_assert_ptr_eq((void *)old.sa_sigaction, (void *)on_segv);
	ck_assert(umem_fault_safe());
	ck_assert_int_eq(umem_read(dst, (void *)0x1000, 16), -1);
	ck_assert_int_eq(calls, 0);
	if (sigsetjmp(jb, 1) == 0)
		*(volatile int *)0x1000 = 1;
	ck_assert_int_eq(calls, 1);
	ck_assert_ptr_eq(fault_addr, (void *)0x1000);
	ck_assert_int_eq(inner_read, -1);
	/* left by siglongjmp: the next read asks the mask once and goes back to ucopy */
	ck_assert(!umem_fault_safe());
	ck_assert_int_eq(umem_read(dst, (void *)0x1000, 16), -1);
	ck_assert(umem_fault_safe());
	ck_assert_int_eq(calls, 1);
}
END_TEST

/* How a child that faults on purpose ends, with the shim's handler installed. */
static int child_fault(int block, int ignore)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		struct sigaction sa;
		char dst[16];

		if (fault_handler_install() != 0)
			_exit(10);
		/* the program sets the default (a sanitizer may have had its own handler there) */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		fault_sigaction(SIGSEGV, &sa, NULL);
		if (ignore) {
			sa.sa_handler = SIG_IGN;
			fault_sigaction(SIGSEGV, &sa, NULL);
			raise(SIGSEGV);
			/* no handler in the kernel now: umem falls back to process_vm_readv */
			_exit(umem_read(dst, (void *)0x1000, 16) == -1 ? 7 : 8);
		}
		if (block) {
			sigset_t s;

			sigemptyset(&s);
			sigaddset(&s, SIGSEGV);
			fault_sigmask(SIG_BLOCK, &s, NULL);
			/* the kernel does not block it: a copy fault is still an error */
			if (umem_read(dst, (void *)0x1000, 16) != -1)
				_exit(9);
		}
		*(volatile int *)0x1000 = 1;
		_exit(3);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return st;
}

START_TEST(test_default_action_kept)
{
	int st = child_fault(0, 0);

	ck_assert(WIFSIGNALED(st));
	ck_assert_int_eq(WTERMSIG(st), SIGSEGV);
	st = child_fault(1, 0);
	ck_assert(WIFSIGNALED(st));
	ck_assert_int_eq(WTERMSIG(st), SIGSEGV);
	st = child_fault(0, 1);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 7);
}
END_TEST

/* The parts readers and the msg_len writer. */
START_TEST(test_parts)
{
	char *p = two_pages(PROT_READ);
	char a[8], b[8];
	unsigned lens[2] = {11, 22};
	struct iovec local[2] = {{a, 8}, {b, 8}};
	struct iovec remote[2] = {{p, 8}, {p + PG - 8, 8}};
	struct iovec wl = {lens, sizeof(lens)};
	struct iovec wr[2] = {{p, 4}, {p + PG, 4}};

	ck_assert_int_eq(fault_handler_install(), 0);
	ck_assert_int_eq(umem_read_parts(local, 2, remote, 2), 16);
	remote[1].iov_base = (void *)0x1000;
	ck_assert_int_eq(umem_read_parts(local, 2, remote, 2), 8);
	/* the first part written, the second on the read-only page is not */
	ck_assert_int_eq(umem_write_parts(&wl, wr, 2), 4);
	ck_assert_int_eq(*(unsigned *)p, 11);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ucopy");
	TCase *tc = tcase_create("ucopy");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_copy_sizes_stop_at_fault);
	tcase_add_test(tc, test_inline_loads_and_touch);
	tcase_add_test(tc, test_protection_changed_after_use);
	tcase_add_test(tc, test_own_stack_page);
	tcase_add_test(tc, test_sigbus_page);
	tcase_add_test(tc, test_program_handler_chained);
	tcase_add_test(tc, test_default_action_kept);
	tcase_add_test(tc, test_parts);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_FORK); /* the handler is installed in each test's process */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
