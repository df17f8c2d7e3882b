/* Unit tests for umem_read where process_vm_readv is refused (a seccomp filter, as sandboxed
 * programs install): the shim must keep reading the program's memory, not fail every call. */
#include "shim/umem.h"

#include <check.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Refuse process_vm_readv with EPERM, allow everything else (x86-64 only, as the shim). */
static int refuse_process_vm_readv(void)
{
	struct sock_filter code[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_process_vm_readv, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof(code) / sizeof(code[0]), code};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

START_TEST(test_reads_heap_and_detects_unmapped)
{
	char *heap = malloc(64), out[64];
	void *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_nonnull(heap);
	memset(heap, 'h', 64);
	ck_assert_int_eq(umem_read(out, heap, 64), 0);
	ck_assert_int_eq(memcmp(out, heap, 64), 0);
	munmap(page, 4096);
	ck_assert_int_eq(umem_read(out, page, 16), -1); /* EFAULT, no crash */
	free(heap);
}
END_TEST

START_TEST(test_refused_process_vm_readv_reads_directly)
{
	char *heap = malloc(64), out[64];

	ck_assert_ptr_nonnull(heap);
	memset(heap, 'x', 64);
	ck_assert_int_eq(refuse_process_vm_readv(), 0);
	errno = 0;
	ck_assert_int_eq(syscall(SYS_process_vm_readv, 0, NULL, 0, NULL, 0, 0), -1);
	ck_assert_int_eq(errno, EPERM); /* the filter is in place */
	memset(out, 0, sizeof(out));
	ck_assert_int_eq(umem_read(out, heap, 64), 0);
	ck_assert_int_eq(memcmp(out, heap, 64), 0);
	free(heap);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("umem");
	TCase *tc = tcase_create("read");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_reads_heap_and_detects_unmapped);
	tcase_add_test(tc, test_refused_process_vm_readv_reads_directly);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_FORK); /* the seccomp filter stays in its test's process */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
