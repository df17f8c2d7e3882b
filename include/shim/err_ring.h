/* err_ring: a pending socket error seen by the very next send, with no system call per send
 * (src/route/err_ring.c).
 *
 * The error watch (notify.c: each connected socket in one epoll, EPOLLERR one-shot) is polled by
 * an io_uring of the listener thread: one multishot IORING_OP_POLL_ADD on that epoll, in a ring
 * made with IORING_SETUP_DEFER_TASKRUN and IORING_SETUP_TASKRUN_FLAG. An ICMP error that comes
 * back inside a send (veth: the peer's answer is handled in the same softirq run as the transmit)
 * wakes the epoll, the epoll wakes the poll, and the poll's wake-up sets IORING_SQ_TASKRUN in the
 * ring's shared flags right there, before the send returns — no thread is interrupted (deferred
 * task work runs only when the listener asks for it). The next send finds the flag (two loads),
 * collects the epoll's events into the sockets' hints (one epoll_wait, only then) and asks
 * SO_ERROR of the hinted socket. The listener, woken by the ring's eventfd, runs the work (the
 * flag clears) and collects too. Without the ring (io_uring_disabled, ENOSYS, EPERM, no listener)
 * the listener's collection alone sets the hints, some microseconds later. */
#ifndef SHIM_ERR_RING_H
#define SHIM_ERR_RING_H

#include <stdbool.h>

#define ERR_RING_SQ_TASKRUN (1U << 2) /* IORING_SQ_TASKRUN */

struct err_ring_view {
	const unsigned *flags; /* the ring's sq_flags (a constant without a ring: 0, or the flag
				* while the listener is to make one) */
	unsigned busy;	       /* odd while the listener runs the work and collects */
	bool live; /* the flag shows an error at once (or, until the ring is made, every send asks)
		    */
};

extern struct err_ring_view err_ring_view;

/* Nothing new on the error watch since the last collection: what a send checks (no system call). */
static inline bool err_ring_quiet(void)
{
	return ((__atomic_load_n(err_ring_view.flags, __ATOMIC_ACQUIRE) & ERR_RING_SQ_TASKRUN) |
		(__atomic_load_n(&err_ring_view.busy, __ATOMIC_ACQUIRE) & 1)) == 0;
}

/* Whether an error that came back inside the last send is seen by the next: the ring watches,
 * or is to come (meanwhile every send of a watched socket asks SO_ERROR). */
static inline bool err_ring_live(void)
{
	return __atomic_load_n(&err_ring_view.live, __ATOMIC_ACQUIRE);
}

/* A send that found err_ring_quiet() false: the error watch's events collected into the sockets'
 * hints now (waiting for a collection the listener has begun). Returns true when the pending
 * error must be asked instead: the listener has not made the ring yet (the first moments of a
 * process, a child after fork, the listener started again after notify_pause). */
bool err_ring_look(void);

#endif
