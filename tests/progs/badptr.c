/* badptr: bad pointers in every argument of every call the shim intercepts, for e2e.badptr.
 *
 *   badptr ADDR PORT
 *
 * Each case makes one call with a NULL, unmapped, partly unreadable, SIGBUS-raising or
 * PROT_NONE-after-first-use pointer (some on a page of this program's own stack made PROT_NONE)
 * and prints "case return errno"; a good datagram "ok <case>" follows each, so the receiver's list
 * shows what every case sent. The same output natively and under libshim is the test (run by
 * tests/e2e/run-badptr, which compares the lines and what the receiver got). The last part
 * installs its own SIGSEGV/SIGBUS handlers and faults on purpose: they must run as without the
 * shim, and a bad pointer must still be EFAULT without calling them. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096

static struct sockaddr_in dst;
static int us; /* unconnected */
static int cs; /* connected to dst */

static void report(const char *name, long r)
{
	int e = errno;

	printf("%s %ld %s\n", name, r, r < 0 ? strerrorname_np(e) : "-");
	fflush(stdout);
}

/* a good datagram after each case: what the receiver gets says what every case sent */
static void mark(const char *name)
{
	char b[96];
	int n = snprintf(b, sizeof(b), "ok %s", name);

	if (sendto(us, b, (size_t)n, 0, (struct sockaddr *)&dst, sizeof(dst)) != n)
		printf("%s mark-failed %s\n", name, strerrorname_np(errno));
}

#define CASE(name, call)                                                                           \
	do {                                                                                       \
		long r_;                                                                           \
		errno = 0;                                                                         \
		r_ = (long)(call);                                                                 \
		report(name, r_);                                                                  \
		mark(name);                                                                        \
	} while (0)

static void *pages(int n)
{
	void *p =
	    mmap(NULL, (size_t)n * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return p;
}

/* never mapped: below vm.mmap_min_addr (a hole left by munmap could be reused by a later mmap) */
static void *unmapped(void)
{
	return (void *)0x2000;
}

/* a page mapped, used once, and unmapped again */
static void *munmapped(void)
{
	char *p = pages(1);

	p[0] = 1;
	munmap(p, PG);
	return p;
}

/* two pages, the second PROT_NONE: an object placed at the end of the first runs into it */
static char *straddle(size_t head)
{
	char *p = pages(2);

	mprotect(p + PG, PG, PROT_NONE);
	return p + PG - head;
}

/* a page of a file that ends before it: reading it raises SIGBUS */
static void *sigbus_page(void)
{
	char path[] = "/tmp/badptr.XXXXXX";
	int fd = mkstemp(path);
	void *p;

	if (fd < 0 || ftruncate(fd, PG) != 0)
		exit(2);
	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	unlink(path);
	if (p == MAP_FAILED)
		exit(2);
	return (char *)p + PG;
}

static void sendto_cases(void)
{
	char payload[] = "sendto payload";
	char *bp = pages(1), *ap = pages(1);
	struct sockaddr_in *a;
	void *u = unmapped();

	CASE("sendto.buf.null", sendto(us, NULL, 10, 0, (struct sockaddr *)&dst, sizeof(dst)));
	CASE("sendto.buf.unmapped", sendto(us, u, 10, 0, (struct sockaddr *)&dst, sizeof(dst)));
	memcpy(bp, payload, sizeof(payload));
	CASE("sendto.buf.used", sendto(us, bp, 14, 0, (struct sockaddr *)&dst, sizeof(dst)));
	mprotect(bp, PG, PROT_NONE);
	CASE("sendto.buf.pnone", sendto(us, bp, 14, 0, (struct sockaddr *)&dst, sizeof(dst)));
	CASE("sendto.buf.straddle",
	     sendto(us, straddle(8), 16, 0, (struct sockaddr *)&dst, sizeof(dst)));
	CASE("sendto.buf.sigbus",
	     sendto(us, sigbus_page(), 16, 0, (struct sockaddr *)&dst, sizeof(dst)));
	CASE("sendto.addr.null", sendto(us, payload, 5, 0, NULL, sizeof(dst)));
	CASE("sendto.addr.unmapped", sendto(us, payload, 5, 0, u, sizeof(dst)));
	CASE("sendto.addr.munmapped", sendto(us, payload, 5, 0, munmapped(), sizeof(dst)));
	CASE("sendto.buf.munmapped",
	     sendto(us, munmapped(), 5, 0, (struct sockaddr *)&dst, sizeof(dst)));
	a = (struct sockaddr_in *)ap;
	*a = dst;
	CASE("sendto.addr.used", sendto(us, "addr-used", 9, 0, (struct sockaddr *)a, sizeof(*a)));
	CASE("sendto.addr.used2",
	     sendto(us, "addr-used2", 10, 0, (struct sockaddr *)a, sizeof(*a)));
	mprotect(ap, PG, PROT_NONE);
	CASE("sendto.addr.pnone",
	     sendto(us, "addr-pnone", 10, 0, (struct sockaddr *)a, sizeof(*a)));
	mprotect(ap, PG, PROT_READ);
	CASE("sendto.addr.readonly", sendto(us, "addr-ro", 7, 0, (struct sockaddr *)a, sizeof(*a)));
	a = (struct sockaddr_in *)straddle(8);
	memcpy(a, &dst, 8);
	CASE("sendto.addr.straddle", sendto(us, "addr-str", 8, 0, (struct sockaddr *)a, 16));
	CASE("sendto.addr.straddle8", sendto(us, "addr-str8", 9, 0, (struct sockaddr *)a, 8));
	CASE("sendto.addr.sigbus", sendto(us, "addr-bus", 8, 0, sigbus_page(), 16));
	CASE("sendto.addr.kernelhalf",
	     sendto(us, "addr-k", 6, 0, (struct sockaddr *)0xffff888000000000UL, 16));
	CASE("sendto.addr.noncanonical",
	     sendto(us, "addr-nc", 7, 0, (struct sockaddr *)0x0000900000000000UL, 16));
	CASE("send.buf.unmapped", send(cs, u, 10, 0));
	CASE("send.buf.null", send(cs, NULL, 10, 0));
	CASE("write.buf.unmapped", write(cs, u, 10));
}

static void msg_cases(void)
{
	char *mp = pages(1), *ip = pages(1), *np = pages(1), *cp = pages(1), *bp = pages(1);
	struct msghdr *m = (struct msghdr *)mp;
	struct iovec *iov = (struct iovec *)ip;
	struct sockaddr_in *name = (struct sockaddr_in *)np;
	void *u = unmapped();
	struct msghdr good;
	struct iovec giov;

	memcpy(bp, "msg-payload", 11);
	*name = dst;
	iov->iov_base = bp;
	iov->iov_len = 11;
	memset(m, 0, sizeof(*m));
	m->msg_name = name;
	m->msg_namelen = sizeof(*name);
	m->msg_iov = iov;
	m->msg_iovlen = 1;
	CASE("sendmsg.used", sendmsg(us, m, 0));
	CASE("sendmsg.used2", sendmsg(us, m, 0));
	CASE("sendmsg.msg.null", sendmsg(us, NULL, 0));
	CASE("sendmsg.msg.unmapped", sendmsg(us, u, 0));
	CASE("sendmsg.msg.straddle", sendmsg(us, (struct msghdr *)straddle(40), 0));
	/* each part made PROT_NONE after it was used, then restored */
	mprotect(np, PG, PROT_NONE);
	CASE("sendmsg.name.pnone", sendmsg(us, m, 0));
	mprotect(np, PG, PROT_READ | PROT_WRITE);
	mprotect(ip, PG, PROT_NONE);
	CASE("sendmsg.iov.pnone", sendmsg(us, m, 0));
	mprotect(ip, PG, PROT_READ | PROT_WRITE);
	mprotect(bp, PG, PROT_NONE);
	CASE("sendmsg.iov_base.pnone", sendmsg(us, m, 0));
	mprotect(bp, PG, PROT_READ | PROT_WRITE);
	mprotect(mp, PG, PROT_NONE);
	CASE("sendmsg.msg.pnone", sendmsg(us, m, 0));
	mprotect(mp, PG, PROT_READ | PROT_WRITE);
	CASE("sendmsg.restored", sendmsg(us, m, 0));
	/* a message on the stack pointing at bad parts */
	good = *m;
	good.msg_name = u;
	CASE("sendmsg.name.unmapped", sendmsg(us, &good, 0));
	good = *m;
	good.msg_iov = u;
	CASE("sendmsg.iov.unmapped", sendmsg(us, &good, 0));
	good = *m;
	giov.iov_base = u;
	giov.iov_len = 5;
	good.msg_iov = &giov;
	CASE("sendmsg.iov_base.unmapped", sendmsg(us, &good, 0));
	good = *m;
	good.msg_control = u;
	good.msg_controllen = 24;
	CASE("sendmsg.control.unmapped", sendmsg(us, &good, 0));
	good.msg_control = NULL;
	CASE("sendmsg.control.null", sendmsg(us, &good, 0));
	memset(cp, 0, 64);
	{
		struct cmsghdr *c = (struct cmsghdr *)cp;

		c->cmsg_len = CMSG_LEN(sizeof(int));
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_TTL;
		*(int *)CMSG_DATA(c) = 9;
	}
	good.msg_control = cp;
	good.msg_controllen = CMSG_SPACE(sizeof(int));
	CASE("sendmsg.control.used", sendmsg(us, &good, 0));
	mprotect(cp, PG, PROT_NONE);
	CASE("sendmsg.control.pnone", sendmsg(us, &good, 0));
	good.msg_control = straddle(8);
	CASE("sendmsg.control.straddle", sendmsg(us, &good, 0));
	good = *m;
	good.msg_name = NULL;
	good.msg_namelen = 0;
	CASE("sendmsg.connected.iov.unmapped",
	     sendmsg(cs, &(struct msghdr){.msg_iov = u, .msg_iovlen = 1}, 0));
	CASE("writev.iov.unmapped", writev(cs, u, 1));
	giov.iov_base = u;
	giov.iov_len = 4;
	CASE("writev.iov_base.unmapped", writev(cs, &giov, 1));
	mprotect(ip, PG, PROT_NONE);
	CASE("writev.iov.pnone", writev(cs, iov, 1));
	mprotect(ip, PG, PROT_READ | PROT_WRITE);
}

/* count datagrams [first, first+n) of an mmsghdr array */
static void fill_mmsg(struct mmsghdr *v, int n, struct iovec *iov, char (*bufs)[32],
		      const char *tag)
{
	for (int i = 0; i < n; i++) {
		snprintf(bufs[i], 32, "%s-%d", tag, i);
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = strlen(bufs[i]);
		memset(&v[i], 0, sizeof(v[i]));
		v[i].msg_hdr.msg_name = &dst;
		v[i].msg_hdr.msg_namelen = sizeof(dst);
		v[i].msg_hdr.msg_iov = &iov[i];
		v[i].msg_hdr.msg_iovlen = 1;
		v[i].msg_len = 12345;
	}
}

static void mmsg_cases(void)
{
	static struct iovec iov[4];
	static char bufs[4][32];
	char *vp = pages(2);
	struct mmsghdr *v = (struct mmsghdr *)vp;
	void *u = unmapped();
	char line[64];

	fill_mmsg(v, 4, iov, bufs, "mm-used");
	CASE("sendmmsg.used", sendmmsg(us, v, 4, 0));
	CASE("sendmmsg.vec.null", sendmmsg(us, NULL, 2, 0));
	CASE("sendmmsg.vec.unmapped", sendmmsg(us, u, 2, 0));
	fill_mmsg(v, 4, iov, bufs, "mm-ro");
	mprotect(vp, 2 * PG, PROT_READ);
	CASE("sendmmsg.vec.readonly", sendmmsg(us, v, 4, 0));
	snprintf(line, sizeof(line), "sendmmsg.vec.readonly.msg_len %u", v[0].msg_len);
	report(line, 0);
	mprotect(vp, 2 * PG, PROT_READ | PROT_WRITE);
	/* entry 2 the first of a read-only page */
	v = (struct mmsghdr *)(vp + PG - 2 * sizeof(*v));
	fill_mmsg(v, 4, iov, bufs, "mm-ro2");
	mprotect(vp + PG, PG, PROT_READ);
	CASE("sendmmsg.vec.readonly_from_2", sendmmsg(us, v, 4, 0));
	snprintf(line, sizeof(line), "sendmmsg.readonly_from_2.msg_len %u %u %u", v[0].msg_len,
		 v[1].msg_len, v[2].msg_len);
	report(line, 0);
	mprotect(vp + PG, PG, PROT_READ | PROT_WRITE);
	/* entry 2 the first of a PROT_NONE page */
	fill_mmsg(v, 4, iov, bufs, "mm-none2");
	mprotect(vp + PG, PG, PROT_NONE);
	CASE("sendmmsg.vec.pnone_from_2", sendmmsg(us, v, 4, 0));
	mprotect(vp + PG, PG, PROT_READ | PROT_WRITE);
	fill_mmsg(v, 4, iov, bufs, "mm-name1");
	v[1].msg_hdr.msg_name = u;
	CASE("sendmmsg.entry1.name.unmapped", sendmmsg(us, v, 4, 0));
	fill_mmsg(v, 4, iov, bufs, "mm-base2");
	iov[2].iov_base = u;
	CASE("sendmmsg.entry2.iov_base.unmapped", sendmmsg(us, v, 4, 0));
	fill_mmsg(v, 4, iov, bufs, "mm-iov0");
	v[0].msg_hdr.msg_iov = u;
	CASE("sendmmsg.entry0.iov.unmapped", sendmmsg(us, v, 4, 0));
	fill_mmsg(v, 4, iov, bufs, "mm-ctl3");
	v[3].msg_hdr.msg_control = u;
	v[3].msg_hdr.msg_controllen = 24;
	CASE("sendmmsg.entry3.control.unmapped", sendmmsg(us, v, 4, 0));
	fill_mmsg(v, 4, iov, bufs, "mm-conn");
	for (int i = 0; i < 4; i++)
		v[i].msg_hdr.msg_name = NULL, v[i].msg_hdr.msg_namelen = 0;
	mprotect(vp + PG, PG, PROT_READ);
	CASE("sendmmsg.connected.readonly_from_2", sendmmsg(cs, v, 4, 0));
	mprotect(vp + PG, PG, PROT_READ | PROT_WRITE);
}

static void sockopt_cases(void)
{
	char *op = pages(1);
	void *u = unmapped();
	int *ttl = (int *)op;
	socklen_t *lp = (socklen_t *)(op + 64);

	*ttl = 17;
	CASE("setsockopt.ttl.used", setsockopt(us, IPPROTO_IP, IP_TTL, ttl, sizeof(int)));
	mprotect(op, PG, PROT_NONE);
	CASE("setsockopt.ttl.pnone", setsockopt(us, IPPROTO_IP, IP_TTL, ttl, sizeof(int)));
	mprotect(op, PG, PROT_READ | PROT_WRITE);
	CASE("setsockopt.ttl.null", setsockopt(us, IPPROTO_IP, IP_TTL, NULL, sizeof(int)));
	CASE("setsockopt.ttl.unmapped", setsockopt(us, IPPROTO_IP, IP_TTL, u, sizeof(int)));
	CASE("setsockopt.tos.unmapped", setsockopt(us, IPPROTO_IP, IP_TOS, u, sizeof(int)));
	CASE("setsockopt.mcif.unmapped", setsockopt(us, IPPROTO_IP, IP_MULTICAST_IF, u, 12));
	CASE("setsockopt.cork.unmapped", setsockopt(us, IPPROTO_UDP, UDP_CORK, u, sizeof(int)));
	CASE("setsockopt.sndbuf.unmapped", setsockopt(us, SOL_SOCKET, SO_SNDBUF, u, sizeof(int)));
	CASE("setsockopt.broadcast.unmapped",
	     setsockopt(us, SOL_SOCKET, SO_BROADCAST, u, sizeof(int)));
	CASE("setsockopt.mtu_discover.straddle",
	     setsockopt(us, IPPROTO_IP, IP_MTU_DISCOVER, straddle(2), sizeof(int)));
	*lp = sizeof(int);
	CASE("getsockopt.val.unmapped", getsockopt(us, IPPROTO_IP, IP_TTL, u, lp));
	CASE("getsockopt.len.unmapped", getsockopt(us, IPPROTO_IP, IP_TTL, ttl, u));
	CASE("getsockopt.len.null", getsockopt(us, IPPROTO_IP, IP_TTL, ttl, NULL));
	*lp = sizeof(int);
	CASE("getsockopt.ttl", getsockopt(us, IPPROTO_IP, IP_TTL, ttl, lp));
	printf("getsockopt.ttl.value %d\n", *ttl);
}

static void connect_cases(void)
{
	char *ap = pages(1);
	struct sockaddr_in *a = (struct sockaddr_in *)ap;
	void *u = unmapped();
	int s;

	*a = dst;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	CASE("connect.addr.null", connect(s, NULL, sizeof(dst)));
	CASE("connect.addr.unmapped", connect(s, u, sizeof(dst)));
	CASE("connect.addr.straddle", connect(s, (struct sockaddr *)straddle(8), sizeof(dst)));
	CASE("bind.addr.unmapped", bind(s, u, sizeof(dst)));
	CASE("connect.addr.used", connect(s, (struct sockaddr *)a, sizeof(*a)));
	CASE("connect.send", send(s, "conn-1", 6, 0));
	mprotect(ap, PG, PROT_NONE);
	CASE("connect.addr.pnone", connect(s, (struct sockaddr *)a, sizeof(*a)));
	CASE("connect.send2", send(s, "conn-2", 6, 0));
	close(s);
}

/* The caller's own stack: a page of this frame made PROT_NONE after it was used. */
static __attribute__((noinline)) void stack_cases(void)
{
	char area[3 * PG];
	char *page = (char *)(((uintptr_t)area + PG - 1) & ~(uintptr_t)(PG - 1));
	struct sockaddr_in *a = (struct sockaddr_in *)page;
	struct iovec *iov = (struct iovec *)(page + 64);
	struct msghdr *m = (struct msghdr *)(page + 128);
	struct mmsghdr *v = (struct mmsghdr *)(page + 256);
	int *val = (int *)(page + 512);

	*a = dst;
	iov->iov_base = "stack-payload";
	iov->iov_len = 13;
	memset(m, 0, sizeof(*m));
	m->msg_name = a;
	m->msg_namelen = sizeof(*a);
	m->msg_iov = iov;
	m->msg_iovlen = 1;
	memset(v, 0, 2 * sizeof(*v));
	v[0].msg_hdr = *m;
	v[1].msg_hdr = *m;
	*val = 33;
	CASE("stack.sendto.used", sendto(us, "stack-to", 8, 0, (struct sockaddr *)a, sizeof(*a)));
	CASE("stack.sendmsg.used", sendmsg(us, m, 0));
	CASE("stack.sendmmsg.used", sendmmsg(us, v, 2, 0));
	CASE("stack.setsockopt.used", setsockopt(us, IPPROTO_IP, IP_TTL, val, sizeof(int)));
	if (mprotect(page, PG, PROT_NONE) != 0) {
		perror("mprotect stack");
		exit(2);
	}
	CASE("stack.sendto.pnone", sendto(us, "stack-to", 8, 0, (struct sockaddr *)a, sizeof(*a)));
	CASE("stack.sendmsg.pnone", sendmsg(us, m, 0));
	CASE("stack.sendmmsg.pnone", sendmmsg(us, v, 2, 0));
	CASE("stack.setsockopt.pnone", setsockopt(us, IPPROTO_IP, IP_TTL, val, sizeof(int)));
	CASE("stack.connect.pnone", connect(socket(AF_INET, SOCK_DGRAM, 0), (void *)a, sizeof(*a)));
	mprotect(page, PG, PROT_READ);
	CASE("stack.sendmmsg.readonly", sendmmsg(us, v, 2, 0));
	mprotect(page, PG, PROT_READ | PROT_WRITE);
	CASE("stack.sendto.restored",
	     sendto(us, "stack-to", 8, 0, (struct sockaddr *)a, sizeof(*a)));
	__asm__ volatile("" : : "r"(area) : "memory");
}

/* The program's own fault handlers. */
static sigjmp_buf jb;
static volatile int segv_count, bus_count;
static void *volatile last_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	segv_count++;
	last_addr = si->si_addr;
	siglongjmp(jb, 1);
}

static void on_bus(int sig)
{
	(void)sig;
	bus_count++;
	siglongjmp(jb, 1);
}

/* a child that faults: how it ended */
static void child_status(const char *name, int st)
{
	printf("%s %s %d\n", name, WIFSIGNALED(st) ? "signal" : "exit",
	       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	fflush(stdout);
}

static void signal_cases(void)
{
	struct sigaction sa, old;
	void *u = unmapped(), *bus = sigbus_page();
	sigset_t set, was;
	pid_t pid;
	int st;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	CASE("sig.sigaction", sigaction(SIGSEGV, &sa, &old));
	printf("sig.old_was_default %d\n", old.sa_handler == SIG_DFL);
	sigaction(SIGSEGV, NULL, &old);
	printf("sig.view_is_own %d flags_siginfo %d\n", old.sa_sigaction == on_segv,
	       (old.sa_flags & SA_SIGINFO) != 0);
	CASE("sig.efault", sendto(us, "sig", 3, 0, u, sizeof(dst)));
	printf("sig.handler_not_called %d\n", segv_count == 0);
	if (sigsetjmp(jb, 1) == 0)
		*(volatile int *)u = 1;
	printf("sig.own_fault count %d addr_ok %d\n", segv_count, last_addr == u);
	CASE("sig.efault_after", sendto(us, "sig2", 4, 0, u, sizeof(dst)));
	printf("sig.handler_still_one %d\n", segv_count == 1);
	printf("sig.old_bus %d\n", signal(SIGBUS, on_bus) == SIG_DFL);
	if (sigsetjmp(jb, 1) == 0)
		(void)*(volatile char *)bus;
	printf("sig.own_bus count %d\n", bus_count);
	CASE("sig.bus_efault", sendto(us, "bus", 3, 0, bus, sizeof(dst)));
	printf("sig.bus_handler_still_one %d\n", bus_count == 1);
	sigemptyset(&set);
	sigaddset(&set, SIGSEGV);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigprocmask(SIG_SETMASK, NULL, &was);
	printf("sig.mask_view %d\n", sigismember(&was, SIGSEGV));
	CASE("sig.blocked_efault", sendto(us, "blk", 3, 0, u, sizeof(dst)));
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	/* children: the default action, a blocked fault, a one-shot handler */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		if (sendto(us, "child", 5, 0, u, sizeof(dst)) != -1 || errno != EFAULT)
			_exit(3);
		*(volatile int *)u = 1;
		_exit(4);
	}
	waitpid(pid, &st, 0);
	child_status("sig.child_default", st);
	pid = fork();
	if (pid == 0) {
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		if (sendto(us, "child", 5, 0, u, sizeof(dst)) != -1 || errno != EFAULT)
			_exit(3);
		*(volatile int *)u = 1; /* blocked: forced to the default action */
		_exit(4);
	}
	waitpid(pid, &st, 0);
	child_status("sig.child_blocked", st);
	pid = fork();
	if (pid == 0) {
		sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
		sigaction(SIGSEGV, &sa, NULL);
		if (sigsetjmp(jb, 1) == 0)
			*(volatile int *)u = 1;
		sigaction(SIGSEGV, NULL, &old);
		if (old.sa_handler != SIG_DFL || segv_count != 2)
			_exit(5);
		if (sendto(us, "child", 5, 0, u, sizeof(dst)) != -1 || errno != EFAULT)
			_exit(3);
		*(volatile int *)u = 1;
		_exit(4);
	}
	waitpid(pid, &st, 0);
	child_status("sig.child_resethand", st);
	pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV); /* sent, not a fault */
		_exit(4);
	}
	waitpid(pid, &st, 0);
	child_status("sig.child_raise", st);
	pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_IGN);
		raise(SIGSEGV); /* ignored */
		if (sendto(us, "child", 5, 0, u, sizeof(dst)) != -1 || errno != EFAULT)
			_exit(3);
		_exit(6);
	}
	waitpid(pid, &st, 0);
	child_status("sig.child_ignored", st);
}

/* A handler whose sa_mask blocks every signal, and a thread that blocks every signal, send with a
 * bad pointer: EFAULT as natively (the shim's copies must not meet a blocked SIGSEGV). */
static volatile long usr1_result, usr1_errno;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_result = sendto(us, "usr1", 4, 0, unmapped(), sizeof(dst));
	usr1_errno = errno;
}

static void *blocked_thread(void *arg)
{
	sigset_t all;
	long r;

	(void)arg;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	r = sendto(us, "thr", 3, 0, unmapped(), sizeof(dst));
	printf("sig.thread_all_blocked %ld %s\n", r, r < 0 ? strerrorname_np(errno) : "-");
	return NULL;
}

static void masked_cases(void)
{
	struct sigaction sa, old;
	pthread_t t;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigfillset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR1, NULL, &old);
	printf("sig.usr1_mask_view segv %d bus %d usr2 %d\n", sigismember(&old.sa_mask, SIGSEGV),
	       sigismember(&old.sa_mask, SIGBUS), sigismember(&old.sa_mask, SIGUSR2));
	raise(SIGUSR1);
	printf("sig.handler_full_mask %ld %s\n", usr1_result,
	       usr1_result < 0 ? strerrorname_np((int)usr1_errno) : "-");
	mark("sig.handler_full_mask");
	/* a handler run during sigsuspend with a mask that blocks everything else */
	{
		sigset_t usr2, wait_mask;

		sa.sa_handler = on_usr1;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR2, &sa, NULL);
		sigemptyset(&usr2);
		sigaddset(&usr2, SIGUSR2);
		sigprocmask(SIG_BLOCK, &usr2, NULL);
		raise(SIGUSR2);
		usr1_result = 0;
		sigfillset(&wait_mask);
		sigdelset(&wait_mask, SIGUSR2);
		sigsuspend(&wait_mask);
		sigprocmask(SIG_UNBLOCK, &usr2, NULL);
		printf("sig.handler_in_sigsuspend %ld %s\n", usr1_result,
		       usr1_result < 0 ? strerrorname_np((int)usr1_errno) : "-");
		mark("sig.handler_in_sigsuspend");
	}
	pthread_create(&t, NULL, blocked_thread, NULL);
	pthread_join(t, NULL);
	mark("sig.thread_all_blocked");
}

/* Recursion deeper than any stack: it overflows. */
static __attribute__((noinline)) int recurse(volatile char *p, unsigned long depth)
{
	volatile char frame[512];

	frame[0] = p != NULL ? p[0] : 0;
	if (depth == 0)
		return frame[0];
	return recurse(frame, depth - 1) + frame[1];
}

static void on_overflow(int sig)
{
	(void)sig;
	_exit(7);
}

/* A stack overflow: the program's handler on its alternate stack (SA_ONSTACK) runs; without one,
 * the default action. */
static void overflow_cases(void)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		static char alt[64 * 1024];
		stack_t ss = {.ss_sp = alt, .ss_size = sizeof(alt)};
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_overflow;
		sa.sa_flags = SA_ONSTACK;
		sigaltstack(&ss, NULL);
		sigaction(SIGSEGV, &sa, NULL);
		recurse(NULL, ~0UL);
		_exit(4);
	}
	waitpid(pid, &st, 0);
	child_status("sig.child_overflow_onstack", st);
	pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		recurse(NULL, ~0UL);
		_exit(4);
	}
	waitpid(pid, &st, 0);
	child_status("sig.child_overflow_default", st);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: badptr ADDR PORT\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1)
		return 2;
	us = socket(AF_INET, SOCK_DGRAM, 0);
	cs = socket(AF_INET, SOCK_DGRAM, 0);
	if (us < 0 || cs < 0 || connect(cs, (struct sockaddr *)&dst, sizeof(dst)) != 0) {
		perror("socket");
		return 2;
	}
	sendto_cases();
	msg_cases();
	mmsg_cases();
	sockopt_cases();
	connect_cases();
	stack_cases();
	signal_cases();
	overflow_cases();
	masked_cases();
	sendto(us, "END", 3, 0, (struct sockaddr *)&dst, sizeof(dst));
	return 0;
}
