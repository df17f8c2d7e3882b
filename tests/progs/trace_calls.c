/* trace_calls: makes every call libshim intercepts, in many shapes, and prints nothing itself.
 *
 * The trace test runs it under strace and under the shim (SHIM_TRACE=calls) in a fresh network
 * namespace with only loopback up, and compares the two traces line by line. It avoids stdio and
 * anything else glibc does through internal calls, so both traces must be identical. Sends go to
 * 127.0.0.1 only. A bad pointer is an unmapped page at a fixed address, so it prints the same in
 * both runs. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/in6.h> /* in6_flowlabel_req (after netinet/in.h: libc-compat) */
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

static struct sockaddr_in loopback(unsigned short port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

static void *unmapped_page(void)
{
	void *want = (void *)0x7e5700000000UL;
	void *p =
	    mmap(want, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != MAP_FAILED)
		munmap(p, 4096);
	return want;
}

static void socket_calls(void)
{
	int fds[6];

	fds[0] = socket(AF_INET, SOCK_DGRAM, 0);
	fds[1] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_UDP);
	fds[2] = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
	fds[3] = socket(AF_INET6, SOCK_DGRAM, 0);
	fds[4] = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	fds[5] = socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP); /* EPROTONOSUPPORT */
	socket(12345, SOCK_DGRAM, 0);			   /* EAFNOSUPPORT */
	for (int i = 0; i < 6; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static void option_calls(int fd, void *bad)
{
	int one = 1, ttl = 7, tos = 0x10, val = 0;
	socklen_t len = sizeof(val);
	unsigned short seg = 500;
	unsigned char byte = 3;
	struct ip_mreqn mreqn;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	setsockopt(fd, SOL_IP, IP_TTL, &ttl, sizeof(ttl));
	setsockopt(fd, SOL_IP, IP_TOS, &tos, sizeof(tos));
	setsockopt(fd, SOL_IP, IP_MULTICAST_TTL, &byte, 1);
	setsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof(seg)); /* EINVAL: 2 bytes */
	setsockopt(fd, SOL_UDP, UDP_CORK, &val, sizeof(val));
	setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3);
	setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "", 0);
	setsockopt(fd, SOL_IP, IP_TTL, bad, 4); /* EFAULT */
	setsockopt(fd, 9999, 1, &one, sizeof(one));
	memset(&mreqn, 0, sizeof(mreqn));
	mreqn.imr_multiaddr.s_addr = inet_addr("239.1.2.3");
	mreqn.imr_ifindex = 1;
	setsockopt(fd, SOL_IP, IP_MULTICAST_IF, &mreqn, sizeof(mreqn));
	getsockopt(fd, SOL_SOCKET, SO_TYPE, &val, &len);
	len = sizeof(val);
	getsockopt(fd, SOL_IP, IP_TTL, &val, &len);
	len = sizeof(val);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &val, &len);
	len = 2;
	getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &val, &len);
	getsockopt(fd, SOL_IP, IP_TTL, bad, &len);
}

static struct iovec many_zero_iovs[1025];

static void send_calls(int fd, void *bad)
{
	struct sockaddr_in dst = loopback(9);
	char big[100], bin[40];
	struct iovec iov[3] = {{"abc", 3}, {"", 0}, {big, sizeof(big)}};
	struct msghdr msg;
	char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo)) + CMSG_SPACE(sizeof(int))];
	struct cmsghdr *cm;
	struct mmsghdr mm[3];

	memset(big, 'x', sizeof(big));
	for (int i = 0; i < (int)sizeof(bin); i++)
		bin[i] = (char)(i * 7);
	sendto(fd, "hello", 5, 0, (struct sockaddr *)&dst, sizeof(dst));
	sendto(fd, big, sizeof(big), MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&dst,
	       sizeof(dst));
	sendto(fd, bin, sizeof(bin), 0, (struct sockaddr *)&dst, sizeof(dst));
	sendto(fd, "z", 1, 0, (struct sockaddr *)&dst, 3);		      /* EINVAL */
	sendto(fd, "x", 1, 0, NULL, 0);					      /* EDESTADDRREQ */
	sendto(fd, bad, 10, 0, (struct sockaddr *)&dst, sizeof(dst));	      /* EFAULT */
	sendto(fd, "q", 1, MSG_OOB, (struct sockaddr *)&dst, sizeof(dst));    /* EOPNOTSUPP */
	sendto(fd, "q", 1, 0x80000000, (struct sockaddr *)&dst, sizeof(dst)); /* unknown flag */
	send(999, "x", 1, 0);						      /* EBADF */

	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &dst;
	msg.msg_namelen = sizeof(dst);
	msg.msg_iov = iov;
	msg.msg_iovlen = 3;
	sendmsg(fd, &msg, 0);
	memset(cbuf, 0, sizeof(cbuf));
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
	cm = CMSG_NXTHDR(&msg, cm);
	cm->cmsg_level = SOL_IP;
	cm->cmsg_type = IP_TTL;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	*(int *)CMSG_DATA(cm) = 9;
	sendmsg(fd, &msg, MSG_DONTWAIT);
	msg.msg_iov = bad;
	sendmsg(fd, &msg, 0); /* EFAULT */
	sendmsg(fd, bad, 0);  /* EFAULT */

	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 3; i++) {
		mm[i].msg_hdr.msg_name = &dst;
		mm[i].msg_hdr.msg_namelen = sizeof(dst);
		mm[i].msg_hdr.msg_iov = &iov[i == 1 ? 0 : i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	sendmmsg(fd, mm, 3, 0);
	mm[1].msg_hdr.msg_namelen = 3; /* the second fails: one sent */
	sendmmsg(fd, mm, 3, 0);
	syscall(SYS_sendmmsg, fd, mm, 1, 0); /* the raw syscall path */

	connect(fd, (struct sockaddr *)&dst, sizeof(dst));
	write(fd, "y", 1);
	write(fd, big, sizeof(big));
	writev(fd, iov, 3);
	writev(fd, iov, 0);
	writev(fd, many_zero_iovs, 1025); /* EINVAL: over UIO_MAXIOV */
	send(fd, "connected", 9, 0);
	syscall(SYS_write, fd, "raw", 3);
	dst.sin_family = AF_UNSPEC;
	connect(fd, (struct sockaddr *)&dst, sizeof(dst));
	write(fd, "x", 1); /* EDESTADDRREQ */
}

/* Interface indexes: strace names them (if_nametoindex("lo")) in an IP_PKTINFO message, a
 * link-local sin6_scope_id and an ipv6_mreq; an index no device has, 0, and the options that take
 * an index as a plain int (IP_UNICAST_IF, SO_BINDTOIFINDEX) stay numbers. */
static void ifindex_calls(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0), fd6 = socket(AF_INET6, SOCK_DGRAM, 0);
	int lo = 1, lo_net = (int)htonl(1);
	struct sockaddr_in dst = loopback(9);
	struct sockaddr_in6 ll;
	struct ipv6_mreq mreq6;
	struct iovec iov = {"i", 1};
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct msghdr msg;
	struct cmsghdr *cm;
	struct in_pktinfo *pi;
	static const unsigned indexes[] = {1, 4242, 0};

	memset(&msg, 0, sizeof(msg));
	memset(&cbuf, 0, sizeof(cbuf));
	msg.msg_name = &dst;
	msg.msg_namelen = sizeof(dst);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = sizeof(cbuf.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
	pi = (struct in_pktinfo *)CMSG_DATA(cm);
	for (unsigned i = 0; i < 3; i++) {
		pi->ipi_ifindex = (int)indexes[i];
		sendmsg(fd, &msg, 0); /* sent on lo; ENODEV for 4242 */
	}
	setsockopt(fd, SOL_IP, IP_UNICAST_IF, &lo_net, sizeof(lo_net));
	setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &lo, sizeof(lo));
	memset(&ll, 0, sizeof(ll));
	ll.sin6_family = AF_INET6;
	ll.sin6_port = htons(9);
	inet_pton(AF_INET6, "fe80::1", &ll.sin6_addr);
	memset(&mreq6, 0, sizeof(mreq6));
	inet_pton(AF_INET6, "ff02::1:3", &mreq6.ipv6mr_multiaddr);
	for (unsigned i = 0; i < 3; i++) {
		ll.sin6_scope_id = indexes[i];
		sendto(fd6, "i", 1, 0, (struct sockaddr *)&ll, sizeof(ll));
		mreq6.ipv6mr_interface = indexes[i];
		setsockopt(fd6, SOL_IPV6, IPV6_ADD_MEMBERSHIP, &mreq6, sizeof(mreq6));
	}
	close(fd6);
	close(fd);
}

/* IPv6: sockaddr_in6 in every call that takes one (the 24-byte RFC 2133 form, a flow label, a
 * v4-mapped and a link-local address, a short length), the IPv6 socket options (ints, a byte, an
 * in6_pktinfo, group_req, a hop-by-hop header, ipv6_mreq), and control messages at SOL_IPV6 (strace
 * names no types there: IPV6_HOPLIMIT, IPV6_TCLASS, IPV6_PKTINFO and IPV6_DONTFRAG print as
 * numbers), in sendmsg and sendmmsg. Everything goes to ::1 or fails before sending. */
static struct sockaddr_in6 loopback6(unsigned short port)
{
	struct sockaddr_in6 sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	sin6.sin6_addr = in6addr_loopback;
	return sin6;
}

static void ipv6_calls(void *bad)
{
	int fd = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP), zero = 0, one = 1, hops = 9,
	    tclass = 0xb8, mtu = 1400, mode = IPV6_PMTUDISC_DO, val = 0;
	socklen_t len = sizeof(val);
	unsigned char byte = 2;
	struct sockaddr_in6 dst = loopback6(9), any = loopback6(0), mapped = loopback6(9);
	struct in6_pktinfo pkt;
	struct group_req gr;
	struct in6_flowlabel_req flr;
	struct sockaddr_in6 *grp = (struct sockaddr_in6 *)&gr.gr_group;
	unsigned char hbh[8] = {IPPROTO_UDP, 0, 1, 4, 0, 0, 0, 0}; /* a PadN option */
	struct iovec iov[2] = {{"six", 3}, {"more", 4}};
	union {
		char buf[CMSG_SPACE(sizeof(int)) * 3 + CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct msghdr msg;
	struct cmsghdr *cm;
	struct mmsghdr mm[2];

	setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(fd, SOL_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops));
	setsockopt(fd, SOL_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops));
	setsockopt(fd, SOL_IPV6, IPV6_MULTICAST_LOOP, &one, sizeof(one));
	setsockopt(fd, SOL_IPV6, IPV6_TCLASS, &tclass, sizeof(tclass));
	setsockopt(fd, SOL_IPV6, IPV6_MTU_DISCOVER, &mode, sizeof(mode));
	setsockopt(fd, SOL_IPV6, IPV6_MTU, &mtu, sizeof(mtu));
	setsockopt(fd, SOL_IPV6, IPV6_DONTFRAG, &zero, sizeof(zero));
	setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof(one));
	setsockopt(fd, SOL_IPV6, IPV6_AUTOFLOWLABEL, &one, sizeof(one));
	setsockopt(fd, SOL_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	setsockopt(fd, SOL_IPV6, IPV6_UNICAST_HOPS, &byte, 1); /* EINVAL: one byte */
	setsockopt(fd, SOL_IPV6, IPV6_HOPOPTS, hbh, sizeof(hbh));
	setsockopt(fd, SOL_IPV6, IPV6_HOPOPTS, NULL, 0);
	memset(&pkt, 0, sizeof(pkt));
	pkt.ipi6_addr = in6addr_loopback;
	pkt.ipi6_ifindex = 1;
	setsockopt(fd, SOL_IPV6, IPV6_PKTINFO, &pkt, sizeof(pkt));
	memset(&pkt, 0, sizeof(pkt));
	setsockopt(fd, SOL_IPV6, IPV6_PKTINFO, &pkt, sizeof(pkt));
	memset(&gr, 0, sizeof(gr));
	gr.gr_interface = 1;
	grp->sin6_family = AF_INET6;
	inet_pton(AF_INET6, "ff02::1:4", &grp->sin6_addr);
	setsockopt(fd, SOL_IPV6, MCAST_JOIN_GROUP, &gr, sizeof(gr));
	setsockopt(fd, SOL_IPV6, MCAST_LEAVE_GROUP, &gr, sizeof(gr));
	setsockopt(fd, SOL_IPV6, IPV6_MULTICAST_IF, &one, sizeof(one));
	setsockopt(fd, SOL_IPV6, IPV6_ADDR_PREFERENCES, &one,
		   sizeof(one)); /* IPV6_PREFER_SRC_TMP */
	setsockopt(fd, SOL_IPV6, IPV6_FLOWINFO_SEND, &zero, sizeof(zero));
	memset(&flr, 0, sizeof(flr));
	flr.flr_label = htonl(0x12345);
	flr.flr_action = IPV6_FL_A_GET;
	flr.flr_flags = IPV6_FL_F_CREATE;
	flr.flr_share = IPV6_FL_S_EXCL;
	flr.flr_dst = in6addr_loopback;
	setsockopt(fd, SOL_IPV6, IPV6_FLOWLABEL_MGR, &flr, sizeof(flr));
	setsockopt(fd, SOL_IPV6, IPV6_TCLASS, bad, 4); /* EFAULT */
	getsockopt(fd, SOL_IPV6, IPV6_UNICAST_HOPS, &val, &len);
	len = sizeof(val);
	getsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &val, &len);
	len = sizeof(val);
	getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &val, &len);

	bind(fd, (struct sockaddr *)&any, sizeof(any));
	sendto(fd, "hello6", 6, 0, (struct sockaddr *)&dst, sizeof(dst));
	sendto(fd, "rfc2133", 7, 0, (struct sockaddr *)&dst, 24);
	sendto(fd, "short", 5, 0, (struct sockaddr *)&dst, 20); /* EINVAL */
	dst.sin6_flowinfo = htonl(0x12345);
	sendto(fd, "flow", 4, 0, (struct sockaddr *)&dst, sizeof(dst));
	dst.sin6_flowinfo = 0;
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &mapped.sin6_addr);
	sendto(fd, "mapped", 6, 0, (struct sockaddr *)&mapped, sizeof(mapped));
	sendto(fd, "oob", 3, MSG_OOB, (struct sockaddr *)&dst, sizeof(dst));

	memset(&msg, 0, sizeof(msg));
	memset(&cbuf, 0, sizeof(cbuf));
	msg.msg_name = &dst;
	msg.msg_namelen = sizeof(dst);
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = sizeof(cbuf.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_IPV6;
	cm->cmsg_type = IPV6_HOPLIMIT;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	*(int *)CMSG_DATA(cm) = 5;
	cm = CMSG_NXTHDR(&msg, cm);
	cm->cmsg_level = SOL_IPV6;
	cm->cmsg_type = IPV6_TCLASS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	*(int *)CMSG_DATA(cm) = 0x20;
	cm = CMSG_NXTHDR(&msg, cm);
	cm->cmsg_level = SOL_IPV6;
	cm->cmsg_type = IPV6_DONTFRAG;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	*(int *)CMSG_DATA(cm) = 1;
	cm = CMSG_NXTHDR(&msg, cm);
	cm->cmsg_level = SOL_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
	((struct in6_pktinfo *)CMSG_DATA(cm))->ipi6_addr = in6addr_loopback;
	sendmsg(fd, &msg, 0);
	msg.msg_controllen = CMSG_SPACE(sizeof(int));
	*(int *)CMSG_DATA(CMSG_FIRSTHDR(&msg)) = 256;
	sendmsg(fd, &msg, 0); /* EINVAL: hop limit 256 */

	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 2; i++) {
		mm[i].msg_hdr.msg_name = i ? (void *)&mapped : (void *)&dst;
		mm[i].msg_hdr.msg_namelen = sizeof(dst);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	sendmmsg(fd, mm, 2, 0);

	connect(fd, (struct sockaddr *)&dst, sizeof(dst));
	send(fd, "connected6", 10, 0);
	writev(fd, iov, 2);
	dst.sin6_family = AF_UNSPEC;
	connect(fd, (struct sockaddr *)&dst, sizeof(dst));
	close(fd);
}

static void fd_calls(int fd)
{
	int a, b;

	a = dup(fd);
	dup2(fd, 50);
	dup3(fd, 51, O_CLOEXEC);
	dup3(fd, fd, 0); /* EINVAL */
	b = fcntl(fd, F_DUPFD, 60);
	fcntl(fd, F_DUPFD_CLOEXEC, 70);
	fcntl(fd, F_GETFD);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	fcntl(fd, F_GETFL);
	fcntl(999, F_GETFD); /* EBADF */
	shutdown(fd, SHUT_WR);
	shutdown(999, SHUT_RDWR);
	close(a);
	close(b);
	close_range(50, 51, 0);
	syscall(SYS_close, 70);
	close(70); /* EBADF */
}

/* fcntl with pointer arguments, forwarded through libffi: locks on a memfd, owner queries. */
static void fcntl_pointer_calls(void)
{
	int mf = (int)syscall(SYS_memfd_create, "trace_calls", 0);
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
	struct f_owner_ex owner;

	if (mf < 0)
		return;
	fcntl(mf, F_SETLK, &fl);
	fl.l_type = F_RDLCK;
	fcntl(mf, F_GETLK, &fl);
	fl.l_type = F_WRLCK;
	fl.l_pid = 0;
	fcntl(mf, F_OFD_SETLK, &fl);
	fcntl(mf, F_GETOWN_EX, &owner);
	fcntl(mf, F_SETSIG, 0);
	fcntl(mf, F_GETSIG);
	fcntl(mf, F_GET_SEALS);
	fcntl(mf, 1234567, 42); /* unknown command: EINVAL */
	close(mf);
}

int main(void)
{
	void *bad = unmapped_page();
	struct sockaddr_in any = loopback(0);
	int fd;

	close(-1); /* marks the start of main in both traces */
	socket_calls();
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	bind(fd, (struct sockaddr *)&any, sizeof(any));
	bind(fd, (struct sockaddr *)&any, sizeof(any)); /* EINVAL: bound already */
	option_calls(fd, bad);
	send_calls(fd, bad);
	ifindex_calls();
	ipv6_calls(bad);
	fd_calls(fd);
	fcntl_pointer_calls();
	close(fd);
	return 0;
}
