/* Unit tests for the fd table and its bookkeeping (src/sys/fdtable.c, src/sys/fdevents.c). */
#include "shim/fdevents.h"
#include "shim/fdtable.h"
#include "shim/sockgen.h"

#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

static enum fd_kind kind_of(int fd, struct shim_sock **out)
{
	struct shim_sock *sk = NULL;
	enum fd_kind k = fdtable_lookup(fd, &sk);

	if (out != NULL)
		*out = sk;
	else if (sk != NULL)
		shim_sock_put(sk);
	return k;
}

START_TEST(test_ownable)
{
	ck_assert(shim_sock_is_ownable(AF_INET, SOCK_DGRAM, 0));
	ck_assert(
	    shim_sock_is_ownable(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_UDP));
	ck_assert(shim_sock_is_ownable(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE));
	ck_assert(shim_sock_is_ownable(AF_INET6, SOCK_DGRAM, 0)); /* issue 12 */
	ck_assert(shim_sock_is_ownable(AF_INET6, SOCK_DGRAM, IPPROTO_UDPLITE));
	ck_assert(!shim_sock_is_ownable(AF_INET6, SOCK_STREAM, 0));
	ck_assert(!shim_sock_is_ownable(AF_PACKET, SOCK_DGRAM, 0));
	ck_assert(!shim_sock_is_ownable(AF_INET, SOCK_STREAM, 0));
	ck_assert(!shim_sock_is_ownable(AF_INET, SOCK_RAW, IPPROTO_UDP));
	ck_assert(!shim_sock_is_ownable(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
}
END_TEST

START_TEST(test_socket_dup_close_share_one_object)
{
	struct shim_sock *a, *b;
	unsigned live = shim_sock_live_count();

	fdev_socket(100, AF_INET, SOCK_DGRAM, 0);
	ck_assert_uint_eq(shim_sock_live_count(), live + 1);
	ck_assert_int_eq(kind_of(100, &a), FD_OWNED);
	ck_assert_int_eq(a->protocol, IPPROTO_UDP);
	fdev_dup(100, 200);
	ck_assert_int_eq(kind_of(200, &b), FD_OWNED);
	ck_assert_ptr_eq(a, b); /* dup shares the socket, as the kernel shares the file */
	ck_assert_ptr_eq(fdtable_peek(200), a);
	shim_sock_put(a);
	shim_sock_put(b);

	fdev_close(100, fdtable_token(100), 0, 0);
	ck_assert_int_eq(kind_of(100, NULL), FD_UNKNOWN);
	/* a reference is taken only while the slot still holds the object, and none is leaked */
	ck_assert_ptr_null(fdtable_peek(100));
	ck_assert(!shim_sock_hold_peeked(100, a));
	ck_assert(shim_sock_hold_peeked(200, a));
	ck_assert_uint_eq(a->refs, 2);
	shim_sock_put(a);
	ck_assert_uint_eq(a->refs, 1);
	ck_assert_int_eq(kind_of(200, NULL), FD_OWNED);
	ck_assert_uint_eq(shim_sock_live_count(), live + 1);
	fdev_close(200, fdtable_token(200), 0, 0);
	ck_assert_uint_eq(shim_sock_live_count(), live);
}
END_TEST

START_TEST(test_close_ebadf_keeps_and_eintr_forgets)
{
	fdev_socket(101, AF_INET, SOCK_DGRAM, IPPROTO_UDP);
	fdev_close(101, fdtable_token(101), -1, EBADF);
	ck_assert_int_eq(kind_of(101, NULL), FD_OWNED);
	fdev_close(101, fdtable_token(101), -1, EINTR); /* Linux frees the fd even then */
	ck_assert_int_eq(kind_of(101, NULL), FD_UNKNOWN);
}
END_TEST

START_TEST(test_close_does_not_forget_a_new_socket_on_the_same_number)
{
	fd_token_t token;

	fdev_socket(102, AF_INET, SOCK_DGRAM, 0);
	token = fdtable_token(102);
	/* kernel closes 102; another thread's socket() gets 102 before the closer updates the table
	 */
	fdev_socket(102, AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
	fdev_close(102, token, 0, 0);
	ck_assert_int_eq(kind_of(102, NULL), FD_OWNED);
	fdev_close(102, fdtable_token(102), 0, 0);
}
END_TEST

START_TEST(test_foreign_and_dup_of_foreign)
{
	fdev_socket(103, AF_INET6, SOCK_STREAM, 0);
	ck_assert_int_eq(kind_of(103, NULL), FD_FOREIGN);
	fdev_socket(104, AF_INET, SOCK_DGRAM, 0);
	fdev_dup(103, 104); /* dup2 of a foreign fd onto an owned one: no longer owned */
	ck_assert_int_eq(kind_of(104, NULL), FD_FOREIGN);
	fdtable_forget(103);
	fdtable_forget(104);
}
END_TEST

START_TEST(test_close_range_spares_internal)
{
	/* one of the shim's own, registered with core, among the program's sockets */
	int in = internal_fd_adopt(socket(AF_INET, SOCK_DGRAM, 0), true);

	ck_assert_int_ge(in, 5);
	for (int fd = in - 5; fd < in + 5; fd++)
		if (fd != in)
			fdev_socket(fd, AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_eq(kind_of(in, NULL), FD_INTERNAL);
	fdtable_set_kind(in, FD_FOREIGN); /* a probe's answer does not hide it */
	ck_assert_int_eq(kind_of(in, NULL), FD_INTERNAL);
	ck_assert_int_eq(internal_fd_next((unsigned)in - 5, (unsigned)in + 4), in);
	ck_assert_int_eq(internal_fd_next((unsigned)in + 1, (unsigned)in + 4), -1);
	fdev_close_range((unsigned)in - 5, ~0u, 0);
	for (int fd = in - 5; fd < in + 5; fd++)
		ck_assert_int_eq(kind_of(fd, NULL), fd == in ? FD_INTERNAL : FD_UNKNOWN);
	internal_fd_close(in);
	ck_assert_int_eq(kind_of(in, NULL), FD_UNKNOWN);
	ck_assert_int_eq(internal_fd_next(0, ~0u), -1);
}
END_TEST

START_TEST(test_close_range_cloexec_closes_nothing)
{
	fdev_socket(320, AF_INET, SOCK_DGRAM, 0);
	fdev_close_range(320, 320, 4 /* CLOSE_RANGE_CLOEXEC */);
	ck_assert_int_eq(kind_of(320, NULL), FD_OWNED);
	fdev_close_range(320, 320, 0);
	ck_assert_int_eq(kind_of(320, NULL), FD_UNKNOWN);
}
END_TEST

START_TEST(test_out_of_range_fds)
{
	ck_assert_int_eq(kind_of(-1, NULL), FD_FOREIGN);
	ck_assert_int_eq(kind_of(FDTABLE_MAX_FDS, NULL), FD_FOREIGN);
	fdev_socket(FDTABLE_MAX_FDS + 5, AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_eq(kind_of(FDTABLE_MAX_FDS + 5, NULL), FD_FOREIGN);
	ck_assert_int_eq(kind_of(FDTABLE_MAX_FDS - 1, NULL), FD_UNKNOWN);
	ck_assert_ptr_null(fdtable_peek(-1));
	ck_assert_ptr_null(fdtable_peek(FDTABLE_MAX_FDS + 5));
	ck_assert_ptr_null(fdtable_peek(FDTABLE_MAX_FDS - 1));
}
END_TEST

/* An fd the table never saw (inherited across exec) is recognised on first use. */
START_TEST(test_lookup_light_probes_real_fds)
{
	int udp = socket(AF_INET, SOCK_DGRAM, 0);
	int lite = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
	int tcp = socket(AF_INET, SOCK_STREAM, 0);
	int udp6 = socket(AF_INET6, SOCK_DGRAM, 0);
	int p[2];
	struct shim_sock *sk;

	ck_assert_int_ge(udp, 0);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(sockfd_lookup_light(udp, &sk), FD_OWNED);
	ck_assert_int_eq(sk->protocol, IPPROTO_UDP);
	shim_sock_put(sk);
	if (lite >= 0) {
		ck_assert_int_eq(sockfd_lookup_light(lite, &sk), FD_OWNED);
		ck_assert_int_eq(sk->protocol, IPPROTO_UDPLITE);
		shim_sock_put(sk);
	}
	ck_assert_int_eq(sockfd_lookup_light(tcp, &sk), FD_FOREIGN);
	if (udp6 >= 0) { /* owned since issue 12 */
		ck_assert_int_eq(sockfd_lookup_light(udp6, &sk), FD_OWNED);
		ck_assert_int_eq(sk->family, AF_INET6);
		shim_sock_put(sk);
	}
	ck_assert_int_eq(sockfd_lookup_light(p[0], &sk), FD_FOREIGN);
	/* an fd that is not open stays unknown: the kernel will answer EBADF */
	close(p[1]);
	fdtable_forget(p[1]);
	ck_assert_int_eq(sockfd_lookup_light(p[1], &sk), FD_UNKNOWN);
	ck_assert_ptr_null(sk);
	close(udp);
	fdtable_forget(udp);
	close(tcp);
	fdtable_forget(tcp);
	close(p[0]);
	fdtable_forget(p[0]);
	if (lite >= 0) {
		close(lite);
		fdtable_forget(lite);
	}
	if (udp6 >= 0) {
		close(udp6);
		fdtable_forget(udp6);
	}
}
END_TEST

/* One object per kernel socket: an fd the table never saw (here a dup the table was not told of,
 * as an SCM_RIGHTS-received or pidfd_getfd fd is) finds the object of its socket by SO_COOKIE;
 * the object lives until the last fd of the socket is closed, and then leaves the cookie map. */
START_TEST(test_unseen_fd_of_a_known_socket_shares_its_object)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0), d, e;
	unsigned live = shim_sock_live_count();
	struct shim_sock *a, *b, *c;
	uint64_t cookie;

	ck_assert_int_ge(s, 0);
	fdev_socket(s, AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_eq(kind_of(s, &a), FD_OWNED);
	cookie = a->cookie;
	ck_assert_uint_ne(cookie, 0);
	ck_assert_ptr_eq(shim_sock_find(cookie), a);
	shim_sock_put(a); /* the reference shim_sock_find took */
	d = dup(s);	  /* behind the table's back */
	ck_assert_int_ge(d, 0);
	fdtable_forget(d);
	ck_assert_int_eq(sockfd_lookup_light(d, &b), FD_OWNED);
	ck_assert_ptr_eq(a, b);
	ck_assert_uint_eq(shim_sock_live_count(), live + 1);
	/* the first fd closed: the socket lives on through the other */
	close(s);
	fdev_close(s, fdtable_token(s), 0, 0);
	e = dup(d);
	fdtable_forget(e);
	ck_assert_int_eq(sockfd_lookup_light(e, &c), FD_OWNED);
	ck_assert_ptr_eq(c, a);
	shim_sock_put(a);
	shim_sock_put(b);
	shim_sock_put(c);
	close(d);
	fdev_close(d, fdtable_token(d), 0, 0);
	ck_assert_ptr_eq(shim_sock_find(cookie), a);
	shim_sock_put(a);
	close(e);
	fdev_close(e, fdtable_token(e), 0, 0);
	ck_assert_uint_eq(shim_sock_live_count(), live);
	ck_assert_ptr_null(shim_sock_find(cookie)); /* gone from the map with its last fd */
}
END_TEST

/* Threads that each see another unseen fd of one socket at once end up with one object. */
#define DISCOVER_THREADS 6

static int discover_fd[DISCOVER_THREADS];
static atomic_int discover_go;

static void *discover(void *arg)
{
	int fd = discover_fd[(intptr_t)arg];
	struct shim_sock *sk = NULL;

	while (!atomic_load(&discover_go))
		;
	if (sockfd_lookup_light(fd, &sk) != FD_OWNED)
		return NULL;
	return sk; /* with the reference, which the test puts */
}

START_TEST(test_concurrent_discovery_one_object)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	unsigned live = shim_sock_live_count();
	pthread_t th[DISCOVER_THREADS];
	void *got[DISCOVER_THREADS];

	ck_assert_int_ge(s, 0);
	for (int round = 0; round < 50; round++) {
		atomic_store(&discover_go, 0);
		for (intptr_t i = 0; i < DISCOVER_THREADS; i++) {
			discover_fd[i] = dup(s); /* none of them known to the table */
			fdtable_forget(discover_fd[i]);
			ck_assert_int_eq(pthread_create(&th[i], NULL, discover, (void *)i), 0);
		}
		atomic_store(&discover_go, 1);
		for (int i = 0; i < DISCOVER_THREADS; i++)
			pthread_join(th[i], &got[i]);
		for (int i = 0; i < DISCOVER_THREADS; i++) {
			ck_assert_ptr_nonnull(got[i]);
			ck_assert_ptr_eq(got[i], got[0]);
		}
		ck_assert_uint_eq(shim_sock_live_count(), live + 1);
		for (int i = 0; i < DISCOVER_THREADS; i++) {
			shim_sock_put(got[i]);
			close(discover_fd[i]);
			fdev_close(discover_fd[i], fdtable_token(discover_fd[i]), 0, 0);
		}
		ck_assert_uint_eq(shim_sock_live_count(), live);
	}
	close(s);
}
END_TEST

/* Two sockets: two objects, each with the cell of its own cookie. */
START_TEST(test_two_sockets_two_objects)
{
	int s1 = socket(AF_INET, SOCK_DGRAM, 0), s2 = socket(AF_INET, SOCK_DGRAM, 0);
	struct shim_sock *a, *b;

	fdev_socket(s1, AF_INET, SOCK_DGRAM, 0);
	fdev_socket(s2, AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_eq(kind_of(s1, &a), FD_OWNED);
	ck_assert_int_eq(kind_of(s2, &b), FD_OWNED);
	ck_assert_ptr_ne(a, b);
	ck_assert_uint_ne(a->cookie, b->cookie);
	ck_assert_ptr_eq(a->gen_cell, sockgen_cell(a->cookie));
	ck_assert_ptr_eq(b->gen_cell, sockgen_cell(b->cookie));
	shim_sock_put(a);
	shim_sock_put(b);
	close(s1);
	close(s2);
	fdev_close(s1, fdtable_token(s1), 0, 0);
	fdev_close(s2, fdtable_token(s2), 0, 0);
}
END_TEST

/* Lookups from many threads while the slots are replaced: no reference is lost or leaked. Half
 * the readers use fdtable_lookup, half fdtable_peek + shim_sock_hold_peeked (the send fast path).
 */
#define STRESS_FDS     16
#define STRESS_READERS 6
#define STRESS_ROUNDS  20000
#define STRESS_MAX     5000000 /* bound: the loop also runs until the readers saw enough */
#define STRESS_SEEN    1000

static atomic_int stop_readers;
static atomic_ulong seen_owned;

static void *reader(void *arg)
{
	unsigned long seen = 0;

	while (!atomic_load(&stop_readers)) {
		for (int fd = 500; fd < 500 + STRESS_FDS; fd++) {
			struct shim_sock *sk;

			if (arg != NULL) {
				/* the send fast path's way: the slot without a reference, then
				 * one taken only if the slot still holds the same object */
				sk = fdtable_peek(fd);
				if (sk == NULL || !shim_sock_hold_peeked(fd, sk))
					continue;
				ck_assert_int_eq(sk->family, AF_INET);
				ck_assert_uint_gt(sk->refs, 0);
				shim_sock_put(sk);
				seen++;
				atomic_fetch_add(&seen_owned, 1);
			} else if (fdtable_lookup(fd, &sk) == FD_OWNED) {
				ck_assert_int_eq(sk->family, AF_INET);
				ck_assert_uint_gt(sk->refs, 0);
				shim_sock_put(sk);
				seen++;
				atomic_fetch_add(&seen_owned, 1);
			}
		}
	}
	return (void *)seen;
}

START_TEST(test_concurrent_lookup_and_replace)
{
	pthread_t th[STRESS_READERS];
	unsigned live = shim_sock_live_count();
	unsigned long total = 0;

	atomic_store(&stop_readers, 0);
	atomic_store(&seen_owned, 0);
	for (int i = 0; i < STRESS_READERS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, reader, i % 2 ? (void *)1 : NULL), 0);
	for (int r = 0;
	     r < STRESS_MAX && (r < STRESS_ROUNDS || atomic_load(&seen_owned) < STRESS_SEEN); r++) {
		int fd = 500 + r % STRESS_FDS;

		if (r % 3 == 2)
			fdev_close(fd, fdtable_token(fd), 0, 0);
		else if (r % 3 == 1)
			fdev_dup(500 + (r + 1) % STRESS_FDS, fd);
		else
			fdev_socket(fd, AF_INET, SOCK_DGRAM, 0);
	}
	atomic_store(&stop_readers, 1);
	for (int i = 0; i < STRESS_READERS; i++) {
		void *seen;

		pthread_join(th[i], &seen);
		total += (unsigned long)seen;
	}
	ck_assert_uint_ge(total, STRESS_SEEN); /* the readers really raced with the writer */
	fdev_close_range(500, 500 + STRESS_FDS - 1, 0);
	ck_assert_uint_eq(shim_sock_live_count(), live);
}
END_TEST

static Suite *fdtable_suite(void)
{
	Suite *s = suite_create("fdtable");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ownable);
	tcase_add_test(tc, test_socket_dup_close_share_one_object);
	tcase_add_test(tc, test_close_ebadf_keeps_and_eintr_forgets);
	tcase_add_test(tc, test_close_does_not_forget_a_new_socket_on_the_same_number);
	tcase_add_test(tc, test_foreign_and_dup_of_foreign);
	tcase_add_test(tc, test_close_range_spares_internal);
	tcase_add_test(tc, test_close_range_cloexec_closes_nothing);
	tcase_add_test(tc, test_out_of_range_fds);
	tcase_add_test(tc, test_lookup_light_probes_real_fds);
	tcase_add_test(tc, test_concurrent_lookup_and_replace);
	tcase_add_test(tc, test_unseen_fd_of_a_known_socket_shares_its_object);
	tcase_add_test(tc, test_two_sockets_two_objects);
	tcase_add_test(tc, test_concurrent_discovery_one_object);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fdtable_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
