/* The neighbour queue (src/route/neigh_queue.c, the shim's arp_queue) onto the in-memory device:
 * datagrams wait per next hop, leave in the order they came with the resolved MAC when the entry
 * becomes usable, are dropped when it fails, and the oldest go first when a next hop's queue
 * passes unres_qlen_bytes. The kernel's part (resolution, lookup) is the test's. No root, no
 * namespace. */
#include <check.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <sys/socket.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "shim/dev_mem.h"
#include "shim/frame_set.h"
#include "shim/neigh_queue.h"
#include "shim/netdev.h"
#include "shim/shim_alloc.h"
#include "shim/stats.h"

static const struct shim_addr hop_a = {.family = AF_INET, .v4 = 0x0100000a}; /* 10.0.0.1 */
static const struct shim_addr hop_b = {.family = AF_INET, .v4 = 0x0200000a};
#define HOP_A (&hop_a)
#define HOP_B (&hop_b)

static int resolves, resolve_answer;

static int test_resolve(int ifindex, const struct shim_addr *ip)
{
	(void)ifindex;
	(void)ip;
	resolves++;
	return resolve_answer;
}

static int test_lookup(int ifindex, const struct shim_addr *ip, uint8_t mac[6])
{
	(void)ifindex;
	(void)ip;
	(void)mac;
	return -ENOENT; /* still resolving */
}

static const struct neigh_queue_kernel test_kernel = {test_resolve, test_lookup};

static void setup(void)
{
	dev_mem_reset();
	netdev_stack_build(&(struct netdev_stack_conf){.bottom = &netdev_mem});
	neigh_queue_set_kernel(&test_kernel);
	neigh_queue_forget();
	resolves = 0;
	resolve_answer = 0;
}

/* A datagram of nframes frames of size bytes each; byte 20 of frame i is tag + i. */
static void queue(int ifindex, const struct shim_addr *hop, int tag, int nframes, size_t size)
{
	struct frame_set fs;

	ck_assert_ptr_nonnull(frame_set_alloc(&fs, (unsigned)nframes, (size_t)nframes * size));
	for (int i = 0; i <= nframes; i++)
		fs.off[i] = (size_t)i * size;
	for (int i = 0; i < nframes; i++) {
		memset(fs.buf + fs.off[i], 0, size);
		fs.buf[fs.off[i] + 20] = (uint8_t)(tag + i);
	}
	ck_assert_int_eq(neigh_queue_frames(ifindex, hop, &fs, false), 0);
	ck_assert_ptr_null(fs.buf); /* the queue's now */
}

static int tag_of(int i)
{
	return dev_mem_frame(i)->data[20];
}

START_TEST(order_and_mac)
{
	static const uint8_t mac_a[6] = {2, 0, 0, 0, 0, 0xa};

	setup();
	queue(4, HOP_A, 10, 1, 100);
	queue(4, HOP_B, 50, 1, 100);
	queue(4, HOP_A, 20, 3, 100); /* a fragmented one */
	queue(4, HOP_A, 30, 1, 100);
	ck_assert_int_eq(resolves, 4);
	ck_assert(neigh_queue_waiting(4, HOP_A));
	ck_assert(!neigh_queue_waiting(5, HOP_A));
	ck_assert_int_eq(dev_mem_count(), 0);
	/* still incomplete: nothing moves */
	neigh_queue_update(4, HOP_A, NUD_INCOMPLETE, NULL);
	ck_assert_int_eq(dev_mem_count(), 0);
	neigh_queue_update(4, HOP_A, NUD_REACHABLE, mac_a);
	ck_assert_int_eq(dev_mem_count(), 5);
	ck_assert_int_eq(tag_of(0), 10);
	ck_assert_int_eq(tag_of(1), 20);
	ck_assert_int_eq(tag_of(2), 21);
	ck_assert_int_eq(tag_of(3), 22);
	ck_assert_int_eq(tag_of(4), 30);
	for (int i = 0; i < 5; i++) {
		ck_assert_mem_eq(dev_mem_frame(i)->data + FRAME_DST_MAC_OFF, mac_a, 6);
		ck_assert_int_eq(dev_mem_frame(i)->ifindex, 4);
	}
	ck_assert(!neigh_queue_waiting(4, HOP_A));
	ck_assert(neigh_queue_waiting(4, HOP_B));
	ck_assert(!neigh_queue_idle());
}
END_TEST

START_TEST(failed_is_dropped)
{
	uint64_t drops;

	setup();
	queue(4, HOP_B, 50, 1, 100);
	queue(4, HOP_B, 60, 2, 100);
	drops = stats_get(STAT_NEIGH_QUEUE_DROP);
	neigh_queue_update(4, HOP_B, NUD_FAILED, NULL);
	ck_assert_int_eq(dev_mem_count(), 0);
	ck_assert_uint_eq(stats_get(STAT_NEIGH_QUEUE_DROP) - drops, 2);
	ck_assert(neigh_queue_idle());
}
END_TEST

static long long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000LL + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* A hand-off waits for a young queue (up to the bound), not for one whose datagrams have waited
 * the bound already, and returns at once when the queue is empty. */
START_TEST(wait_young_bounded)
{
	struct timespec t0, pause = {0, 250 * 1000000L};

	setup();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert(neigh_queue_wait_young(200));
	ck_assert_int_lt(elapsed_ms(&t0), 100);
	queue(4, HOP_A, 10, 1, 100);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert(!neigh_queue_wait_young(200));
	ck_assert_int_ge(elapsed_ms(&t0), 195);
	nanosleep(&pause, NULL);
	/* queued 450 ms ago: not waited for again */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert(!neigh_queue_wait_young(200));
	ck_assert_int_lt(elapsed_ms(&t0), 100);
	/* a new datagram for the slow neighbour: young again */
	queue(4, HOP_A, 20, 1, 100);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert(!neigh_queue_wait_young(200));
	ck_assert_int_ge(elapsed_ms(&t0), 195);
}
END_TEST

/* unres_qlen_bytes (212992): each entry is charged its bytes + 768 per frame; over the limit the
 * oldest datagrams of that next hop are dropped, the other next hop's stay. */
START_TEST(overflow_drops_oldest)
{
	static const uint8_t mac[6] = {2, 0, 0, 0, 0, 0xb};
	uint64_t drops;
	int n;

	setup();
	queue(4, HOP_B, 200, 1, 1000);
	drops = stats_get(STAT_NEIGH_QUEUE_DROP);
	/* 1500 + 768 = 2268 bytes each: 93 fit in 212992 */
	for (int i = 0; i < 100; i++)
		queue(4, HOP_A, i, 1, 1500);
	ck_assert_uint_eq(stats_get(STAT_NEIGH_QUEUE_DROP) - drops, 100 - 93);
	neigh_queue_update(4, HOP_A, NUD_STALE, mac);
	n = dev_mem_count();
	ck_assert_int_eq(n, 93);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(tag_of(i), 7 + i); /* the 7 oldest went */
	neigh_queue_update(4, HOP_B, NUD_PERMANENT, mac);
	ck_assert_int_eq(dev_mem_count(), 94);
	ck_assert_int_eq(tag_of(93), 200);
}
END_TEST

/* Resolution that cannot be started: the frames stay the caller's, nothing is queued. */
START_TEST(resolution_refused)
{
	struct frame_set fs;

	setup();
	resolve_answer = -EPERM;
	ck_assert_ptr_nonnull(frame_set_alloc(&fs, 1, 64));
	fs.off[0] = 0;
	fs.off[1] = 64;
	ck_assert_int_eq(neigh_queue_frames(4, HOP_A, &fs, false), -EPERM);
	ck_assert_ptr_nonnull(fs.buf);
	ck_assert(neigh_queue_idle());
	ck_assert(!neigh_queue_waiting(4, HOP_A));
	shim_free(fs.buf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("neigh_queue");
	TCase *tc = tcase_create("arp_queue");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, order_and_mac);
	tcase_add_test(tc, failed_is_dropped);
	tcase_add_test(tc, overflow_drops_oldest);
	tcase_add_test(tc, resolution_refused);
	tcase_add_test(tc, wait_young_bounded);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
