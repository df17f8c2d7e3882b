/* stats: per-process counters of what the shim did (SHIM_STATS, shim-stat).
 *
 * Counters are 64-bit and updated with relaxed atomic adds on the send path; they live in a small
 * shared mapping so that another process (shim-stat PID) can read them while the program runs. */
#ifndef SHIM_STATS_H
#define SHIM_STATS_H

#include <stddef.h>
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
	STAT_SOCKOPT_DIFF,     /* setsockopt verdicts unlike the kernel's (sockopt_check.c) */
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
	KR_NETNS,	/* the socket is in another network namespace than the packet socket */
	KR_RESOURCES,	/* the shim's own memory ran out for this datagram */
	KR_SELFCHECK,	/* shim-run --selfcheck found this feature different on this kernel */
	KR_IPV6,	/* an IPv6 case the shim does not send itself yet */
	KR_FLOWLABEL,	/* an IPv6 flow's first datagram: its automatic flow label is learnt */
	KR_COUNT
};

#define STATS_ERRNO_MAX 134 /* errno values 1..133 are counted one by one */

/* The counters as another process reads them: a memfd named STATS_MEMFD_NAME, kept open as an
 * internal fd (so shim-stat finds it in /proc/PID/fd) and mapped shared. It has no name in any
 * directory, so nothing is left behind when the process ends, however it ends. After fork the
 * child gets a block of its own, starting from zero; exec starts a new one. */
#define STATS_MEMFD_NAME "libshim-stats"
#define STATS_MAGIC	 "libshim-stats-1" /* 15 characters and the NUL: the layout version */

struct stats_shared {
	char magic[16];
	uint32_t header_size; /* offsetof(struct stats_shared, counters) */
	uint32_t n_counters;  /* STAT_COUNT */
	uint32_t n_kernel;    /* KR_COUNT */
	uint32_t n_errno;     /* STATS_ERRNO_MAX */
	int32_t pid;
	uint32_t reserved;
	char comm[16]; /* the process name when the block was made */
	_Atomic uint64_t counters[STAT_COUNT];
	_Atomic uint64_t kernel[KR_COUNT];
	_Atomic uint64_t errnos[STATS_ERRNO_MAX];
};

/* Make the counters shared (a file other processes can map), or keep them private if that fails.
 * Returns 0 or -errno. Called at load. */
int stats_init(void);

void stats_add(enum shim_stat which, uint64_t n);

/* stats_add, inlined (the send fast path). */
extern struct stats_shared *stats_current_block;
static inline void stats_add_inline(enum shim_stat which, uint64_t n)
{
	__atomic_fetch_add(&stats_current_block->counters[which], n, __ATOMIC_RELAXED);
}
void stats_kernel(enum shim_kernel_reason why);
void stats_error(int err); /* err > 0 */

/* The current values (for the exit report and tests). */
uint64_t stats_get(enum shim_stat which);
uint64_t stats_get_kernel(enum shim_kernel_reason why);
uint64_t stats_get_errno(int err);

/* This process's block (for the exit report). */
const struct stats_shared *stats_block(void);

/* Short names ("dgrams_sent", "cmsg") and descriptions of counters and reasons. */
const char *stats_name(enum shim_stat which);
const char *stats_desc(enum shim_stat which);
const char *stats_kernel_name(enum shim_kernel_reason why);
const char *stats_kernel_desc(enum shim_kernel_reason why);

/* The report of a block, several lines ending in a newline, as the exit report (SHIM_STATS=1)
 * and shim-stat print it. Returns the length it needs (as snprintf). */
size_t stats_format(const struct stats_shared *s, char *buf, size_t cap);

#endif
