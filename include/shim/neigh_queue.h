/* neigh_queue: datagrams waiting for their next hop's MAC (the shim's arp_queue).
 *
 * When the kernel's neighbour table has no usable entry for the next hop, the kernel itself is
 * asked to resolve it (RTM_NEWNEIGH with NTF_USE: the same ARP requests, retries and timeouts as
 * for its own datagrams, needs CAP_NET_ADMIN), and the datagram's frames wait here. The rtnetlink
 * listener hands every neighbour change to neigh_queue_update: a usable entry sends the waiting
 * frames in order, a failed one drops them — as the kernel does with its own queue. The sender's
 * call has already returned success, as the kernel's does. The queue per next hop is bounded like
 * unres_qlen_bytes; when full, the oldest datagram is dropped. */
#ifndef SHIM_NEIGH_QUEUE_H
#define SHIM_NEIGH_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "shim/addr.h"
#include "shim/frame_set.h"

/* Take fs (its buffer now belongs to the queue) for nexthop on ifindex and start resolution.
 * Returns 0, or -errno when resolution could not be started (fs is left to the caller). */
int neigh_queue_frames(int ifindex, const struct shim_addr *nexthop, struct frame_set *fs,
		       bool dontwait);

/* Whether datagrams wait for this next hop (later ones must queue behind them). */
bool neigh_queue_waiting(int ifindex, const struct shim_addr *nexthop);

/* Whether nothing waits for any next hop and no flush runs: neigh_queue_waiting is false for all
 * (inlined for the send fast path). */
struct queued;
extern struct queued *neigh_queue_head;
extern bool neigh_queue_flushing;
static inline bool neigh_queue_idle(void)
{
	return !__atomic_load_n(&neigh_queue_flushing, __ATOMIC_ACQUIRE) &&
	       __atomic_load_n(&neigh_queue_head, __ATOMIC_ACQUIRE) == NULL;
}

/* A neighbour changed (from the rtnetlink listener): state is ndm_state, mac NULL if none. */
void neigh_queue_update(int ifindex, const struct shim_addr *ip, uint16_t state,
			const uint8_t *mac);

/* Wait up to max_ms (1 ms steps) for the queue to empty and any flush to end; true if it did. */
bool neigh_queue_wait_idle(int max_ms);

/* The same, for a datagram that is to leave after what waits: only while a flush runs or
 * something was queued less than max_ms ago, and at most max_ms in all. So a neighbour that is
 * slow to answer costs the later sends at most max_ms once, not max_ms each. */
bool neigh_queue_wait_young(int max_ms);

/* Wait up to max_ms for the queue to empty (at exit: queued datagrams are sent once their
 * neighbour resolves, as they would be from the kernel's queue after the process is gone). */
void neigh_queue_drain(int max_ms);

/* What the queue asks of the kernel: to resolve a next hop (RTM_NEWNEIGH with NTF_USE), and
 * whether it has become usable meanwhile (neigh_output_lookup). The unit tests give their own;
 * NULL: the kernel's again. */
struct neigh_queue_kernel {
	int (*resolve)(int ifindex, const struct shim_addr *ip);
	int (*lookup)(int ifindex, const struct shim_addr *ip, uint8_t mac[6]);
};
void neigh_queue_set_kernel(const struct neigh_queue_kernel *k);

/* Drop everything queued (in a child after fork: the datagrams are the parent's). */
void neigh_queue_forget(void);

#endif
