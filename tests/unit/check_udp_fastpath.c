/* The send fast path (src/inet/udp_fastpath.c) against the general path (udp_sendmsg), driven from
 * the send calls onto the in-memory device (check_udp_core.h): the same sequence of datagrams
 * (sizes 0 to 1472, one that fragments, several buffers, MSG_DONTWAIT / MSG_CONFIRM, sendto and
 * sendmsg) sent with the fast path off (shim_config.fastpath, SHIM_FASTPATH=0) and then on gives
 * the same frames.
 *
 * What is compared: every byte of every frame (vnet header, Ethernet, IPv4, UDP header and
 * checksum, payload), its length, interface, dontwait and dev_meta — all of it where the IP ID
 * rule makes the two runs' IDs equal (a connected socket, whose counter the test sets to the same
 * value before each run; IP_PMTUDISC_DO, ID 0). On an unconnected socket under IP_PMTUDISC_WANT
 * the ID comes from the destination's counter, which the second run continues: there the IPv4 ID
 * and header checksum (bytes 4-5 and 10-11 of the IPv4 header) and dev_meta.id are compared by
 * rule instead (the fast run's IDs follow the general run's one by one; the header checksum is
 * right), every other byte as it is. The fast run is checked to have taken the fast path (no
 * route or neighbour answer asked for its datagrams after the flow was learnt). */
#include "check_udp_core.h"

#include <stdlib.h>

#include "shim/config.h"
#include "shim/err_ring.h"
#include "shim/route.h"
#include "shim/fdtable.h"
#include "shim/stats.h"
#include "shim/udp_fastpath.h"

#define MAXF 32

struct step {
	size_t len;
	int flags;
	int iovs; /* 1: sendto; more: sendmsg with that many buffers */
};

/* the flow is learnt from the second datagram of a flow in a row; the fragmenting one goes the
 * general way in both runs; the fast path takes sendto and sendmsg with up to 8 buffers */
static const struct step seq[] = {
    {100, 0, 1},	   {100, 0, 1},	 {1, 0, 1},   {0, 0, 1},  {1472, MSG_DONTWAIT, 1},
    {500, MSG_CONFIRM, 1}, {1473, 0, 1}, {300, 0, 3}, {64, 0, 1}, {1200, 0, 2},
    {7, MSG_NOSIGNAL, 1},  {1472, 0, 1},
};
#define NSTEPS (sizeof(seq) / sizeof(seq[0]))

static uint8_t pay[2048];

struct capture {
	int n;
	size_t len[MAXF];
	uint8_t *data[MAXF];
	int ifindex[MAXF], dontwait[MAXF];
	struct dev_meta meta[MAXF];
};

static void send_seq(int fd, const struct sockaddr_in *to)
{
	for (size_t i = 0; i < NSTEPS; i++) {
		const struct step *s = &seq[i];
		long r;

		for (size_t b = 0; b < s->len; b++)
			pay[b] = (uint8_t)(b * 3 + i);
		if (s->iovs == 1) {
			r = core_sendto(fd, pay, s->len, s->flags, to);
		} else {
			struct iovec iov[4];
			size_t per = s->len / (size_t)s->iovs, off = 0;
			struct msghdr mh = {.msg_name = (void *)to,
					    .msg_namelen = to ? sizeof(*to) : 0,
					    .msg_iov = iov,
					    .msg_iovlen = (size_t)s->iovs};

			for (int k = 0; k < s->iovs; k++) {
				size_t l = k + 1 == s->iovs ? s->len - off : per;

				iov[k] = (struct iovec){pay + off, l};
				off += l;
			}
			r = sys_sendmsg(fd, &mh, s->flags);
		}
		ck_assert_int_eq(r, (long)s->len);
	}
}

static void take(struct capture *c)
{
	c->n = dev_mem_count();
	ck_assert_int_le(c->n, MAXF);
	for (int i = 0; i < c->n; i++) {
		const struct dev_mem_frame *f = dev_mem_frame(i);

		c->len[i] = f->len;
		c->data[i] = malloc(f->len);
		memcpy(c->data[i], f->data, f->len);
		c->ifindex[i] = f->ifindex;
		c->dontwait[i] = f->dontwait;
		ck_assert(f->has_meta);
		c->meta[i] = f->meta;
	}
	dev_mem_reset();
}

static void release(struct capture *c)
{
	for (int i = 0; i < c->n; i++)
		free(c->data[i]);
}

/* id_step: 0 compares every byte; otherwise the IPv4 ID of b's frame i is a's + id_step (and the
 * header checksum is checked, not compared). */
static void compare(const struct capture *a, const struct capture *b, uint16_t id_step)
{
	ck_assert_int_eq(a->n, b->n);
	for (int i = 0; i < a->n; i++) {
		uint8_t *x = a->data[i], *y = b->data[i];
		struct dev_meta ma = a->meta[i], mb = b->meta[i];

		ck_assert_uint_eq(a->len[i], b->len[i]);
		ck_assert_int_eq(a->ifindex[i], b->ifindex[i]);
		ck_assert_int_eq(a->dontwait[i], b->dontwait[i]);
		if (id_step) {
			ck_assert_int_eq((uint16_t)(be16(x + L3 + 4) + id_step), be16(y + L3 + 4));
			ck_assert_int_eq(csum_fold(csum_partial(y + L3, 20, 0)), 0);
			ck_assert_int_eq((uint16_t)(ma.id + id_step), mb.id);
			/* the rest as it is */
			memcpy(y + L3 + 4, x + L3 + 4, 2);
			memcpy(y + L3 + 10, x + L3 + 10, 2);
			mb.id = ma.id;
		}
		ck_assert_mem_eq(x, y, a->len[i]);
		ck_assert_int_eq(ma.proto, mb.proto);
		ck_assert_int_eq(ma.l3_off, mb.l3_off);
		ck_assert_int_eq(ma.l4_off, mb.l4_off);
		ck_assert_int_eq(ma.hdr_len, mb.hdr_len);
		ck_assert_int_eq(ma.flags, mb.flags);
		ck_assert_int_eq(ma.segs, mb.segs);
		ck_assert_int_eq(ma.id, mb.id);
		ck_assert_uint_eq(ma.payload_len, mb.payload_len);
		ck_assert_int_eq(ma.flow_len, mb.flow_len);
		ck_assert_mem_eq(ma.flow, mb.flow, ma.flow_len);
	}
}

/* Run the sequence with the fast path off, then on; the frames of each run in *off / *on. The
 * fast run must have asked no route or neighbour answer after its second datagram for the
 * datagrams the fast path takes. */
static void both_runs(int fd, const struct sockaddr_in *to, struct shim_sock *sk, bool set_id,
		      uint16_t id0, struct capture *off, struct capture *on)
{
	unsigned long asked;

	shim_config.fastpath = 0; /* SHIM_FASTPATH=0 */
	if (set_id)
		sk->ip_id = id0;
	dev_mem_reset();
	asked = route_fixed_answers();
	send_seq(fd, to);
	/* the general path asks (at least) the neighbour for each datagram */
	ck_assert_uint_ge(route_fixed_answers() - asked, NSTEPS);
	take(off);
	ck_assert_int_ge(off->n, (int)NSTEPS);

	shim_config.fastpath = 1;
	if (set_id)
		sk->ip_id = id0;
	asked = route_fixed_answers();
	send_seq(fd, to);
	ck_assert(udp_fastpath_candidate(fd, sk));
	/* the fast path asks nothing: only the datagram that completes the learning and the
	 * fragmenting one take the general path (up to 3 answers each: route, neighbour, and the
	 * neighbour again as the flow is learnt) */
	ck_assert_uint_le(route_fixed_answers() - asked, 2 * 3);
	take(on);
}

START_TEST(unconnected_same_frames)
{
	struct sockaddr_in to = core_dest(2, 7000);
	struct capture off, on;
	struct shim_sock *sk;
	uint64_t hits;
	int fd;

	core_setup(1500);
	fd = core_socket();
	ck_assert_int_eq(core_sendto(fd, pay, 1, 0, &to), 1); /* autobind */
	ck_assert_int_eq(fdtable_lookup(fd, &sk), FD_OWNED);
	hits = stats_get(STAT_ROUTE_HIT);
	both_runs(fd, &to, sk, false, 0, &off, &on);
	/* the fast path counts a route hit for each datagram it sends with an address (the fixed
	 * answers of the general path count none): all but the learning one and the fragmenting one
	 */
	ck_assert_uint_ge(stats_get(STAT_ROUTE_HIT) - hits, NSTEPS - 2);
	/* IP_PMTUDISC_WANT: IDs from the destination's counter, continued by the second run */
	compare(&off, &on, (uint16_t)NSTEPS);
	release(&off);
	release(&on);
	shim_sock_put(sk);
	core_close(fd);
	core_teardown();
}
END_TEST

/* IP_PMTUDISC_DO: ID 0 on both paths (a fragmenting size would be EMSGSIZE: not sent) */
static const struct step seq_do[] = {{100, 0, 1}, {100, 0, 1}, {1, 0, 1}, {1472, 0, 1}};

START_TEST(unconnected_pmtudisc_do_identical)
{
	struct sockaddr_in to = core_dest(3, 7001);
	struct capture off = {0}, on = {0};
	int fd;

	core_setup(1500);
	fd = core_socket();
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO), 0);
	ck_assert_int_eq(core_sendto(fd, pay, 1473, 0, &to), -EMSGSIZE);
	shim_config.fastpath = 0;
	dev_mem_reset();
	for (size_t i = 0; i < 4; i++)
		ck_assert_int_eq(core_sendto(fd, pay, seq_do[i].len, 0, &to), (long)seq_do[i].len);
	take(&off);
	shim_config.fastpath = 1;
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < 4; i++)
			ck_assert_int_eq(core_sendto(fd, pay, seq_do[i].len, 0, &to),
					 (long)seq_do[i].len);
	ck_assert(udp_fastpath_candidate(fd, fdtable_peek(fd)));
	take(&on);
	ck_assert_int_eq(on.n, 8);
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(be16(on.data[i] + L3 + 4), 0);
	on.n = 4; /* the first round learnt; compare the second, all fast but its first */
	for (int i = 0; i < 4; i++) {
		uint8_t *t = on.data[i];

		on.data[i] = on.data[i + 4];
		on.data[i + 4] = t;
		on.len[i] = on.len[i + 4];
		on.meta[i] = on.meta[i + 4];
		on.dontwait[i] = on.dontwait[i + 4];
		on.ifindex[i] = on.ifindex[i + 4];
	}
	compare(&off, &on, 0);
	on.n = 8;
	release(&off);
	release(&on);
	core_close(fd);
	core_teardown();
}
END_TEST

/* A connected socket (to 127.0.0.1: connect asks the host's routing for nothing beyond
 * loopback; the fixed answers cover 127.0.0.0/8 here): the ID from the socket's counter, set to
 * the same value before each run, so every byte is compared. */
static const unsigned no_ring;

START_TEST(connected_identical)
{
	struct capture off, on;
	struct shim_sock *sk;
	int fd;

	core_setup(1500);
	fd = core_connect_loopback(7002);
	ck_assert_int_eq(fdtable_lookup(fd, &sk), FD_OWNED);
	ck_assert_int_eq(sys_sendto(fd, pay, 1, 0, NULL, 0), 1); /* the socket's state read */
	ck_assert(sk->connected);
	/* the listener would watch the socket for errors (the fast path needs it) */
	if (notify_error_watch_gen == 0)
		notify_error_watch_gen = 1;
	sk->err_watch = notify_error_watch_gen;
	err_ring_view.flags = &no_ring; /* and would have found the error ring unavailable */
	both_runs(fd, NULL, sk, true, 0x4242, &off, &on);
	ck_assert_int_eq(be16(off.data[0] + L3 + 4), 0x4243);
	compare(&off, &on, 0);
	release(&off);
	release(&on);
	shim_sock_put(sk);
	core_close(fd);
	core_teardown();
}
END_TEST

/* Settings and routes changed between datagrams of a learnt flow (IP_TTL, IP_TOS, the next hop's
 * MAC with a neighbour notification): the fast run's frames are the general run's, every byte
 * (IP_PMTUDISC_DO: ID 0), so a cached flow never sends with what it learnt before the change. */
static void fixed_hop(uint8_t last)
{
	struct route_fixed f = {
	    .net = htonl(0xc0000200),
	    .mask = htonl(0xffffff00),
	    .saddr = htonl(0xc0000201),
	    .ifindex = FIXED_IFINDEX,
	    .dev_name = "mem0",
	    .mtu = 1500,
	    .default_ttl = FIXED_TTL,
	};

	memcpy(f.dev_mac, dev_mac, 6);
	memcpy(f.nexthop_mac, hop_mac, 6);
	f.nexthop_mac[5] = last;
	route_fixed_set(&f); /* as the listener would see it: the generations move */
}

static void send_changing(int fd, const struct sockaddr_in *to)
{
	static const size_t lens[] = {10, 20, 30};

	fixed_hop(hop_mac[5]);
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_IP, IP_TTL, -1), 0);
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_IP, IP_TOS, 0), 0);
	for (int round = 0; round < 4; round++) {
		for (size_t i = 0; i < 3; i++)
			ck_assert_int_eq(core_sendto(fd, pay, lens[i] + (size_t)round, 0, to),
					 (long)(lens[i] + (size_t)round));
		if (round == 0)
			ck_assert_int_eq(core_setsockopt(fd, IPPROTO_IP, IP_TTL, 20), 0);
		else if (round == 1)
			ck_assert_int_eq(core_setsockopt(fd, IPPROTO_IP, IP_TOS, 0x20), 0);
		else if (round == 2)
			fixed_hop(0x33);
	}
}

START_TEST(changes_seen_identical)
{
	struct sockaddr_in to = core_dest(4, 7003);
	struct capture off, on;
	int fd;

	core_setup(1500);
	fd = core_socket();
	ck_assert_int_eq(core_setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO), 0);
	shim_config.fastpath = 0;
	dev_mem_reset();
	send_changing(fd, &to);
	take(&off);
	shim_config.fastpath = 1;
	send_changing(fd, &to);
	take(&on);
	ck_assert_int_eq(off.n, 12);
	ck_assert_int_eq(off.data[0][L3 + 8], FIXED_TTL);
	ck_assert_int_eq(off.data[3][L3 + 8], 20);
	ck_assert_int_eq(off.data[6][L3 + 1], 0x20);
	ck_assert_int_eq(off.data[9][VNET + 5], 0x33);
	compare(&off, &on, 0);
	release(&off);
	release(&on);
	core_close(fd);
	core_teardown();
}
END_TEST

/* IPv6 (udp_frame_ipv6, udpv6_sendmsg): an AF_INET6 socket's sequence of one-frame
 * datagrams (up to 1452 bytes at MTU 1500; sendto and sendmsg with several buffers) to
 * 2001:db8:0:1::2, the general path then the fast path: every byte of every frame the same
 * (IPv6 has no ID; the flow's label is its own in both runs), and the fast run asks no
 * route or neighbour answer once its flow is learnt. */
static const struct step seq6[] = {
    {100, 0, 1},	   {100, 0, 1}, {1, 0, 1},  {0, 0, 1},	  {1452, MSG_DONTWAIT, 1},
    {500, MSG_CONFIRM, 1}, {300, 0, 3}, {64, 0, 1}, {1200, 0, 2}, {7, MSG_NOSIGNAL, 1},
    {1452, 0, 1},
};
#define NSTEPS6 (sizeof(seq6) / sizeof(seq6[0]))

static void send_seq6(int fd, const struct sockaddr_in6 *to)
{
	for (size_t i = 0; i < NSTEPS6; i++) {
		const struct step *s = &seq6[i];
		long r;

		for (size_t b = 0; b < s->len; b++)
			pay[b] = (uint8_t)(b * 5 + i);
		if (s->iovs == 1) {
			r = sys_sendto(fd, pay, s->len, s->flags, (const struct sockaddr *)to,
				       sizeof(*to));
		} else {
			struct iovec iov[4];
			size_t per = s->len / (size_t)s->iovs, off = 0;
			struct msghdr mh = {.msg_name = (void *)to,
					    .msg_namelen = sizeof(*to),
					    .msg_iov = iov,
					    .msg_iovlen = (size_t)s->iovs};

			for (int k = 0; k < s->iovs; k++) {
				size_t l = k + 1 == s->iovs ? s->len - off : per;

				iov[k] = (struct iovec){pay + off, l};
				off += l;
			}
			r = sys_sendmsg(fd, &mh, s->flags);
		}
		ck_assert_int_eq(r, (long)s->len);
	}
}

START_TEST(v6_unconnected_same_frames)
{
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons(7010)};
	struct route_fixed f = {
	    .net = htonl(0xc0000200),
	    .mask = htonl(0xffffff00),
	    .saddr = htonl(0xc0000201),
	    .ifindex = FIXED_IFINDEX,
	    .dev_name = "mem0",
	    .mtu = 1500,
	    .default_ttl = FIXED_TTL,
	    .net6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1},
	    .saddr6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1},
	    .hop_limit6 = 63,
	};
	struct capture off, on;
	struct shim_sock *sk;
	unsigned long asked;
	int fd;

	core_setup(1500);
	memcpy(f.dev_mac, dev_mac, 6);
	memcpy(f.nexthop_mac, hop_mac, 6);
	route_fixed_set(&f);
	memcpy(&to.sin6_addr, f.net6, 8);
	to.sin6_addr.s6_addr[15] = 2;
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	ck_assert_int_ge(fd, 0);
	fdev_socket(fd, AF_INET6, SOCK_DGRAM, 0);
	ck_assert_int_eq(sys_sendto(fd, pay, 1, 0, (const struct sockaddr *)&to, sizeof(to)),
			 1); /* autobind */
	ck_assert_int_eq(fdtable_lookup(fd, &sk), FD_OWNED);

	shim_config.fastpath = 0;
	dev_mem_reset();
	asked = route_fixed_answers();
	send_seq6(fd, &to);
	ck_assert_uint_ge(route_fixed_answers() - asked, NSTEPS6);
	take(&off);
	ck_assert_int_eq(off.n, (int)NSTEPS6);
	ck_assert_int_eq(be16(off.data[0] + VNET + 12), 0x86dd);
	ck_assert_int_eq(off.data[0][VNET + ETH + 7], 63); /* the device's hop limit */

	shim_config.fastpath = 1;
	asked = route_fixed_answers();
	send_seq6(fd, &to);
	ck_assert(udp_fastpath_candidate6(fd, sk));
	ck_assert(!udp_fastpath_candidate(fd, sk)); /* an IPv4 entry never takes it */
	ck_assert_uint_le(route_fixed_answers() - asked, 2 * 3);
	take(&on);
	compare(&off, &on, 0);
	release(&off);
	release(&on);
	shim_sock_put(sk);
	core_close(fd);
	core_teardown();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("udp_fastpath");
	TCase *tc = tcase_create("same_frames");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, unconnected_same_frames);
	tcase_add_test(tc, unconnected_pmtudisc_do_identical);
	tcase_add_test(tc, connected_identical);
	tcase_add_test(tc, changes_seen_identical);
	tcase_add_test(tc, v6_unconnected_same_frames);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
