/* err_ring: pending socket errors seen inside the send (include/shim/err_ring.h).
 *
 * One io_uring per process, made by raw io_uring_setup and mmap with the listener's other fds
 * (notify.c start_listener, on the thread that starts it, so its fds are placed as the shim's
 * others are, never taking a number from under the program) but disabled
 * (IORING_SETUP_R_DISABLED): the listener thread enables it and so becomes its only submitter
 * (IORING_SETUP_SINGLE_ISSUER, required by IORING_SETUP_DEFER_TASKRUN): 2 submission entries, 64
 * completions, an eventfd registered. One
 * multishot IORING_OP_POLL_ADD for POLLIN on the error watch's epoll. A wake-up of that poll adds
 * deferred task work to the ring, which sets IORING_SQ_TASKRUN in the shared flags (what the send
 * path reads) and signals the eventfd (what the listener polls); the work itself runs only when
 * the listener enters the ring for it, so no program thread is ever interrupted by it (a poll
 * armed by a program's thread with ordinary task work would interrupt that thread at each error:
 * its epoll_wait returning EINTR where natively it does not).
 *
 * A poll on the epoll rather than on each socket: the ring holds no reference to a program's
 * socket (a poll on it would keep the socket, its port and its queue alive past the program's
 * close until the poll's cancel ran), one submission for all sockets, and the epoll stays the one
 * list of watched sockets. The poll's completions only say "look"; a completion without
 * IORING_CQE_F_MORE (the completion queue overflowed) arms it again. A mapping of a ring made
 * before (a listener started again after notify_pause: the new thread must be the submitter of its
 * own ring) stays mapped: a send may be reading its flags. A child after fork drops the parent's
 * (err_ring_after_fork) and its listener, if one starts, makes its own. Where the ring cannot be
 * had (io_uring_disabled, ENOSYS, EPERM from a container's policy, SHIM_ERR_RING=0), nothing
 * changes: the listener collects the epoll's events as before. */
#include "notify.h"

#include "shim/config.h"
#include "shim/err_ring.h"
#include "shim/internal_fd.h"
#include "shim/rawsys.h"
#include "shim/shim_lock.h"

#include <errno.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

_Static_assert(ERR_RING_SQ_TASKRUN == IORING_SQ_TASKRUN, "the flag the send path reads");

#define RING_SQ_ENTRIES 2
#define RING_CQ_ENTRIES 64
#define POLL_DATA	1

/* What a send reads instead of the ring's flags: no ring (the listener's collection alone), or
 * the ring to come (the listener has not made it yet: each send asks SO_ERROR meanwhile). */
static const unsigned no_flags;
static const unsigned starting_flags = ERR_RING_SQ_TASKRUN;
struct err_ring_view err_ring_view = {&starting_flags, 0, true};

static struct {
	int fd, efd, epoll_fd;
	void *sq_map, *cq_map, *sqes;
	size_t sq_len, cq_len, sqes_len;
	unsigned *sq_tail, *sq_head, *sq_mask, *sq_array, *sq_flags;
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_cqe *cqes;
} ring = {.fd = -1, .efd = -1, .epoll_fd = -1};

static void ring_unmap(void)
{
	if (ring.sqes != NULL)
		rawsys2(SYS_munmap, ring.sqes, ring.sqes_len);
	if (ring.cq_map != NULL && ring.cq_map != ring.sq_map)
		rawsys2(SYS_munmap, ring.cq_map, ring.cq_len);
	if (ring.sq_map != NULL)
		rawsys2(SYS_munmap, ring.sq_map, ring.sq_len);
	ring.sq_map = ring.cq_map = ring.sqes = NULL;
}

static void *ring_mmap(int fd, size_t len, long off)
{
	long p = rawsys6(SYS_mmap, 0, (long)len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			 fd, off);

	return p < 0 && p > -4096 ? NULL : (void *)p;
}

static void close_internal(int *fdp)
{
	int fd = __atomic_exchange_n(fdp, -1, __ATOMIC_ACQ_REL);

	if (fd >= 0)
		internal_fd_close(fd);
}

/* Forget the current ring (its mapping kept when unmap is false: a send may read its flags);
 * starting: a listener is to make a new one. */
static void ring_drop(bool unmap, bool starting)
{
	__atomic_store_n(&err_ring_view.flags, starting ? &starting_flags : &no_flags,
			 __ATOMIC_RELEASE);
	__atomic_store_n(&err_ring_view.live, starting, __ATOMIC_RELEASE);
	if (unmap)
		ring_unmap();
	ring.sq_map = ring.cq_map = ring.sqes = NULL;
	close_internal(&ring.fd);
	close_internal(&ring.efd);
}

/* io_uring_setup, the mappings (two with IORING_FEAT_SINGLE_MMAP) and the eventfd. */
static int ring_setup(void)
{
	struct io_uring_params p;
	long fd, efd;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | IORING_SETUP_SINGLE_ISSUER |
		  IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_R_DISABLED;
	p.cq_entries = RING_CQ_ENTRIES;
	fd = rawsys2(SYS_io_uring_setup, RING_SQ_ENTRIES, &p);
	if (fd < 0)
		return (
		    int)fd; /* ENOSYS, EPERM (io_uring_disabled, a policy), EINVAL (old kernel) */
	ring.sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	ring.cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP) {
		if (ring.cq_len > ring.sq_len)
			ring.sq_len = ring.cq_len;
		ring.cq_len = ring.sq_len;
	}
	ring.sq_map = ring_mmap((int)fd, ring.sq_len, IORING_OFF_SQ_RING);
	ring.cq_map = (p.features & IORING_FEAT_SINGLE_MMAP)
			  ? ring.sq_map
			  : ring_mmap((int)fd, ring.cq_len, IORING_OFF_CQ_RING);
	ring.sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	ring.sqes = ring_mmap((int)fd, ring.sqes_len, IORING_OFF_SQES);
	efd = rawsys2(SYS_eventfd2, 0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ring.sq_map == NULL || ring.cq_map == NULL || ring.sqes == NULL || efd < 0) {
		ring_unmap();
		rawsys1(SYS_close, fd);
		if (efd >= 0)
			rawsys1(SYS_close, efd);
		return -ENOMEM;
	}
	ring.sq_head = (unsigned *)((char *)ring.sq_map + p.sq_off.head);
	ring.sq_tail = (unsigned *)((char *)ring.sq_map + p.sq_off.tail);
	ring.sq_mask = (unsigned *)((char *)ring.sq_map + p.sq_off.ring_mask);
	ring.sq_flags = (unsigned *)((char *)ring.sq_map + p.sq_off.flags);
	ring.sq_array = (unsigned *)((char *)ring.sq_map + p.sq_off.array);
	ring.cq_head = (unsigned *)((char *)ring.cq_map + p.cq_off.head);
	ring.cq_tail = (unsigned *)((char *)ring.cq_map + p.cq_off.tail);
	ring.cq_mask = (unsigned *)((char *)ring.cq_map + p.cq_off.ring_mask);
	ring.cqes = (struct io_uring_cqe *)((char *)ring.cq_map + p.cq_off.cqes);
	ring.fd = internal_fd_adopt((int)fd, true);
	ring.efd = internal_fd_adopt((int)efd, true);
	internal_fd_track(&ring.fd);
	internal_fd_track(&ring.efd);
	if (ring.fd < 0 || ring.efd < 0) {
		ring_drop(true, false);
		return -EMFILE;
	}
	return 0;
}

/* The multishot poll on the epoll: one SQE submitted (by the listener, the ring's submitter). */
static bool arm_poll(void)
{
	unsigned tail = *ring.sq_tail, idx = tail & *ring.sq_mask;
	struct io_uring_sqe *sqe = (struct io_uring_sqe *)ring.sqes + idx;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_POLL_ADD;
	sqe->fd = ring.epoll_fd;
	sqe->poll32_events = POLLIN;
	sqe->len = IORING_POLL_ADD_MULTI;
	sqe->user_data = POLL_DATA;
	ring.sq_array[idx] = idx;
	__atomic_store_n(ring.sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (rawsys6(SYS_io_uring_enter, ring.fd, 1, 0, 0, 0, 0) == 1)
		return true;
	__atomic_store_n(ring.sq_tail, *ring.sq_head, __ATOMIC_RELEASE); /* not taken */
	return false;
}

void err_ring_open(int epoll_fd)
{
	/* a listener's before notify_pause: the next one gets its own (sends ask meanwhile) */
	ring_drop(false, true);
	if (!shim_config.err_ring || epoll_fd < 0 || ring_setup() != 0) {
		ring_drop(false, false); /* none: the listener's collection alone */
		return;
	}
	ring.epoll_fd = epoll_fd;
}

void err_ring_listener_begin(void)
{
	int efd = ring.efd;

	if (ring.fd < 0)
		return;
	/* this thread becomes the ring's submitter, the one that runs its deferred work */
	if (rawsys4(SYS_io_uring_register, ring.fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0) != 0 ||
	    rawsys4(SYS_io_uring_register, ring.fd, IORING_REGISTER_EVENTFD, &efd, 1) != 0 ||
	    !arm_poll()) {
		ring_drop(true, false);
		return;
	}
	__atomic_store_n(&err_ring_view.flags, (const unsigned *)ring.sq_flags, __ATOMIC_RELEASE);
	__atomic_store_n(&err_ring_view.live, true, __ATOMIC_RELEASE);
}

int err_ring_eventfd(void)
{
	return __atomic_load_n(&ring.efd, __ATOMIC_ACQUIRE);
}

void err_ring_listener_work(void)
{
	uint64_t v;
	unsigned head, tail;
	bool ended = false;

	__atomic_add_fetch(&err_ring_view.busy, 1, __ATOMIC_ACQ_REL); /* odd: collecting */
	if (ring.fd < 0)
		return;
	rawsys3(SYS_read, ring.efd, &v, sizeof(v));
	/* the deferred work runs (the poll's completion posted, the flag cleared); an overflow
	 * flushed */
	rawsys6(SYS_io_uring_enter, ring.fd, 0, 0, IORING_ENTER_GETEVENTS, 0, 0);
	head = *ring.cq_head;
	tail = __atomic_load_n(ring.cq_tail, __ATOMIC_ACQUIRE);
	for (; head != tail; head++) {
		const struct io_uring_cqe *cqe = &ring.cqes[head & *ring.cq_mask];

		if (cqe->user_data == POLL_DATA && !(cqe->flags & IORING_CQE_F_MORE))
			ended = true;
	}
	__atomic_store_n(ring.cq_head, head, __ATOMIC_RELEASE);
	if (ended && !arm_poll()) /* the poll ended (an overflow): again */
		__atomic_store_n(&err_ring_view.live, false, __ATOMIC_RELEASE);
}

void err_ring_listener_done(void)
{
	__atomic_add_fetch(&err_ring_view.busy, 1, __ATOMIC_ACQ_REL); /* even: collected */
}

void err_ring_listener_end(void)
{
	ring_drop(false, true); /* its poll ends with the thread; sends ask until the next one */
}

bool err_ring_look(void)
{
	if (__atomic_load_n(&err_ring_view.flags, __ATOMIC_ACQUIRE) == &starting_flags)
		return true;
	notify_collect_error_hints();
	return false;
}

/* In a child: the ring is the parent's (its mapping shared, its work the parent's listener's);
 * the child's listener, if one starts, makes the child's. */
static void err_ring_after_fork(void)
{
	ring_drop(true, true);
	err_ring_view.busy = 0;
}
SHIM_AFTER_FORK(err_ring_after_fork);
