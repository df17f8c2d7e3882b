/* route_window: a send right after a route change must leave by the new route (e2e.route_window).
 *
 *   route_window send DST PORT COUNT GW0 GW1 [ip]
 *       COUNT times: replace the route to DST/32 with one via GW0 or GW1 (alternately), exactly as
 *       `ip route replace DST via GW` does (RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, and the
 *       kernel's acknowledgement awaited: the change is complete), or with "ip" by running that
 *       command (without LD_PRELOAD) and waiting for it, then at once send datagram i, whose
 *       payload names the gateway it must leave by. Prints "sent N".
 *   route_window recv ADDR PORT COUNT SECONDS IFNAME0 IFNAME1
 *       receives (IP_PKTINFO: the interface each datagram arrived on; IFNAMEk is where GWk's
 *       datagrams must arrive) until COUNT arrived or SECONDS passed without one; prints "ready",
 *       then "received N right R wrong W" and exits 0 when every datagram arrived by its path. */
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

struct route_req {
	struct nlmsghdr nh;
	struct rtmsg rt;
	char attrs[64];
};

static void add_attr(struct route_req *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* `ip route replace DST/32 via GW`: returns 0 once the kernel acknowledged it, or -errno. */
static int route_replace(int nl, unsigned seq, struct in_addr dst, struct in_addr gw)
{
	struct route_req r;
	char buf[512];
	ssize_t n;

	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	r.nh.nlmsg_type = RTM_NEWROUTE;
	r.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	r.nh.nlmsg_seq = seq;
	r.rt.rtm_family = AF_INET;
	r.rt.rtm_dst_len = 32;
	r.rt.rtm_table = RT_TABLE_MAIN;
	r.rt.rtm_protocol = RTPROT_BOOT;
	r.rt.rtm_scope = RT_SCOPE_UNIVERSE;
	r.rt.rtm_type = RTN_UNICAST;
	add_attr(&r, RTA_DST, &dst, 4);
	add_attr(&r, RTA_GATEWAY, &gw, 4);
	if (send(nl, &r, r.nh.nlmsg_len, 0) < 0)
		return -1;
	for (;;) {
		n = recv(nl, buf, sizeof(buf), 0);
		if (n < 0)
			return -1;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n))
			if (h->nlmsg_seq == seq && h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
}

/* `ip route replace DST via GW` run as a command; 0 when it succeeded. */
static int ip_route_replace(const char *dst, const char *gw)
{
	char *argv[] = {"ip", "route", "replace", (char *)dst, "via", (char *)gw, NULL};
	char *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	int status;
	pid_t pid;

	if (posix_spawnp(&pid, "ip", NULL, NULL, argv, envp) != 0 ||
	    waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int do_send(const char *dst_s, int port, int count, const char *gw0, const char *gw1,
		   bool use_ip)
{
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	struct in_addr gw[2];
	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), sent = 0; /* not inherited by ip */

	if (nl < 0 || s < 0 || inet_pton(AF_INET, dst_s, &dst.sin_addr) != 1 ||
	    inet_pton(AF_INET, gw0, &gw[0]) != 1 || inet_pton(AF_INET, gw1, &gw[1]) != 1) {
		fprintf(stderr, "route_window: bad arguments or no socket\n");
		return 2;
	}
	for (int i = 0; i < count; i++) {
		char msg[64];
		int k = i & 1;
		int err = use_ip ? ip_route_replace(dst_s, k ? gw1 : gw0)
				 : route_replace(nl, (unsigned)i + 1, dst.sin_addr, gw[k]);
		int len = snprintf(msg, sizeof(msg), "seq %d path %d", i, k);

		if (err != 0) {
			fprintf(stderr, "route_window: route replace %d failed (%d)\n", i, err);
			return 1;
		}
		if (sendto(s, msg, (size_t)len, 0, (struct sockaddr *)&dst, sizeof(dst)) == len)
			sent++;
	}
	printf("sent %d\n", sent);
	return sent == count ? 0 : 1;
}

static int do_recv(const char *addr, int port, int count, int seconds, const char *if0,
		   const char *if1)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1, got = 0, right = 0, wrong = 0;
	unsigned ifs[2] = {if_nametoindex(if0), if_nametoindex(if1)};

	inet_pton(AF_INET, addr, &sin.sin_addr);
	int big = 16 << 20;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	if (ifs[0] == 0 || ifs[1] == 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		perror("route_window recv");
		return 2;
	}
	printf("ready\n");
	fflush(stdout);
	while (got < count) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		char data[128], ctl[256];
		struct iovec iov = {data, sizeof(data) - 1};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = ctl,
				    .msg_controllen = sizeof(ctl)};
		unsigned arrived = 0;
		int seq, path;
		ssize_t n;

		if (poll(&p, 1, seconds * 1000) <= 0)
			break;
		n = recvmsg(fd, &mh, 0);
		if (n < 0)
			break;
		data[n] = 0;
		got++;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
				arrived = (unsigned)((struct in_pktinfo *)(void *)CMSG_DATA(c))
					      ->ipi_ifindex;
		if (sscanf(data, "seq %d path %d", &seq, &path) != 2 || path < 0 || path > 1 ||
		    arrived != ifs[path]) {
			wrong++;
			if (wrong <= 5)
				printf("wrong path: \"%s\" arrived on ifindex %u\n", data, arrived);
		} else {
			right++;
		}
	}
	printf("received %d right %d wrong %d\n", got, right, wrong);
	return got == count && wrong == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if ((argc == 7 || (argc == 8 && strcmp(argv[7], "ip") == 0)) &&
	    strcmp(argv[1], "send") == 0)
		return do_send(argv[2], atoi(argv[3]), atoi(argv[4]), argv[5], argv[6], argc == 8);
	if (argc == 8 && strcmp(argv[1], "recv") == 0)
		return do_recv(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), argv[6],
			       argv[7]);
	fprintf(stderr,
		"usage: route_window send DST PORT COUNT GW0 GW1 [ip] | recv ADDR PORT COUNT "
		"SECONDS IFNAME0 IFNAME1\n");
	return 2;
}
