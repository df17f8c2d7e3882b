/* stats: per-process counters of what the shim did (SHIM_STATS, shim-stat).
 *
 * Counters are 64-bit and updated with relaxed atomic adds on the send path; they live in a small
 * shared mapping so that another process (shim-stat PID) can read them while the program runs. */
#ifndef SHIM_STATS_H
#define SHIM_STATS_H

#include <stdint.h>

enum shim_stat {
	STAT_DGRAMS_SENT,      /* datagrams the shim transmitted itself */
	STAT_BYTES_SENT,       /* their UDP payload bytes */
	STAT_FRAMES_SENT,      /* Ethernet frames transmitted (fragments count one each) */
	STAT_FRAGMENTED,       /* datagrams that were fragmented */
	STAT_TO_KERNEL,	       /* calls or datagrams handed to the kernel socket, all reasons */
	STAT_NEIGH_MISS,       /* datagrams queued while the kernel resolved the next hop */
	STAT_NEIGH_QUEUE_DROP, /* queued datagrams dropped (resolution failed, queue full, exit) */
	STAT_ROUTE_HIT,	       /* route lookups answered from the cache */
	STAT_ROUTE_MISS,       /* route lookups asked of the kernel */
	STAT_ERRORS,	       /* calls the shim answered with an error (by errno below) */
	STAT_COUNT
};

/* Why a call or datagram went to the kernel socket. */
enum shim_kernel_reason {
	KR_LOCAL_ROUTE, /* destination is local (loopback delivery) */
	KR_NOT_UNICAST, /* broadcast or multicast: local copies */
	KR_CMSG,	/* control messages */
	KR_CORK,	/* MSG_MORE / UDP_CORK */
	KR_DONTROUTE,	/* MSG_DONTROUTE */
	KR_SOCKOPT,	/* a socket option the shim does not reproduce is set */
	KR_DEVICE,	/* output device is not Ethernet */
	KR_NEIGH,	/* next hop unresolved and resolution cannot be requested */
	KR_NETLINK,	/* the kernel could not be asked (rtnetlink failed) */
	KR_COUNT
};

#define STATS_ERRNO_MAX 134 /* errno values 1..133 are counted one by one */

/* Make the counters shared (a file other processes can map), or keep them private if that fails.
 * Returns 0 or -errno. Called at load. */
int stats_init(void);

void stats_add(enum shim_stat which, uint64_t n);
void stats_kernel(enum shim_kernel_reason why);
void stats_error(int err); /* err > 0 */

/* The current values (for the exit report and tests). */
uint64_t stats_get(enum shim_stat which);
uint64_t stats_get_kernel(enum shim_kernel_reason why);
uint64_t stats_get_errno(int err);

#endif
