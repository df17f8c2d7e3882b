/* stats: per-process counters (see include/shim/stats.h).
 *
 * The counters live in one page of a memfd ("libshim-stats") mapped shared, so that shim-stat can
 * map the same page through /proc/PID/fd and read them while the program runs. Until stats_init
 * (or when no memfd can be made) they live in a private block; stats_init copies what was counted
 * before it. The memfd is sealed against shrinking, so a reader cannot make the program fault. */
#include "shim/shim_fmt.h"
#include "shim/shim_lock.h"
#include "shim/stats.h"
#include "shim/internal_fd.h"
#include "shim/rawsys.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/memfd.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define BLOCK_BYTES ((sizeof(struct stats_shared) + 4095) & ~(size_t)4095)

static struct stats_shared private_block = {.magic = STATS_MAGIC};
struct stats_shared *stats_current_block = &private_block; /* read by stats_add_inline */
static int block_fd = -1;

static const char *const stat_names[STAT_COUNT][2] = {
    [STAT_DGRAMS_SENT] = {"dgrams_sent", "datagrams the shim sent itself"},
    [STAT_BYTES_SENT] = {"bytes_sent", "their UDP payload bytes"},
    [STAT_FRAMES_SENT] = {"frames_sent", "Ethernet frames transmitted (a fragment is one)"},
    [STAT_FRAGMENTED] = {"fragmented", "datagrams sent as fragments"},
    [STAT_NEIGH_MISS] = {"neigh_miss", "datagrams that waited for the neighbour (ARP)"},
    [STAT_NEIGH_QUEUE_DROP] = {"neigh_queue_drop", "waiting datagrams dropped"},
    [STAT_ROUTE_HIT] = {"route_hit", "route lookups answered from the cache"},
    [STAT_ROUTE_MISS] = {"route_miss", "route lookups asked of the kernel"},
    [STAT_TO_KERNEL] = {"to_kernel", "calls or datagrams handed to the kernel socket"},
    [STAT_ERRORS] = {"errors", "calls the shim answered with an error"},
    [STAT_SOCKOPT_DIFF] = {"sockopt_diff", "setsockopt answers the shim predicted otherwise"},
};

static const char *const kernel_names[KR_COUNT][2] = {
    [KR_LOCAL_ROUTE] = {"local_route", "destination is local"},
    [KR_NOT_UNICAST] = {"not_unicast", "broadcast or multicast"},
    [KR_CMSG] = {"cmsg", "control messages"},
    [KR_CORK] = {"cork", "MSG_MORE or UDP_CORK"},
    [KR_DONTROUTE] = {"dontroute", "MSG_DONTROUTE"},
    [KR_SOCKOPT] = {"sockopt", "a socket option the shim does not reproduce"},
    [KR_DEVICE] = {"device", "output device is not Ethernet"},
    [KR_NEIGH] = {"neigh", "next hop unresolved, resolution cannot be asked for"},
    [KR_NETLINK] = {"netlink", "the kernel could not be asked (rtnetlink failed)"},
    [KR_NETNS] = {"netns", "socket of another network namespace than the shim's"},
    [KR_RESOURCES] = {"resources", "the shim's own memory ran out"},
    [KR_SELFCHECK] = {"selfcheck", "shim-run --selfcheck: differs on this kernel"},
    [KR_IPV6] = {"ipv6", "an IPv6 case the shim does not send itself yet"},
    [KR_FLOWLABEL] = {"flowlabel",
		      "an IPv6 flow's first datagram: the kernel's flow label is learnt"},
};

/* The order of the report: what was sent, then where else things went (errno lines follow the
 * last, errors). */
static const enum shim_stat report_order[] = {
    STAT_DGRAMS_SENT, STAT_BYTES_SENT,	     STAT_FRAMES_SENT, STAT_FRAGMENTED,
    STAT_NEIGH_MISS,  STAT_NEIGH_QUEUE_DROP, STAT_ROUTE_HIT,   STAT_ROUTE_MISS,
    STAT_TO_KERNEL,   STAT_SOCKOPT_DIFF,     STAT_ERRORS,
};

static void fill_header(struct stats_shared *s)
{
	memcpy(s->magic, STATS_MAGIC, sizeof(s->magic));
	s->header_size = (uint32_t)offsetof(struct stats_shared, counters);
	s->n_counters = STAT_COUNT;
	s->n_kernel = KR_COUNT;
	s->n_errno = STATS_ERRNO_MAX;
	s->pid = (int32_t)rawsys0(SYS_getpid);
	memset(s->comm, 0, sizeof(s->comm));
	rawsys2(SYS_prctl, PR_GET_NAME, s->comm);
	s->comm[sizeof(s->comm) - 1] = '\0';
}

/* A new zeroed shared block, or NULL (with *fdp untouched). replace: an fd of the shim's whose
 * number the memfd takes (internal_fd_replace), or -1; closed in any case. */
static struct stats_shared *make_shared(int *fdp, int replace)
{
	long fd = rawsys2(SYS_memfd_create, STATS_MEMFD_NAME, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	long p;

	if (fd < 0)
		goto fail;
	if (rawsys2(SYS_ftruncate, fd, BLOCK_BYTES) < 0)
		goto fail;
	rawsys3(SYS_fcntl, fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
	p = rawsys6(SYS_mmap, 0, BLOCK_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p < 0 && p > -4096)
		goto fail;
	fill_header((struct stats_shared *)p);
	*fdp = internal_fd_replace(replace, (int)fd);
	return (struct stats_shared *)p;
fail:
	if (fd >= 0)
		rawsys1(SYS_close, fd);
	if (replace >= 0) {
		internal_fd_close(replace);
	}
	return NULL;
}

int stats_init(void)
{
	struct stats_shared *s;
	int fd = -1;

	if (stats_current_block != &private_block)
		return 0;
	fill_header(&private_block);
	s = make_shared(&fd, -1);
	if (s == NULL)
		return -ENOMEM;
	/* what was counted before (nothing, at load): carried over */
	for (int i = 0; i < STAT_COUNT; i++)
		s->counters[i] = atomic_load(&private_block.counters[i]);
	for (int i = 0; i < KR_COUNT; i++)
		s->kernel[i] = atomic_load(&private_block.kernel[i]);
	for (int i = 0; i < STATS_ERRNO_MAX; i++)
		s->errnos[i] = atomic_load(&private_block.errnos[i]);
	block_fd = fd;
	internal_fd_track(&block_fd);
	stats_current_block = s;
	return 0;
}

/* In a child: a fresh block of its own (the parent's stays the parent's). */
static void stats_after_fork(void)
{
	struct stats_shared *old = stats_current_block, *s;
	int old_fd = block_fd, fd = -1;

	/* the child is single-threaded here: nothing counts concurrently */
	memset(&private_block, 0, sizeof(private_block));
	fill_header(&private_block);
	stats_current_block = &private_block;
	block_fd = -1;
	if (old == &private_block)
		return;
	rawsys2(SYS_munmap, old, BLOCK_BYTES);
	s = make_shared(&fd, old_fd); /* in the parent's memfd's place */
	if (s != NULL) {
		block_fd = fd;
		internal_fd_track(&block_fd);
		stats_current_block = s;
	}
}
SHIM_AFTER_FORK(stats_after_fork);

const struct stats_shared *stats_block(void)
{
	return stats_current_block;
}

void stats_add(enum shim_stat which, uint64_t n)
{
	atomic_fetch_add_explicit(&stats_current_block->counters[which], n, memory_order_relaxed);
}

void stats_kernel(enum shim_kernel_reason why)
{
	atomic_fetch_add_explicit(&stats_current_block->kernel[why], 1, memory_order_relaxed);
	stats_add(STAT_TO_KERNEL, 1);
}

void stats_error(int err)
{
	if (err > 0 && err < STATS_ERRNO_MAX)
		atomic_fetch_add_explicit(&stats_current_block->errnos[err], 1,
					  memory_order_relaxed);
	stats_add(STAT_ERRORS, 1);
}

uint64_t stats_get(enum shim_stat which)
{
	return atomic_load_explicit(&stats_current_block->counters[which], memory_order_relaxed);
}

uint64_t stats_get_kernel(enum shim_kernel_reason why)
{
	return atomic_load_explicit(&stats_current_block->kernel[why], memory_order_relaxed);
}

uint64_t stats_get_errno(int err)
{
	return err > 0 && err < STATS_ERRNO_MAX
		   ? atomic_load_explicit(&stats_current_block->errnos[err], memory_order_relaxed)
		   : 0;
}

const char *stats_name(enum shim_stat which)
{
	return (unsigned)which < STAT_COUNT ? stat_names[which][0] : "?";
}

const char *stats_desc(enum shim_stat which)
{
	return (unsigned)which < STAT_COUNT ? stat_names[which][1] : "?";
}

const char *stats_kernel_name(enum shim_kernel_reason why)
{
	return (unsigned)why < KR_COUNT ? kernel_names[why][0] : "?";
}

const char *stats_kernel_desc(enum shim_kernel_reason why)
{
	return (unsigned)why < KR_COUNT ? kernel_names[why][1] : "?";
}

static uint64_t load(const _Atomic uint64_t *p)
{
	return atomic_load_explicit((_Atomic uint64_t *)p, memory_order_relaxed);
}

size_t stats_format(const struct stats_shared *s, char *buf, size_t cap)
{
	struct shim_text o = {buf, cap, 0};
	char comm[sizeof(s->comm) + 1];

	memcpy(comm, s->comm, sizeof(s->comm));
	comm[sizeof(s->comm)] = '\0';
	if (cap)
		buf[0] = '\0';
	shim_text_put(&o, "libshim statistics, pid %d (%s):\n", (int)s->pid, comm);
	for (size_t i = 0; i < sizeof(report_order) / sizeof(report_order[0]); i++) {
		enum shim_stat w = report_order[i];

		shim_text_put(&o, "  %-18s %12llu  %s\n", stat_names[w][0],
			      (unsigned long long)load(&s->counters[w]), stat_names[w][1]);
		if (w == STAT_TO_KERNEL) {
			for (int k = 0; k < KR_COUNT; k++) {
				uint64_t v = load(&s->kernel[k]);

				if (v)
					shim_text_put(&o, "    kernel.%-11s %10llu    %s\n",
						      kernel_names[k][0], (unsigned long long)v,
						      kernel_names[k][1]);
			}
		}
	}
	for (int e = 1; e < STATS_ERRNO_MAX; e++) {
		uint64_t v = load(&s->errnos[e]);
		const char *name = strerrorname_np(e);

		if (v)
			shim_text_put(&o, "    errno.%-12s %10llu    %s\n", name ? name : "?",
				      (unsigned long long)v, strerrordesc_np(e));
	}
	return o.len;
}
