/* skb_class_send: datagrams whose skb priority and mark come from every source the kernel takes
 * them from, each step a known number of datagrams to ADDR:PORT, for a classifier at the device
 * to count by (priority, mark) (tests/e2e/run-skb-class): SO_PRIORITY (0..6 and 7), IP_TOS
 * (rt_tos2priority, and an unchanged TOS that leaves the priority), SO_MARK, the SO_PRIORITY,
 * IP_TOS and SO_MARK control messages (the later of SO_PRIORITY and IP_TOS wins), sendmmsg with
 * the priority changing inside the batch, sendmmsg of a socket's priority, a corked datagram (the
 * first send's priority), a fragmented one, and last, with CAP_NET_RAW and CAP_NET_ADMIN dropped,
 * a socket whose mark was set before; with V6ADDR, an IPv6 socket's datagrams before that (the
 * socket's priority and mark). Prints one line per call: its result or errno.
 *
 *   skb_class_send ADDR PORT [V6ADDR]
 * Exits 0 when every call returned what it should. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in dst;
static int bad;

static void report(const char *what, long r, long want)
{
	if (r < 0)
		printf("%s: %s\n", what, strerrorname_np(errno));
	else
		printf("%s: %ld\n", what, r);
	if (r != want)
		bad = 1;
}

static int udp(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0) {
		perror("socket");
		exit(1);
	}
	return fd;
}

static void opt(int fd, int level, int name, int v, const char *what)
{
	report(what, setsockopt(fd, level, name, &v, sizeof(v)), 0);
}

/* n datagrams of len bytes with sendto */
static void sends(int fd, int n, size_t len, const char *what)
{
	static char buf[4000];

	memset(buf, 'p', sizeof(buf));
	for (int i = 0; i < n; i++)
		report(what, sendto(fd, buf, len, 0, (struct sockaddr *)&dst, sizeof(dst)),
		       (long)len);
}

/* a control buffer of up to three int messages */
struct ctl {
	union {
		char buf[CMSG_SPACE(sizeof(int)) * 3];
		struct cmsghdr align;
	} u;
	size_t len;
};

static void ctl_add(struct ctl *c, int level, int type, int v)
{
	struct cmsghdr *h = (struct cmsghdr *)(c->u.buf + c->len);

	memset(h, 0, CMSG_SPACE(sizeof(int)));
	h->cmsg_level = level;
	h->cmsg_type = type;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &v, sizeof(v));
	c->len += CMSG_SPACE(sizeof(int));
}

static void sendmsgs(int fd, int n, const struct ctl *c, int flags, const char *what)
{
	char payload[32] = "control messages";
	struct iovec iov = {payload, sizeof(payload)};
	struct msghdr mh = {.msg_name = &dst,
			    .msg_namelen = sizeof(dst),
			    .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = (void *)c->u.buf,
			    .msg_controllen = c->len};

	for (int i = 0; i < n; i++)
		report(what, sendmsg(fd, &mh, flags), sizeof(payload));
}

/* sendmmsg of n entries; with alternate, entry i carries SO_PRIORITY 1 + i % 2 */
static void batch(int fd, int n, int alternate, const char *what)
{
	struct mmsghdr mm[16];
	struct ctl c[2];
	struct iovec iov = {"batched", 7};

	memset(mm, 0, sizeof(mm));
	memset(c, 0, sizeof(c));
	ctl_add(&c[0], SOL_SOCKET, SO_PRIORITY, 1);
	ctl_add(&c[1], SOL_SOCKET, SO_PRIORITY, 2);
	for (int i = 0; i < n; i++) {
		mm[i].msg_hdr.msg_name = &dst;
		mm[i].msg_hdr.msg_namelen = sizeof(dst);
		mm[i].msg_hdr.msg_iov = &iov;
		mm[i].msg_hdr.msg_iovlen = 1;
		if (alternate) {
			mm[i].msg_hdr.msg_control = c[i % 2].u.buf;
			mm[i].msg_hdr.msg_controllen = c[i % 2].len;
		}
	}
	report(what, sendmmsg(fd, mm, (unsigned)n, 0), n);
}

/* glibc's wrappers (no header declares them) */
int capget(cap_user_header_t hdr, cap_user_data_t data);
int capset(cap_user_header_t hdr, const cap_user_data_t data);

static void drop_net_caps(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];

	if (capget(&hdr, data) != 0) {
		perror("capget");
		exit(1);
	}
	data[0].effective &= ~((1u << CAP_NET_RAW) | (1u << CAP_NET_ADMIN));
	data[0].permitted &= ~((1u << CAP_NET_RAW) | (1u << CAP_NET_ADMIN));
	report("capset(drop CAP_NET_RAW, CAP_NET_ADMIN)", capset(&hdr, data), 0);
}

int main(int argc, char **argv)
{
	struct ctl c;
	int a, b, k;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: skb_class_send ADDR PORT [V6ADDR]\n");
		return 2;
	}
	dst.sin_family = AF_INET;
	dst.sin_port = htons((unsigned short)atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &dst.sin_addr);

	/* socket options: the classes are (priority, mark) */
	a = udp();
	sends(a, 1, 20, "plain (0, 0)");
	opt(a, SOL_SOCKET, SO_PRIORITY, 3, "SO_PRIORITY 3");
	sends(a, 2, 20, "(3, 0)");
	opt(a, SOL_SOCKET, SO_PRIORITY, 7, "SO_PRIORITY 7");
	sends(a, 3, 20, "(7, 0)");
	opt(a, SOL_IP, IP_TOS, 0x10, "IP_TOS 0x10 (priority 6)");
	sends(a, 4, 20, "(6, 0)");
	opt(a, SOL_SOCKET, SO_PRIORITY, 5, "SO_PRIORITY 5");
	opt(a, SOL_IP, IP_TOS, 0x10, "IP_TOS 0x10 unchanged (priority stays 5)");
	sends(a, 5, 20, "(5, 0)");
	opt(a, SOL_SOCKET, SO_MARK, 2, "SO_MARK 2");
	sends(a, 6, 20, "(5, 2)");

	/* control messages over the socket's (5, 2) */
	memset(&c, 0, sizeof(c));
	ctl_add(&c, SOL_SOCKET, SO_PRIORITY, 1);
	sendmsgs(a, 2, &c, 0, "cmsg SO_PRIORITY 1: (1, 2)");
	memset(&c, 0, sizeof(c));
	ctl_add(&c, SOL_IP, IP_TOS, 0x08);
	ctl_add(&c, SOL_SOCKET, SO_PRIORITY, 4);
	sendmsgs(a, 3, &c, 0, "cmsg IP_TOS 0x08 then SO_PRIORITY 4: (4, 2)");
	memset(&c, 0, sizeof(c));
	ctl_add(&c, SOL_SOCKET, SO_PRIORITY, 4);
	ctl_add(&c, SOL_IP, IP_TOS, 0x08);
	sendmsgs(a, 4, &c, 0, "cmsg SO_PRIORITY 4 then IP_TOS 0x08: (2, 2)");
	memset(&c, 0, sizeof(c));
	ctl_add(&c, SOL_SOCKET, SO_MARK, 3);
	sendmsgs(a, 2, &c, 0, "cmsg SO_MARK 3: (5, 3)");
	memset(&c, 0, sizeof(c));
	ctl_add(&c, SOL_SOCKET, SO_MARK, 0);
	ctl_add(&c, SOL_SOCKET, SO_PRIORITY, 0);
	sendmsgs(a, 1, &c, 0, "cmsg SO_MARK 0, SO_PRIORITY 0: (0, 0)");
	close(a);

	/* sendmmsg: the priority changes inside the batch; a socket's priority for all */
	b = udp();
	batch(b, 8, 1, "sendmmsg SO_PRIORITY 1, 2 alternating: (1, 0) x4, (2, 0) x4");
	opt(b, SOL_SOCKET, SO_PRIORITY, 4, "SO_PRIORITY 4");
	batch(b, 7, 0, "sendmmsg (4, 0) x7");
	batch(b, 7, 0, "sendmmsg (4, 0) x7 again");

	/* corked: the first send's priority (ip_setup_cork) */
	opt(b, SOL_SOCKET, SO_MARK, 4, "SO_MARK 4");
	memset(&c, 0, sizeof(c));
	ctl_add(&c, SOL_SOCKET, SO_PRIORITY, 6);
	sendmsgs(b, 1, &c, MSG_MORE, "corked, cmsg SO_PRIORITY 6");
	memset(&c, 0, sizeof(c));
	ctl_add(&c, SOL_SOCKET, SO_PRIORITY, 1);
	sendmsgs(b, 1, &c, 0, "pushed, cmsg SO_PRIORITY 1: (6, 4)");

	/* a datagram larger than the MTU: its fragments */
	opt(b, SOL_SOCKET, SO_PRIORITY, 2, "SO_PRIORITY 2");
	opt(b, SOL_SOCKET, SO_MARK, 1, "SO_MARK 1");
	sends(b, 2, 3000, "fragmented (2, 1)");
	close(b);

	/* IPv6: the socket's priority and mark (udpv6_sendmsg) */
	if (argc == 4) {
		struct sockaddr_in6 to6 = {.sin6_family = AF_INET6, .sin6_port = dst.sin_port};
		int v6 = socket(AF_INET6, SOCK_DGRAM, 0);

		inet_pton(AF_INET6, argv[3], &to6.sin6_addr);
		for (int i = 0; i < 2; i++)
			report("IPv6 (0, 0)",
			       sendto(v6, "six", 3, 0, (struct sockaddr *)&to6, sizeof(to6)), 3);
		opt(v6, SOL_SOCKET, SO_PRIORITY, 3, "IPv6 SO_PRIORITY 3");
		opt(v6, SOL_SOCKET, SO_MARK, 1, "IPv6 SO_MARK 1");
		for (int i = 0; i < 3; i++)
			report("IPv6 (3, 1)",
			       sendto(v6, "six", 3, 0, (struct sockaddr *)&to6, sizeof(to6)), 3);
		close(v6);
		v6 = socket(AF_INET6, SOCK_DGRAM, 0);
		opt(v6, SOL_SOCKET, SO_MARK, 2, "IPv6 SO_MARK 2");
		for (int i = 0; i < 4; i++)
			report("IPv6 (0, 2)",
			       sendto(v6, "six", 3, 0, (struct sockaddr *)&to6, sizeof(to6)), 3);
		close(v6);
	}

	/* the mark set while the process could, sent after it cannot set one any more */
	k = udp();
	opt(k, SOL_SOCKET, SO_MARK, 5, "SO_MARK 5");
	sends(k, 1, 20, "(0, 5)");
	drop_net_caps();
	sends(k, 3, 20, "(0, 5) without CAP_NET_RAW/ADMIN");
	close(k);
	return bad;
}
