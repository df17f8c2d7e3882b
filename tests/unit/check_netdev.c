/* The device stack (include/shim/netdev.h) on the in-memory device: what the stack is made of, the
 * frame counter wrapper, and the fault injector's answers (SHIM_FAULT rules, include/shim/
 * xmit_fault.h) for single frames and batches. No root, no namespace. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "shim/dev.h"
#include "shim/dev_fault.h"
#include "shim/dev_mem.h"
#include "shim/netdev.h"
#include "shim/stats.h"
#include "shim/xmit_fault.h"

/* A stack of mem (+ counters, + fault with spec when it is not NULL). */
static void stack(const char *spec)
{
	struct xmit_fault_rules r;
	char why[160];

	dev_mem_reset();
	if (spec != NULL) {
		ck_assert_int_eq(xmit_fault_parse(spec, &r, why, sizeof(why)), 0);
		dev_fault_configure(&r);
	}
	netdev_stack_build(
	    &(struct netdev_stack_conf){.bottom = &netdev_mem, .fault = spec != NULL});
}

/* Frame k: 16 bytes of k. */
static uint8_t frame_bytes[64][16];
static struct iovec frame_iov[64];
static struct iovec *frame_ptr[64];
static int frame_cnt[64];

static void frames_init(void)
{
	for (int k = 0; k < 64; k++) {
		memset(frame_bytes[k], k, sizeof(frame_bytes[k]));
		frame_iov[k] = (struct iovec){frame_bytes[k], sizeof(frame_bytes[k])};
		frame_ptr[k] = &frame_iov[k];
		frame_cnt[k] = 1;
	}
}

static int xmit1(int k, int dontwait)
{
	return dev_xmit(7, &frame_iov[k], 1, NULL, dontwait);
}

/* The byte that marks the i-th frame the memory device holds. */
static int held(int i)
{
	const struct dev_mem_frame *f = dev_mem_frame(i);

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->len, 16);
	return f->data[0];
}

START_TEST(stack_order)
{
	char buf[128];

	netdev_stack_build(&(struct netdev_stack_conf){
	    .bottom = &netdev_packet, .ring = true, .coalesce = true, .pcap = true, .fault = true});
	netdev_stack_describe(buf, sizeof(buf));
	ck_assert_str_eq(buf, "fault > pcap > counters > coalesce > ring > packet");
	ck_assert(!netdev_plain);
	ck_assert(netdev_wants_flow);
	netdev_stack_build(&(struct netdev_stack_conf){.bottom = &netdev_packet, .ring = true});
	netdev_stack_describe(buf, sizeof(buf));
	ck_assert_str_eq(buf, "counters > ring > packet");
	ck_assert(netdev_plain); /* the fast path's inlined transmit is this stack */
	ck_assert(!netdev_wants_flow);
	stack(NULL);
	netdev_stack_describe(buf, sizeof(buf));
	ck_assert_str_eq(buf, "counters > mem");
	ck_assert(!netdev_plain);
}
END_TEST

START_TEST(mem_and_counters)
{
	uint64_t before = stats_get(STAT_FRAMES_SENT);
	struct dev_meta m[2] = {{.segs = 3}, {.segs = 1}};
	const struct dev_mem_frame *f;

	frames_init();
	stack(NULL);
	ck_assert_int_eq(xmit1(5, 0), 0);
	ck_assert_int_eq(dev_xmit(9, &frame_iov[6], 1, &m[0], 1), 0);
	ck_assert_int_eq(dev_xmit_batch(7, frame_ptr + 1, frame_cnt, NULL, 3, 0), 3);
	ck_assert_int_eq(dev_xmit_batch(7, frame_ptr + 1, frame_cnt, m, 2, 0), 2);
	ck_assert_int_eq(dev_mem_count(), 7);
	ck_assert_int_eq(held(0), 5);
	f = dev_mem_frame(1);
	ck_assert_int_eq(f->ifindex, 9);
	ck_assert(f->dontwait);
	ck_assert(f->has_meta);
	ck_assert_uint_eq(f->meta.segs, 3);
	ck_assert_int_eq(held(2), 1);
	ck_assert_int_eq(held(4), 3);
	/* 1 + 3 (a frame that becomes three) + 3 + (3 + 1) */
	ck_assert_uint_eq(stats_get(STAT_FRAMES_SENT) - before, 11);
	/* an unreadable payload: EFAULT, nothing held, nothing counted */
	{
		struct iovec bad[2] = {{frame_bytes[0], 16}, {(void *)16, 100}};

		before = stats_get(STAT_FRAMES_SENT);
		ck_assert_int_eq(dev_xmit(7, bad, 2, NULL, 0), -EFAULT);
		ck_assert_int_eq(dev_mem_count(), 7);
		ck_assert_uint_eq(stats_get(STAT_FRAMES_SENT), before);
	}
}
END_TEST

START_TEST(fault_parse)
{
	struct xmit_fault_rules r;
	char why[160];

	ck_assert_int_eq(
	    xmit_fault_parse("enobufs@3,eagain@5-7,down@10,short@2+,enxio@*", &r, why, sizeof(why)),
	    0);
	ck_assert_int_eq(r.n, 5);
	ck_assert_int_eq(r.rule[0].err, ENOBUFS);
	ck_assert_uint_eq(r.rule[0].from, 3);
	ck_assert_uint_eq(r.rule[0].to, 3);
	ck_assert_uint_eq(r.rule[1].to, 7);
	ck_assert_int_eq(r.rule[2].kind, XMIT_FAULT_DOWN);
	ck_assert_uint_eq(r.rule[2].to, UINT64_MAX);
	ck_assert_int_eq(r.rule[3].kind, XMIT_FAULT_SHORT);
	ck_assert_uint_eq(r.rule[4].from, 1);
	ck_assert_ptr_eq(xmit_fault_match(&r, 3), &r.rule[0]);
	ck_assert_ptr_eq(xmit_fault_match(&r, 2), &r.rule[3]);
	ck_assert_ptr_null(xmit_fault_match(&(struct xmit_fault_rules){0}, 1));
	const char *bad[] = {"enobufs",	    "enobufs@0", "enobufs@",  "nosuch@1",
			     "enobufs@5-3", "eagain@1x", "eagain@1,", "a@1,b@2"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(xmit_fault_parse(bad[i], &r, why, sizeof(why)) == -EINVAL, "%s",
			      bad[i]);
		ck_assert_int_eq(r.n, 0);
		ck_assert(why[0] != '\0');
	}
	ck_assert_int_eq(xmit_fault_parse("", &r, why, sizeof(why)), 0);
	ck_assert_int_eq(r.n, 0);
}
END_TEST

START_TEST(fault_single)
{
	uint64_t before;

	frames_init();
	stack("enobufs@2,enetdown@3,eagain@4-5,emsgsize@6,enxio@8");
	before = stats_get(STAT_FRAMES_SENT);
	ck_assert_int_eq(xmit1(1, 0), 0);
	ck_assert_int_eq(xmit1(2, 0), -ENOBUFS);
	ck_assert_int_eq(xmit1(3, 0), -ENETDOWN);
	ck_assert_int_eq(xmit1(4, 1), -EAGAIN);
	ck_assert_int_eq(xmit1(5, 0), 0); /* blocking: it would wait for room, then go */
	ck_assert_int_eq(xmit1(6, 1), -EMSGSIZE);
	ck_assert_int_eq(xmit1(7, 1), 0);
	ck_assert_int_eq(xmit1(8, 1), -ENXIO);
	ck_assert_int_eq(xmit1(9, 1), 0);
	/* what failed was neither sent nor counted */
	ck_assert_int_eq(dev_mem_count(), 4);
	ck_assert_int_eq(held(0), 1);
	ck_assert_int_eq(held(1), 5);
	ck_assert_int_eq(held(2), 7);
	ck_assert_int_eq(held(3), 9);
	ck_assert_uint_eq(stats_get(STAT_FRAMES_SENT) - before, 4);
	ck_assert_uint_eq(dev_fault_frames(), 9);
	ck_assert_uint_eq(dev_fault_injected(), 5);
}
END_TEST

/* The link goes down at the 4th frame, in the middle of a batch of 6: the batch reports the 3
 * frames before it; the rest answer ENETDOWN, as batches and as single frames. */
START_TEST(fault_down_mid_batch)
{
	frames_init();
	stack("down@4");
	ck_assert_int_eq(dev_xmit_batch(7, frame_ptr, frame_cnt, NULL, 6, 0), 3);
	ck_assert_int_eq(dev_xmit_batch(7, frame_ptr + 3, frame_cnt, NULL, 3, 0), -ENETDOWN);
	ck_assert_int_eq(dev_xmit_batch(7, frame_ptr + 4, frame_cnt, NULL, 2, 0), -ENETDOWN);
	ck_assert_int_eq(xmit1(5, 0), -ENETDOWN);
	ck_assert_int_eq(dev_mem_count(), 3);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(held(i), i);
}
END_TEST

/* ENOBUFS for the 3rd frame of a batch: the two before it go, then it answers ENOBUFS when it
 * comes first, and the ones after it go. */
START_TEST(fault_batch_error_and_short)
{
	frames_init();
	stack("enobufs@3,short@6");
	ck_assert_int_eq(dev_xmit_batch(7, frame_ptr, frame_cnt, NULL, 5, 1), 2);
	ck_assert_int_eq(dev_xmit_batch(7, frame_ptr + 2, frame_cnt, NULL, 3, 1), -ENOBUFS);
	/* frames 3, 4 are numbers 4, 5; the 6th ends the batch before it, without an error */
	ck_assert_int_eq(dev_xmit_batch(7, frame_ptr + 3, frame_cnt, NULL, 4, 1), 2);
	/* first in its batch, it goes */
	ck_assert_int_eq(dev_xmit_batch(7, frame_ptr + 5, frame_cnt, NULL, 2, 1), 2);
	ck_assert_int_eq(dev_mem_count(), 6);
	ck_assert_int_eq(held(0), 0);
	ck_assert_int_eq(held(1), 1);
	ck_assert_int_eq(held(2), 3);
	ck_assert_int_eq(held(3), 4);
	ck_assert_int_eq(held(4), 5);
	ck_assert_int_eq(held(5), 6);
	ck_assert_uint_eq(dev_fault_injected(), 2);
	/* EAGAIN only for a non-blocking batch */
	stack("eagain@2");
	ck_assert_int_eq(dev_xmit_batch(7, frame_ptr, frame_cnt, NULL, 3, 0), 3);
	stack("eagain@2");
	ck_assert_int_eq(dev_xmit_batch(7, frame_ptr, frame_cnt, NULL, 3, 1), 1);
	ck_assert_int_eq(dev_xmit_batch(7, frame_ptr + 1, frame_cnt, NULL, 2, 1), -EAGAIN);
}
END_TEST

static long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* slow@N: the transmit holding frame N waits XMIT_FAULT_SLOW_MS, then sends it (no error); the
 * others are not slowed */
START_TEST(fault_slow)
{
	struct xmit_fault_rules r;
	char why[160];
	long long t0;

	ck_assert_int_eq(xmit_fault_parse("slow@2", &r, why, sizeof(why)), 0);
	ck_assert_int_eq(r.rule[0].kind, XMIT_FAULT_SLOW);
	frames_init();
	stack("slow@2");
	t0 = monotonic_ms();
	ck_assert_int_eq(xmit1(0, 0), 0);
	ck_assert_int_lt(monotonic_ms() - t0, XMIT_FAULT_SLOW_MS);
	t0 = monotonic_ms();
	ck_assert_int_eq(dev_xmit_batch(7, frame_ptr + 1, frame_cnt, NULL, 3, 0), 3);
	ck_assert_int_ge(monotonic_ms() - t0, XMIT_FAULT_SLOW_MS);
	ck_assert_int_eq(dev_mem_count(), 4);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(held(i), i);
	ck_assert_uint_eq(dev_fault_injected(), 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("netdev");
	TCase *tc = tcase_create("stack");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, stack_order);
	tcase_add_test(tc, mem_and_counters);
	suite_add_tcase(s, tc);
	tc = tcase_create("fault");
	tcase_add_test(tc, fault_parse);
	tcase_add_test(tc, fault_single);
	tcase_add_test(tc, fault_down_mid_batch);
	tcase_add_test(tc, fault_batch_error_and_short);
	tcase_add_test(tc, fault_slow);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
