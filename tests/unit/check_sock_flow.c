/* sock_flow (IP_UNICAST_IF, IP_TRANSPARENT, IP_BIND_ADDRESS_NO_PORT on the send path) and the
 * SOL_SOCKET control messages SO_MARK and SO_PRIORITY of cmsg.c (__sock_cmsg_send's order:
 * SO_MARK's capability before its length, SO_PRIORITY's length before sk_set_prio_allowed). The
 * capability-dependent answers follow what the test process has (root or not). */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shim/cmsg.h"
#include "shim/net_compat.h"
#include "shim/sock_flow.h"
#include "shim/sockopt_check.h"
#include "shim/sockopt_verdict.h"

START_TEST(unicast_oif_choice)
{
	struct sock_flow f = {.uc_index = 2};
	uint32_t unicast = htonl(0xc0000202), lbcast = htonl(INADDR_BROADCAST);

	ck_assert_int_eq(sock_flow_unicast_oif(&f, unicast, 0), 2); /* nothing else chose */
	ck_assert_int_eq(sock_flow_unicast_oif(&f, unicast, 3), 3); /* PKTINFO / BINDTODEVICE */
	ck_assert_int_eq(sock_flow_unicast_oif(&f, lbcast, 0), 2);
	ck_assert_int_eq(sock_flow_unicast_oif(&f, lbcast, 2), 2);
	ck_assert_int_eq(sock_flow_unicast_oif(&f, lbcast, 3), -1); /* maybe its L3 master */
	f.uc_index = 0;
	ck_assert_int_eq(sock_flow_unicast_oif(&f, unicast, 0), 0);
	ck_assert_int_eq(sock_flow_unicast_oif(&f, lbcast, 3), 3);
}
END_TEST

/* ip_tos2prio, by the TOS bits: best effort, bulk, interactive, interactive bulk (the ECN and
 * lowest TOS bit do not count) */
START_TEST(tos_priority)
{
	static const uint8_t want[16] = {0, 0, 0, 0, 2, 2, 2, 2, 6, 6, 6, 6, 4, 4, 4, 4};

	for (int tos = 0; tos < 256; tos++)
		ck_assert_uint_eq(rt_tos2priority((uint8_t)tos), want[(tos & 0x1e) >> 1]);
}
END_TEST

START_TEST(anysrc_handoff)
{
	struct sock_flow f = {.transparent = true};
	uint32_t src = htonl(0xc6336407);

	ck_assert(sock_flow_anysrc_failed(&f, false, -ENETUNREACH, src));
	ck_assert(!sock_flow_anysrc_failed(&f, false, -ENETUNREACH, 0));
	ck_assert(!sock_flow_anysrc_failed(&f, false, -EHOSTUNREACH, src));
	ck_assert(!sock_flow_anysrc_failed(&f, false, 0, src));
	f.transparent = false;
	ck_assert(!sock_flow_anysrc_failed(&f, false, -ENETUNREACH, src));
	f.conn_transparent = true; /* the route the kernel cached at connect */
	ck_assert(sock_flow_anysrc_failed(&f, true, -ENETUNREACH, src));
	ck_assert(!sock_flow_anysrc_failed(&f, false, -ENETUNREACH, src));
	sock_flow_after_connect(&f);
	ck_assert(!f.conn_transparent);
}
END_TEST

START_TEST(options_read_back)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	uint32_t lo = htonl(1);
	int one = 1;
	struct sock_flow f;

	ck_assert_int_ge(fd, 0);
	memset(&f, 0xff, sizeof(f));
	sock_flow_sync(&f, fd);
	ck_assert_int_eq(f.uc_index, 0);
	ck_assert(!f.transparent && !f.bind_no_port && !f.conn_transparent);
	ck_assert_int_eq(setsockopt(fd, SOL_IP, IP_UNICAST_IF, &lo, sizeof(lo)), 0);
	ck_assert(sock_flow_after_setsockopt(&f, fd, SOL_IP, IP_UNICAST_IF));
	ck_assert_int_eq(f.uc_index, 1); /* stored in network order, kept in host order */
	ck_assert_int_eq(setsockopt(fd, SOL_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one)), 0);
	ck_assert(sock_flow_after_setsockopt(&f, fd, SOL_IP, IP_BIND_ADDRESS_NO_PORT));
	ck_assert(f.bind_no_port);
	ck_assert(sock_flow_after_setsockopt(&f, fd, SOL_IP, IP_FREEBIND));
	ck_assert(!sock_flow_after_setsockopt(&f, fd, SOL_IP, IP_TTL));
	ck_assert(!sock_flow_after_setsockopt(&f, fd, SOL_SOCKET, IP_UNICAST_IF));
	sock_flow_sync(&f, fd);
	ck_assert_int_eq(f.uc_index, 1);
	ck_assert(f.bind_no_port);
	close(fd);
}
END_TEST

/* A control buffer of messages (level, type, data of len bytes), each CMSG_SPACE aligned. */
static size_t put(unsigned char *buf, size_t off, int level, int type, const void *data, size_t len)
{
	struct cmsghdr h = {.cmsg_len = CMSG_LEN(len), .cmsg_level = level, .cmsg_type = type};

	memcpy(buf + off, &h, sizeof(h));
	memcpy(buf + off + CMSG_LEN(0), data, len);
	return off + CMSG_SPACE(len);
}

static int parse1(int level, int type, const void *data, size_t len, struct ipcm *c)
{
	unsigned char buf[128];

	memset(buf, 0, sizeof(buf));
	return udp_ip_cmsg_send(buf, put(buf, 0, level, type, data, len), c, false);
}

static int privileged(void)
{
	int raw = sock_net_capable(SOV_CAP_NET_RAW);

	return raw != 0 ? raw : sock_net_capable(SOV_CAP_NET_ADMIN);
}

START_TEST(cmsg_priority)
{
	struct ipcm c;
	int v = 0, caps = privileged();
	int64_t wide = 7;
	uint16_t narrow = 0;

	ck_assert_int_eq(parse1(SOL_SOCKET, SO_PRIORITY, &v, sizeof(v), &c), 0);
	ck_assert_ptr_null(c.kernel); /* the shim's frames carry the priority (dev_meta) */
	ck_assert(c.has_priority);
	ck_assert_uint_eq(c.priority, 0);
	v = 6;
	ck_assert_int_eq(parse1(SOL_SOCKET, SO_PRIORITY, &v, sizeof(v), &c), 0);
	ck_assert_ptr_null(c.kernel);
	ck_assert_uint_eq(c.priority, 6);
	/* IP_TOS gives the priority rt_tos2priority derives */
	v = 0x10;
	ck_assert_int_eq(parse1(SOL_IP, IP_TOS, &v, sizeof(v), &c), 0);
	ck_assert(c.has_priority);
	ck_assert_uint_eq(c.priority, 6);
	ck_assert_int_eq(parse1(SOL_SOCKET, SO_PRIORITY, &narrow, sizeof(narrow), &c), -EINVAL);
	ck_assert_int_eq(parse1(SOL_SOCKET, SO_PRIORITY, &wide, sizeof(wide), &c), -EINVAL);
	for (int i = 0; i < 2; i++) {
		v = i == 0 ? 7 : -1;
		if (caps == 1) {
			ck_assert_int_eq(parse1(SOL_SOCKET, SO_PRIORITY, &v, sizeof(v), &c), 0);
			ck_assert_ptr_null(c.kernel);
			ck_assert_uint_eq(c.priority, (uint32_t)v);
		} else if (caps == 0) {
			ck_assert_int_eq(parse1(SOL_SOCKET, SO_PRIORITY, &v, sizeof(v), &c),
					 -EPERM);
		}
	}
}
END_TEST

START_TEST(cmsg_mark)
{
	unsigned char buf[128];
	struct ipcm c;
	uint32_t mark = 0xfffffffe;
	uint16_t narrow = 7;
	int ttl0 = 0, caps = privileged();
	size_t n;

	if (caps == 1) {
		ck_assert_int_eq(parse1(SOL_SOCKET, SO_MARK, &mark, sizeof(mark), &c), 0);
		ck_assert_ptr_null(c.kernel);
		ck_assert(c.has_mark);
		ck_assert_uint_eq(c.mark, 0xfffffffe);
		ck_assert_int_eq(parse1(SOL_SOCKET, SO_MARK, &narrow, sizeof(narrow), &c), -EINVAL);
	} else if (caps == 0) {
		ck_assert_int_eq(parse1(SOL_SOCKET, SO_MARK, &mark, sizeof(mark), &c), -EPERM);
		ck_assert_int_eq(parse1(SOL_SOCKET, SO_MARK, &narrow, sizeof(narrow), &c), -EPERM);
	}
	/* the first error of the buffer wins: an IP_TTL 0 before a mark */
	memset(buf, 0, sizeof(buf));
	n = put(buf, 0, SOL_IP, IP_TTL, &ttl0, sizeof(ttl0));
	n = put(buf, n, SOL_SOCKET, SO_MARK, &mark, sizeof(mark));
	ck_assert_int_eq(udp_ip_cmsg_send(buf, n, &c, false), -EINVAL);
	/* the last mark wins */
	if (caps == 1) {
		uint32_t first = 3;

		memset(buf, 0, sizeof(buf));
		n = put(buf, 0, SOL_SOCKET, SO_MARK, &first, sizeof(first));
		n = put(buf, n, SOL_SOCKET, SO_MARK, &mark, sizeof(mark));
		ck_assert_int_eq(udp_ip_cmsg_send(buf, n, &c, false), 0);
		ck_assert_uint_eq(c.mark, 0xfffffffe);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sock_flow");
	TCase *tc = tcase_create("flow");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, unicast_oif_choice);
	tcase_add_test(tc, anysrc_handoff);
	tcase_add_test(tc, options_read_back);
	suite_add_tcase(s, tc);
	tc = tcase_create("cmsg");
	tcase_add_test(tc, cmsg_priority);
	tcase_add_test(tc, cmsg_mark);
	tcase_add_test(tc, tos_priority);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
