/* netdev: the device stack and its entry points (see include/shim/netdev.h). */
#include "shim/netdev.h"
#include "shim/dev.h"
#include "shim/shim_fmt.h"

#include <string.h>

/* Until the stack is built: counters over the packet socket (what netdev_stack_build makes of a
 * configuration with nothing on). */
struct netdev *netdev_top = &netdev_count;
bool netdev_plain = true;
bool netdev_wants_flow;
bool netdev_ring_direct;

void netdev_stack_build(const struct netdev_stack_conf *c)
{
	struct netdev *top = c->bottom;

	/* each wrapper takes the stack so far as its lower device */
#define PUSH(on, d)                                                                                \
	do {                                                                                       \
		if (on) {                                                                          \
			(d)->lower = top;                                                          \
			top = (d);                                                                 \
		}                                                                                  \
	} while (0)
	PUSH(c->ring, &netdev_ring);
	PUSH(c->coalesce, &netdev_coalesce);
	PUSH(true, &netdev_count);
	PUSH(c->pcap, &netdev_pcap);
	PUSH(c->fault, &netdev_fault);
#undef PUSH
	netdev_wants_flow = c->coalesce;
	netdev_plain = c->bottom == &netdev_packet && !c->coalesce && !c->pcap && !c->fault;
	netdev_ring_direct = netdev_plain && c->ring;
	__atomic_store_n(&netdev_top, top, __ATOMIC_RELEASE);
}

size_t netdev_stack_describe(char *buf, size_t cap)
{
	size_t len = 0;

	if (cap)
		buf[0] = '\0';
	for (struct netdev *d = netdev_top; d != NULL; d = d->lower) {
		int n = shim_snprintf(buf + len, cap - len, "%s%s", len ? " > " : "", d->name);

		if (n < 0 || (size_t)n >= cap - len)
			break;
		len += (size_t)n;
	}
	return len;
}

int dev_xmit(int ifindex, const struct iovec *iov, int iovcnt, const struct dev_meta *m,
	     int dontwait)
{
	struct netdev *top = netdev_top;

	return top->ops->xmit(top, ifindex, iov, iovcnt, m, dontwait);
}

int dev_xmit_batch(int ifindex, struct iovec *const *iov, const int *iovcnt,
		   const struct dev_meta *m, int n, int dontwait)
{
	struct netdev *top = netdev_top;

	return top->ops->xmit_batch(top, ifindex, iov, iovcnt, m, n, dontwait);
}
