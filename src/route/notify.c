/* notify: the route generation, moved by rtnetlink notifications.
 *
 * A thread of the shim's own listens to link, address, route, rule, multicast group and neighbour
 * changes and bumps the generation on each; cached routes, links and neighbours are used only
 * while the generation they were made in is current. The thread is started at set-up (bypass mode:
 * preload/init.c) and in a child of libc's fork() by the fork interposer, never by a lookup: a
 * lookup may run in a signal handler that interrupted malloc, and pthread_create allocates (the
 * thread's TLS, with the program's calloc) and takes libc's locks. It blocks every signal. Without
 * it (it could not start; a child of _Fork or of a raw clone; passthrough mode) every lookup asks
 * the kernel (generation always new). */
#include "notify.h"
#include "rtnl.h"
#include "route_fixed_internal.h"

#include "shim/guard.h"
#include "shim/shim_lock.h"
#include "shim/shim_proc.h"
#include "shim/shim_thread.h"
#include "shim/neigh_queue.h"
#include "shim/route.h"
#include "shim/sandbox.h"
#include "shim/internal_fd.h"
#include "shim/err_ring.h"

#include "shim/rawsys.h"

#include "shim/shim_fmt.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <pthread.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <poll.h>
#include <sys/epoll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>

static _Atomic uint64_t generation = 1; /* links, addresses, routes, rules, multicast groups */
/* neighbours (and everything above); 0 not started, 1 running, -1 failed: no caching. Both are
 * read inline by the send fast path (notify_live_generation_inline, include/shim/route.h). */
_Atomic uint64_t notify_neigh_generation_var = 1;
_Atomic int notify_listener_state;
static long listener_pid;
static long listener_tid;	   /* the thread, for notify_pause to see it gone */
static _Atomic int stop_requested; /* notify_pause: the thread ends at its next wake-up */
static int subscribed_fd = -1;	   /* listen_fd once bound to the groups (one bind per socket) */
/* In a child of fork: the generation at the fork (what the parent's answers were made in) and the
 * one the child's listener started with; 0 before any fork (notify_fork_only). */
static uint64_t fork_gen_parent, fork_gen_child;

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
/* ip_mc_inc_group / __ip_mc_dec_group: a group's first join or last leave on a device flushes
 * every cached IPv4 route (ip_rt_multicast_event → rt_cache_flush) and notifies this group
 * (RTM_NEWMULTICAST, RTM_DELMULTICAST; Linux 6.14 and later, not in older headers) */
#define RTNLGRP_IPV4_MCADDR_GROUP 37
/* the kernel's counts of the messages queued for the listener (notify_bpf.c), zeros without them */
static const uint64_t no_counts[NOTIFY_BPF_COUNTS];
const volatile uint64_t *notify_bpf_counts = no_counts;

static uint64_t bpf_count(int i)
{
	return __atomic_load_n(&notify_bpf_counts, __ATOMIC_RELAXED)[i];
}

/* The generations as the send path sees them: the listener's and the kernel's counts. */
static uint64_t route_gen_now(void)
{
	return atomic_load_explicit(&generation, memory_order_acquire) + bpf_count(1);
}

static uint64_t neigh_gen_now(void)
{
	return atomic_load_explicit(&notify_neigh_generation_var, memory_order_acquire) +
	       bpf_count(0);
}

/* Count fd's messages as the kernel queues them. The counts of another socket (the parent's,
 * after fork) are folded into the generations before the new ones replace them, so the sums
 * never return to a value a cached answer was made with; that page stays mapped (a thread may be
 * reading it). */
static void count_queued_messages(int fd)
{
	int err;
	const volatile uint64_t *fresh = notify_bpf_attach(fd, &err), *old;

	if (fresh == NULL)
		return;
	old = notify_bpf_counts;
	atomic_fetch_add(&generation, old[1] + 1);
	atomic_fetch_add(&notify_neigh_generation_var, old[0] + 1);
	__atomic_store_n(&notify_bpf_counts, fresh, __ATOMIC_RELEASE);
}
SHIM_LOCK_DEFINE(start_lock);

static int neigh_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == NDA_DST || type == NDA_LLADDR)
		tb[type] = attr;
	return MNL_CB_OK;
}

/* A neighbour change: waiting datagrams may go out now, or be dropped. */
static void neigh_changed(const struct nlmsghdr *nlh)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NDA_MAX + 1] = {0};
	struct shim_addr ip;

	if (ndm->ndm_family != AF_INET && ndm->ndm_family != AF_INET6)
		return;
	mnl_attr_parse(nlh, sizeof(*ndm), neigh_attr_cb, tb);
	if (tb[NDA_DST] == NULL || !rtnl_get_addr(tb[NDA_DST], ndm->ndm_family, &ip))
		return;
	neigh_queue_update(ndm->ndm_ifindex, &ip, ndm->ndm_state,
			   tb[NDA_LLADDR] != NULL && mnl_attr_get_payload_len(tb[NDA_LLADDR]) == 6
			       ? mnl_attr_get_payload(tb[NDA_LLADDR])
			       : NULL);
}

/* ICMP that changes routes arrives with no rtnetlink notification; raw ICMP sockets opened at load
 * (they need CAP_NET_RAW) see it. IPv4: fragmentation needed (a learnt path MTU) and redirects.
 * IPv6 (net/ipv6/route.c): Packet Too Big (rt6_do_update_pmtu: an exception route with the new
 * MTU), redirects (rt6_do_redirect: an exception route with the new gateway) and router
 * advertisements (ndisc_router_discovery: an MTU option changes the device's IPv6 MTU and its
 * routes' through rt6_mtu_change; the routes and addresses an advertisement adds or removes are
 * notified). */
static int icmp_fd = -1, icmp6_fd = -1;

int route_watch_icmp(int inherited_fd)
{
	struct icmp_filter filt = {~((1u << ICMP_DEST_UNREACH) | (1u << ICMP_REDIRECT))};
	int small = 4096;
	long fd = inherited_fd >= 0
		      ? inherited_fd
		      : rawsys3(SYS_socket, AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
				IPPROTO_ICMP);

	if (fd < 0)
		return (int)fd;
	if (inherited_fd >= 0) /* the launcher's socket: make it non-blocking here */
		rawsys3(SYS_fcntl, fd, F_SETFL, O_NONBLOCK | O_RDWR);
	rawsys5(SYS_setsockopt, fd, SOL_RAW, ICMP_FILTER, &filt, sizeof(filt));
	rawsys5(SYS_setsockopt, fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	icmp_fd = rtnl_make_internal((int)fd);
	internal_fd_track(&icmp_fd);
	return 0;
}

#define ICMPV6_ROUTER_ADVERT 134 /* NDISC_ROUTER_ADVERTISEMENT */
#define ICMPV6_REDIRECT	     137 /* NDISC_REDIRECT */

/* ICMPv6 types that change routes (the ICMP6_FILTER bit of each is clear: passed) */
static bool icmp6_route_type(unsigned type)
{
	return type == ICMPV6_PKT_TOOBIG || type == ICMPV6_ROUTER_ADVERT || type == ICMPV6_REDIRECT;
}

int route_watch_icmp6(int inherited_fd)
{
	struct icmp6_filter filt;
	int small = 4096;
	long fd = inherited_fd >= 0
		      ? inherited_fd
		      : rawsys3(SYS_socket, AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
				IPPROTO_ICMPV6);

	if (fd < 0)
		return (int)fd;
	if (inherited_fd >= 0)
		rawsys3(SYS_fcntl, fd, F_SETFL, O_NONBLOCK | O_RDWR);
	/* ICMP6_FILTER: a set bit blocks its type */
	memset(&filt, 0xff, sizeof(filt));
	for (unsigned t = 0; t < 256; t++)
		if (icmp6_route_type(t))
			filt.data[t >> 5] &= ~(1u << (t & 31));
	rawsys5(SYS_setsockopt, fd, IPPROTO_ICMPV6, ICMPV6_FILTER, &filt, sizeof(filt));
	rawsys5(SYS_setsockopt, fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	icmp6_fd = rtnl_make_internal((int)fd);
	internal_fd_track(&icmp6_fd);
	return 0;
}

bool route_icmp6_watched(void)
{
	/* (the unit tests' fixed answers hold the generations as if watched) */
	return (__atomic_load_n(&icmp6_fd, __ATOMIC_RELAXED) >= 0 || route_fixed_on) &&
	       atomic_load_explicit(&notify_listener_state, memory_order_relaxed) == 1;
}

/* Drain an ICMP socket; returns whether a route-changing message was among them. An IPv4 raw
 * socket's messages start with the IP header, an IPv6 one's with the ICMPv6 header. */
static bool icmp_changes_routes(int fd, bool v6)
{
	unsigned char pkt[128];
	bool change = false;

	for (int i = 0; i < 64; i++) {
		long n = rawsys6(SYS_recvfrom, fd, (long)pkt, sizeof(pkt), MSG_DONTWAIT, 0, 0);
		size_t ihl;

		/* readable, then empty: another process that shares the socket (a parent or child
		 * of fork) read what woke both: it may have changed routes */
		if (n <= 0 && i == 0)
			return true;
		if (n <= 0)
			break;
		if (v6) {
			change |= icmp6_route_type(pkt[0]);
			continue;
		}
		ihl = (size_t)(pkt[0] & 0x0f) * 4;
		if ((size_t)n < ihl + 2)
			continue;
		if ((pkt[ihl] == ICMP_DEST_UNREACH && pkt[ihl + 1] == ICMP_FRAG_NEEDED) ||
		    pkt[ihl] == ICMP_REDIRECT)
			change = true;
	}
	return change;
}

/* Pending socket errors (sk_err: an ICMP error on a connected socket) show as EPOLLERR. Each
 * connected socket is registered once-shot; an event sets the socket's hint, and the send path
 * asks SO_ERROR only when the hint is set, then arms the registration again. */
static int err_epoll_fd = -1;
static int listen_fd = -1; /* the rtnetlink subscription */

unsigned notify_error_watch_gen;

unsigned notify_watch_errors(int fd, int *hint, bool rearm)
{
	struct epoll_event ev = {.events = EPOLLERR | EPOLLONESHOT, .data.ptr = hint};
	int op1 = rearm ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
	    op2 = rearm ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;

	if (err_epoll_fd < 0 || atomic_load(&notify_listener_state) != 1)
		return 0;
	if (rawsys4(SYS_epoll_ctl, err_epoll_fd, op1, fd, &ev) == 0 ||
	    rawsys4(SYS_epoll_ctl, err_epoll_fd, op2, fd, &ev) == 0)
		return __atomic_load_n(&notify_error_watch_gen, __ATOMIC_RELAXED);
	return 0;
}

/* The listener and a sending thread that found a completion of the error ring (err_ring.c)
 * collect under this lock: an event taken by one is in its socket's hint when the other has the
 * lock. */
SHIM_LOCK_DEFINE(err_collect_lock);

static void collect_error_hints(void)
{
	struct epoll_event ev[32];
	long n;

	shim_lock_acquire(&err_collect_lock);
	do {
		n = rawsys4(SYS_epoll_wait, __atomic_load_n(&err_epoll_fd, __ATOMIC_ACQUIRE), ev,
			    32, 0);
		/* Socket objects live in type-stable memory: a hint that reaches a socket reused
		 * since costs one needless SO_ERROR read, nothing more. */
		for (long i = 0; i < n; i++)
			atomic_store((_Atomic int *)ev[i].data.ptr, 1);
	} while (n == 32);
	shim_lock_release(&err_collect_lock);
}

int notify_error_watch_fd(void)
{
	if (atomic_load(&notify_listener_state) != 1)
		return -1;
	return __atomic_load_n(&err_epoll_fd, __ATOMIC_ACQUIRE);
}

void notify_collect_error_hints(void)
{
	if (__atomic_load_n(&err_epoll_fd, __ATOMIC_ACQUIRE) >= 0)
		collect_error_hints();
}

static void *listen_loop(void *arg)
{
	static char buf[32768];

	(void)arg;
	shim_enter(); /* the shim's own thread: every call it makes is the shim's */
	__atomic_store_n(&listener_tid, rawsys0(SYS_gettid), __ATOMIC_RELEASE);
	if (!shim_seccomp_active()) /* the error ring: this thread is its submitter (err_ring.c) */
		err_ring_listener_begin();
	for (;;) {
		/* the fds are read again each round: a program's dup2 may have moved them (a
		 * negative one is left out by ppoll) */
		int fd = __atomic_load_n(&listen_fd, __ATOMIC_ACQUIRE);
		struct pollfd pfd[5] = {
		    {fd, POLLIN, 0},
		    {__atomic_load_n(&err_epoll_fd, __ATOMIC_ACQUIRE), POLLIN, 0},
		    {__atomic_load_n(&icmp_fd, __ATOMIC_ACQUIRE), POLLIN, 0},
		    {err_ring_eventfd(), POLLIN, 0},
		    {__atomic_load_n(&icmp6_fd, __ATOMIC_ACQUIRE), POLLIN, 0}};
		long n;

		if (shim_seccomp_active())
			shim_seccomp_park();
		if (rawsys5(SYS_ppoll, pfd, 5, NULL, NULL, 0) < 0)
			continue;
		if (shim_seccomp_active()) /* a filter came while waiting (maybe on this thread) */
			shim_seccomp_park();
		if (atomic_load(&stop_requested)) {
			err_ring_listener_end();
			return NULL; /* notify_pause */
		}
		if ((pfd[1].revents | pfd[3].revents) & POLLIN) {
			/* the ring's work first (its flag clears), then the epoll: an error that
			 * comes meanwhile sets the flag again, and a send that finds busy odd waits
			 * for this collection (err_ring.h) */
			err_ring_listener_work();
			collect_error_hints();
			err_ring_listener_done();
		}
		if ((pfd[2].fd >= 0 && (pfd[2].revents & POLLIN) &&
		     icmp_changes_routes(pfd[2].fd, false)) |
		    (pfd[4].fd >= 0 && (pfd[4].revents & POLLIN) &&
		     icmp_changes_routes(pfd[4].fd, true))) {
			/* (a socket shared with a child of fork that drained it first counts too:
			 * icmp_changes_routes) */
			atomic_fetch_add(&generation, 1);
			atomic_fetch_add(&notify_neigh_generation_var, 1);
		}
		if (!(pfd[0].revents & (POLLIN | POLLERR)))
			continue;
		n = rawsys6(SYS_recvfrom, fd, (long)buf, sizeof(buf), MSG_DONTWAIT, 0, 0);
		if (n == -EINTR || n == -EAGAIN)
			continue;
		/* Anything — a message, or an overrun (ENOBUFS: messages were lost) — may mean a
		 * change. Neighbour changes are frequent and leave routes alone. */
		bool only_neigh = n > 0;

		if (n > 0) {
			int left = (int)n;

			for (const struct nlmsghdr *nlh = (const void *)buf;
			     mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
				if (nlh->nlmsg_type == RTM_NEWNEIGH)
					neigh_changed(nlh);
				else if (nlh->nlmsg_type != RTM_DELNEIGH)
					only_neigh = false;
			}
		}
		atomic_fetch_add(&notify_neigh_generation_var, 1);
		/* messages the socket filter counted as they were queued moved the route generation
		 * then: a second move now would make a route asked in between look changed (a
		 * connected socket's route, which the kernel keeps, looked up again with a changed
		 * IP_UNICAST_IF); an overrun or an error still moves it */
		if (!only_neigh &&
		    (n <= 0 || __atomic_load_n(&notify_bpf_counts, __ATOMIC_RELAXED) == no_counts))
			atomic_fetch_add(&generation, 1);
		if (n < 0 && n != -ENOBUFS) {
			atomic_store(&notify_listener_state, -1);
			return NULL;
		}
	}
}

static long fds_pid; /* the process that opened listen_fd and err_epoll_fd */

static void close_internal(int *fdp)
{
	int fd = __atomic_exchange_n(fdp, -1, __ATOMIC_ACQ_REL);

	if (fd >= 0) {
		internal_fd_close(fd);
	}
}

/* The listener's socket (not subscribed yet: nothing queues on it) and the error watch. */
static int open_listener_fds(void)
{
	int fd, inherited_listen = -1, inherited_epoll = -1;
	long efd;

	if (fds_pid != 0 && fds_pid != shim_proc_pid()) {
		/* inherited across fork: the parent's subscription and error watch, whose numbers
		 * the child's own take */
		inherited_listen = __atomic_exchange_n(&listen_fd, -1, __ATOMIC_ACQ_REL);
		inherited_epoll = __atomic_exchange_n(&err_epoll_fd, -1, __ATOMIC_ACQ_REL);
	}
	fds_pid = shim_proc_pid();
	if (listen_fd >= 0)
		return 0;
	fd = rtnl_socket(inherited_listen);
	if (fd < 0) {
		close_internal(&inherited_epoll);
		return fd;
	}
	count_queued_messages(fd);
	efd = err_epoll_fd < 0 ? rawsys1(SYS_epoll_create1, EPOLL_CLOEXEC) : -1;
	if (efd >= 0) { /* without it, errors are asked for at every send (notify_watch_errors) */
		err_epoll_fd = internal_fd_replace(inherited_epoll, (int)efd);
		/* sockets registered with the parent's watch are not in this one */
		__atomic_add_fetch(&notify_error_watch_gen, 1, __ATOMIC_RELEASE);
	} else
		close_internal(&inherited_epoll);
	internal_fd_track(&err_epoll_fd);
	listen_fd = fd;
	internal_fd_track(&listen_fd);
	return 0;
}

int notify_open_now(void)
{
	int r;

	shim_lock_acquire(&start_lock);
	r = open_listener_fds();
	shim_lock_release(&start_lock);
	return r;
}

static void start_listener(void)
{
	/* IPv6's too: addresses, routes (prefix routes an advertisement adds as well), rules
	 * (RTNLGRP_IPV6_RULE, group 19: bit 18), the device's IPv6 settings and prefixes */
	unsigned groups = RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE |
			  RTMGRP_IPV4_RULE | RTMGRP_IPV6_IFADDR | RTMGRP_IPV6_ROUTE |
			  RTMGRP_IPV6_IFINFO | RTMGRP_IPV6_PREFIX | (1u << (RTNLGRP_IPV6_RULE - 1));
	int fd, ok;

	if (open_listener_fds() < 0 ||
	    (subscribed_fd != listen_fd && rtnl_subscribe(listen_fd, groups) < 0)) {
		atomic_store(&notify_listener_state, -1);
		return;
	}
	/* a kernel without the group answers EINVAL: its joins go unseen, as before */
	{
		int group = RTNLGRP_IPV4_MCADDR_GROUP;

		(void)rawsys5(SYS_setsockopt, listen_fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
			      &group, sizeof(group));
	}
	fd = subscribed_fd = listen_fd;
	err_ring_open(__atomic_load_n(&err_epoll_fd, __ATOMIC_ACQUIRE));
	atomic_store(&stop_requested, 0);
	__atomic_store_n(&listener_tid, 0, __ATOMIC_RELEASE);
	ok = shim_thread_start(listen_loop, (void *)(long)fd) == 0;
	if (!ok) {
		close_internal(&listen_fd);
		atomic_store(&notify_listener_state, -1);
		return;
	}
	listener_pid = rawsys0(SYS_getpid);
	atomic_fetch_add(&generation, 1); /* nothing cached before the listener counts */
	if (fork_gen_parent != 0)
		fork_gen_child = route_gen_now();
	atomic_store(&notify_listener_state, 1);
}

/* From a context where libc may make a thread: set-up, or the fork interposer's child of fork(). */
void notify_start(void)
{
	shim_lock_acquire(&start_lock);
	if (atomic_load(&notify_listener_state) == 0 && shim_proc_libc_usable())
		start_listener();
	shim_lock_release(&start_lock);
}

/* Whether the thread tid of this process still exists (its /proc entry goes when the kernel has
 * removed it from the thread group); without /proc, a bounded wait is all there is. */
static bool thread_exists(long tid)
{
	char path[48];

	shim_snprintf(path, sizeof(path), "/proc/self/task/%ld", tid);
	return rawsys4(SYS_faccessat, AT_FDCWD, path, F_OK, 0) == 0;
}

/* End the listener thread and wait (up to 1 s) until it is gone from the thread group, for a call
 * that needs a single-threaded caller (unshare(CLONE_NEWUSER), setns into a user namespace).
 * Returns whether it ended; lookups ask the kernel until notify_start runs it again. */
bool notify_pause(void)
{
	struct sockaddr_nl self = {.nl_family = AF_NETLINK};
	socklen_t len = sizeof(self);
	long tid = 0;
	bool gone = false;

	shim_lock_acquire(&start_lock);
	if (atomic_load(&notify_listener_state) != 1 || listener_pid != rawsys0(SYS_getpid)) {
		shim_lock_release(&start_lock);
		return false;
	}
	atomic_store(&notify_listener_state, 0);
	atomic_store(&stop_requested, 1);
	/* wake it: a message to its own socket (netlink unicast between sockets of one process) */
	if (rawsys3(SYS_getsockname, listen_fd, &self, &len) == 0) {
		struct nlmsghdr wake = {.nlmsg_len = sizeof(wake), .nlmsg_type = NLMSG_NOOP};

		rawsys6(SYS_sendto, listen_fd, (long)&wake, sizeof(wake), MSG_DONTWAIT, (long)&self,
			sizeof(self));
	}
	for (int i = 0; i < 10000 && !gone; i++) { /* 10,000 x 100 us */
		struct timespec t = {0, 100000};

		tid = tid != 0 ? tid : __atomic_load_n(&listener_tid, __ATOMIC_ACQUIRE);
		gone = tid != 0 && !thread_exists(tid);
		if (!gone)
			rawsys2(SYS_nanosleep, &t, NULL);
	}
	shim_lock_release(&start_lock);
	return gone;
}

uint64_t notify_generation(void)
{
	if (atomic_load_explicit(&notify_listener_state, memory_order_acquire) != 1)
		return atomic_fetch_add(&generation, 1) + 1; /* no listener: never reuse */
	return route_gen_now();
}

uint64_t notify_neigh_generation(void)
{
	if (atomic_load_explicit(&notify_listener_state, memory_order_acquire) != 1)
		return atomic_fetch_add(&notify_neigh_generation_var, 1) +
		       1; /* no listener: never reuse */
	return neigh_gen_now();
}

/* The neighbour generation (which moves with every route change too) for the send fast path while
 * the listener keeps it current; 0 otherwise. */
uint64_t notify_live_generation(void)
{
	if (atomic_load_explicit(&notify_listener_state, memory_order_acquire) != 1)
		return 0;
	return neigh_gen_now();
}

/* Both generations for the send fast path, only while the listener keeps them current (no
 * start, no counting up): false otherwise. */
bool notify_generations_live(uint64_t *route, uint64_t *neigh)
{
	if (atomic_load_explicit(&notify_listener_state, memory_order_acquire) != 1)
		return false;
	*route = route_gen_now();
	*neigh = neigh_gen_now();
	return true;
}

/* route_fixed.c (unit tests): as a route notification would. */
void notify_bump_route_generation(void)
{
	atomic_fetch_add(&generation, 1);
	atomic_fetch_add(&notify_neigh_generation_var, 1);
}

void route_changed_now(void)
{
	notify_bump_route_generation();
}

uint64_t notify_generation_peek(void)
{
	return route_gen_now();
}

bool notify_fork_only(uint64_t gen)
{
	return fork_gen_child != 0 && gen == fork_gen_parent &&
	       atomic_load_explicit(&notify_listener_state, memory_order_acquire) == 1 &&
	       route_gen_now() == fork_gen_child;
}

void notify_forget_after_fork(void)
{
	fork_gen_parent = route_gen_now();
	fork_gen_child = 0;
	/* The listener thread did not survive fork: the fork interposer starts a new one in a child
	 * of fork() (notify_start); after _Fork or a raw clone none starts and every lookup asks */
	atomic_store(&notify_listener_state, shim_proc_libc_usable() ? 0 : -1);
	subscribed_fd = -1; /* the child's socket replaces the parent's under the same number */
	atomic_fetch_add(&generation, 1);
	atomic_fetch_add(&notify_neigh_generation_var, 1);
}
