/* strace_format_call: the result column, errors, strings, socket(), connect/bind, close, dup*,
 * close_range, write, shutdown and unknown system calls. Every expected line is what strace 6.1
 * printed for the same call (addresses aside, which differ from run to run). */
#include "check_strace_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

START_TEST(result_column_is_40)
{
	static const char xs[] = "xxxxxxxxxxxxxxxxxxxxxxxxxx";

	EXPECT_LINE(CALL(SYS_close, 0, 0, 3), "close(3)                                = 0\n");
	EXPECT_LINE(CALL(SYS_write, -1, EBADF, ARG(-1), ARG(xs), 18),
		    "write(-1, \"xxxxxxxxxxxxxxxxxx\", 18)     = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(CALL(SYS_write, -1, EBADF, ARG(-1), ARG(xs), 20),
		    "write(-1, \"xxxxxxxxxxxxxxxxxxxx\", 20)   = -1 EBADF (Bad file descriptor)\n");
	/* 38 characters up to ')': one space pads to the column. */
	EXPECT_LINE(CALL(SYS_write, -1, EBADF, ARG(-1), ARG(xs), 21),
		    "write(-1, \"xxxxxxxxxxxxxxxxxxxxx\", 21)  = -1 EBADF (Bad file descriptor)\n");
	/* 39: the space after ')' reaches the column. */
	EXPECT_LINE(CALL(SYS_write, -1, EBADF, ARG(-1), ARG(xs), 22),
		    "write(-1, \"xxxxxxxxxxxxxxxxxxxxxx\", 22) = -1 EBADF (Bad file descriptor)\n");
	/* 40 and more: a single space. */
	EXPECT_LINE(
	    CALL(SYS_write, -1, EBADF, ARG(-1), ARG(xs), 23),
	    "write(-1, \"xxxxxxxxxxxxxxxxxxxxxxx\", 23) = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(
	    CALL(SYS_write, -1, EBADF, ARG(-1), ARG(xs), 26),
	    "write(-1, \"xxxxxxxxxxxxxxxxxxxxxxxxxx\", 26) = -1 EBADF (Bad file descriptor)\n");
}
END_TEST

START_TEST(column_counts_from_the_start_of_the_line)
{
	char mem[8];
	struct sbuf b;
	struct strace_call c = CALL(SYS_close, 0, 0, 3);

	sbuf_init(&b, mem, sizeof(mem));
	sbuf_puts(&b, "[pid 12] ");
	strace_format_call(&b, &c);
	ck_assert_str_eq(b.p, "[pid 12] close(3)                                = 0\n");
	sbuf_release(&b);
}
END_TEST

START_TEST(errors_show_name_and_text)
{
	EXPECT_LINE(CALL(SYS_close, -1, EBADF, ARG(-1)),
		    "close(-1)                               = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(
	    CALL(SYS_close, -1, ECONNREFUSED, 3),
	    "close(3)                                = -1 ECONNREFUSED (Connection refused)\n");
	EXPECT_LINE(CALL(SYS_close, -1, EAGAIN, 3),
		    "close(3)                                = -1 EAGAIN (Resource temporarily "
		    "unavailable)\n");
	EXPECT_LINE(
	    CALL(SYS_close, -1, EOPNOTSUPP, 3),
	    "close(3)                                = -1 EOPNOTSUPP (Operation not supported)\n");
	EXPECT_LINE(
	    CALL(SYS_close, -1, EDEADLK, 3),
	    "close(3)                                = -1 EDEADLK (Resource deadlock avoided)\n");
	EXPECT_LINE(
	    CALL(SYS_close, -1, EHWPOISON, 3),
	    "close(3)                                = -1 EHWPOISON (Memory page has hardware "
	    "error)\n");
	/* Numbers without a name (41, 58, past 133), and the kernel's internal ones. */
	EXPECT_LINE(CALL(SYS_close, -1, 41, 3),
		    "close(3)                                = -1 (errno 41)\n");
	EXPECT_LINE(CALL(SYS_close, -1, 134, 3),
		    "close(3)                                = -1 (errno 134)\n");
	EXPECT_LINE(
	    CALL(SYS_close, -1, 517, 3),
	    "close(3)                                = -1 EPROBE_DEFER (Unknown error 517)\n");
	EXPECT_LINE(CALL(SYS_close, -1, 519, 3),
		    "close(3)                                = -1 (errno 519)\n");
	EXPECT_LINE(
	    CALL(SYS_close, -1, 530, 3),
	    "close(3)                                = -1 ERECALLCONFLICT (Unknown error 530)\n");
	EXPECT_LINE(CALL(SYS_close, -1, 512, 3),
		    "close(3)                                = ? ERESTARTSYS (To be restarted if "
		    "SA_RESTART is set)\n");
}
END_TEST

START_TEST(all_named_errnos_match_strace)
{
	/* strace 6.1 names 1..133 but 41 and 58; its text is the C library's strerror. */
	for (int e = 1; e <= 133; e++) {
		char *got = format_call(CALL(SYS_close, -1, e, 3));
		if (e == 41 || e == 58) {
			char want[128];
			snprintf(want, sizeof(want),
				 "close(3)                                = -1 (errno %d)\n", e);
			ck_assert_str_eq(got, want);
		} else {
			char want[256];
			snprintf(want, sizeof(want),
				 "close(3)                                = -1 %s (%s)\n",
				 strerrorname_np(e), strerrordesc_np(e));
			ck_assert_str_eq(got, want);
		}
		free(got);
	}
}
END_TEST

START_TEST(write_strings)
{
	char *bad = unmapped_page();

	EXPECT_LINE(CALL(SYS_write, 0, 0, 1, ARG(""), 0),
		    "write(1, \"\", 0)                         = 0\n");
	EXPECT_LINE(CALL(SYS_write, 5, 0, 1, ARG("hello"), 5),
		    "write(1, \"hello\", 5)                    = 5\n");
	EXPECT_LINE(CALL(SYS_write, -1, EBADF, ARG(-1),
			 ARG("0123456789abcdef0123456789abcdef0123456789"), 42),
		    "write(-1, \"0123456789abcdef0123456789abcdef\"..., 42) = -1 EBADF (Bad file "
		    "descriptor)\n");
	EXPECT_LINE(
	    CALL(SYS_write, -1, EBADF, ARG(-1), ARG("0123456789abcdef0123456789abcdef"), 32),
	    "write(-1, \"0123456789abcdef0123456789abcdef\", 32) = -1 EBADF (Bad file "
	    "descriptor)\n");
	EXPECT_LINE(
	    CALL(SYS_write, -1, EBADF, ARG(-1), ARG("0123456789abcdef0123456789abcdef0"), 33),
	    "write(-1, \"0123456789abcdef0123456789abcdef\"..., 33) = -1 EBADF (Bad file "
	    "descriptor)\n");
	/* Escapes; octal is as short as possible unless an octal digit follows. */
	EXPECT_LINE(
	    CALL(SYS_write, -1, EBADF, ARG(-1), ARG("\364\1\0012\08\n\t\"\\\177"), 12),
	    "write(-1, \"\\364\\1\\0012\\08\\n\\t\\\"\\\\\\177\\0\", 12) = -1 EBADF (Bad file "
	    "descriptor)\n");
	EXPECT_LINE(CALL(SYS_write, -1, EBADF, ARG(-1), ARG("\r\v\f\0017\0018\0019 ~"), 12),
		    "write(-1, \"\\r\\v\\f\\0017\\18\\19 ~\\0\", 12)  = -1 EBADF (Bad file "
		    "descriptor)\n");
	EXPECT_LINE(CALL(SYS_write, -1, EBADF, ARG(-1), 0, 3),
		    "write(-1, NULL, 3)                      = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(CALL(SYS_write, -1, EBADF, ARG(-1), ARG(bad), 0),
		    "write(-1, \"\", 0)                        = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINEF(CALL(SYS_write, -1, EBADF, ARG(-1), ARG(bad), 5),
		     "-1 EBADF (Bad file descriptor)", "write(-1, %#lx, 5)", ARG(bad));
}
END_TEST

START_TEST(write_buffer_ending_at_a_hole)
{
	char *hole = page_before_hole();
	char *tail = hole - 3;

	memcpy(tail, "abc", 3);
	EXPECT_LINE(CALL(SYS_write, -1, EBADF, ARG(-1), ARG(tail), 3),
		    "write(-1, \"abc\", 3)                     = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINEF(CALL(SYS_write, -1, EBADF, ARG(-1), ARG(tail), 4),
		     "-1 EBADF (Bad file descriptor)", "write(-1, %#lx, 4)", ARG(tail));
	/* strace reads one byte more than it shows: 33 bytes of which the last is unreadable. */
	memset(hole - 40, 'a', 40);
	EXPECT_LINEF(CALL(SYS_write, -1, EBADF, ARG(-1), ARG(hole - 32), 33),
		     "-1 EBADF (Bad file descriptor)", "write(-1, %#lx, 33)", ARG(hole - 32));
	EXPECT_LINE(CALL(SYS_write, -1, EBADF, ARG(-1), ARG(hole - 33), 34),
		    "write(-1, \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"..., 34) = -1 EBADF (Bad file "
		    "descriptor)\n");
	munmap(hole - 4096, 4096);
}
END_TEST

START_TEST(socket_args)
{
	EXPECT_LINE(CALL(SYS_socket, 3, 0, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0),
		    "socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 3\n");
	EXPECT_LINE(CALL(SYS_socket, 4, 0, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			 IPPROTO_TCP),
		    "socket(AF_INET6, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_TCP) = 4\n");
	EXPECT_LINE(CALL(SYS_socket, 5, 0, AF_UNIX, SOCK_STREAM, 0),
		    "socket(AF_UNIX, SOCK_STREAM, 0)         = 5\n");
	EXPECT_LINE(CALL(SYS_socket, -1, EAFNOSUPPORT, 200, 7, 5),
		    "socket(0xc8 /* AF_??? */, 0x7 /* SOCK_??? */, 5) = -1 EAFNOSUPPORT (Address "
		    "family not supported by protocol)\n");
	EXPECT_LINE(CALL(SYS_socket, -1, EINVAL, AF_INET, SOCK_STREAM | 0x100, 0),
		    "socket(AF_INET, SOCK_STREAM|0x100 /* SOCK_??? */, IPPROTO_IP) = -1 EINVAL "
		    "(Invalid argument)\n");
	EXPECT_LINE(CALL(SYS_socket, -1, ESOCKTNOSUPPORT, AF_INET, 0, 0),
		    "socket(AF_INET, 0, IPPROTO_IP)          = -1 ESOCKTNOSUPPORT (Socket type not "
		    "supported)\n");
	EXPECT_LINE(CALL(SYS_socket, 6, 0, AF_NETLINK, SOCK_RAW, 0),
		    "socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) = 6\n");
	EXPECT_LINE(CALL(SYS_socket, -1, EPROTONOSUPPORT, AF_NETLINK, SOCK_RAW, 17),
		    "socket(AF_NETLINK, SOCK_RAW, 0x11 /* NETLINK_??? */) = -1 EPROTONOSUPPORT "
		    "(Protocol not supported)\n");
	EXPECT_LINE(CALL(SYS_socket, 7, 0, AF_PACKET, SOCK_RAW, htons(3)),
		    "socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) = 7\n");
	EXPECT_LINE(CALL(SYS_socket, 8, 0, AF_PACKET, SOCK_RAW, htons(0x1234)),
		    "socket(AF_PACKET, SOCK_RAW, htons(0x1234 /* ETH_P_??? */)) = 8\n");
	EXPECT_LINE(CALL(SYS_socket, -1, EAFNOSUPPORT, AF_AX25, SOCK_RAW, 0xcc),
		    "socket(AF_AX25, SOCK_RAW, 0xcc /* AX25_P_IP */) = -1 EAFNOSUPPORT (Address "
		    "family not supported by protocol)\n");
	EXPECT_LINE(CALL(SYS_socket, -1, EAFNOSUPPORT, AF_AX25, SOCK_RAW, 5),
		    "socket(AF_AX25, SOCK_RAW, 0x5 /* AX25_P_??? */) = -1 EAFNOSUPPORT (Address "
		    "family not supported by protocol)\n");
	EXPECT_LINE(CALL(SYS_socket, -1, EPROTONOSUPPORT, AF_UNIX, SOCK_STREAM, ARG(-1L)),
		    "socket(AF_UNIX, SOCK_STREAM, 18446744073709551615) = -1 EPROTONOSUPPORT "
		    "(Protocol not supported)\n");
}
END_TEST

START_TEST(connect_bind_sendto)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(9)};
	char *bad = unmapped_page();

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	EXPECT_LINE(CALL(SYS_connect, 0, 0, 3, ARG(&sin), sizeof(sin)),
		    "connect(3, {sa_family=AF_INET, sin_port=htons(9), "
		    "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0\n");
	EXPECT_LINE(CALL(SYS_bind, -1, EBADF, ARG(-1), 0, 16),
		    "bind(-1, NULL, 16)                      = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINEF(CALL(SYS_bind, -1, EBADF, ARG(-1), ARG(bad), 16),
		     "-1 EBADF (Bad file descriptor)", "bind(-1, %#lx, 16)", ARG(bad));
	EXPECT_LINEF(CALL(SYS_bind, -1, EBADF, ARG(-1), ARG(&sin), 1),
		     "-1 EBADF (Bad file descriptor)", "bind(-1, %#lx, 1)", ARG(&sin));
	EXPECT_LINEF(CALL(SYS_bind, -1, EBADF, ARG(-1), ARG(&sin), ARG(-1)),
		     "-1 EBADF (Bad file descriptor)", "bind(-1, %#lx, -1)", ARG(&sin));
	EXPECT_LINE(
	    CALL(SYS_sendto, 5, 0, 3, ARG("hello"), 5, MSG_DONTWAIT, ARG(&sin), sizeof(sin)),
	    "sendto(3, \"hello\", 5, MSG_DONTWAIT, {sa_family=AF_INET, sin_port=htons(9), "
	    "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 5\n");
	EXPECT_LINE(CALL(SYS_sendto, -1, ECONNREFUSED, 3, ARG("hello"), 5, 0, 0, 0),
		    "sendto(3, \"hello\", 5, 0, NULL, 0)       = -1 ECONNREFUSED (Connection "
		    "refused)\n");
	EXPECT_LINEF(CALL(SYS_sendto, -1, EFAULT, 3, ARG(bad), 5,
			  MSG_DONTWAIT | MSG_NOSIGNAL | 0x100000, ARG(bad), 16),
		     "-1 EFAULT (Bad address)",
		     "sendto(3, %#lx, 5, MSG_DONTWAIT|MSG_NOSIGNAL|0x100000, %#lx, 16)", ARG(bad),
		     ARG(bad));
	EXPECT_LINE(CALL(SYS_sendto, -1, EBADF, ARG(-1), ARG("x"), 1, 0x100000, 0, 0),
		    "sendto(-1, \"x\", 1, 0x100000 /* MSG_??? */, NULL, 0) = -1 EBADF (Bad file "
		    "descriptor)\n");
	EXPECT_LINE(
	    CALL(SYS_sendto, -1, EBADF, ARG(-1), ARG("x"), 1,
		 MSG_OOB | MSG_CONFIRM | MSG_MORE | MSG_ZEROCOPY | MSG_FASTOPEN | 0x80000000U, 0,
		 0),
	    "sendto(-1, \"x\", 1, MSG_OOB|MSG_CONFIRM|MSG_MORE|MSG_ZEROCOPY|MSG_FASTOPEN|"
	    "MSG_CMSG_COMPAT, NULL, 0) = -1 EBADF (Bad file descriptor)\n");
}
END_TEST

START_TEST(descriptor_calls)
{
	EXPECT_LINE(CALL(SYS_dup, 8, 0, 4), "dup(4)                                  = 8\n");
	EXPECT_LINE(CALL(SYS_dup2, 30, 0, 4, 30), "dup2(4, 30)                             = 30\n");
	EXPECT_LINE(CALL(SYS_dup2, -1, EBADF, ARG(-1), 30),
		    "dup2(-1, 30)                            = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(CALL(SYS_dup3, 31, 0, 4, 31, O_CLOEXEC),
		    "dup3(4, 31, O_CLOEXEC)                  = 31\n");
	EXPECT_LINE(CALL(SYS_dup3, 32, 0, 4, 32, 0),
		    "dup3(4, 32, 0)                          = 32\n");
	EXPECT_LINE(CALL(SYS_dup3, -1, EINVAL, 4, 33, O_CLOEXEC | 1),
		    "dup3(4, 33, O_CLOEXEC|0x1)              = -1 EINVAL (Invalid argument)\n");
	EXPECT_LINE(CALL(SYS_dup3, -1, EINVAL, 4, 33, 1),
		    "dup3(4, 33, 0x1 /* O_??? */)            = -1 EINVAL (Invalid argument)\n");
	EXPECT_LINE(
	    CALL(SYS_dup3, -1, EINVAL, 3, 40,
		 O_NOCTTY | O_TRUNC | O_EXCL | O_CREAT | O_NOATIME | O_NOFOLLOW | 020000 | O_SYNC),
	    "dup3(3, 40, O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_SYNC|O_NOFOLLOW|O_NOATIME|FASYNC) = "
	    "-1 EINVAL (Invalid argument)\n");
	EXPECT_LINE(CALL(SYS_close_range, 0, 0, 30, 33, 0),
		    "close_range(30, 33, 0)                  = 0\n");
	EXPECT_LINE(CALL(SYS_close_range, 0, 0, 100, ~0U, 4),
		    "close_range(100, 4294967295, CLOSE_RANGE_CLOEXEC) = 0\n");
	EXPECT_LINE(
	    CALL(SYS_close_range, -1, EINVAL, 100, ~0U, 2 | 4 | 8),
	    "close_range(100, 4294967295, CLOSE_RANGE_UNSHARE|CLOSE_RANGE_CLOEXEC|0x8) = -1 "
	    "EINVAL (Invalid argument)\n");
	EXPECT_LINE(CALL(SYS_close_range, -1, EINVAL, 100, ~0U, 8),
		    "close_range(100, 4294967295, 0x8 /* CLOSE_RANGE_??? */) = -1 EINVAL (Invalid "
		    "argument)\n");
	EXPECT_LINE(CALL(SYS_close_range, -1, EINVAL, ARG(-1L), 5, 0),
		    "close_range(4294967295, 5, 0)           = -1 EINVAL (Invalid argument)\n");
	EXPECT_LINE(
	    CALL(SYS_shutdown, -1, ENOTCONN, 3, SHUT_RDWR),
	    "shutdown(3, SHUT_RDWR)                  = -1 ENOTCONN (Transport endpoint is not "
	    "connected)\n");
	EXPECT_LINE(CALL(SYS_shutdown, -1, EBADF, ARG(-1), SHUT_WR),
		    "shutdown(-1, SHUT_WR)                   = -1 EBADF (Bad file descriptor)\n");
	EXPECT_LINE(CALL(SYS_shutdown, -1, EINVAL, 3, 5),
		    "shutdown(3, 0x5 /* SHUT_??? */)         = -1 EINVAL (Invalid argument)\n");
}
END_TEST

START_TEST(unknown_syscall_and_names)
{
	EXPECT_LINE(CALL(SYS_getpid, 1234, 0, 1, 2, 3, 4, 5, 6),
		    "syscall_0x27(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = 0x4d2\n");
	ck_assert_str_eq(strace_syscall_name(SYS_sendmmsg), "sendmmsg");
	ck_assert_str_eq(strace_syscall_name(SYS_fcntl), "fcntl");
	ck_assert_str_eq(strace_syscall_name(SYS_close_range), "close_range");
	ck_assert_ptr_null(strace_syscall_name(SYS_getpid));
	ck_assert_ptr_null(strace_syscall_name(-1));
}
END_TEST

START_TEST(appends_to_existing_text)
{
	char mem[4];
	struct sbuf b;
	struct strace_call c1 = CALL(SYS_close, 0, 0, 3);
	struct strace_call c2 = CALL(SYS_dup, 4, 0, 3);

	sbuf_init(&b, mem, sizeof(mem));
	strace_format_call(&b, &c1);
	strace_format_call(&b, &c2);
	ck_assert_str_eq(b.p, "close(3)                                = 0\n"
			      "dup(3)                                  = 4\n");
	ck_assert_int_eq(b.truncated, 0);
	sbuf_release(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("strace");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, result_column_is_40);
	tcase_add_test(tc, column_counts_from_the_start_of_the_line);
	tcase_add_test(tc, errors_show_name_and_text);
	tcase_add_test(tc, all_named_errnos_match_strace);
	tcase_add_test(tc, write_strings);
	tcase_add_test(tc, write_buffer_ending_at_a_hole);
	tcase_add_test(tc, socket_args);
	tcase_add_test(tc, connect_bind_sendto);
	tcase_add_test(tc, descriptor_calls);
	tcase_add_test(tc, unknown_syscall_and_names);
	tcase_add_test(tc, appends_to_existing_text);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
