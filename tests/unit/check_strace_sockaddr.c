/* Socket addresses (connect/bind): AF_INET, AF_INET6, AF_UNIX, AF_NETLINK, AF_PACKET, raw
 * sa_data for other families and short lengths, unreadable addresses. */
#include "check_strace_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <linux/if_packet.h>
#include <linux/netlink.h>

#define EBADF_TEXT	     "-1 EBADF (Bad file descriptor)"
#define BIND(addr_, len_)    CALL(SYS_bind, -1, EBADF, ARG(-1), ARG(addr_), ARG(len_))
#define CONNECT(addr_, len_) CALL(SYS_connect, -1, EBADF, ARG(-1), ARG(addr_), ARG(len_))

START_TEST(inet)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(65535)};
	char *bad = unmapped_page();

	sin.sin_addr.s_addr = inet_addr("10.1.2.3");
	EXPECT_LINEF(BIND(&sin, -1), EBADF_TEXT, "bind(-1, %#lx, -1)", ARG(&sin));
	EXPECT_LINEF(BIND(&sin, 0), EBADF_TEXT, "bind(-1, %#lx, 0)", ARG(&sin));
	EXPECT_LINEF(BIND(&sin, 1), EBADF_TEXT, "bind(-1, %#lx, 1)", ARG(&sin));
	EXPECT_LINE(BIND(&sin, 2),
		    "bind(-1, {sa_family=AF_INET}, 2)        = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(BIND(&sin, 3), "bind(-1, {sa_family=AF_INET, sa_data=\"\\377\"}, 3) = -1 EBADF "
				   "(Bad file descriptor)\n");
	EXPECT_LINE(BIND(&sin, 9),
		    "bind(-1, {sa_family=AF_INET, sa_data=\"\\377\\377\\n\\1\\2\\3\\0\"}, "
		    "9) = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(
	    BIND(&sin, 15),
	    "bind(-1, {sa_family=AF_INET, "
	    "sa_data=\"\\377\\377\\n\\1\\2\\3\\0\\0\\0\\0\\0\\0\\0\"}, 15) = -1 EBADF (Bad file "
	    "descriptor)\n");
	EXPECT_LINE(BIND(&sin, 16), "bind(-1, {sa_family=AF_INET, sin_port=htons(65535), "
				    "sin_addr=inet_addr(\"10.1.2.3\")}, 16) = -1 EBADF (Bad file "
				    "descriptor)\n");
	struct sockaddr_storage big;
	memset(&big, 0, sizeof(big));
	memcpy(&big, &sin, sizeof(sin));
	EXPECT_LINE(BIND(&big, 128), "bind(-1, {sa_family=AF_INET, sin_port=htons(65535), "
				     "sin_addr=inet_addr(\"10.1.2.3\")}, 128) = -1 EBADF (Bad file "
				     "descriptor)\n");
	EXPECT_LINE(BIND(NULL, 16),
		    "bind(-1, NULL, 16)                      = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINEF(BIND(bad, 16), EBADF_TEXT, "bind(-1, %#lx, 16)", ARG(bad));
	EXPECT_LINEF(BIND(bad, 1), EBADF_TEXT, "bind(-1, %#lx, 1)", ARG(bad));
}
END_TEST

START_TEST(inet_partly_unreadable)
{
	char *hole = page_before_hole();

	EXPECT_LINEF(BIND(hole - 8, 16), EBADF_TEXT, "bind(-1, %#lx, 16)", ARG(hole - 8));
	munmap(hole - 4096, 4096);
}
END_TEST

START_TEST(inet6)
{
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6,
				  .sin6_port = htons(53),
				  .sin6_flowinfo = htonl(0x12345),
				  .sin6_scope_id = 7};

	inet_pton(AF_INET6, "::1", &s6.sin6_addr);
	EXPECT_LINE(
	    CONNECT(&s6, 22),
	    "connect(-1, {sa_family=AF_INET6, "
	    "sa_data=\"\\0005\\0\\1#E\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\"}, 22) = -1 EBADF "
	    "(Bad file descriptor)\n");
	EXPECT_LINE(
	    CONNECT(&s6, 24),
	    "connect(-1, {sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(74565), "
	    "inet_pton(AF_INET6, \"::1\", &sin6_addr)}, 24) = -1 EBADF (Bad file "
	    "descriptor)\n");
	EXPECT_LINE(
	    CONNECT(&s6, 25),
	    "connect(-1, {sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(74565), "
	    "inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=7}, 25) = -1 EBADF (Bad "
	    "file descriptor)\n");
	inet_pton(AF_INET6, "fe80::1", &s6.sin6_addr);
	s6.sin6_scope_id = 9999;
	EXPECT_LINE(
	    CONNECT(&s6, 28),
	    "connect(-1, {sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(74565), "
	    "inet_pton(AF_INET6, \"fe80::1\", &sin6_addr), sin6_scope_id=9999}, 28) = -1 EBADF "
	    "(Bad file descriptor)\n");
	inet_pton(AF_INET6, "::ffff:1.2.3.4", &s6.sin6_addr);
	s6.sin6_scope_id = 0;
	EXPECT_LINE(
	    CONNECT(&s6, 28),
	    "connect(-1, {sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(74565), "
	    "inet_pton(AF_INET6, \"::ffff:1.2.3.4\", &sin6_addr), sin6_scope_id=0}, 28) = -1 "
	    "EBADF (Bad file descriptor)\n");
	inet_pton(AF_INET6, "2001:db8::dead:beef", &s6.sin6_addr);
	EXPECT_LINE(
	    CONNECT(&s6, 28),
	    "connect(-1, {sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(74565), "
	    "inet_pton(AF_INET6, \"2001:db8::dead:beef\", &sin6_addr), sin6_scope_id=0}, 28) = "
	    "-1 EBADF (Bad file descriptor)\n");
}
END_TEST

START_TEST(unix_paths)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	strcpy(sun.sun_path, "/tmp/sock\"\n\1x");
	EXPECT_LINE(
	    CONNECT(&sun, sizeof(sun)),
	    "connect(-1, {sa_family=AF_UNIX, sun_path=\"/tmp/sock\\\"\\n\\1x\"}, 110) = -1 EBADF "
	    "(Bad file descriptor)\n");
	EXPECT_LINE(CONNECT(&sun, offsetof(struct sockaddr_un, sun_path) + 5),
		    "connect(-1, {sa_family=AF_UNIX, sun_path=\"/tmp/\"}, 7) = -1 EBADF (Bad file "
		    "descriptor)\n");
	EXPECT_LINE(CONNECT(&sun, 2),
		    "connect(-1, {sa_family=AF_UNIX}, 2)     = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(CONNECT(&sun, 3),
		    "connect(-1, {sa_family=AF_UNIX, sun_path=\"/\"}, 3) = -1 EBADF "
		    "(Bad file descriptor)\n");

	/* A full path is shown whole (not cut at 32), also when addrlen claims more. */
	char want[512];
	memset(sun.sun_path, 'a', sizeof(sun.sun_path));
	snprintf(want, sizeof(want),
		 "connect(-1, {sa_family=AF_UNIX, sun_path=\"%.108s\"}, 120) = -1 EBADF (Bad file "
		 "descriptor)\n",
		 sun.sun_path);
	EXPECT_LINE(CONNECT(&sun, 120), want);

	/* Abstract names: '@', then every byte up to addrlen. */
	memset(sun.sun_path, 0, sizeof(sun.sun_path));
	memcpy(sun.sun_path, "\0abstract\0x7", 12);
	EXPECT_LINE(
	    CONNECT(&sun, offsetof(struct sockaddr_un, sun_path) + 12),
	    "connect(-1, {sa_family=AF_UNIX, sun_path=@\"abstract\\0x7\"}, 14) = -1 EBADF (Bad "
	    "file descriptor)\n");
	EXPECT_LINE(CONNECT(&sun, offsetof(struct sockaddr_un, sun_path) + 1),
		    "connect(-1, {sa_family=AF_UNIX, sun_path=@\"\"}, 3) = -1 EBADF (Bad file "
		    "descriptor)\n");
}
END_TEST

START_TEST(other_families)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNSPEC;
	EXPECT_LINE(CONNECT(&ss, 2),
		    "connect(-1, {sa_family=AF_UNSPEC}, 2)   = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(CONNECT(&ss, 16), "connect(-1, {sa_family=AF_UNSPEC, "
				      "sa_data=\"\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\"}, "
				      "16) = -1 EBADF (Bad file descriptor)\n");
	ss.ss_family = 99;
	memcpy((char *)&ss + 2, "\1\2\0037abc\377", 8);
	EXPECT_LINE(
	    CONNECT(&ss, 10),
	    "connect(-1, {sa_family=0x63 /* AF_??? */, sa_data=\"\\1\\2\\0037abc\\377\"}, 10) = -1 "
	    "EBADF (Bad file descriptor)\n");
	ss.ss_family = AF_BRIDGE;
	EXPECT_LINE(CONNECT(&ss, 16), "connect(-1, {sa_family=AF_BRIDGE, "
				      "sa_data=\"\\1\\2\\0037abc\\377\\0\\0\\0\\0\\0\\0\"}, "
				      "16) = -1 EBADF (Bad file descriptor)\n");
}
END_TEST

START_TEST(netlink)
{
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK, .nl_pid = 1234, .nl_groups = 5};

	EXPECT_LINE(
	    BIND(&nl, sizeof(nl)),
	    "bind(-1, {sa_family=AF_NETLINK, nl_pid=1234, nl_groups=0x000005}, 12) = -1 EBADF "
	    "(Bad file descriptor)\n");
	nl.nl_groups = 0;
	nl.nl_pad = 3;
	EXPECT_LINE(
	    BIND(&nl, sizeof(nl)),
	    "bind(-1, {sa_family=AF_NETLINK, nl_pad=0x3, nl_pid=1234, nl_groups=00000000}, 12) "
	    "= -1 EBADF (Bad file descriptor)\n");
	nl.nl_pad = 0;
	nl.nl_groups = 0xffffffff;
	nl.nl_pid = (unsigned)-5;
	EXPECT_LINE(
	    BIND(&nl, sizeof(nl)),
	    "bind(-1, {sa_family=AF_NETLINK, nl_pid=-5, nl_groups=0xffffffff}, 12) = -1 EBADF "
	    "(Bad file descriptor)\n");
	EXPECT_LINE(BIND(&nl, 8),
		    "bind(-1, {sa_family=AF_NETLINK, sa_data=\"\\0\\0\\373\\377\\377\\377\"}, "
		    "8) = -1 EBADF (Bad file descriptor)\n");
}
END_TEST

START_TEST(packet)
{
	struct sockaddr_ll ll = {.sll_family = AF_PACKET,
				 .sll_protocol = htons(0x800),
				 .sll_ifindex = 0,
				 .sll_hatype = 1,
				 .sll_pkttype = 3,
				 .sll_halen = 6,
				 .sll_addr = {1, 2, 3, 0xaa, 0xbb, 0}};

	EXPECT_LINE(
	    BIND(&ll, sizeof(ll)),
	    "bind(-1, {sa_family=AF_PACKET, sll_protocol=htons(ETH_P_IP), sll_ifindex=0, "
	    "sll_hatype=ARPHRD_ETHER, sll_pkttype=PACKET_OTHERHOST, sll_halen=6, sll_addr=[0x1, "
	    "0x2, 0x3, 0xaa, 0xbb, 00]}, 20) = -1 EBADF (Bad file descriptor)\n");
	ll.sll_halen = 0;
	ll.sll_hatype = 9999;
	ll.sll_pkttype = 77;
	ll.sll_protocol = htons(0x4242);
	ll.sll_ifindex = 12345;
	EXPECT_LINE(BIND(&ll, sizeof(ll)),
		    "bind(-1, {sa_family=AF_PACKET, sll_protocol=htons(0x4242 /* ETH_P_??? */), "
		    "sll_ifindex=12345, sll_hatype=0x270f /* ARPHRD_??? */, sll_pkttype=0x4d /* "
		    "PACKET_??? */, sll_halen=0}, 20) = -1 EBADF (Bad file descriptor)\n");
	struct {
		struct sockaddr_ll ll;
		unsigned char extra[20];
	} lx;
	memset(&lx, 0x5a, sizeof(lx));
	lx.ll = ll;
	lx.ll.sll_halen = 14;
	ll.sll_addr[0] = 1;
	/* sll_halen past the address length: "..." where the address ends. */
	EXPECT_LINE(BIND(&lx, sizeof(ll)),
		    "bind(-1, {sa_family=AF_PACKET, sll_protocol=htons(0x4242 /* ETH_P_??? */), "
		    "sll_ifindex=12345, sll_hatype=0x270f /* ARPHRD_??? */, sll_pkttype=0x4d /* "
		    "PACKET_??? */, sll_halen=14, sll_addr=[0x1, 0x2, 0x3, 0xaa, 0xbb, 00, 00, 00, "
		    "...]}, 20) = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(
	    BIND(&lx, sizeof(lx)),
	    "bind(-1, {sa_family=AF_PACKET, sll_protocol=htons(0x4242 /* ETH_P_??? */), "
	    "sll_ifindex=12345, sll_hatype=0x270f /* ARPHRD_??? */, sll_pkttype=0x4d /* "
	    "PACKET_??? */, sll_halen=14, sll_addr=[0x1, 0x2, 0x3, 0xaa, 0xbb, 00, 00, 00, 0x5a, "
	    "0x5a, 0x5a, 0x5a, 0x5a, 0x5a]}, 40) = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(
	    BIND(&ll, 18),
	    "bind(-1, {sa_family=AF_PACKET, "
	    "sa_data=\"BB90\\0\\0\\17'M\\0\\1\\2\\3\\252\\273\\0\"}, 18) = -1 EBADF (Bad file "
	    "descriptor)\n");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("strace_sockaddr");
	TCase *tc = tcase_create("sockaddr");

	tcase_add_test(tc, inet);
	tcase_add_test(tc, inet_partly_unreadable);
	tcase_add_test(tc, inet6);
	tcase_add_test(tc, unix_paths);
	tcase_add_test(tc, other_families);
	tcase_add_test(tc, netlink);
	tcase_add_test(tc, packet);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
