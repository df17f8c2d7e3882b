/* sbuf (growth from caller storage to the heap, truncation) and umem (reads that never fault). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shim/sbuf.h"
#include "shim/umem.h"

START_TEST(sbuf_starts_in_caller_storage)
{
	char mem[16];
	struct sbuf b;

	sbuf_init(&b, mem, sizeof(mem));
	ck_assert_ptr_eq(b.p, mem);
	ck_assert_str_eq(b.p, "");
	sbuf_puts(&b, "abc");
	sbuf_putc(&b, 'd');
	sbuf_putn(&b, "efgh", 2);
	sbuf_printf(&b, "%d-%s", 42, "x");
	ck_assert_str_eq(b.p, "abcdef42-x");
	ck_assert_uint_eq(b.len, 10);
	ck_assert_ptr_eq(b.p, mem);
	ck_assert_int_eq(b.on_heap, 0);
	ck_assert_int_eq(b.truncated, 0);
	sbuf_release(&b);
}
END_TEST

START_TEST(sbuf_fills_caller_storage_exactly)
{
	char mem[4];
	struct sbuf b;

	sbuf_init(&b, mem, sizeof(mem));
	sbuf_puts(&b, "abc");
	ck_assert_ptr_eq(b.p, mem);
	sbuf_putc(&b, 'd');
	ck_assert_int_eq(b.on_heap, 1);
	ck_assert_str_eq(b.p, "abcd");
	sbuf_release(&b);
}
END_TEST

START_TEST(sbuf_moves_to_heap_and_keeps_text)
{
	char mem[8];
	struct sbuf b;
	char want[3001];

	sbuf_init(&b, mem, sizeof(mem));
	for (int i = 0; i < 3000; i++) {
		sbuf_putc(&b, (char)('a' + i % 26));
		want[i] = (char)('a' + i % 26);
	}
	want[3000] = '\0';
	ck_assert_int_eq(b.on_heap, 1);
	ck_assert_ptr_ne(b.p, mem);
	ck_assert_uint_eq(b.len, 3000);
	ck_assert_uint_gt(b.cap, 3000);
	ck_assert_str_eq(b.p, want);
	ck_assert_int_eq(b.truncated, 0);
	sbuf_release(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(b.on_heap, 0);
}
END_TEST

START_TEST(sbuf_printf_longer_than_its_scratch)
{
	char mem[8];
	struct sbuf b;
	char big[1000];

	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sbuf_init(&b, mem, sizeof(mem));
	sbuf_puts(&b, "<");
	sbuf_printf(&b, "%s|%d", big, 7);
	ck_assert_uint_eq(b.len, 1 + 999 + 2);
	ck_assert_int_eq(memcmp(b.p, "<zzz", 4), 0);
	ck_assert_str_eq(b.p + 1000, "|7");
	sbuf_release(&b);
}
END_TEST

START_TEST(sbuf_without_storage)
{
	struct sbuf b;

	sbuf_init(&b, NULL, 0);
	ck_assert_str_eq(b.p, "");
	sbuf_puts(&b, "hello");
	ck_assert_str_eq(b.p, "hello");
	ck_assert_int_eq(b.on_heap, 1);
	sbuf_release(&b);
	ck_assert_str_eq(b.p, "");
}
END_TEST

START_TEST(sbuf_truncates_when_memory_runs_out)
{
	char mem[8];
	struct sbuf b;

	sbuf_init(&b, mem, sizeof(mem));
	sbuf_puts(&b, "abc");
	/* A size no allocation can satisfy: what fits is kept, the rest is cut. */
	sbuf_putn(&b, "0123456789", SIZE_MAX / 2);
	ck_assert_int_eq(b.truncated, 1);
	ck_assert_str_eq(b.p, "abc0123");
	ck_assert_uint_eq(b.len, 7);
	/* Once cut, the text stays a prefix of what was appended. */
	sbuf_puts(&b, "more");
	sbuf_printf(&b, "%d", 1);
	ck_assert_str_eq(b.p, "abc0123");
	sbuf_release(&b);
}
END_TEST

START_TEST(umem_reads_good_memory)
{
	const char src[] = "some bytes";
	char dst[sizeof(src)] = {0};

	ck_assert_int_eq(umem_read(dst, src, sizeof(src)), 0);
	ck_assert_str_eq(dst, src);
	ck_assert_int_eq(umem_read(dst, src, 0), 0);
	ck_assert_int_eq(umem_read(dst, NULL, 0), 0);
}
END_TEST

START_TEST(umem_fails_on_unmapped_memory)
{
	char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char dst[16];

	ck_assert_ptr_ne(p, MAP_FAILED);
	munmap(p, 4096);
	ck_assert_int_eq(umem_read(dst, p, 1), -1);
	ck_assert_int_eq(umem_read(dst, NULL, 4), -1);
	ck_assert_int_eq(umem_read(dst, (void *)UINTPTR_MAX, 4), -1);
	ck_assert_uint_eq(umem_read_partial(dst, p, sizeof(dst)), 0);
}
END_TEST

START_TEST(umem_stops_at_the_first_unreadable_page)
{
	const long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char dst[64];

	ck_assert_ptr_ne(p, MAP_FAILED);
	munmap(p + page, page);
	char *tail = p + page - 10;
	memcpy(tail, "0123456789", 10);
	/* All or nothing. */
	ck_assert_int_eq(umem_read(dst, tail, 11), -1);
	ck_assert_int_eq(umem_read(dst, tail, 10), 0);
	/* Up to the hole. */
	memset(dst, 0, sizeof(dst));
	ck_assert_uint_eq(umem_read_partial(dst, tail, sizeof(dst)), 10);
	ck_assert_int_eq(memcmp(dst, "0123456789", 10), 0);
	ck_assert_uint_eq(umem_read_partial(dst, tail + 2, 5), 5);
	ck_assert_int_eq(memcmp(dst, "23456", 5), 0);
	/* Across several readable pages. */
	char *q = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(q, MAP_FAILED);
	memset(q, 'q', 3 * page);
	char *big = malloc(3 * page);
	ck_assert_uint_eq(umem_read_partial(big, q + 1, 3 * page - 1), (size_t)(3 * page - 1));
	ck_assert_int_eq(big[3 * page - 2], 'q');
	free(big);
	munmap(q, 3 * page);
	munmap(p, page);
}
END_TEST

static Suite *sbuf_suite(void)
{
	Suite *s = suite_create("sbuf");
	TCase *tc = tcase_create("sbuf");

	tcase_add_test(tc, sbuf_starts_in_caller_storage);
	tcase_add_test(tc, sbuf_fills_caller_storage_exactly);
	tcase_add_test(tc, sbuf_moves_to_heap_and_keeps_text);
	tcase_add_test(tc, sbuf_printf_longer_than_its_scratch);
	tcase_add_test(tc, sbuf_without_storage);
	tcase_add_test(tc, sbuf_truncates_when_memory_runs_out);
	suite_add_tcase(s, tc);

	tc = tcase_create("umem");
	tcase_add_test(tc, umem_reads_good_memory);
	tcase_add_test(tc, umem_fails_on_unmapped_memory);
	tcase_add_test(tc, umem_stops_at_the_first_unreadable_page);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sbuf_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
