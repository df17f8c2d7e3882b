/* dev_fault: the fault injector (see include/shim/dev_fault.h, include/shim/xmit_fault.h). */
#include "shim/dev_fault.h"
#include "shim/netdev.h"
#include "shim/shim_lock.h"

#include "shim/rawsys.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <time.h>

static struct xmit_fault_rules rules;
static uint64_t numbered, injected; /* under lock */
SHIM_LOCK_DEFINE(lock);

void dev_fault_configure(const struct xmit_fault_rules *r)
{
	shim_lock_acquire(&lock);
	rules = *r;
	numbered = 0;
	injected = 0;
	shim_lock_release(&lock);
}

uint64_t dev_fault_frames(void)
{
	return __atomic_load_n(&numbered, __ATOMIC_RELAXED);
}

uint64_t dev_fault_injected(void)
{
	return __atomic_load_n(&injected, __ATOMIC_RELAXED);
}

/* The errno frame number n answers (0: none); *cut set for a short batch there, *slow for a slow
 * transmit. Lock held. */
static int decide(uint64_t n, int dontwait, int *cut, bool *slow)
{
	const struct xmit_fault_rule *r = xmit_fault_match(&rules, n);

	*cut = 0;
	if (r == NULL)
		return 0;
	if (r->kind == XMIT_FAULT_SHORT) {
		*cut = 1;
		return 0;
	}
	if (r->kind == XMIT_FAULT_SLOW) {
		*slow = true;
		return 0;
	}
	if (r->err == EAGAIN && !dontwait)
		return 0; /* a blocking transmit waits for room: the frame goes out */
	return r->err;
}

/* A slow transmit: the wait before the frames go below (outside the lock). */
static void slow_down(void)
{
	struct timespec ts = {0, XMIT_FAULT_SLOW_MS * 1000000L};

	rawsys2(SYS_nanosleep, &ts, NULL);
}

static int fault_xmit(struct netdev *dev, int ifindex, const struct iovec *iov, int iovcnt,
		      const struct dev_meta *m, int dontwait)
{
	bool slow = false;
	int err, cut;

	shim_lock_acquire(&lock);
	err = decide(++numbered, dontwait, &cut, &slow);
	if (err || slow)
		injected++;
	shim_lock_release(&lock);
	if (err)
		return -err;
	if (slow)
		slow_down();
	return netdev_lower_xmit(dev, ifindex, iov, iovcnt, m, dontwait);
}

/* The frames before the first one a rule stops go below, and the batch ends there: that frame
 * keeps its number and gets its answer when it comes first in a transmit (as the packet socket's
 * sendmmsg reports the frames sent before a failure, and the failure at the next call). */
static int fault_xmit_batch(struct netdev *dev, int ifindex, struct iovec *const *iov,
			    const int *iovcnt, const struct dev_meta *m, int n, int dontwait)
{
	int k, err = 0, cut = 0;
	bool slow = false;

	shim_lock_acquire(&lock);
	for (k = 0; k < n; k++) {
		err = decide(numbered + 1, dontwait, &cut, &slow);
		if (k > 0 && (err || cut)) {
			if (cut)
				injected++;
			err = 0;
			break;
		}
		numbered++;
		if (err) {
			injected++;
			break;
		}
	}
	if (slow && !err)
		injected++;
	shim_lock_release(&lock);
	if (err)
		return -err;
	if (slow)
		slow_down();
	return netdev_lower_xmit_batch(dev, ifindex, iov, iovcnt, m, k, dontwait);
}

static const struct netdev_ops fault_ops = {fault_xmit, fault_xmit_batch};
struct netdev netdev_fault = {.name = "fault", .ops = &fault_ops};
