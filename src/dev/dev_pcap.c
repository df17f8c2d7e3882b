/* dev_pcap: the capture (SHIM_PCAP, src/trace/pcap_writer.c) as a device wrapper: every frame the
 * devices below took is recorded as it was handed to them. */
#include "shim/netdev.h"
#include "shim/pcap.h"

static int pcap_xmit(struct netdev *dev, int ifindex, const struct iovec *iov, int iovcnt,
		     const struct dev_meta *m, int dontwait)
{
	int r = netdev_lower_xmit(dev, ifindex, iov, iovcnt, m, dontwait);

	if (r == 0 && pcap_enabled)
		pcap_frame(iov, iovcnt);
	return r;
}

static int pcap_xmit_batch(struct netdev *dev, int ifindex, struct iovec *const *iov,
			   const int *iovcnt, const struct dev_meta *m, int n, int dontwait)
{
	int r = netdev_lower_xmit_batch(dev, ifindex, iov, iovcnt, m, n, dontwait);

	for (int i = 0; pcap_enabled && i < r; i++)
		pcap_frame(iov[i], iovcnt[i]);
	return r;
}

static const struct netdev_ops pcap_ops = {pcap_xmit, pcap_xmit_batch};
struct netdev netdev_pcap = {.name = "pcap", .ops = &pcap_ops};
