/* shim_alloc (lock-free mmap'd size classes) and shim_lock / shim_proc (futex locks, their
 * registry, and a child of fork or _Fork finding every lock free and its own pid). */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim/shim_alloc.h"
#include "shim/shim_lock.h"
#include "shim/shim_proc.h"

START_TEST(alloc_sizes_alignment_and_reuse)
{
	static const size_t sizes[] = {0, 1, 15, 16, 17, 100, 4096, 65536, 1 << 20, 3 << 20};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = shim_alloc(sizes[i]);

		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % 16, 0);
		ck_assert_uint_ge(shim_alloc_size(p), sizes[i]);
		memset(p, 0xa5, sizes[i]);
		shim_free(p);
	}
	/* a freed block of a class is the next one of that class handed out */
	void *a = shim_alloc(200);
	shim_free(a);
	ck_assert_ptr_eq(shim_alloc(200), a);
	shim_free(a);
	shim_free(NULL);
}
END_TEST

START_TEST(zalloc_and_realloc_keep_contents)
{
	unsigned char *p = shim_alloc(64);

	memset(p, 0x5a, 64);
	shim_free(p);
	p = shim_zalloc(64);
	for (int i = 0; i < 64; i++)
		ck_assert_uint_eq(p[i], 0);
	for (int i = 0; i < 64; i++)
		p[i] = (unsigned char)i;
	p = shim_realloc(p, 100000);
	ck_assert_ptr_nonnull(p);
	for (int i = 0; i < 64; i++)
		ck_assert_uint_eq(p[i], (unsigned char)i);
	p = shim_realloc(p, 5 << 20); /* mapped alone */
	for (int i = 0; i < 64; i++)
		ck_assert_uint_eq(p[i], (unsigned char)i);
	shim_free(p);
	ck_assert_ptr_nonnull(p = shim_realloc(NULL, 10));
	shim_free(p);
}
END_TEST

/* Threads allocate and free blocks stamped with their own pattern; a block handed to two owners
 * at once (a broken free list) shows as a pattern overwritten by another thread. */
static _Atomic unsigned long alloc_errors;

static void *churn(void *arg)
{
	uintptr_t me = (uintptr_t)arg;
	void *held[64] = {0};

	for (unsigned i = 0; i < 200000; i++) {
		unsigned k = (i * 2654435761u) % 64;
		size_t n = 16 + (i * 7 + me) % 3000;

		if (held[k] != NULL) {
			unsigned char *q = held[k];

			for (size_t j = 0; j < 16; j++)
				if (q[j] != (unsigned char)me)
					alloc_errors++;
			shim_free(q);
		}
		held[k] = shim_alloc(n);
		memset(held[k], (int)me, 16);
	}
	for (unsigned k = 0; k < 64; k++)
		shim_free(held[k]);
	return NULL;
}

START_TEST(alloc_threads_never_share_a_block)
{
	pthread_t t[6];

	for (uintptr_t i = 0; i < 6; i++)
		pthread_create(&t[i], NULL, churn, (void *)(i + 1));
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	ck_assert_uint_eq(alloc_errors, 0);
}
END_TEST

/* A signal handler that allocates while the interrupted code is inside shim_alloc/shim_free. */
static volatile sig_atomic_t handler_allocs;

static void alloc_in_handler(int sig)
{
	(void)sig;
	void *p = shim_alloc(48);

	if (p != NULL) {
		memset(p, 1, 48);
		shim_free(p);
		handler_allocs++;
	}
}

/* shim_zalloc_publish: racing threads all get the one block that was published, zeroed. */
static void *_Atomic published;

static void *publish_one(void *arg)
{
	(void)arg;
	return shim_zalloc_publish(&published, 4096);
}

START_TEST(zalloc_publish_one_winner)
{
	enum { N = 8 };
	pthread_t t[N];
	void *got[N];
	const unsigned char *p;

	for (int round = 0; round < 50; round++) {
		atomic_store(&published, NULL);
		for (int i = 0; i < N; i++)
			ck_assert_int_eq(pthread_create(&t[i], NULL, publish_one, NULL), 0);
		for (int i = 0; i < N; i++)
			ck_assert_int_eq(pthread_join(t[i], &got[i]), 0);
		ck_assert_ptr_nonnull(got[0]);
		for (int i = 1; i < N; i++)
			ck_assert_ptr_eq(got[i], got[0]);
		ck_assert_ptr_eq(atomic_load(&published), got[0]);
		p = got[0];
		for (int i = 0; i < 4096; i++)
			ck_assert_int_eq(p[i], 0);
		ck_assert_ptr_eq(shim_zalloc_publish(&published, 4096), got[0]);
		shim_free(got[0]);
	}
}
END_TEST

START_TEST(alloc_is_async_signal_safe)
{
	struct sigaction sa = {.sa_handler = alloc_in_handler};
	struct itimerval it = {{0, 100}, {0, 100}};

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (unsigned i = 0; i < 3000000 && handler_allocs < 200; i++) {
		void *p = shim_alloc(48);

		shim_free(p);
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_DFL);
	ck_assert_int_gt(handler_allocs, 0);
}
END_TEST

SHIM_LOCK_DEFINE(test_lock);
static long counter;

static void *count_up(void *arg)
{
	(void)arg;
	for (int i = 0; i < 200000; i++) {
		shim_lock_acquire(&test_lock);
		counter++;
		shim_lock_release(&test_lock);
	}
	return NULL;
}

START_TEST(lock_excludes)
{
	pthread_t t[4];

	counter = 0;
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, count_up, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(counter, 800000);
	ck_assert(!shim_lock_held(&test_lock));
	ck_assert(shim_lock_try(&test_lock));
	ck_assert(!shim_lock_try(&test_lock));
	shim_lock_release(&test_lock);
}
END_TEST

static void find_test_lock(struct shim_lock *l, void *ctx)
{
	if (l == &test_lock)
		(*(int *)ctx)++;
}

START_TEST(lock_registry_lists_every_defined_lock)
{
	int seen = 0;

	/* the test's own lock, and the core's (the fd table's pool lock, linked in by shim_proc) */
	ck_assert_uint_ge(shim_lock_for_each(find_test_lock, &seen), 1);
	ck_assert_int_eq(seen, 1);
}
END_TEST

/* A thread holds locks (a registered one and one inside an object) when the process forks:
 * the child finds both free and its own pid — after fork() and after _Fork(), which runs no
 * atfork handler (only the wiped page tells the child). */
static struct shim_lock obj_lock;
static _Atomic int holding;

static void *hold_forever(void *arg)
{
	(void)arg;
	shim_lock_acquire(&test_lock);
	shim_lock_acquire(&obj_lock);
	holding = 1;
	for (;;)
		pause();
	return NULL;
}

static int child_sees_locks_free(void)
{
	shim_proc_check();
	if (shim_proc_libc_usable()) /* only fork() through the interposer says so */
		return 12;
	if (shim_proc_pid() != getpid())
		return 10;
	if (shim_lock_held(&test_lock) || shim_lock_held(&obj_lock))
		return 11;
	shim_lock_acquire(&test_lock); /* would hang if still held */
	shim_lock_acquire(&obj_lock);
	shim_lock_release(&obj_lock);
	shim_lock_release(&test_lock);
	return 0;
}

static void fork_with_held_locks(pid_t (*forker)(void))
{
	pthread_t t;
	pid_t pid;
	int status = -1;

	shim_proc_check(); /* the page is mapped (as the library constructor does) */
	ck_assert_int_eq(shim_proc_pid(), getpid());
	shim_lock_init(&obj_lock, "obj_lock");
	holding = 0;
	pthread_create(&t, NULL, hold_forever, NULL);
	while (!holding)
		usleep(1000);
	ck_assert(shim_lock_held(&test_lock));
	pid = forker();
	if (pid == 0) {
		alarm(5);
		_exit(child_sees_locks_free());
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
	/* the parent's view is unchanged */
	ck_assert(shim_lock_held(&test_lock));
	ck_assert_int_eq(shim_proc_pid(), getpid());
}

START_TEST(fork_child_finds_locks_free)
{
	fork_with_held_locks(fork);
}
END_TEST

extern pid_t _Fork(void);

START_TEST(underscore_fork_child_finds_locks_free)
{
	fork_with_held_locks(_Fork);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("shim_alloc");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, alloc_sizes_alignment_and_reuse);
	tcase_add_test(tc, zalloc_and_realloc_keep_contents);
	tcase_add_test(tc, alloc_threads_never_share_a_block);
	tcase_add_test(tc, zalloc_publish_one_winner);
	tcase_add_test(tc, alloc_is_async_signal_safe);
	tcase_add_test(tc, lock_excludes);
	tcase_add_test(tc, lock_registry_lists_every_defined_lock);
	tcase_add_test(tc, fork_child_finds_locks_free);
	tcase_add_test(tc, underscore_fork_child_finds_locks_free);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
