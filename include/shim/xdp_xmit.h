/* xdp_xmit: the AF_XDP device (SHIM_DEV=af_xdp), a second bottom device beside the packet socket
 * (include/shim/netdev.h), in copy mode and for transmitting only (no XDP program is loaded).
 *
 * Per process and device: one AF_XDP socket bound with XDP_COPY | XDP_USE_NEED_WAKEUP to the
 * first free queue of the device, its UMEM (XDP_FRAMES chunks of 2 KiB, one frame each) and its TX
 * and completion rings, made on the first frame for that device. A frame is copied into a free
 * chunk without its virtio-net header (the program's parts with fault-safe copies: EFAULT, never
 * a crash), its UDP checksum completed where the header asks (NEEDS_CSUM) — through the TX
 * metadata's checksum request where the kernel offers it (XDP_UMEM_TX_METADATA_LEN: the skb is
 * CHECKSUM_PARTIAL, as a packet-socket frame's), in software otherwise (skb_checksum_help) — and
 * put on the TX ring; one sendto kick, when the ring asks for it (XDP_RING_NEED_WAKEUP), hands
 * the ring to the kernel (__xsk_generic_xmit), up to XDP_MAX_TX_SKB_BUDGET frames per kick where
 * the kernel has that option (Linux 6.17). Chunks come back through the completion ring. When no
 * chunk is free: reclaim, kick, a bounded wait; then the frame goes to the packet socket.
 *
 * Frames it does not take go to the device below (the packet socket): GSO and UFO super-packets,
 * frames with an skb priority or mark (dev_meta: the packet socket gives them their own; an AF_XDP
 * frame has its socket's, 0), frames larger than a chunk, and every frame of a device it could not
 * bind to (EBUSY: the queue is another socket's; EPERM: no CAP_NET_RAW;
 * EINVAL/EOPNOTSUPP/EAFNOSUPPORT: a kernel without AF_XDP) — said once per device on the notice
 * output. A child of fork never uses its parent's socket or UMEM (the mappings are not inherited,
 * MADV_DONTFORK): it makes its own on its first frame. */
#ifndef SHIM_XDP_XMIT_H
#define SHIM_XDP_XMIT_H

#include "shim/netdev.h"

#define XDP_FRAMES     1024 /* UMEM chunks per device */
#define XDP_CHUNK_SIZE 2048
#define XDP_TX_ENTRIES 512 /* TX ring entries */
#define XDP_TX_BUDGET  256 /* frames one kick sends (XDP_MAX_TX_SKB_BUDGET) */

extern struct netdev netdev_xdp;

/* At load, while the process may still hold CAP_NET_RAW: one AF_XDP socket made now for the first
 * device. Returns 0 or -errno (then the notice is given here, and every frame goes below). */
int xdp_xmit_prepare(void);

/* The bottom device that took this thread's last frame: "af_xdp" or "packet" (NULL: the AF_XDP
 * device is not in the stack). For the path trace. */
const char *xdp_xmit_backend(void);

/* Counters of the device (for tests and the statistics): frames it put on a TX ring, frames it
 * passed to the packet socket, kicks made. */
struct xdp_xmit_stats {
	unsigned long long frames, fallback, kicks;
};
void xdp_xmit_stats(struct xdp_xmit_stats *s);

#endif
