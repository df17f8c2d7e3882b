/* dev_count: the frame counter as a device wrapper (frames_sent, include/shim/stats.h): the
 * frames on the wire that the devices below took — a UFO frame counts its fragments, a GSO frame
 * its segments (dev_meta.segs), a frame held by coalescing when it is held. */
#include "shim/netdev.h"
#include "shim/stats.h"

static int count_xmit(struct netdev *dev, int ifindex, const struct iovec *iov, int iovcnt,
		      const struct dev_meta *m, int dontwait)
{
	int r = netdev_lower_xmit(dev, ifindex, iov, iovcnt, m, dontwait);

	if (r == 0)
		stats_add_inline(STAT_FRAMES_SENT, m != NULL ? m->segs : 1);
	return r;
}

static int count_xmit_batch(struct netdev *dev, int ifindex, struct iovec *const *iov,
			    const int *iovcnt, const struct dev_meta *m, int n, int dontwait)
{
	int r = netdev_lower_xmit_batch(dev, ifindex, iov, iovcnt, m, n, dontwait);
	uint64_t frames = (uint64_t)r;

	if (r <= 0)
		return r;
	if (m != NULL) {
		frames = 0;
		for (int i = 0; i < r; i++)
			frames += m[i].segs;
	}
	stats_add(STAT_FRAMES_SENT, frames);
	return r;
}

static const struct netdev_ops count_ops = {count_xmit, count_xmit_batch};
struct netdev netdev_count = {.name = "counters", .ops = &count_ops, .lower = &netdev_packet};
