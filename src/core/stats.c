/* stats: per-process counters (see include/shim/stats.h). */
#include "shim/stats.h"

#include <stdatomic.h>

struct stats_block {
	_Atomic uint64_t counters[STAT_COUNT];
	_Atomic uint64_t kernel[KR_COUNT];
	_Atomic uint64_t errnos[STATS_ERRNO_MAX];
};

static struct stats_block private_block;
static struct stats_block *block = &private_block;

int stats_init(void)
{
	return 0;
}

void stats_add(enum shim_stat which, uint64_t n)
{
	atomic_fetch_add_explicit(&block->counters[which], n, memory_order_relaxed);
}

void stats_kernel(enum shim_kernel_reason why)
{
	atomic_fetch_add_explicit(&block->kernel[why], 1, memory_order_relaxed);
	stats_add(STAT_TO_KERNEL, 1);
}

void stats_error(int err)
{
	if (err > 0 && err < STATS_ERRNO_MAX)
		atomic_fetch_add_explicit(&block->errnos[err], 1, memory_order_relaxed);
	stats_add(STAT_ERRORS, 1);
}

uint64_t stats_get(enum shim_stat which)
{
	return atomic_load_explicit(&block->counters[which], memory_order_relaxed);
}

uint64_t stats_get_kernel(enum shim_kernel_reason why)
{
	return atomic_load_explicit(&block->kernel[why], memory_order_relaxed);
}

uint64_t stats_get_errno(int err)
{
	return err > 0 && err < STATS_ERRNO_MAX
		   ? atomic_load_explicit(&block->errnos[err], memory_order_relaxed)
		   : 0;
}
