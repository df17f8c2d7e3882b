/* neigh_queue: the shim's arp_queue (see include/shim/neigh_queue.h; net/core/neighbour.c
 * __neigh_event_send and neigh_update for the behaviour mirrored). */
#include "shim/shim_alloc.h"
#include "shim/shim_lock.h"
#include "shim/neigh_queue.h"
#include "rtnl.h"

#include "shim/route.h"

#include "shim/dev.h"
#include "shim/stats.h"
#include "shim/rawsys.h"

#include <errno.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#define NEIGH_USABLE	 (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)
#define UNRES_QLEN_BYTES 212992		       /* net.ipv4.neigh.default.unres_qlen_bytes */
#define STALE_AFTER_NS	 (10LL * 1000000000LL) /* resolution gives up after ~3 s; keep a margin */

struct queued {
	struct queued *next;
	int ifindex;
	struct shim_addr nexthop;
	struct frame_set fs;
	size_t truesize;
	long long since;
	bool dontwait;
};

/* oldest first; and whether a flush is sending frames (atomic). Both read without the lock by
 * neigh_queue_idle (the send fast path). */
struct queued *neigh_queue_head;
bool neigh_queue_flushing;
SHIM_LOCK_DEFINE(queue_lock);
SHIM_LOCK_DEFINE(flush_lock);

static long long now_ns(void)
{
	struct timespec ts;

	rawsys2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* What an skb of this frame would be charged; approximated as the frame plus the kernel's skb
 * overhead (the kernel counts the truesize of its buffers: 832 bytes for a small datagram). */
static size_t frame_set_truesize(const struct frame_set *fs)
{
	return fs->off[fs->n] + (size_t)fs->n * 768;
}

/* RTM_NEWNEIGH, NLM_F_CREATE|NLM_F_REPLACE, NTF_USE: neigh_event_send() on the entry, in the
 * table of ip's family (ARP, NDP). */
static int start_resolution(int ifindex, const struct shim_addr *ip)
{
	char buf[128];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm;

	nlh->nlmsg_type = RTM_NEWNEIGH;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (uint8_t)ip->family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_flags = NTF_USE;
	rtnl_put_addr(nlh, NDA_DST, ip);
	return rtnl_request(nlh, NULL, NULL);
}

static const struct neigh_queue_kernel kernel_ops = {start_resolution, neigh_output_lookup};
static const struct neigh_queue_kernel *kernel = &kernel_ops;

void neigh_queue_set_kernel(const struct neigh_queue_kernel *k)
{
	kernel = k != NULL ? k : &kernel_ops;
}

static void free_entry(struct queued *q)
{
	shim_free(q->fs.buf);
	shim_free(q);
}

/* Unlink the entries for (ifindex, ip) — or stale ones — into a list, in queue order. */
static struct queued *take_matching(int ifindex, const struct shim_addr *ip, bool stale_only,
				    long long now)
{
	struct queued **pp = &neigh_queue_head, *taken = NULL, **tail = &taken;

	while (*pp != NULL) {
		struct queued *q = *pp;
		bool match = stale_only ? now - q->since > STALE_AFTER_NS
					: q->ifindex == ifindex && shim_addr_equal(&q->nexthop, ip);

		if (match) {
			*pp = q->next;
			q->next = NULL;
			*tail = q;
			tail = &q->next;
		} else {
			pp = &q->next;
		}
	}
	return taken;
}

/* Unlink q itself if it is still queued; returns whether it was. */
static bool take_back(struct queued *q)
{
	for (struct queued **pp = &neigh_queue_head; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == q) {
			*pp = q->next;
			return true;
		}
	}
	return false;
}

int neigh_queue_frames(int ifindex, const struct shim_addr *nexthop, struct frame_set *fs,
		       bool dontwait)
{
	struct queued *q, *drop, **pp;
	size_t queued_bytes = 0;
	long long now = now_ns();
	uint8_t mac[6];
	int r;

	q = shim_zalloc(sizeof(*q));
	if (q == NULL)
		return -ENOBUFS;
	q->ifindex = ifindex;
	q->nexthop = *nexthop;
	q->fs = *fs;
	q->truesize = frame_set_truesize(fs);
	q->since = now;
	q->dontwait = dontwait;

	shim_lock_acquire(&queue_lock);
	drop = take_matching(0, NULL, true, now);
	for (struct queued *e = neigh_queue_head; e != NULL; e = e->next)
		if (e->ifindex == ifindex && shim_addr_equal(&e->nexthop, nexthop))
			queued_bytes += e->truesize;
	/* over unres_qlen_bytes: the oldest datagrams for this neighbour go first */
	for (pp = &neigh_queue_head;
	     *pp != NULL && queued_bytes + q->truesize > UNRES_QLEN_BYTES;) {
		struct queued *e = *pp;

		if (e->ifindex == ifindex && shim_addr_equal(&e->nexthop, nexthop)) {
			*pp = e->next;
			queued_bytes -= e->truesize;
			e->next = drop;
			drop = e;
		} else {
			pp = &e->next;
		}
	}
	for (pp = &neigh_queue_head; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = q; /* queued before resolution starts, so its answer cannot be missed */
	shim_lock_release(&queue_lock);

	while (drop != NULL) {
		struct queued *next = drop->next;

		stats_add(STAT_NEIGH_QUEUE_DROP, 1);
		free_entry(drop);
		drop = next;
	}

	r = kernel->resolve(ifindex, nexthop);
	if (r < 0) {
		bool mine;

		shim_lock_acquire(&queue_lock);
		mine = take_back(q);
		shim_lock_release(&queue_lock);
		if (mine) {
			shim_free(q); /* fs stays the caller's */
			return r;
		}
		fs->buf = NULL; /* already sent or dropped by a neighbour update */
		return 0;
	}
	fs->buf = NULL;
	/* resolved meanwhile without a change to report (entry was already usable): send now */
	if (kernel->lookup(ifindex, nexthop, mac) == 0)
		neigh_queue_update(ifindex, nexthop, NUD_REACHABLE, mac);
	return 0;
}

bool neigh_queue_waiting(int ifindex, const struct shim_addr *nexthop)
{
	bool waiting = false;

	/* while a flush is sending, a new datagram queues behind it, not past it */
	if (__atomic_load_n(&neigh_queue_flushing, __ATOMIC_ACQUIRE))
		return true;
	if (__atomic_load_n(&neigh_queue_head, __ATOMIC_ACQUIRE) == NULL)
		return false;
	shim_lock_acquire(&queue_lock);
	for (struct queued *e = neigh_queue_head; e != NULL && !waiting; e = e->next)
		waiting = e->ifindex == ifindex && shim_addr_equal(&e->nexthop, nexthop);
	shim_lock_release(&queue_lock);
	return waiting;
}

static void transmit(struct queued *q, const uint8_t *mac)
{
	for (int i = 0; i < q->fs.n; i++)
		memcpy(q->fs.buf + q->fs.off[i] + FRAME_DST_MAC_OFF, mac, 6);
	frame_set_xmit(&q->fs, q->ifindex, false);
}

void neigh_queue_update(int ifindex, const struct shim_addr *ip, uint16_t state, const uint8_t *mac)
{
	struct queued *taken;
	bool usable = (state & NEIGH_USABLE) && mac != NULL;

	if (!usable && !(state & NUD_FAILED))
		return; /* still resolving */
	if (__atomic_load_n(&neigh_queue_head, __ATOMIC_ACQUIRE) == NULL)
		return;
	/* One flush at a time (the listener and a sender may both find the entry usable), so
	 * datagrams leave in the order they were queued. */
	shim_lock_acquire(&flush_lock);
	shim_lock_acquire(&queue_lock);
	taken = take_matching(ifindex, ip, false, 0);
	__atomic_store_n(&neigh_queue_flushing, taken != NULL, __ATOMIC_RELEASE);
	shim_lock_release(&queue_lock);
	while (taken != NULL) {
		struct queued *next = taken->next;

		if (usable)
			transmit(taken, mac); /* in order, as neigh_update flushes arp_queue */
		else
			stats_add(STAT_NEIGH_QUEUE_DROP,
				  1); /* failed: dropped, as the kernel does */
		free_entry(taken);
		taken = next;
	}
	__atomic_store_n(&neigh_queue_flushing, false, __ATOMIC_RELEASE);
	shim_lock_release(&flush_lock);
}

bool neigh_queue_wait_idle(int max_ms)
{
	struct timespec ms = {0, 1000000};
	long long deadline = now_ns() + max_ms * 1000000LL;

	/* bounded by the clock, not by the count of sleeps: on a loaded machine a 1 ms sleep takes
	 * several (bench arp_unresolved_exit saw the process live on into the next ARP request) */
	do {
		/* nothing waits, and no flush is still sending what it took off the queue (the
		 * listener's transmit may be slow: the first frame on a device opens the AF_XDP
		 * socket, src/dev/xdp_xmit.c) */
		if (__atomic_load_n(&neigh_queue_head, __ATOMIC_ACQUIRE) == NULL &&
		    !__atomic_load_n(&neigh_queue_flushing, __ATOMIC_ACQUIRE)) {
			bool idle;

			/* both are set under the lock by a flush: read them together */
			shim_lock_acquire(&queue_lock);
			idle = neigh_queue_head == NULL && !neigh_queue_flushing;
			shim_lock_release(&queue_lock);
			if (idle)
				return true;
		}
		rawsys2(SYS_nanosleep, &ms, NULL);
	} while (now_ns() < deadline);
	return false;
}

bool neigh_queue_wait_young(int max_ms)
{
	struct timespec ms = {0, 1000000};
	long long limit = max_ms * 1000000LL, start = now_ns(), youngest = 0, now;
	bool flushing, empty;

	for (;;) {
		shim_lock_acquire(&queue_lock);
		empty = neigh_queue_head == NULL;
		flushing = neigh_queue_flushing;
		for (struct queued *e = neigh_queue_head; e != NULL; e = e->next)
			if (e->since > youngest)
				youngest = e->since;
		shim_lock_release(&queue_lock);
		if (empty && !flushing)
			return true;
		now = now_ns();
		/* what waits has waited long already (a neighbour that does not answer at once):
		 * its resolution is the kernel's pace, seconds, which a send must not wait for */
		if (!flushing && now - youngest >= limit)
			return false;
		if (now - start >= limit)
			return false;
		rawsys2(SYS_nanosleep, &ms, NULL);
	}
}

void neigh_queue_drain(int max_ms)
{
	/* The kernel's queue outlives the process that filled it; the shim's does not, so at exit
	 * it waits (bounded by the resolution time) for the listener to send or drop what waits;
	 * the process must not end in the middle of a flush. */
	if (neigh_queue_wait_idle(max_ms))
		return;
	/* what still waits is lost with the process */
	shim_lock_acquire(&queue_lock);
	for (struct queued *e = neigh_queue_head; e != NULL; e = e->next)
		stats_add(STAT_NEIGH_QUEUE_DROP, 1);
	shim_lock_release(&queue_lock);
}

void neigh_queue_forget(void)
{
	neigh_queue_head =
	    NULL; /* the parent's datagrams: not ours to send (leaked in the child on purpose) */
}
