/* xdp_xmit: the AF_XDP device, copy mode, TX only (see include/shim/xdp_xmit.h). */
#include "shim/xdp_xmit.h"
#include "shim/dev.h"
#include "shim/dev_xmit_fast.h"
#include "shim/internal_fd.h"
#include "shim/netdev.h"
#include "shim/notice.h"
#include "shim/rawsys.h"
#include "shim/shim_fmt.h"
#include "shim/shim_lock.h"
#include "shim/umem.h"
#include "shim/wire.h"

#include <errno.h>
#include <linux/if_xdp.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>

/* What older uapi headers lack (include/uapi/linux/if_xdp.h of Linux 6.8 and 6.17). */
#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif
#ifndef XDP_UMEM_TX_METADATA_LEN
#define XDP_UMEM_TX_METADATA_LEN (1 << 2)
#endif
#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9
#endif
#ifndef XDP_TX_METADATA
#define XDP_TX_METADATA (1 << 1)
#endif
#ifndef XDP_TXMD_FLAGS_CHECKSUM
#define XDP_TXMD_FLAGS_CHECKSUM (1 << 1)
#endif

/* struct xdp_umem_reg with tx_metadata_len (6.8); an older kernel reads its own prefix of it. */
struct xsk_umem_reg {
	uint64_t addr, len;
	uint32_t chunk_size, headroom, flags, tx_metadata_len;
};

/* struct xsk_tx_metadata: the checksum request (the union's other members unused here). */
struct xsk_tx_meta {
	uint64_t flags;
	uint16_t csum_start, csum_offset;
	uint32_t pad;
	uint64_t launch_time;
};
_Static_assert(sizeof(struct xsk_tx_meta) == 24, "xsk_tx_metadata layout");

/* Where a frame starts in its chunk: after the room for its metadata (desc.addr - metadata len is
 * where the kernel reads it). */
#define FRAME_OFF    sizeof(struct xsk_tx_meta)
#define FRAME_MAX    (XDP_CHUNK_SIZE - FRAME_OFF)
#define XDP_DEVS     8
#define KICK_ROUNDS  2000 /* kicks and waits for one transmit at most */
#define WAIT_NS	     20000
#define WAITS_MAX    250 /* waits without progress: 5 ms */
#define QUEUES_TRIED 64

enum xsk_state { XSK_UNUSED = 0, XSK_OPEN, XSK_BELOW };

struct xsk_ring {
	uint32_t *prod, *cons, *flags;
	void *desc;
	void *map;
	size_t map_len;
	uint32_t entries;
};

struct xsk {
	int ifindex;
	enum xsk_state state;
	int fd;
	uint32_t queue;
	bool meta; /* TX metadata checksum requests */
	uint8_t *umem;
	struct xsk_ring tx, cq;
	uint32_t tx_prod; /* ours: what we published */
	uint32_t nfree;
	uint64_t free[XDP_FRAMES];
};

static struct xsk devs[XDP_DEVS]; /* under xdp_lock */
static int spare_fd = -1;	  /* made at load for the first device */
static bool xdp_in_stack;
static unsigned long long n_frames, n_fallback, n_kicks;
SHIM_LOCK_DEFINE(xdp_lock);

static __thread __attribute__((tls_model("initial-exec"))) const char *last_backend;

const char *xdp_xmit_backend(void)
{
	return xdp_in_stack ? last_backend : NULL;
}

void xdp_xmit_stats(struct xdp_xmit_stats *s)
{
	s->frames = __atomic_load_n(&n_frames, __ATOMIC_RELAXED);
	s->fallback = __atomic_load_n(&n_fallback, __ATOMIC_RELAXED);
	s->kicks = __atomic_load_n(&n_kicks, __ATOMIC_RELAXED);
}

static long xsk_socket(void)
{
	return rawsys3(SYS_socket, AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
}

int xdp_xmit_prepare(void)
{
	long fd = xsk_socket();

	xdp_in_stack = true;
	if (fd < 0)
		return (int)fd;
	spare_fd = internal_fd_adopt((int)fd, true);
	internal_fd_track(&spare_fd);
	return 0;
}

static void *map_ring(int fd, size_t len, unsigned long long pgoff)
{
	long p = rawsys6(SYS_mmap, 0, (long)len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			 fd, (long)pgoff);

	if (p < 0 && p > -4096)
		return NULL;
	/* not inherited by a child of fork: the ring is this process's */
	rawsys3(SYS_madvise, p, (long)len, MADV_DONTFORK);
	return (void *)p;
}

static void xsk_unmap(struct xsk *x)
{
	if (x->tx.map != NULL)
		rawsys2(SYS_munmap, (long)x->tx.map, (long)x->tx.map_len);
	if (x->cq.map != NULL)
		rawsys2(SYS_munmap, (long)x->cq.map, (long)x->cq.map_len);
	if (x->umem != NULL)
		rawsys2(SYS_munmap, (long)x->umem, (long)XDP_FRAMES * XDP_CHUNK_SIZE);
	x->tx.map = x->cq.map = NULL;
	x->umem = NULL;
}

/* Close the device's socket: frames still on its TX ring are not sent. */
static void xsk_close(struct xsk *x)
{
	xsk_unmap(x);
	if (x->fd >= 0)
		internal_fd_close(x->fd);
	x->fd = -1;
	x->state = XSK_UNUSED;
}

/* The UMEM, the rings and their mappings on a fresh socket. Returns 0 or -errno. */
static int xsk_setup(struct xsk *x)
{
	struct xsk_umem_reg reg = {.len = (uint64_t)XDP_FRAMES * XDP_CHUNK_SIZE,
				   .chunk_size = XDP_CHUNK_SIZE,
				   .flags = XDP_UMEM_TX_METADATA_LEN,
				   .tx_metadata_len = sizeof(struct xsk_tx_meta)};
	struct xdp_mmap_offsets off;
	socklen_t olen = sizeof(off);
	uint32_t fill = 2, comp = XDP_FRAMES, tx = XDP_TX_ENTRIES, budget = XDP_TX_BUDGET;
	int sndbuf = 4 << 20;
	long r, p;

	p = rawsys6(SYS_mmap, 0, (long)reg.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	if (p < 0 && p > -4096)
		return (int)p;
	x->umem = (uint8_t *)p;
	rawsys3(SYS_madvise, p, (long)reg.len, MADV_DONTFORK);
	reg.addr = (uint64_t)p;
	/* the checksum request in the TX metadata where the kernel has it, else software sums */
	r = rawsys5(SYS_setsockopt, x->fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg));
	x->meta = r == 0;
	if (r == -EINVAL) {
		reg.flags = 0;
		reg.tx_metadata_len = 0;
		r = rawsys5(SYS_setsockopt, x->fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg));
	}
	if (r == 0)
		r = rawsys5(SYS_setsockopt, x->fd, SOL_XDP, XDP_UMEM_FILL_RING, &fill,
			    sizeof(fill));
	if (r == 0)
		r = rawsys5(SYS_setsockopt, x->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &comp,
			    sizeof(comp));
	if (r == 0)
		r = rawsys5(SYS_setsockopt, x->fd, SOL_XDP, XDP_TX_RING, &tx, sizeof(tx));
	if (r == 0)
		r = rawsys5(SYS_getsockopt, x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &olen);
	if (r < 0)
		return (int)r;
	/* one kick sends up to the budget (Linux 6.17; 32 before, where the option is unknown) */
	(void)rawsys5(SYS_setsockopt, x->fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &budget,
		      sizeof(budget));
	/* room for the frames in flight: each skb is charged to the socket until completed */
	if (rawsys5(SYS_setsockopt, x->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0)
		rawsys5(SYS_setsockopt, x->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	x->tx.entries = tx;
	x->tx.map_len = off.tx.desc + tx * sizeof(struct xdp_desc);
	x->tx.map = map_ring(x->fd, x->tx.map_len, XDP_PGOFF_TX_RING);
	x->cq.entries = comp;
	x->cq.map_len = off.cr.desc + comp * sizeof(uint64_t);
	x->cq.map = map_ring(x->fd, x->cq.map_len, XDP_UMEM_PGOFF_COMPLETION_RING);
	if (x->tx.map == NULL || x->cq.map == NULL)
		return -ENOMEM;
	x->tx.prod = (uint32_t *)((uint8_t *)x->tx.map + off.tx.producer);
	x->tx.cons = (uint32_t *)((uint8_t *)x->tx.map + off.tx.consumer);
	x->tx.flags = (uint32_t *)((uint8_t *)x->tx.map + off.tx.flags);
	x->tx.desc = (uint8_t *)x->tx.map + off.tx.desc;
	x->cq.prod = (uint32_t *)((uint8_t *)x->cq.map + off.cr.producer);
	x->cq.cons = (uint32_t *)((uint8_t *)x->cq.map + off.cr.consumer);
	x->cq.desc = (uint8_t *)x->cq.map + off.cr.desc;
	x->tx_prod = __atomic_load_n(x->tx.prod, __ATOMIC_RELAXED);
	for (uint32_t i = 0; i < XDP_FRAMES; i++)
		x->free[i] = (uint64_t)(XDP_FRAMES - 1 - i) * XDP_CHUNK_SIZE;
	x->nfree = XDP_FRAMES;
	return 0;
}

/* Bind to the first queue of the device no other socket holds. Returns 0, or -errno: -EBUSY when
 * every queue is taken. */
static int xsk_bind(struct xsk *x)
{
	struct sockaddr_xdp sxdp;
	long r = -EBUSY;

	for (uint32_t q = 0; q < QUEUES_TRIED; q++) {
		memset(&sxdp, 0, sizeof(sxdp));
		sxdp.sxdp_family = AF_XDP;
		sxdp.sxdp_flags = XDP_COPY | XDP_USE_NEED_WAKEUP;
		sxdp.sxdp_ifindex = (uint32_t)x->ifindex;
		sxdp.sxdp_queue_id = q;
		r = rawsys3(SYS_bind, x->fd, (long)&sxdp, sizeof(sxdp));
		if (r == 0) {
			x->queue = q;
			return 0;
		}
		if (r != -EBUSY)
			return q > 0 && r == -EINVAL ? -EBUSY : (int)r; /* no queue q: all taken */
	}
	return (int)r;
}

static void notice_below(int ifindex, int err)
{
	struct ifreq ifr;
	char line[300];
	const char *why = "";

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = ifindex;
	if (dev_packet_fd < 0 || rawsys3(SYS_ioctl, dev_packet_fd, SIOCGIFNAME, (long)&ifr) < 0)
		shim_snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "ifindex %d", ifindex);
	if (err == EBUSY)
		why = ": every queue of the device is bound by another AF_XDP socket";
	else if (err == EPERM)
		why = ": CAP_NET_RAW is needed";
	else if (err == EXDEV)
		why = ": made from a thread in another network namespace";
	else if (err == EAFNOSUPPORT || err == EINVAL || err == EOPNOTSUPP || err == ENOPROTOOPT)
		why = ": the kernel or the device has no AF_XDP";
	shim_snprintf(line, sizeof(line),
		      "libshim: SHIM_DEV=af_xdp: cannot use AF_XDP on %s (%s%s); its frames go "
		      "through AF_PACKET",
		      ifr.ifr_name, strerrordesc_np(err), why);
	shim_notice(line);
}

/* The device's socket for ifindex, made on its first frame; NULL: its frames go below. Lock held.
 */
static struct xsk *xsk_get(int ifindex)
{
	struct xsk *x = NULL;
	long fd;
	int err;

	for (int i = 0; i < XDP_DEVS; i++) {
		if (devs[i].ifindex == ifindex && devs[i].state != XSK_UNUSED)
			return devs[i].state == XSK_OPEN ? &devs[i] : NULL;
		if (x == NULL && devs[i].state == XSK_UNUSED)
			x = &devs[i];
	}
	if (x == NULL)
		return NULL; /* more devices than slots: the rest through the packet socket */
	memset(x, 0, sizeof(*x) - sizeof(x->free));
	x->fd = -1;
	x->ifindex = ifindex;
	fd = __atomic_exchange_n(&spare_fd, -1, __ATOMIC_ACQ_REL);
	if (fd < 0) {
		fd = xsk_socket();
		if (fd >= 0)
			fd = internal_fd_adopt((int)fd, true);
	}
	x->fd = fd < 0 ? -1 : (int)fd;
	if (fd >= 0)
		internal_fd_track(&x->fd); /* moved if the program dup2s onto its number */
	err = fd < 0 ? (int)fd : xsk_setup(x);
	/* made from a thread in another network namespace than the packet socket's, it would name
	 * another namespace's device by this ifindex */
	if (err == 0 && dev_netns_cookie() != 0 && rawsys_netns_cookie(x->fd) != dev_netns_cookie())
		err = -EXDEV;
	if (err == 0)
		err = xsk_bind(x);
	if (err == 0) {
		x->state = XSK_OPEN;
		return x;
	}
	xsk_close(x);
	x->ifindex = ifindex;
	x->state = XSK_BELOW;
	if (err != -ENODEV) /* no such device (any more): the packet socket answers for it */
		notice_below(ifindex, -err);
	return NULL;
}

/* Chunks the kernel is done with, back to the free list. */
static void xsk_reclaim(struct xsk *x)
{
	uint32_t cons = *x->cq.cons, prod = __atomic_load_n(x->cq.prod, __ATOMIC_ACQUIRE);
	const uint64_t *addr = x->cq.desc;

	if (cons == prod)
		return;
	for (; cons != prod; cons++)
		x->free[x->nfree++] =
		    addr[cons & (x->cq.entries - 1)] & ~(uint64_t)(XDP_CHUNK_SIZE - 1);
	__atomic_store_n(x->cq.cons, cons, __ATOMIC_RELEASE);
}

static void pause_briefly(void)
{
	struct timespec t = {0, WAIT_NS};

	rawsys2(SYS_nanosleep, (long)&t, 0);
}

/* Hand the TX ring to the kernel until it has taken every frame on it (__xsk_generic_xmit: at
 * most the budget per kick; EAGAIN when the completion ring, the socket's send buffer or the
 * device's queue is full: reclaim and kick again, waiting a little when nothing moved). Returns 0,
 * -ENOBUFS when the device dropped a frame (NET_XMIT_DROP: EBUSY, the frame is done with), or a
 * hard error with frames left on the ring: -ENETDOWN, -ENXIO (the device went away), -EAGAIN (no
 * progress within the bounded wait), -EOPNOTSUPP (the kernel took nothing and said nothing: the
 * queue has no TX queue behind it). */
static int xsk_kick(struct xsk *x)
{
	int dropped = 0, idle = 0;

	for (int round = 0; round < KICK_ROUNDS; round++) {
		uint32_t before = __atomic_load_n(x->tx.cons, __ATOMIC_ACQUIRE);
		long r = 0;

		if (before == x->tx_prod)
			return dropped;
		if (__atomic_load_n(x->tx.flags, __ATOMIC_ACQUIRE) & XDP_RING_NEED_WAKEUP) {
			r = rawsys6(SYS_sendto, x->fd, 0, 0, MSG_DONTWAIT, 0, 0);
			__atomic_fetch_add(&n_kicks, 1, __ATOMIC_RELAXED);
		}
		xsk_reclaim(x);
		if (r == -EBUSY) {
			dropped = -ENOBUFS;
			continue;
		}
		if (r < 0 && r != -EAGAIN && r != -EINTR && r != -ENOBUFS && r != -ENOMEM)
			return (int)r;
		if (__atomic_load_n(x->tx.cons, __ATOMIC_ACQUIRE) != before) {
			idle = 0;
			continue;
		}
		if (r == 0 &&
		    (__atomic_load_n(x->tx.flags, __ATOMIC_ACQUIRE) & XDP_RING_NEED_WAKEUP))
			return -EOPNOTSUPP;
		if (++idle > WAITS_MAX)
			return -EAGAIN;
		pause_briefly();
	}
	return -EAGAIN;
}

/* A free chunk: reclaimed, or after kicks and a bounded wait. Returns its address or -1. */
static int64_t xsk_chunk(struct xsk *x)
{
	xsk_reclaim(x);
	for (int idle = 0; x->nfree == 0 && idle <= WAITS_MAX; idle++) {
		if (__atomic_load_n(x->tx.cons, __ATOMIC_ACQUIRE) != x->tx_prod &&
		    xsk_kick(x) < 0 && x->nfree == 0)
			return -1;
		xsk_reclaim(x);
		if (x->nfree == 0)
			pause_briefly();
	}
	return x->nfree ? (int64_t)x->free[--x->nfree] : -1;
}

/* What a frame asks of the device, from its virtio-net header: whether AF_XDP can take it (no
 * segmentation, fits a chunk) and where its checksum goes. */
struct xsk_frame {
	size_t len; /* without the virtio-net header */
	bool csum;
	uint16_t csum_start, csum_offset;
};

static bool xsk_frame_ok(const struct iovec *iov, int iovcnt, const struct dev_meta *m,
			 struct xsk_frame *f)
{
	struct virtio_net_hdr vh;
	size_t len = 0;

	if (iovcnt < 1 || iov[0].iov_len < DEV_VNET_HDR_LEN)
		return false;
	/* an skb priority or mark: the packet socket gives it to the frame (its control messages);
	 * an AF_XDP frame has its socket's, 0 */
	if (dev_meta_priority(m) != 0 || dev_meta_mark(m) != 0)
		return false;
	memcpy(&vh, iov[0].iov_base, DEV_VNET_HDR_LEN);
	if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return false; /* GSO and UFO super-packets: the packet socket's */
	for (int i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	f->len = len - DEV_VNET_HDR_LEN;
	f->csum = (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) != 0;
	f->csum_start = vh.csum_start;
	f->csum_offset = vh.csum_offset;
	return f->len > 0 && f->len <= FRAME_MAX &&
	       (!f->csum || (size_t)f->csum_start + f->csum_offset + 2 <= f->len);
}

/* Copy the frame into the chunk at addr and fill the descriptor. Returns 0 or -EFAULT. */
static int xsk_fill(struct xsk *x, uint64_t addr, const struct iovec *iov, int iovcnt,
		    const struct xsk_frame *f, struct xdp_desc *d)
{
	uint8_t *chunk = x->umem + addr, *p = chunk + FRAME_OFF;
	size_t skip = DEV_VNET_HDR_LEN;

	for (int i = 0; i < iovcnt; i++) {
		size_t n = iov[i].iov_len - skip;

		/* the program's parts with fault-safe copies */
		if (n && umem_read(p, (const uint8_t *)iov[i].iov_base + skip, n) != 0)
			return -EFAULT;
		p += n;
		skip = 0;
	}
	d->addr = addr + FRAME_OFF;
	d->len = (uint32_t)f->len;
	d->options = 0;
	if (f->csum && x->meta) {
		struct xsk_tx_meta m = {.flags = XDP_TXMD_FLAGS_CHECKSUM,
					.csum_start = f->csum_start,
					.csum_offset = f->csum_offset};

		memcpy(chunk, &m, sizeof(m));
		d->options = XDP_TX_METADATA;
	} else if (f->csum) {
		skb_checksum_help(chunk + FRAME_OFF, f->len, f->csum_start, f->csum_offset);
	}
	return 0;
}

static void xsk_publish(struct xsk *x, const struct xdp_desc *d)
{
	struct xdp_desc *ring = x->tx.desc;

	ring[x->tx_prod & (x->tx.entries - 1)] = *d;
	x->tx_prod++;
}

static bool xsk_ring_full(struct xsk *x)
{
	return x->tx_prod - __atomic_load_n(x->tx.cons, __ATOMIC_ACQUIRE) >= x->tx.entries;
}

/* After a hard error of a kick: the socket is closed (what was left on its ring is not sent) and
 * made again at the device's next frame. */
static void xsk_failed(struct xsk *x, int err)
{
	int ifindex = x->ifindex;

	xsk_close(x);
	if (err == -EOPNOTSUPP || err == -ENXIO) {
		/* no TX queue behind the one bound, or the device is gone: for good */
		x->ifindex = ifindex;
		x->state = XSK_BELOW;
		if (err == -EOPNOTSUPP)
			notice_below(ifindex, EOPNOTSUPP);
	}
}

static int below(struct netdev *dev, int ifindex, const struct iovec *iov, int iovcnt,
		 const struct dev_meta *m, int dontwait)
{
	if (xdp_in_stack)
		last_backend = "packet";
	__atomic_fetch_add(&n_fallback, 1, __ATOMIC_RELAXED);
	return netdev_lower_xmit(dev, ifindex, iov, iovcnt, m, dontwait);
}

static int xdp_xmit(struct netdev *dev, int ifindex, const struct iovec *iov, int iovcnt,
		    const struct dev_meta *m, int dontwait)
{
	struct xsk_frame f;
	struct xdp_desc d;
	struct xsk *x;
	int64_t addr;
	int err;

	if (!xsk_frame_ok(iov, iovcnt, m, &f))
		return below(dev, ifindex, iov, iovcnt, m, dontwait);
	shim_lock_acquire(&xdp_lock);
	x = xsk_get(ifindex);
	if (x == NULL || (xsk_ring_full(x) && xsk_kick(x) < 0 && xsk_ring_full(x)) ||
	    (addr = xsk_chunk(x)) < 0) {
		shim_lock_release(&xdp_lock);
		return below(dev, ifindex, iov, iovcnt, m, dontwait);
	}
	if (xsk_fill(x, (uint64_t)addr, iov, iovcnt, &f, &d) < 0) {
		x->free[x->nfree++] = (uint64_t)addr;
		shim_lock_release(&xdp_lock);
		return -EFAULT;
	}
	xsk_publish(x, &d);
	__atomic_store_n(x->tx.prod, x->tx_prod, __ATOMIC_RELEASE);
	err = xsk_kick(x);
	if (err == -EAGAIN)
		err = 0; /* on the ring: it leaves with the next kick */
	if (err < 0 && err != -ENOBUFS) {
		xsk_failed(x, err); /* not sent: the packet socket gives the kernel's answer */
		shim_lock_release(&xdp_lock);
		return below(dev, ifindex, iov, iovcnt, m, dontwait);
	}
	shim_lock_release(&xdp_lock);
	__atomic_fetch_add(&n_frames, 1, __ATOMIC_RELAXED);
	last_backend = "af_xdp";
	return err;
}

/* Up to n frames on the ring, one kick. Returns the frames taken (the first k of the batch), or
 * -errno for the first. */
static int xdp_xmit_batch(struct netdev *dev, int ifindex, struct iovec *const *iov,
			  const int *iovcnt, const struct dev_meta *m, int n, int dontwait)
{
	struct xsk_frame f;
	struct xdp_desc d;
	struct xsk *x;
	uint32_t first;
	int put = 0, err = 0, done;

	if (n <= 0)
		return netdev_lower_xmit_batch(dev, ifindex, iov, iovcnt, m, n, dontwait);
	shim_lock_acquire(&xdp_lock);
	x = xsk_get(ifindex);
	if (x == NULL) {
		shim_lock_release(&xdp_lock);
		last_backend = xdp_in_stack ? "packet" : NULL;
		__atomic_fetch_add(&n_fallback, (unsigned long long)n, __ATOMIC_RELAXED);
		return netdev_lower_xmit_batch(dev, ifindex, iov, iovcnt, m, n, dontwait);
	}
	first = x->tx_prod;
	for (; put < n; put++) {
		int64_t addr;

		if (!xsk_frame_ok(iov[put], iovcnt[put], m != NULL ? &m[put] : NULL, &f))
			break; /* this one and the rest: the next round */
		if (xsk_ring_full(x) || x->nfree == 0) {
			/* hand what is on the ring over before waiting for room */
			__atomic_store_n(x->tx.prod, x->tx_prod, __ATOMIC_RELEASE);
			if (xsk_ring_full(x) && xsk_kick(x) < 0 && xsk_ring_full(x))
				break;
		}
		addr = xsk_chunk(x);
		if (addr < 0)
			break;
		if (xsk_fill(x, (uint64_t)addr, iov[put], iovcnt[put], &f, &d) < 0) {
			x->free[x->nfree++] = (uint64_t)addr;
			err = -EFAULT;
			break;
		}
		xsk_publish(x, &d);
	}
	if (put > 0) {
		int r;

		__atomic_store_n(x->tx.prod, x->tx_prod, __ATOMIC_RELEASE);
		r = xsk_kick(x);
		if (r < 0 && r != -ENOBUFS && r != -EAGAIN) {
			/* what the kernel took of this batch went; the rest was not sent */
			uint32_t taken = __atomic_load_n(x->tx.cons, __ATOMIC_ACQUIRE) - first;

			put = (int)taken < put ? (int)taken : put;
			xsk_failed(x, r);
			err = 0;
		}
	}
	shim_lock_release(&xdp_lock);
	done = put;
	__atomic_fetch_add(&n_frames, (unsigned long long)done, __ATOMIC_RELAXED);
	if (done > 0) {
		last_backend = "af_xdp";
		return done;
	}
	if (err < 0)
		return err;
	/* the first frame is not one for AF_XDP (or no room for it): the packet socket */
	err = below(dev, ifindex, iov[0], iovcnt[0], m, dontwait); /* m: the first frame's */
	return err == 0 ? 1 : err;
}

/* In a child: the parent's socket and mappings are not the child's (the mappings were not even
 * inherited, MADV_DONTFORK); its copies of the fds go, and it makes its own on its first frame. */
static void xdp_after_fork_child(void)
{
	int fd = __atomic_exchange_n(&spare_fd, -1, __ATOMIC_ACQ_REL);

	if (fd >= 0)
		internal_fd_close(fd);
	for (int i = 0; i < XDP_DEVS; i++) {
		if (devs[i].state == XSK_OPEN && devs[i].fd >= 0)
			internal_fd_close(devs[i].fd);
		if (devs[i].state == XSK_OPEN) {
			memset(&devs[i], 0, sizeof(devs[i]) - sizeof(devs[i].free));
			devs[i].fd = -1;
		}
	}
}
SHIM_AFTER_FORK(xdp_after_fork_child);

static const struct netdev_ops xdp_ops = {xdp_xmit, xdp_xmit_batch};
struct netdev netdev_xdp = {.name = "af_xdp", .ops = &xdp_ops, .lower = &netdev_packet};
