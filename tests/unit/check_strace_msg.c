/* writev, sendmsg (msghdr, iovecs, control messages) and sendmmsg. */
#include "check_strace_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define EBADF_TEXT "-1 EBADF (Bad file descriptor)"
#define LOOPBACK_9 "{sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr(\"127.0.0.1\")}"

static struct iovec iov[40];
static char data[40][16];
static struct sockaddr_in sin9;

static void setup(void)
{
	for (int i = 0; i < 40; i++) {
		snprintf(data[i], sizeof(data[i]), "d%d", i);
		iov[i].iov_base = data[i];
		iov[i].iov_len = strlen(data[i]);
	}
	sin9.sin_family = AF_INET;
	sin9.sin_port = htons(9);
	sin9.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* "{iov_base="d0", iov_len=2}, ..." for iov[from..to). */
static char *iov_text(int from, int to)
{
	static char text[4096];
	size_t n = 0;

	text[0] = '\0';
	for (int i = from; i < to; i++)
		n +=
		    (size_t)snprintf(text + n, sizeof(text) - n, "%s{iov_base=\"%s\", iov_len=%zu}",
				     i > from ? ", " : "", data[i], iov[i].iov_len);
	return text;
}

START_TEST(writev_arrays)
{
	char *bad = unmapped_page();

	EXPECT_LINE(
	    CALL(SYS_writev, -1, EBADF, ARG(-1), ARG(iov), 1),
	    "writev(-1, [{iov_base=\"d0\", iov_len=2}], 1) = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(
	    CALL(SYS_writev, 4, 0, 1, ARG(iov), 2),
	    "writev(1, [{iov_base=\"d0\", iov_len=2}, {iov_base=\"d1\", iov_len=2}], 2) = 4\n");
	EXPECT_LINE(CALL(SYS_writev, -1, EBADF, ARG(-1), ARG(iov), 0),
		    "writev(-1, [], 0)                       = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(CALL(SYS_writev, -1, EBADF, ARG(-1), 0, 2),
		    "writev(-1, NULL, 2)                     = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINEF(CALL(SYS_writev, -1, EBADF, ARG(-1), ARG(bad), 2), EBADF_TEXT,
		     "writev(-1, %#lx, 2)", ARG(bad));
	/* 32 elements are shown, then "...". */
	EXPECT_LINEF(CALL(SYS_writev, -1, EBADF, ARG(-1), ARG(iov), 32), EBADF_TEXT,
		     "writev(-1, [%s], 32)", iov_text(0, 32));
	EXPECT_LINEF(CALL(SYS_writev, -1, EBADF, ARG(-1), ARG(iov), 33), EBADF_TEXT,
		     "writev(-1, [%s, ...], 33)", iov_text(0, 32));
	EXPECT_LINEF(CALL(SYS_writev, -1, EBADF, ARG(-1), ARG(iov), 40), EBADF_TEXT,
		     "writev(-1, [%s, ...], 40)", iov_text(0, 32));
	/* A count whose size wraps around shows the address. */
	EXPECT_LINEF(CALL(SYS_writev, -1, EBADF, ARG(-1), ARG(iov), ARG(-1L)), EBADF_TEXT,
		     "writev(-1, %#lx, 18446744073709551615)", ARG(iov));
	EXPECT_LINEF(CALL(SYS_writev, -1, EBADF, ARG(-1), ARG(iov), 0x1000000000000000UL),
		     EBADF_TEXT, "writev(-1, %#lx, 1152921504606846976)", ARG(iov));
	struct iovec big[2] = {{"0123456789012345678901234567890123456789", 40}, {"\0\1\2\3", 4}};
	EXPECT_LINE(
	    CALL(SYS_writev, -1, EBADF, ARG(-1), ARG(big), 2),
	    "writev(-1, [{iov_base=\"01234567890123456789012345678901\"..., iov_len=40}, "
	    "{iov_base=\"\\0\\1\\2\\3\", iov_len=4}], 2) = -1 EBADF (Bad file descriptor)\n");
}
END_TEST

START_TEST(writev_running_into_a_hole)
{
	char *hole = page_before_hole();
	struct iovec *edge = (struct iovec *)(hole - 2 * sizeof(struct iovec));

	edge[0] = iov[0];
	edge[1] = iov[1];
	EXPECT_LINEF(CALL(SYS_writev, -1, EBADF, ARG(-1), ARG(edge), 3), EBADF_TEXT,
		     "writev(-1, [%s, ... /* %#lx */], 3)", iov_text(0, 2), ARG(hole));
	char *tail = hole - 3;
	memcpy(tail, "abc", 3);
	struct iovec t[3] = {{tail, 3}, {tail, 4}, {hole, 0}};
	EXPECT_LINEF(CALL(SYS_writev, -1, EBADF, ARG(-1), ARG(t), 3), EBADF_TEXT,
		     "writev(-1, [{iov_base=\"abc\", iov_len=3}, {iov_base=%#lx, iov_len=4}, "
		     "{iov_base=\"\", iov_len=0}], 3)",
		     ARG(tail));
	munmap(hole - 4096, 4096);
}
END_TEST

START_TEST(sendmsg_headers)
{
	struct msghdr m = {
	    .msg_name = &sin9, .msg_namelen = sizeof(sin9), .msg_iov = iov, .msg_iovlen = 2};
	char *bad = unmapped_page();

	EXPECT_LINE(CALL(SYS_sendmsg, 4, 0, 3, ARG(&m), 0),
		    "sendmsg(3, {msg_name=" LOOPBACK_9
		    ", msg_namelen=16, msg_iov=[{iov_base=\"d0\", "
		    "iov_len=2}, {iov_base=\"d1\", iov_len=2}], msg_iovlen=2, msg_controllen=0, "
		    "msg_flags=0}, 0) = 4\n");
	EXPECT_LINE(CALL(SYS_sendmsg, -1, EBADF, ARG(-1), ARG(&m), MSG_DONTWAIT | MSG_NOSIGNAL),
		    "sendmsg(-1, {msg_name=" LOOPBACK_9
		    ", msg_namelen=16, msg_iov=[{iov_base=\"d0\", "
		    "iov_len=2}, {iov_base=\"d1\", iov_len=2}], msg_iovlen=2, msg_controllen=0, "
		    "msg_flags=0}, MSG_DONTWAIT|MSG_NOSIGNAL) = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(CALL(SYS_sendmsg, -1, EBADF, ARG(-1), 0, 0),
		    "sendmsg(-1, NULL, 0)                    = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINEF(CALL(SYS_sendmsg, -1, EBADF, ARG(-1), ARG(bad), 0), EBADF_TEXT,
		     "sendmsg(-1, %#lx, 0)", ARG(bad));
	m.msg_name = NULL;
	m.msg_namelen = 0;
	m.msg_flags = MSG_EOR | 0x100000;
	EXPECT_LINE(
	    CALL(SYS_sendmsg, -1, EBADF, ARG(-1), ARG(&m), 0),
	    "sendmsg(-1, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"d0\", iov_len=2}, "
	    "{iov_base=\"d1\", iov_len=2}], msg_iovlen=2, msg_controllen=0, "
	    "msg_flags=MSG_EOR|0x100000}, 0) = -1 EBADF (Bad file descriptor)\n");
	m.msg_name = bad;
	m.msg_namelen = 16;
	EXPECT_LINEF(CALL(SYS_sendmsg, -1, EBADF, ARG(-1), ARG(&m), 0), EBADF_TEXT,
		     "sendmsg(-1, {msg_name=%#lx, msg_namelen=16, msg_iov=[%s], msg_iovlen=2, "
		     "msg_controllen=0, msg_flags=MSG_EOR|0x100000}, 0)",
		     ARG(bad), iov_text(0, 2));
	m.msg_name = &sin9;
	m.msg_namelen = (socklen_t)-1;
	m.msg_flags = 0;
	EXPECT_LINEF(CALL(SYS_sendmsg, -1, EBADF, ARG(-1), ARG(&m), 0), EBADF_TEXT,
		     "sendmsg(-1, {msg_name=%#lx, msg_namelen=-1, msg_iov=[%s], msg_iovlen=2, "
		     "msg_controllen=0, msg_flags=0}, 0)",
		     ARG(&sin9), iov_text(0, 2));
	m.msg_namelen = 16;
	m.msg_iovlen = 33;
	EXPECT_LINEF(CALL(SYS_sendmsg, -1, EBADF, ARG(-1), ARG(&m), 0), EBADF_TEXT,
		     "sendmsg(-1, {msg_name=" LOOPBACK_9 ", msg_namelen=16, msg_iov=[%s, ...], "
		     "msg_iovlen=33, msg_controllen=0, msg_flags=0}, 0)",
		     iov_text(0, 32));
	m.msg_iov = NULL;
	m.msg_iovlen = 0;
	EXPECT_LINE(CALL(SYS_sendmsg, -1, EBADF, ARG(-1), ARG(&m), 0),
		    "sendmsg(-1, {msg_name=" LOOPBACK_9
		    ", msg_namelen=16, msg_iov=NULL, msg_iovlen=0, "
		    "msg_controllen=0, msg_flags=0}, 0) = -1 EBADF (Bad file descriptor)\n");
}
END_TEST

static union {
	char buf[8192];
	struct cmsghdr align;
} cu;

static void put_cmsg(size_t *off, int level, int type, const void *payload, size_t len)
{
	struct cmsghdr *h = (struct cmsghdr *)(cu.buf + *off);

	h->cmsg_len = CMSG_LEN(len);
	h->cmsg_level = level;
	h->cmsg_type = type;
	memcpy(CMSG_DATA(h), payload, len);
	*off += CMSG_SPACE(len);
}

/* "sendmsg(-1, {... msg_control=<control>, msg_controllen=N, ...}, 0) = -1 EBADF" */
static void expect_control(size_t controllen, const char *control)
{
	struct iovec one = {"d0", 2};
	struct msghdr m = {
	    .msg_iov = &one, .msg_iovlen = 1, .msg_control = cu.buf, .msg_controllen = controllen};

	EXPECT_LINEF(
	    CALL(SYS_sendmsg, -1, EBADF, ARG(-1), ARG(&m), 0), EBADF_TEXT,
	    "sendmsg(-1, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"d0\", "
	    "iov_len=2}], msg_iovlen=1, msg_control=%s, msg_controllen=%zu, msg_flags=0}, 0)",
	    control, controllen);
}

START_TEST(ip_control_messages)
{
	size_t off = 0;
	struct in_pktinfo pi = {.ipi_ifindex = 0};

	pi.ipi_spec_dst.s_addr = htonl(INADDR_LOOPBACK);
	pi.ipi_addr.s_addr = inet_addr("1.2.3.4");
	put_cmsg(&off, SOL_IP, IP_PKTINFO, &pi, sizeof(pi));
	expect_control(off, "[{cmsg_len=28, cmsg_level=SOL_IP, cmsg_type=IP_PKTINFO, "
			    "cmsg_data={ipi_ifindex=0, ipi_spec_dst=inet_addr(\"127.0.0.1\"), "
			    "ipi_addr=inet_addr(\"1.2.3.4\")}}]");

	off = 0;
	int ttl = 64;
	unsigned char tos = 0x10, opts[40];
	for (int i = 0; i < 40; i++)
		opts[i] = (unsigned char)i;
	put_cmsg(&off, SOL_IP, IP_TTL, &ttl, sizeof(ttl));
	put_cmsg(&off, SOL_IP, IP_TOS, &tos, 1);
	put_cmsg(&off, SOL_IP, IP_RETOPTS, opts, 40);
	put_cmsg(&off, SOL_IP, IP_RECVOPTS, opts, 3);
	put_cmsg(&off, SOL_IP, 0x67, opts, 4);
	put_cmsg(&off, SOL_IP, IP_CHECKSUM, &ttl, 4);
	put_cmsg(&off, SOL_IP, IP_ORIGDSTADDR, &sin9, sizeof(sin9));
	put_cmsg(&off, SOL_IP, IP_ORIGDSTADDR, &sin9, 8);
	put_cmsg(&off, SOL_IP, 3, "sec\0x", 5);
	struct {
		uint32_t e;
		uint8_t o, t, c, p;
		uint32_t i, d;
		struct sockaddr_in off;
	} ee = {111, 2, 3, 4, 0, 5, 6, sin9};
	put_cmsg(&off, SOL_IP, IP_RECVERR, &ee, sizeof(ee));
	put_cmsg(&off, SOL_IP, IP_RECVERR, &ee, 8);
	put_cmsg(&off, SOL_IP, IP_PKTINFO, &pi, 8);
	expect_control(
	    off,
	    "[{cmsg_len=20, cmsg_level=SOL_IP, cmsg_type=IP_TTL, cmsg_data=[64]}, "
	    "{cmsg_len=17, cmsg_level=SOL_IP, cmsg_type=IP_TOS, cmsg_data=[0x10]}, "
	    "{cmsg_len=56, cmsg_level=SOL_IP, cmsg_type=IP_RETOPTS, cmsg_data=[0, 0x1, 0x2, 0x3, "
	    "0x4, "
	    "0x5, 0x6, 0x7, 0x8, 0x9, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x10, 0x11, 0x12, 0x13, 0x14, "
	    "0x15, "
	    "0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, ...]}, "
	    "{cmsg_len=19, cmsg_level=SOL_IP, cmsg_type=IP_RECVOPTS, cmsg_data=[0, 0x1, 0x2]}, "
	    "{cmsg_len=20, cmsg_level=SOL_IP, cmsg_type=0x67 /* IP_??? */}, "
	    "{cmsg_len=20, cmsg_level=SOL_IP, cmsg_type=IP_CHECKSUM, cmsg_data=[64]}, "
	    "{cmsg_len=32, cmsg_level=SOL_IP, cmsg_type=IP_ORIGDSTADDR, cmsg_data=" LOOPBACK_9 "}, "
	    "{cmsg_len=24, cmsg_level=SOL_IP, cmsg_type=IP_ORIGDSTADDR}, "
	    "{cmsg_len=21, cmsg_level=SOL_IP, cmsg_type=SCM_SECURITY, cmsg_data=\"sec\\0x\"}, "
	    "{cmsg_len=48, cmsg_level=SOL_IP, cmsg_type=IP_RECVERR, cmsg_data={ee_errno=111, "
	    "ee_origin=2, ee_type=3, ee_code=4, ee_info=5, ee_data=6, offender=" LOOPBACK_9 "}}, "
	    "{cmsg_len=24, cmsg_level=SOL_IP, cmsg_type=IP_RECVERR}, "
	    "{cmsg_len=24, cmsg_level=SOL_IP, cmsg_type=IP_PKTINFO}]");
}
END_TEST

START_TEST(socket_control_messages)
{
	size_t off = 0;
	int fds[40];

	for (int i = 0; i < 40; i++)
		fds[i] = i;
	put_cmsg(&off, SOL_SOCKET, SCM_RIGHTS, fds, 3 * sizeof(int));
	put_cmsg(&off, SOL_SOCKET, SCM_RIGHTS, fds, 40 * sizeof(int));
	put_cmsg(&off, SOL_SOCKET, SCM_RIGHTS, fds, 2);
	struct ucred uc = {4242, 0, (gid_t)-1};
	put_cmsg(&off, SOL_SOCKET, SCM_CREDENTIALS, &uc, sizeof(uc));
	put_cmsg(&off, SOL_SOCKET, SCM_CREDENTIALS, &uc, 8);
	put_cmsg(&off, SOL_SOCKET, 3, "label\1\0", 7);
	struct {
		long s, u;
	} tv = {1700000000, 123456}, ts3[3] = {{1, 2}, {3, 4}, {5, -1}};
	put_cmsg(&off, SOL_SOCKET, SO_TIMESTAMP_OLD, &tv, sizeof(tv));
	put_cmsg(&off, SOL_SOCKET, SO_TIMESTAMPNS_OLD, &tv, sizeof(tv));
	put_cmsg(&off, SOL_SOCKET, SO_TIMESTAMP_NEW, &tv, 8);
	put_cmsg(&off, SOL_SOCKET, SO_TIMESTAMPING_OLD, ts3, sizeof(ts3));
	put_cmsg(&off, SOL_SOCKET, SO_TIMESTAMPING_NEW, ts3, 32);
	put_cmsg(&off, SOL_SOCKET, SO_TIMESTAMPNS_NEW, ts3, 16);
	int v = 64;
	put_cmsg(&off, SOL_SOCKET, SO_WIFI_STATUS, &v, 4);
	put_cmsg(&off, SOL_SOCKET, 0x36, &v, 4);
	put_cmsg(&off, SOL_SOCKET, 99, &v, 4);
	put_cmsg(&off, 6, 1, &v, 4);
	put_cmsg(&off, 9999, -1, &v, 4);
	expect_control(
	    off,
	    "[{cmsg_len=28, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[0, 1, 2]}, "
	    "{cmsg_len=176, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[0, 1, 2, 3, 4, "
	    "5, "
	    "6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, "
	    "28, "
	    "29, 30, 31, ...]}, "
	    "{cmsg_len=18, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS}, "
	    "{cmsg_len=28, cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS, cmsg_data={pid=4242, "
	    "uid=0, gid=-1}}, "
	    "{cmsg_len=24, cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS}, "
	    "{cmsg_len=23, cmsg_level=SOL_SOCKET, cmsg_type=SCM_SECURITY, "
	    "cmsg_data=\"label\\1\\0\"}, "
	    "{cmsg_len=32, cmsg_level=SOL_SOCKET, cmsg_type=SO_TIMESTAMP_OLD, "
	    "cmsg_data={tv_sec=1700000000, tv_usec=123456}}, "
	    "{cmsg_len=32, cmsg_level=SOL_SOCKET, cmsg_type=SO_TIMESTAMPNS_OLD, "
	    "cmsg_data={tv_sec=1700000000, tv_nsec=123456}}, "
	    "{cmsg_len=24, cmsg_level=SOL_SOCKET, cmsg_type=SO_TIMESTAMP_NEW, cmsg_data=???}, "
	    "{cmsg_len=64, cmsg_level=SOL_SOCKET, cmsg_type=SO_TIMESTAMPING_OLD, "
	    "cmsg_data=[{tv_sec=1, tv_nsec=2}, {tv_sec=3, tv_nsec=4}, {tv_sec=5, "
	    "tv_nsec=18446744073709551615}]}, "
	    "{cmsg_len=48, cmsg_level=SOL_SOCKET, cmsg_type=SO_TIMESTAMPING_NEW, cmsg_data=???}, "
	    "{cmsg_len=32, cmsg_level=SOL_SOCKET, cmsg_type=SO_TIMESTAMPNS_NEW, "
	    "cmsg_data={tv_sec=1, tv_nsec=2}}, "
	    "{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SO_WIFI_STATUS}, "
	    "{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING_OPT_STATS}, "
	    "{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=0x63 /* SCM_??? */}, "
	    "{cmsg_len=20, cmsg_level=SOL_TCP, cmsg_type=0x1}, "
	    "{cmsg_len=20, cmsg_level=0x270f /* SOL_??? */, cmsg_type=0xffffffff}]");
}
END_TEST

START_TEST(control_buffer_shapes)
{
	size_t off = 0;
	char want[8192];
	size_t n = 0;

	/* Control messages are not abbreviated after 32. */
	for (int i = 0; i < 40; i++) {
		put_cmsg(&off, SOL_IP, IP_TTL, &i, sizeof(i));
		n += (size_t)snprintf(want + n, sizeof(want) - n,
				      "%s{cmsg_len=20, cmsg_level=SOL_IP, cmsg_type=IP_TTL, "
				      "cmsg_data=[%d]}",
				      i ? ", " : "[", i);
	}
	snprintf(want + n, sizeof(want) - n, "]");
	expect_control(off, want);

	int ttl = 64;
	off = 0;
	put_cmsg(&off, SOL_IP, IP_TTL, &ttl, 4);
	/* Bytes left that do not make a header. */
	snprintf(want, sizeof(want),
		 "[{cmsg_len=20, cmsg_level=SOL_IP, cmsg_type=IP_TTL, cmsg_data=[64]}, ... /* %#lx "
		 "*/]",
		 ARG(cu.buf + 24));
	expect_control(off + 4, want);
	memset(cu.buf + off, 0, 16);
	expect_control(off + 16, "[{cmsg_len=20, cmsg_level=SOL_IP, cmsg_type=IP_TTL, "
				 "cmsg_data=[64]}, {cmsg_len=0, cmsg_level=SOL_IP, cmsg_type=0 /* "
				 "IP_??? */}]");
	/* Shorter than a header: the address. */
	snprintf(want, sizeof(want), "%#lx", ARG(cu.buf));
	expect_control(15, want);
	expect_control(16, "[{cmsg_len=20, cmsg_level=SOL_IP, cmsg_type=IP_TTL}]");
	((struct cmsghdr *)cu.buf)->cmsg_len = 1000;
	memset(cu.buf + 20, 0, 4);
	cu.buf[20] = 1;
	expect_control(24, "[{cmsg_len=1000, cmsg_level=SOL_IP, cmsg_type=IP_TTL, "
			   "cmsg_data=[64, 1]}]");
	((struct cmsghdr *)cu.buf)->cmsg_len = 8;
	snprintf(want, sizeof(want),
		 "[{cmsg_len=8, cmsg_level=SOL_IP, cmsg_type=IP_TTL}, ... /* %#lx */]",
		 ARG(cu.buf + 16));
	expect_control(40, want);
	((struct cmsghdr *)cu.buf)->cmsg_len = 17;
	expect_control(40, "[{cmsg_len=17, cmsg_level=SOL_IP, cmsg_type=IP_TTL}, {cmsg_len=0, "
			   "cmsg_level=SOL_IP, cmsg_type=0 /* IP_??? */}]");
	/* More than net.core.optmem_max, and the buffer is not that long. */
	snprintf(want, sizeof(want), "%#lx", ARG(cu.buf));
	expect_control(200000, want);
}
END_TEST

START_TEST(control_buffer_unreadable)
{
	struct iovec one = {"d0", 2};
	char *bad = unmapped_page();
	struct msghdr m = {
	    .msg_iov = &one, .msg_iovlen = 1, .msg_control = NULL, .msg_controllen = 24};

	EXPECT_LINE(
	    CALL(SYS_sendmsg, -1, EBADF, ARG(-1), ARG(&m), 0),
	    "sendmsg(-1, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"d0\", "
	    "iov_len=2}], msg_iovlen=1, msg_control=NULL, msg_controllen=24, msg_flags=0}, 0) "
	    "= -1 EBADF (Bad file descriptor)\n");
	m.msg_control = bad;
	EXPECT_LINEF(
	    CALL(SYS_sendmsg, -1, EBADF, ARG(-1), ARG(&m), 0), EBADF_TEXT,
	    "sendmsg(-1, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"d0\", "
	    "iov_len=2}], msg_iovlen=1, msg_control=%#lx, msg_controllen=24, msg_flags=0}, 0)",
	    ARG(bad));
	char *hole = page_before_hole();
	memset(hole - 16, 0, 16);
	m.msg_control = hole - 16;
	m.msg_controllen = 32;
	EXPECT_LINEF(
	    CALL(SYS_sendmsg, -1, EBADF, ARG(-1), ARG(&m), 0), EBADF_TEXT,
	    "sendmsg(-1, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"d0\", "
	    "iov_len=2}], msg_iovlen=1, msg_control=%#lx, msg_controllen=32, msg_flags=0}, 0)",
	    ARG(hole - 16));
	munmap(hole - 4096, 4096);
}
END_TEST

START_TEST(long_security_label)
{
	/* Longer than the chunks the formatter reads it in: every byte, octal decided across
	 * chunk boundaries. */
	struct cmsghdr *h = &cu.align;
	unsigned char *d = CMSG_DATA(h);
	char want[16384];
	size_t n = 0;

	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = 3;
	h->cmsg_len = CMSG_LEN(3000);
	for (int i = 0; i < 3000; i++)
		d[i] = (i % 7 == 0) ? 1 : (unsigned char)('0' + i % 10);
	d[1023] = 2;
	d[1024] = '5';
	d[2047] = 3;
	d[2048] = '9';
	n += (size_t)snprintf(want, sizeof(want),
			      "[{cmsg_len=3016, cmsg_level=SOL_SOCKET, cmsg_type=SCM_SECURITY, "
			      "cmsg_data=\"");
	for (int i = 0; i < 3000; i++) {
		bool digit_follows = i + 1 < 3000 && d[i + 1] >= '0' && d[i + 1] <= '7';
		if (d[i] < ' ')
			n += (size_t)snprintf(want + n, sizeof(want) - n,
					      digit_follows ? "\\%03o" : "\\%o", d[i]);
		else
			want[n++] = (char)d[i];
	}
	snprintf(want + n, sizeof(want) - n, "\"}]");
	ck_assert(strstr(want, "\\0025") != NULL);
	ck_assert(strstr(want, "\\39") != NULL);
	expect_control(CMSG_SPACE(3000), want);
}
END_TEST

static struct mmsghdr mm[40];

static void setup_mmsg(void)
{
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 40; i++) {
		mm[i].msg_hdr.msg_name = &sin9;
		mm[i].msg_hdr.msg_namelen = sizeof(sin9);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
}

/* "{msg_hdr={...}[, msg_len=N]}, ..." for mm[from..to), msg_len on the first `with_len`. */
static char *mmsg_text(int from, int to, int with_len)
{
	static char text[16384];
	size_t n = 0;

	text[0] = '\0';
	for (int i = from; i < to; i++) {
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "%s{msg_hdr={msg_name=" LOOPBACK_9
				      ", msg_namelen=16, msg_iov=[{iov_base=\"%s\", iov_len=%zu}], "
				      "msg_iovlen=1, msg_controllen=0, msg_flags=0}",
				      i > from ? ", " : "", data[i], iov[i].iov_len);
		if (i - from < with_len)
			n += (size_t)snprintf(text + n, sizeof(text) - n, ", msg_len=%u",
					      mm[i].msg_len);
		text[n++] = '}';
		text[n] = '\0';
	}
	return text;
}

START_TEST(sendmmsg_arrays)
{
	char *bad = unmapped_page();

	setup_mmsg();
	mm[0].msg_len = 2;
	mm[1].msg_len = 2;
	EXPECT_LINEF(CALL(SYS_sendmmsg, 2, 0, 3, ARG(mm), 2, 0), "2", "sendmmsg(3, [%s], 2, 0)",
		     mmsg_text(0, 2, 2));
	EXPECT_LINEF(CALL(SYS_sendmmsg, 1, 0, 3, ARG(mm), 1, MSG_DONTWAIT), "1",
		     "sendmmsg(3, [%s], 1, MSG_DONTWAIT)", mmsg_text(0, 1, 1));
	/* Only the messages sent show msg_len; none when the call failed. */
	EXPECT_LINEF(CALL(SYS_sendmmsg, 1, 0, 3, ARG(mm), 2, 0), "1", "sendmmsg(3, [%s], 2, 0)",
		     mmsg_text(0, 2, 1));
	EXPECT_LINEF(CALL(SYS_sendmmsg, -1, EBADF, ARG(-1), ARG(mm), 2, 0), EBADF_TEXT,
		     "sendmmsg(-1, [%s], 2, 0)", mmsg_text(0, 2, 0));
	EXPECT_LINE(CALL(SYS_sendmmsg, -1, EBADF, ARG(-1), ARG(mm), 0, 0),
		    "sendmmsg(-1, [], 0, 0)                  = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(CALL(SYS_sendmmsg, -1, EBADF, ARG(-1), 0, 2, 0),
		    "sendmmsg(-1, NULL, 2, 0)                = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINEF(CALL(SYS_sendmmsg, -1, EBADF, ARG(-1), ARG(bad), 2, 0), EBADF_TEXT,
		     "sendmmsg(-1, %#lx, 2, 0)", ARG(bad));
	EXPECT_LINEF(CALL(SYS_sendmmsg, -1, EBADF, ARG(-1), ARG(mm), 33, 0), EBADF_TEXT,
		     "sendmmsg(-1, [%s, ...], 33, 0)", mmsg_text(0, 32, 0));
	for (int i = 0; i < 35; i++)
		mm[i].msg_len = (unsigned)iov[i].iov_len;
	EXPECT_LINEF(CALL(SYS_sendmmsg, 35, 0, 3, ARG(mm), 35, 0), "35",
		     "sendmmsg(3, [%s, ...], 35, 0)", mmsg_text(0, 32, 32));
	EXPECT_LINEF(CALL(SYS_sendmmsg, -1, EBADF, ARG(-1), ARG(mm), ARG(-1L), 0), EBADF_TEXT,
		     "sendmmsg(-1, [%s, ...], 4294967295, 0)", mmsg_text(0, 32, 0));
}
END_TEST

START_TEST(sendmmsg_into_a_hole_and_with_control)
{
	char *hole = page_before_hole();
	struct mmsghdr *e = (struct mmsghdr *)(hole - sizeof(*e));

	setup_mmsg();
	*e = mm[0];
	EXPECT_LINEF(CALL(SYS_sendmmsg, -1, EBADF, ARG(-1), ARG(e), 2, 0), EBADF_TEXT,
		     "sendmmsg(-1, [%s, ... /* %#lx */], 2, 0)", mmsg_text(0, 1, 0), ARG(hole));
	munmap(hole - 4096, 4096);

	size_t off = 0;
	int ttl = 64;
	put_cmsg(&off, SOL_IP, IP_TTL, &ttl, 4);
	mm[0].msg_hdr.msg_iov = NULL;
	mm[0].msg_hdr.msg_iovlen = 0;
	mm[0].msg_len = 0;
	mm[1].msg_hdr.msg_control = cu.buf;
	mm[1].msg_hdr.msg_controllen = CMSG_SPACE(4);
	mm[1].msg_len = 2;
	EXPECT_LINE(
	    CALL(SYS_sendmmsg, 2, 0, 3, ARG(mm), 2, 0),
	    "sendmmsg(3, [{msg_hdr={msg_name=" LOOPBACK_9 ", msg_namelen=16, msg_iov=NULL, "
	    "msg_iovlen=0, msg_controllen=0, msg_flags=0}, msg_len=0}, "
	    "{msg_hdr={msg_name=" LOOPBACK_9
	    ", msg_namelen=16, msg_iov=[{iov_base=\"d1\", iov_len=2}], msg_iovlen=1, "
	    "msg_control=[{cmsg_len=20, cmsg_level=SOL_IP, cmsg_type=IP_TTL, cmsg_data=[64]}], "
	    "msg_controllen=24, msg_flags=0}, msg_len=2}], 2, 0) = 2\n");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("strace_msg");
	TCase *tc = tcase_create("msg");

	setup();
	tcase_add_test(tc, writev_arrays);
	tcase_add_test(tc, writev_running_into_a_hole);
	tcase_add_test(tc, sendmsg_headers);
	tcase_add_test(tc, ip_control_messages);
	tcase_add_test(tc, socket_control_messages);
	tcase_add_test(tc, control_buffer_shapes);
	tcase_add_test(tc, control_buffer_unreadable);
	tcase_add_test(tc, long_security_label);
	tcase_add_test(tc, sendmmsg_arrays);
	tcase_add_test(tc, sendmmsg_into_a_hole_and_with_control);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
