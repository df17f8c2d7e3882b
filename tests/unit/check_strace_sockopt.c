/* setsockopt/getsockopt: levels, option names per level, and option values. */
#include "check_strace_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/filter.h>
#include <linux/icmp.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>

#define SOL_TCP_ 6
#define SOL_UDP_ 17

static int one = 1;

/* setsockopt(-1, level, name, [1], 4) = -1 EBADF, as strace names level and name. */
static void expect_set_name(unsigned level, unsigned name, const char *names)
{
	EXPECT_LINEF(CALL(SYS_setsockopt, -1, EBADF, ARG(-1), level, name, ARG(&one), 4),
		     "-1 EBADF (Bad file descriptor)", "setsockopt(-1, %s, [1], 4)", names);
}

/* getsockopt(-1, level, name, ...) = -1 EBADF: the names getsockopt uses. */
static void expect_get_name(unsigned level, unsigned name, const char *names)
{
	int len = 4;

	EXPECT_LINEF(CALL(SYS_getsockopt, -1, EBADF, ARG(-1), level, name, ARG(&one), ARG(&len)),
		     "-1 EBADF (Bad file descriptor)", "getsockopt(-1, %s, %#lx, [4])", names,
		     ARG(&one));
}

START_TEST(levels_and_names)
{
	expect_set_name(SOL_SOCKET, SO_REUSEADDR, "SOL_SOCKET, SO_REUSEADDR");
	expect_set_name(SOL_SOCKET, 25, "SOL_SOCKET, SO_BINDTODEVICE");
	expect_get_name(SOL_SOCKET, 26, "SOL_SOCKET, SO_GET_FILTER");
	expect_set_name(SOL_SOCKET, 0x62, "SOL_SOCKET, 0x62 /* SO_??? */");
	expect_set_name(SOL_SOCKET, 75, "SOL_SOCKET, SO_RCVMARK");
	expect_set_name(SOL_IP, IP_TTL, "SOL_IP, IP_TTL");
	expect_set_name(SOL_IP, 50, "SOL_IP, IP_UNICAST_IF");
	expect_set_name(SOL_IP, 64, "SOL_IP, IPT_SO_SET_REPLACE");
	expect_get_name(SOL_IP, 64, "SOL_IP, IPT_SO_GET_INFO");
	expect_get_name(SOL_IP, 98, "SOL_IP, 0x62 /* IP_??? */");
	expect_get_name(SOL_IP, 128, "SOL_IP, EBT_SO_GET_INFO");
	expect_get_name(SOL_IP, 1152, "SOL_IP, IP_VS_SO_GET_VERSION");
	expect_set_name(SOL_IP, 1152, "SOL_IP, IP_VS_SO_SET_NONE");
	expect_set_name(SOL_IP, 1167, "SOL_IP, IP_VS_SO_SET_ZERO");
	expect_set_name(SOL_IPV6, 26, "SOL_IPV6, IPV6_V6ONLY");
	expect_set_name(SOL_IPV6, 64, "SOL_IPV6, IP6T_SO_SET_REPLACE");
	expect_get_name(SOL_IPV6, 69, "SOL_IPV6, IP6T_SO_GET_REVISION_TARGET");
	expect_set_name(SOL_TCP_, 1, "SOL_TCP, TCP_NODELAY");
	expect_set_name(SOL_TCP_, 38, "SOL_TCP, 0x26 /* TCP_??? */");
	expect_set_name(SOL_UDP_, 103, "SOL_UDP, UDP_SEGMENT");
	expect_set_name(SOL_UDP_, 2, "SOL_UDP, 0x2 /* UDP_??? */");
	expect_get_name(SOL_RAW, 1, "SOL_RAW, ICMP_FILTER");
	expect_set_name(SOL_RAW, 2, "SOL_RAW, 0x2 /* RAW_??? */");
	expect_set_name(SOL_PACKET, 10, "SOL_PACKET, PACKET_VERSION");
	expect_set_name(SOL_NETLINK, 11, "SOL_NETLINK, NETLINK_EXT_ACK");
	expect_set_name(40, 0, "AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE");
	expect_set_name(282, 1, "SOL_TLS, TLS_TX");
	expect_set_name(132, 133, "SOL_SCTP, SCTP_PLPMTUD_PROBE_INTERVAL");
	expect_set_name(58, 1, "SOL_ICMPV6, 1");
	expect_set_name(284, 1, "0x11c /* SOL_?? */, 1");
	expect_set_name(1000, 0xffffffff, "0x3e8 /* SOL_?? */, 4294967295");
}
END_TEST

START_TEST(set_int_and_bytes)
{
	char *bad = unmapped_page();
	struct timeval tv = {1, 500};

	EXPECT_LINE(CALL(SYS_setsockopt, 0, 0, 3, SOL_SOCKET, SO_REUSEADDR, ARG(&one), 4),
		    "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n");
	EXPECT_LINEF(CALL(SYS_setsockopt, -1, EINVAL, 3, SOL_SOCKET, SO_REUSEADDR, ARG(&one), 2),
		     "-1 EINVAL (Invalid argument)",
		     "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, %#lx, 2)", ARG(&one));
	EXPECT_LINE(CALL(SYS_setsockopt, 0, 0, 3, SOL_SOCKET, SO_REUSEADDR, ARG(&one), 8),
		    "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 8) = 0\n");
	EXPECT_LINE(CALL(SYS_setsockopt, -1, EFAULT, 3, SOL_SOCKET, SO_REUSEADDR, 0, 4),
		    "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, NULL, 4) = -1 EFAULT (Bad address)\n");
	EXPECT_LINEF(CALL(SYS_setsockopt, -1, EFAULT, 3, SOL_SOCKET, SO_REUSEADDR, ARG(bad), 4),
		     "-1 EFAULT (Bad address)", "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, %#lx, 4)",
		     ARG(bad));
	/* Options without a decoder: an int when 4 bytes long, else the bytes. */
	EXPECT_LINE(CALL(SYS_setsockopt, -1, ENOPROTOOPT, 3, SOL_SOCKET, SO_TYPE, ARG(&one), 4),
		    "setsockopt(3, SOL_SOCKET, SO_TYPE, [1], 4) = -1 ENOPROTOOPT (Protocol not "
		    "available)\n");
	EXPECT_LINE(CALL(SYS_setsockopt, -1, EINVAL, 3, SOL_SOCKET, SO_TYPE, ARG(&one), 3),
		    "setsockopt(3, SOL_SOCKET, SO_TYPE, \"\\1\\0\\0\", 3) = -1 EINVAL (Invalid "
		    "argument)\n");
	EXPECT_LINE(CALL(SYS_setsockopt, -1, EINVAL, 3, SOL_SOCKET, SO_TYPE, 0, 3),
		    "setsockopt(3, SOL_SOCKET, SO_TYPE, NULL, 3) = -1 EINVAL (Invalid argument)\n");
	EXPECT_LINEF(CALL(SYS_setsockopt, -1, EINVAL, 3, SOL_SOCKET, SO_TYPE, ARG(bad), 3),
		     "-1 EINVAL (Invalid argument)", "setsockopt(3, SOL_SOCKET, SO_TYPE, %#lx, 3)",
		     ARG(bad));
	EXPECT_LINE(
	    CALL(SYS_setsockopt, 0, 0, 3, SOL_SOCKET, SO_RCVTIMEO_OLD, ARG(&tv), sizeof(tv)),
	    "setsockopt(3, SOL_SOCKET, SO_RCVTIMEO_OLD, "
	    "\"\\1\\0\\0\\0\\0\\0\\0\\0\\364\\1\\0\\0\\0\\0\\0\\0\", 16) = 0\n");
	EXPECT_LINE(CALL(SYS_setsockopt, 0, 0, 3, SOL_SOCKET, SO_BINDTODEVICE, ARG("lo"), 3),
		    "setsockopt(3, SOL_SOCKET, SO_BINDTODEVICE, \"lo\\0\", 3) = 0\n");
	EXPECT_LINE(CALL(SYS_setsockopt, 0, 0, 3, SOL_SOCKET, SO_BINDTODEVICE, ARG(""), 0),
		    "setsockopt(3, SOL_SOCKET, SO_BINDTODEVICE, \"\", 0) = 0\n");
	EXPECT_LINE(CALL(SYS_setsockopt, 0, 0, 4, SOL_TCP_, 13, ARG("cubic"), 5),
		    "setsockopt(4, SOL_TCP, TCP_CONGESTION, \"cubic\", 5) = 0\n");
	EXPECT_LINE(CALL(SYS_setsockopt, 0, 0, 3, SOL_IP, IP_TTL, ARG(&one), 1),
		    "setsockopt(3, SOL_IP, IP_TTL, \"\\1\", 1)  = 0\n");
	/* A negative optlen reads as a huge string length. */
	unsigned char many[40] = {1, 0, 0, 0, 9};
	EXPECT_LINE(
	    CALL(SYS_setsockopt, -1, EINVAL, 3, SOL_SOCKET, SO_TYPE, ARG(many), ARG(-1)),
	    "setsockopt(3, SOL_SOCKET, SO_TYPE, "
	    "\"\\1\\0\\0\\0\\t\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0"
	    "\\0\\0\\0\\0\"..., -1) = -1 EINVAL (Invalid argument)\n");
}
END_TEST

START_TEST(set_structures)
{
	struct linger lg = {1, 5};
	char *bad = unmapped_page();

	EXPECT_LINE(CALL(SYS_setsockopt, 0, 0, 4, SOL_SOCKET, SO_LINGER, ARG(&lg), sizeof(lg)),
		    "setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=5}, 8) = 0\n");
	EXPECT_LINEF(CALL(SYS_setsockopt, -1, EINVAL, 4, SOL_SOCKET, SO_LINGER, ARG(&lg), 4),
		     "-1 EINVAL (Invalid argument)",
		     "setsockopt(4, SOL_SOCKET, SO_LINGER, %#lx, 4)", ARG(&lg));
	EXPECT_LINE(CALL(SYS_setsockopt, 0, 0, 4, SOL_SOCKET, SO_LINGER, ARG(&lg), 12),
		    "setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=5}, 12) = 0\n");
	EXPECT_LINEF(CALL(SYS_setsockopt, -1, EFAULT, 4, SOL_SOCKET, SO_LINGER, ARG(bad), 8),
		     "-1 EFAULT (Bad address)", "setsockopt(4, SOL_SOCKET, SO_LINGER, %#lx, 8)",
		     ARG(bad));

	int rehash = 255, odd = 7;
	EXPECT_LINE(CALL(SYS_setsockopt, -1, EOPNOTSUPP, 3, SOL_SOCKET, SO_TXREHASH, ARG(&one), 4),
		    "setsockopt(3, SOL_SOCKET, SO_TXREHASH, [SOCK_TXREHASH_ENABLED], 4) = -1 "
		    "EOPNOTSUPP (Operation not supported)\n");
	EXPECT_LINE(
	    CALL(SYS_setsockopt, -1, EOPNOTSUPP, 3, SOL_SOCKET, SO_TXREHASH, ARG(&rehash), 4),
	    "setsockopt(3, SOL_SOCKET, SO_TXREHASH, [SOCK_TXREHASH_DEFAULT], 4) = -1 "
	    "EOPNOTSUPP (Operation not supported)\n");
	EXPECT_LINE(CALL(SYS_setsockopt, -1, EOPNOTSUPP, 3, SOL_SOCKET, SO_TXREHASH, ARG(&odd), 4),
		    "setsockopt(3, SOL_SOCKET, SO_TXREHASH, [7 /* SOCK_TXREHASH_??? */], 4) = -1 "
		    "EOPNOTSUPP (Operation not supported)\n");
	EXPECT_LINEF(CALL(SYS_setsockopt, -1, EINVAL, 3, SOL_SOCKET, SO_TXREHASH, ARG(&odd), 2),
		     "-1 EINVAL (Invalid argument)",
		     "setsockopt(3, SOL_SOCKET, SO_TXREHASH, %#lx, 2)", ARG(&odd));

	struct sock_filter f[2] = {BPF_STMT(BPF_RET | BPF_K, 0xffff), BPF_STMT(BPF_RET | BPF_K, 0)};
	struct sock_fprog prog = {2, f};
	EXPECT_LINEF(
	    CALL(SYS_setsockopt, 0, 0, 3, SOL_SOCKET, SO_ATTACH_FILTER, ARG(&prog), sizeof(prog)),
	    "0", "setsockopt(3, SOL_SOCKET, SO_ATTACH_FILTER, {len=2, filter=%#lx}, 16)", ARG(f));
	EXPECT_LINEF(
	    CALL(SYS_setsockopt, -1, EINVAL, 3, SOL_SOCKET, SO_ATTACH_FILTER, ARG(&odd), 2),
	    "-1 EINVAL (Invalid argument)", "setsockopt(3, SOL_SOCKET, SO_ATTACH_FILTER, %#lx, 2)",
	    ARG(&odd));

	struct ip_mreq mr;
	mr.imr_multiaddr.s_addr = inet_addr("224.0.0.251");
	mr.imr_interface.s_addr = htonl(INADDR_LOOPBACK);
	EXPECT_LINE(CALL(SYS_setsockopt, 0, 0, 3, SOL_IP, IP_ADD_MEMBERSHIP, ARG(&mr), sizeof(mr)),
		    "setsockopt(3, SOL_IP, IP_ADD_MEMBERSHIP, {imr_multiaddr=inet_addr("
		    "\"224.0.0.251\"), imr_interface=inet_addr(\"127.0.0.1\")}, 8) = 0\n");
	EXPECT_LINEF(CALL(SYS_setsockopt, -1, EINVAL, 3, SOL_IP, IP_ADD_MEMBERSHIP, ARG(&mr), 4),
		     "-1 EINVAL (Invalid argument)",
		     "setsockopt(3, SOL_IP, IP_ADD_MEMBERSHIP, %#lx, 4)", ARG(&mr));
	/* struct ip_mreqn: strace shows its first two fields as an ip_mreq. */
	struct ip_mreqn mrn = {.imr_ifindex = 1};
	mrn.imr_multiaddr.s_addr = inet_addr("224.0.0.251");
	EXPECT_LINE(
	    CALL(SYS_setsockopt, 0, 0, 3, SOL_IP, IP_ADD_MEMBERSHIP, ARG(&mrn), sizeof(mrn)),
	    "setsockopt(3, SOL_IP, IP_ADD_MEMBERSHIP, {imr_multiaddr=inet_addr("
	    "\"224.0.0.251\"), imr_interface=inet_addr(\"0.0.0.0\")}, 12) = 0\n");
	EXPECT_LINE(
	    CALL(SYS_setsockopt, 0, 0, 3, SOL_IP, IP_MULTICAST_IF, ARG(&mrn), sizeof(mrn)),
	    "setsockopt(3, SOL_IP, IP_MULTICAST_IF, \"\\340\\0\\0\\373\\0\\0\\0\\0\\1\\0\\0\\0\", "
	    "12) = 0\n");
	EXPECT_LINE(
	    CALL(SYS_setsockopt, 0, 0, 3, SOL_IP, IP_MULTICAST_IF, ARG(&mr.imr_interface), 4),
	    "setsockopt(3, SOL_IP, IP_MULTICAST_IF, [16777343], 4) = 0\n");

	/* Interface indexes are numbers here: strace names them when the interface exists. */
	struct group_req gr = {.gr_interface = 0};
	struct sockaddr_in *gsin = (struct sockaddr_in *)&gr.gr_group;
	gsin->sin_family = AF_INET;
	gsin->sin_addr.s_addr = inet_addr("224.0.0.252");
	EXPECT_LINE(CALL(SYS_setsockopt, 0, 0, 3, SOL_IP, MCAST_JOIN_GROUP, ARG(&gr), sizeof(gr)),
		    "setsockopt(3, SOL_IP, MCAST_JOIN_GROUP, {gr_interface=0, "
		    "gr_group={sa_family=AF_INET, sin_port=htons(0), "
		    "sin_addr=inet_addr(\"224.0.0.252\")}}, 136) = 0\n");
	struct ipv6_mreq m6 = {.ipv6mr_interface = 0};
	inet_pton(AF_INET6, "ff02::fb", &m6.ipv6mr_multiaddr);
	EXPECT_LINE(
	    CALL(SYS_setsockopt, 0, 0, 5, SOL_IPV6, IPV6_ADD_MEMBERSHIP, ARG(&m6), sizeof(m6)),
	    "setsockopt(5, SOL_IPV6, IPV6_ADD_MEMBERSHIP, {inet_pton(AF_INET6, \"ff02::fb\", "
	    "&ipv6mr_multiaddr), ipv6mr_interface=0}, 20) = 0\n");
	EXPECT_LINEF(CALL(SYS_setsockopt, -1, EINVAL, 5, SOL_IPV6, IPV6_JOIN_ANYCAST, ARG(&m6), 8),
		     "-1 EINVAL (Invalid argument)",
		     "setsockopt(5, SOL_IPV6, IPV6_JOIN_ANYCAST, %#lx, 8)", ARG(&m6));

	struct tpacket_req tr = {4096, 4, 2048, 8};
	EXPECT_LINE(
	    CALL(SYS_setsockopt, -1, EBADF, ARG(-1), SOL_PACKET, PACKET_RX_RING, ARG(&tr),
		 sizeof(tr)),
	    "setsockopt(-1, SOL_PACKET, PACKET_RX_RING, {tp_block_size=4096, tp_block_nr=4, "
	    "tp_frame_size=2048, tp_frame_nr=8}, 16) = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINEF(CALL(SYS_setsockopt, -1, EINVAL, 6, SOL_PACKET, PACKET_RX_RING, ARG(&tr), 12),
		     "-1 EINVAL (Invalid argument)",
		     "setsockopt(6, SOL_PACKET, PACKET_RX_RING, %#lx, 12)", ARG(&tr));
	struct packet_mreq pm = {.mr_ifindex = 0,
				 .mr_type = PACKET_MR_PROMISC,
				 .mr_alen = 6,
				 .mr_address = {0, 0x11, 0x22, 0x33, 0x44, 0xab}};
	EXPECT_LINE(CALL(SYS_setsockopt, -1, EBADF, ARG(-1), SOL_PACKET, PACKET_ADD_MEMBERSHIP,
			 ARG(&pm), sizeof(pm)),
		    "setsockopt(-1, SOL_PACKET, PACKET_ADD_MEMBERSHIP, {mr_ifindex=0, "
		    "mr_type=PACKET_MR_PROMISC, mr_alen=6, mr_address=00:11:22:33:44:ab}, 16) = -1 "
		    "EBADF (Bad file descriptor)\n");
	pm.mr_type = 9;
	pm.mr_alen = 10;
	EXPECT_LINE(
	    CALL(SYS_setsockopt, -1, EBADF, ARG(-1), SOL_PACKET, PACKET_DROP_MEMBERSHIP, ARG(&pm),
		 sizeof(pm)),
	    "setsockopt(-1, SOL_PACKET, PACKET_DROP_MEMBERSHIP, {mr_ifindex=0, mr_type=0x9 /* "
	    "PACKET_MR_??? */, mr_alen=10, mr_address=00:11:22:33:44:ab:00:00}, 16) = -1 EBADF "
	    "(Bad file descriptor)\n");

	struct icmp_filter icf = {(1 << ICMP_ECHO) | (1 << ICMP_ECHOREPLY) | (1 << 20)};
	EXPECT_LINE(
	    CALL(SYS_setsockopt, 0, 0, 7, SOL_RAW, ICMP_FILTER, ARG(&icf), sizeof(icf)),
	    "setsockopt(7, SOL_RAW, ICMP_FILTER, [ICMP_ECHOREPLY ICMP_ECHO 0x14 /* ICMP_??? "
	    "*/], 4) = 0\n");
	icf.data = ~icf.data;
	EXPECT_LINE(
	    CALL(SYS_setsockopt, 0, 0, 7, SOL_RAW, ICMP_FILTER, ARG(&icf), sizeof(icf)),
	    "setsockopt(7, SOL_RAW, ICMP_FILTER, ~[ICMP_ECHOREPLY ICMP_ECHO 0x14 /* ICMP_??? "
	    "*/], 4) = 0\n");
	EXPECT_LINE(CALL(SYS_setsockopt, 0, 0, 7, SOL_RAW, ICMP_FILTER, ARG(&icf), 2),
		    "setsockopt(7, SOL_RAW, ICMP_FILTER, ~[ICMP_ECHOREPLY ICMP_ECHO], 2) = 0\n");
	EXPECT_LINEF(CALL(SYS_setsockopt, 0, 0, 7, SOL_RAW, ICMP_FILTER, ARG(&icf), 0), "0",
		     "setsockopt(7, SOL_RAW, ICMP_FILTER, %#lx, 0)", ARG(&icf));

	EXPECT_LINE(
	    CALL(SYS_setsockopt, 0, 0, 8, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, ARG(&one), 8),
	    "setsockopt(8, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, [1], 8) = 0\n");
	EXPECT_LINEF(
	    CALL(SYS_setsockopt, -1, EINVAL, 8, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, ARG(&one), 2),
	    "-1 EINVAL (Invalid argument)",
	    "setsockopt(8, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, %#lx, 2)", ARG(&one));
}
END_TEST

/* getsockopt after the call: optval as the kernel left it, optlen as "[len]". */
#define GET(ret_, err_, fd_, level_, name_, val_, lenp_)                                           \
	CALL(SYS_getsockopt, ret_, err_, fd_, level_, name_, ARG(val_), ARG(lenp_))

START_TEST(get_values)
{
	int v = 2, len = 4;
	char *bad = unmapped_page();

	EXPECT_LINE(GET(0, 0, 3, SOL_SOCKET, SO_TYPE, &v, &len),
		    "getsockopt(3, SOL_SOCKET, SO_TYPE, [2], [4]) = 0\n");
	len = 2;
	EXPECT_LINE(GET(0, 0, 3, SOL_SOCKET, SO_TYPE, &v, &len),
		    "getsockopt(3, SOL_SOCKET, SO_TYPE, \"\\2\\0\", [2]) = 0\n");
	v = 2304;
	EXPECT_LINE(GET(0, 0, 3, SOL_SOCKET, SO_RCVBUF, &v, &len),
		    "getsockopt(3, SOL_SOCKET, SO_RCVBUF, \"\\x00\\x09\", [2]) = 0\n");
	len = 4;
	EXPECT_LINE(GET(0, 0, 3, SOL_SOCKET, SO_RCVBUF, &v, &len),
		    "getsockopt(3, SOL_SOCKET, SO_RCVBUF, [2304], [4]) = 0\n");
	len = 0;
	EXPECT_LINEF(GET(0, 0, 3, SOL_SOCKET, SO_RCVBUF, &v, &len), "0",
		     "getsockopt(3, SOL_SOCKET, SO_RCVBUF, %#lx, [0])", ARG(&v));
	len = 4;
	EXPECT_LINE(GET(-1, EFAULT, 3, SOL_SOCKET, SO_RCVBUF, NULL, &len),
		    "getsockopt(3, SOL_SOCKET, SO_RCVBUF, NULL, [4]) = -1 EFAULT (Bad address)\n");
	EXPECT_LINEF(GET(-1, EFAULT, 3, SOL_SOCKET, SO_RCVBUF, bad, &len),
		     "-1 EFAULT (Bad address)", "getsockopt(3, SOL_SOCKET, SO_RCVBUF, %#lx, [4])",
		     ARG(bad));
	/* An unreadable optlen: both pointers as they are. */
	EXPECT_LINEF(GET(-1, EFAULT, 3, SOL_SOCKET, SO_RCVBUF, &v, NULL), "-1 EFAULT (Bad address)",
		     "getsockopt(3, SOL_SOCKET, SO_RCVBUF, %#lx, NULL)", ARG(&v));
	EXPECT_LINEF(GET(-1, EFAULT, 3, SOL_SOCKET, SO_RCVBUF, &v, bad), "-1 EFAULT (Bad address)",
		     "getsockopt(3, SOL_SOCKET, SO_RCVBUF, %#lx, %#lx)", ARG(&v), ARG(bad));
	EXPECT_LINEF(GET(-1, EBADF, ARG(-1), SOL_SOCKET, SO_TYPE, &v, &len),
		     "-1 EBADF (Bad file descriptor)",
		     "getsockopt(-1, SOL_SOCKET, SO_TYPE, %#lx, [4])", ARG(&v));
	EXPECT_LINEF(GET(-1, ENOPROTOOPT, 3, SOL_SOCKET, 9999, &v, &len),
		     "-1 ENOPROTOOPT (Protocol not available)",
		     "getsockopt(3, SOL_SOCKET, 0x270f /* SO_??? */, %#lx, [4])", ARG(&v));

	v = 0;
	EXPECT_LINE(GET(0, 0, 3, SOL_SOCKET, SO_ERROR, &v, &len),
		    "getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n");
	v = ECONNREFUSED;
	EXPECT_LINE(GET(0, 0, 3, SOL_SOCKET, SO_ERROR, &v, &len),
		    "getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0\n");
	v = 0;
	len = 2;
	EXPECT_LINE(GET(0, 0, 3, SOL_SOCKET, SO_ERROR, &v, &len),
		    "getsockopt(3, SOL_SOCKET, SO_ERROR, \"\\x00\\x00\", [2]) = 0\n");
	EXPECT_LINEF(GET(-1, EOPNOTSUPP, 3, SOL_SOCKET, SO_TXREHASH, &v, &len),
		     "-1 EOPNOTSUPP (Operation not supported)",
		     "getsockopt(3, SOL_SOCKET, SO_TXREHASH, %#lx, [2])", ARG(&v));

	struct linger lg = {1, 5};
	len = sizeof(lg);
	EXPECT_LINE(GET(0, 0, 4, SOL_SOCKET, SO_LINGER, &lg, &len),
		    "getsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=5}, [8]) = 0\n");
	len = 6;
	EXPECT_LINE(
	    GET(0, 0, 4, SOL_SOCKET, SO_LINGER, &lg, &len),
	    "getsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=\"\\x05\\x00\"}, [6]) = "
	    "0\n");
	len = 4;
	EXPECT_LINE(GET(0, 0, 4, SOL_SOCKET, SO_LINGER, &lg, &len),
		    "getsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1}, [4]) = 0\n");
	len = 2;
	EXPECT_LINE(GET(0, 0, 4, SOL_SOCKET, SO_LINGER, &lg, &len),
		    "getsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=\"\\x01\\x00\"}, [2]) = 0\n");

	struct ucred uc = {26660, 0, 0};
	len = sizeof(uc);
	EXPECT_LINE(
	    GET(0, 0, 9, SOL_SOCKET, SO_PEERCRED, &uc, &len),
	    "getsockopt(9, SOL_SOCKET, SO_PEERCRED, {pid=26660, uid=0, gid=0}, [12]) = 0\n");
	len = 10;
	EXPECT_LINE(
	    GET(0, 0, 9, SOL_SOCKET, SO_PEERCRED, &uc, &len),
	    "getsockopt(9, SOL_SOCKET, SO_PEERCRED, {pid=26660, uid=0, gid=\"\\x00\\x00\"}, "
	    "[10]) = 0\n");
	len = 4;
	EXPECT_LINE(GET(0, 0, 9, SOL_SOCKET, SO_PEERCRED, &uc, &len),
		    "getsockopt(9, SOL_SOCKET, SO_PEERCRED, {pid=26660}, [4]) = 0\n");

	struct timeval tv = {1, 4000};
	len = sizeof(tv);
	EXPECT_LINE(GET(0, 0, 3, SOL_SOCKET, SO_RCVTIMEO_OLD, &tv, &len),
		    "getsockopt(3, SOL_SOCKET, SO_RCVTIMEO_OLD, "
		    "\"\\1\\0\\0\\0\\0\\0\\0\\0\\240\\17\\0\\0\\0\\0\\0\\0\", [16]) = 0\n");
	char cong[64] = "cubic";
	len = 16;
	EXPECT_LINE(GET(0, 0, 4, SOL_TCP_, 13, cong, &len),
		    "getsockopt(4, SOL_TCP, TCP_CONGESTION, "
		    "\"cubic\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\", [16]) = 0\n");
	unsigned char ttl = 5;
	len = 1;
	EXPECT_LINE(GET(0, 0, 3, SOL_IP, IP_MULTICAST_TTL, &ttl, &len),
		    "getsockopt(3, SOL_IP, IP_MULTICAST_TTL, \"\\5\", [1]) = 0\n");

	struct tpacket_stats st = {0, 0};
	len = 8;
	EXPECT_LINE(
	    GET(0, 0, 6, SOL_PACKET, PACKET_STATISTICS, &st, &len),
	    "getsockopt(6, SOL_PACKET, PACKET_STATISTICS, {tp_packets=0, tp_drops=0}, [8]) = "
	    "0\n");
	len = 6;
	EXPECT_LINE(GET(0, 0, 6, SOL_PACKET, PACKET_STATISTICS, &st, &len),
		    "getsockopt(6, SOL_PACKET, PACKET_STATISTICS, {tp_packets=0, "
		    "tp_drops=\"\\x00\\x00\"}, [6]) = 0\n");
	struct icmp_filter icf = {~((1U << ICMP_ECHO) | (1U << ICMP_ECHOREPLY) | (1U << 20))};
	len = 4;
	EXPECT_LINE(
	    GET(0, 0, 7, SOL_RAW, ICMP_FILTER, &icf, &len),
	    "getsockopt(7, SOL_RAW, ICMP_FILTER, ~[ICMP_ECHOREPLY ICMP_ECHO 0x14 /* ICMP_??? "
	    "*/], [4]) = 0\n");
	v = 1;
	EXPECT_LINE(GET(0, 0, 8, SOL_NETLINK, NETLINK_EXT_ACK, &v, &len),
		    "getsockopt(8, SOL_NETLINK, NETLINK_EXT_ACK, [1], [4]) = 0\n");
	unsigned groups[4] = {5, 0};
	len = 8;
	EXPECT_LINE(GET(0, 0, 8, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, groups, &len),
		    "getsockopt(8, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, [5, 0], [8]) = 0\n");
	struct sock_filter f[2];
	len = 2;
	EXPECT_LINEF(GET(0, 0, 3, SOL_SOCKET, SO_GET_FILTER, f, &len), "0",
		     "getsockopt(3, SOL_SOCKET, SO_GET_FILTER, %#lx, [2])", ARG(f));
}
END_TEST

/* The optlen before the call, passed in args[5] (see src/trace/decode.h). */
#define BEFORE(len_) ((1UL << 32) | (uint32_t)(len_))

START_TEST(get_length_changed_by_the_kernel)
{
	int v = 2, len = 4;
	char cong[64] = "cubic";
	unsigned groups[4] = {5, 0};

	EXPECT_LINE(
	    CALL(SYS_getsockopt, 0, 0, 3, SOL_SOCKET, SO_TYPE, ARG(&v), ARG(&len), BEFORE(8)),
	    "getsockopt(3, SOL_SOCKET, SO_TYPE, [2], [8 => 4]) = 0\n");
	EXPECT_LINE(
	    CALL(SYS_getsockopt, 0, 0, 3, SOL_SOCKET, SO_TYPE, ARG(&v), ARG(&len), BEFORE(4)),
	    "getsockopt(3, SOL_SOCKET, SO_TYPE, [2], [4]) = 0\n");
	len = 0;
	EXPECT_LINEF(CALL(SYS_getsockopt, 0, 0, 3, SOL_SOCKET, SO_BINDTODEVICE, ARG(cong),
			  ARG(&len), BEFORE(64)),
		     "0", "getsockopt(3, SOL_SOCKET, SO_BINDTODEVICE, %#lx, [64 => 0])", ARG(cong));
	len = 16;
	EXPECT_LINE(
	    CALL(SYS_getsockopt, 0, 0, 4, SOL_TCP_, 13, ARG(cong), ARG(&len), BEFORE(64)),
	    "getsockopt(4, SOL_TCP, TCP_CONGESTION, \"cubic\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\", "
	    "[64 => 16]) = 0\n");
	len = 8;
	EXPECT_LINE(
	    CALL(SYS_getsockopt, 0, 0, 8, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, ARG(groups),
		 ARG(&len), BEFORE(16)),
	    "getsockopt(8, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, [5, 0], [16 => 8]) = 0\n");
	/* A failed call shows the length passed in, whatever the kernel wrote back. */
	len = 1;
	EXPECT_LINEF(CALL(SYS_getsockopt, -1, EFAULT, 3, SOL_IP, IP_TTL, 0x7e5700000000UL,
			  ARG(&len), BEFORE(2)),
		     "-1 EFAULT (Bad address)",
		     "getsockopt(3, SOL_IP, IP_TTL, 0x7e5700000000, [2])");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("strace_sockopt");
	TCase *tc = tcase_create("sockopt");

	tcase_add_test(tc, levels_and_names);
	tcase_add_test(tc, set_int_and_bytes);
	tcase_add_test(tc, set_structures);
	tcase_add_test(tc, get_values);
	tcase_add_test(tc, get_length_changed_by_the_kernel);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
