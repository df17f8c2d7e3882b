/* netdev: the device interface — what the layers above hand a frame to, and the stack of devices
 * behind it (the kernel's struct net_device_ops .ndo_start_xmit; smoltcp's phy::Device with its
 * Tracer, PcapWriter and FaultInjector wrappers).
 *
 * A device transmits one frame (vnet header + Ethernet frame, in iov parts) or a batch of frames,
 * in order. Every device but the bottom one wraps a lower device and adds one thing:
 *
 *   fault    (SHIM_FAULT, src/dev/dev_fault.c)   answers chosen frames with an error, top
 *   pcap     (SHIM_PCAP, src/dev/dev_pcap.c)     records each frame the layers below took
 *   counters (always, src/dev/dev_count.c)       frames_sent: the frames on the wire
 *   coalesce (SHIM_COALESCE, src/dev/coalesce.c) holds single frames, merges flows into GSO runs
 *   ring     (unless SHIM_TX_RING=0, src/dev/packet_ring.c)  batches through the PACKET_TX_RING
 *   packet   (src/dev/packet_xmit.c)              the AF_PACKET socket, bottom
 *   af_xdp   (SHIM_DEV=af_xdp, src/dev/xdp_xmit.c) an AF_XDP socket per device, bottom instead of
 *            packet (which stays below it for what it does not take); no ring then
 *   mem      (src/dev/dev_mem.c)                  bottom for the unit tests: frames into memory
 *
 * The stack is assembled once at set-up (netdev_stack_build) and reached through dev_xmit and
 * dev_xmit_batch (include/shim/dev.h), or dev_xmit_fast, which is the plain stack (packet and
 * counters only) inlined. No layer above dev records or counts a frame itself. */
#ifndef SHIM_NETDEV_H
#define SHIM_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* What the layer above knows of a frame, given with it: the device parses nothing. All offsets
 * are from the start of the frame as handed (its vnet header first). */
#define DEV_META_FLOW_MAX 32
struct dev_meta {
	uint16_t proto;	 /* ETH_P_IP, ... (host order) */
	uint8_t l3_off;	 /* network header */
	uint8_t l4_off;	 /* transport header */
	uint8_t hdr_len; /* where the payload starts */
	uint8_t flags;	 /* DEV_META_* */
	uint16_t segs;	 /* frames it becomes on the wire (UFO fragments, GSO segments): >= 1 */
	uint16_t id;	 /* IPv4: the datagram's ID (host order) */
	uint32_t payload_len;
	/* skb->priority and skb->mark (with DEV_META_SKB): what the qdisc, tc classifiers and a
	 * VLAN device's egress map read of the frame; without the flag, or NULL m, both are 0 (the
	 * packet socket's own) */
	uint32_t priority;
	uint32_t mark;
	/* what every datagram of the flow carries the same (link header, addresses, ports, TOS,
	 * TTL, DF ...): frames with the same bytes here may be merged into one GSO frame.
	 * flow_len 0: not given (DEV_META_FLOW unset) */
	uint8_t flow_len;
	uint8_t flow[DEV_META_FLOW_MAX];
};
/* A whole UDP datagram in one frame, its checksum left to the device (the pseudo-header sum in
 * its field), no IP options, not a fragment: it may continue a GSO run (coalesce.c). */
#define DEV_META_SINGLE 0x01
/* priority and mark are given (the layer above sets them where the kernel sets the skb's:
 * __ip_make_skb). */
#define DEV_META_SKB 0x02

/* The frame's skb priority and mark as m gives them (0, 0 when it does not). */
static inline uint32_t dev_meta_priority(const struct dev_meta *m)
{
	return m != NULL && (m->flags & DEV_META_SKB) ? m->priority : 0;
}

static inline uint32_t dev_meta_mark(const struct dev_meta *m)
{
	return m != NULL && (m->flags & DEV_META_SKB) ? m->mark : 0;
}

struct netdev;
struct netdev_ops {
	/* Transmit one frame on ifindex. m may be NULL (nothing known: one frame on the wire).
	 * Returns 0 or -errno. */
	int (*xmit)(struct netdev *dev, int ifindex, const struct iovec *iov, int iovcnt,
		    const struct dev_meta *m, int dontwait);
	/* Transmit n frames in order (frame i: iov[i], iovcnt[i] parts, m[i] or m NULL). Returns
	 * the number of frames taken (the ones after them are not sent), or -errno for the first.
	 */
	int (*xmit_batch)(struct netdev *dev, int ifindex, struct iovec *const *iov,
			  const int *iovcnt, const struct dev_meta *m, int n, int dontwait);
};

struct netdev {
	const char *name;
	const struct netdev_ops *ops;
	struct netdev *lower; /* NULL: the bottom device */
};

/* The bottom devices and the wrappers (each wrapper's lower is set by netdev_stack_build). */
extern struct netdev netdev_packet, netdev_ring, netdev_coalesce, netdev_count, netdev_pcap,
    netdev_fault, netdev_mem;

/* The top of the stack: what dev_xmit reaches. */
extern struct netdev *netdev_top;

/* Whether the stack is the plain one (packet socket, ring for batches, counters): then the send
 * fast path's inlined transmit (dev_xmit_fast) is the stack. */
extern bool netdev_plain;

/* Whether the stack is the plain one with the TX ring for batches: then the sendmmsg fast path
 * may build its frames in the ring's slots itself (packet_ring_direct_*, packet_ring.h). */
extern bool netdev_ring_direct;

/* Whether a device of the stack uses dev_meta.flow (coalescing): the layers above fill it only
 * then. */
extern bool netdev_wants_flow;

struct netdev_stack_conf {
	struct netdev *bottom; /* &netdev_packet, &netdev_xdp (SHIM_DEV=af_xdp), or &netdev_mem
				* for the unit tests */
	bool ring;	       /* the PACKET_TX_RING for batches */
	bool coalesce;
	bool pcap;
	bool fault; /* SHIM_FAULT set (dev_fault_configure) */
};

/* Assemble the stack, bottom to top: bottom, ring, coalesce, counters, pcap, fault (those on). */
void netdev_stack_build(const struct netdev_stack_conf *c);

/* The names of the stack's devices, top first ("fault > pcap > counters > packet"). */
size_t netdev_stack_describe(char *buf, size_t cap);

/* Pass a frame or batch to the device below (what a wrapper does for what it does not take). */
static inline int netdev_lower_xmit(struct netdev *dev, int ifindex, const struct iovec *iov,
				    int iovcnt, const struct dev_meta *m, int dontwait)
{
	struct netdev *l = dev->lower;

	return l->ops->xmit(l, ifindex, iov, iovcnt, m, dontwait);
}

static inline int netdev_lower_xmit_batch(struct netdev *dev, int ifindex, struct iovec *const *iov,
					  const int *iovcnt, const struct dev_meta *m, int n,
					  int dontwait)
{
	struct netdev *l = dev->lower;

	return l->ops->xmit_batch(l, ifindex, iov, iovcnt, m, n, dontwait);
}

#endif
