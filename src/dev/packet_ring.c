/* packet_ring: transmit through a PACKET_TX_RING (see include/shim/packet_ring.h). */
#include "shim/shim_lock.h"
#include "shim/dev.h"
#include "shim/packet_ring.h"
#include "shim/internal_fd.h"
#include "shim/netdev.h"
#include "shim/rawsys.h"
#include "shim/stats.h"
#include "shim/umem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>

#define BLOCK_SIZE (4096 * 4)
/* TPACKET_V2 transmit: the frame's data starts where a received frame's sockaddr_ll would be */
#define DATA_OFF (TPACKET_ALIGN(sizeof(struct tpacket2_hdr)))
_Static_assert(DATA_OFF == PACKET_RING_DATA_OFF, "tpacket2_hdr layout");

/* One PACKET_TX_RING: its socket, mapping and the slot filled next. */
struct tx_ring {
	int fd;
	size_t frame_size;	/* slot size */
	size_t block_size;	/* tp_block_size: a multiple of frame_size */
	unsigned frames;	/* slots */
	uint8_t *map;		/* NULL: not open (or not this process's) */
	unsigned next;		/* the slot filled next */
	int filled;		/* filled since the last kick (packet_ring_put) */
	struct shim_lock *lock; /* the batch's owner (packet_ring_xmit_batch, direct batches) */
	/* the interface the socket is bound to (0: none, -1: not to be bound): its IPv4 frames are
	 * kicked without an address (tx_ring_kick) */
	int bound_ifindex;
};

SHIM_LOCK_DEFINE(batch_lock);
SHIM_LOCK_DEFINE(gso_lock);

/* The ring for batches (and the coalescing mode's frames): slots of PACKET_RING_FRAME_SIZE, or
 * larger for the coalescing mode's GSO runs. */
static struct tx_ring main_ring = {.fd = -1,
				   .frame_size = PACKET_RING_FRAME_SIZE,
				   .block_size = BLOCK_SIZE,
				   .frames = PACKET_RING_FRAMES,
				   .lock = &batch_lock};
/* The ring for single frames that become several on the wire (GSO super-packets, UFO frames):
 * slots that hold the largest IPv4 datagram, each its own block. */
static struct tx_ring gso_ring = {.fd = -1,
				  .frame_size = PACKET_RING_GSO_FRAME_SIZE,
				  .block_size = PACKET_RING_GSO_FRAME_SIZE,
				  .frames = PACKET_RING_GSO_FRAMES,
				  .lock = &gso_lock};

static struct tpacket2_hdr *ring_slot(const struct tx_ring *r, unsigned i)
{
	return (struct tpacket2_hdr *)(r->map + (size_t)i * r->frame_size);
}

static struct tpacket2_hdr *slot(unsigned i)
{
	return ring_slot(&main_ring, i);
}

/* The frame's state without the timestamp flags the kernel may add when it is done with it. */
static unsigned state(const struct tpacket2_hdr *h)
{
	return __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) &
	       (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING | TP_STATUS_WRONG_FORMAT);
}

int packet_ring_set_frame_size(size_t size)
{
	if (main_ring.map != NULL || size < PACKET_RING_FRAME_SIZE || size > BLOCK_SIZE ||
	    BLOCK_SIZE % size != 0)
		return -EINVAL;
	main_ring.frame_size = size;
	return 0;
}

static int tx_ring_open(struct tx_ring *rg)
{
	struct tpacket_req req = {
	    .tp_block_size = (unsigned)rg->block_size,
	    .tp_block_nr = (unsigned)(rg->frames * rg->frame_size / rg->block_size),
	    .tp_frame_size = (unsigned)rg->frame_size,
	    .tp_frame_nr = rg->frames,
	};
	int one = 1, v2 = TPACKET_V2, sndbuf = 4 << 20;
	long fd, r;
	void *p;

	if (rg->map != NULL)
		return 0;
	fd = rawsys3(SYS_socket, AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return (int)fd;
	r = rawsys5(SYS_setsockopt, fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one));
	if (r == 0)
		r = rawsys5(SYS_setsockopt, fd, SOL_PACKET, PACKET_VERSION, &v2, sizeof(v2));
	/* a malformed frame is dropped (marked available) instead of stopping the ring there */
	if (r == 0)
		r = rawsys5(SYS_setsockopt, fd, SOL_PACKET, PACKET_LOSS, &one, sizeof(one));
	if (r == 0)
		r = rawsys5(SYS_setsockopt, fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req));
	if (r < 0) {
		rawsys1(SYS_close, fd);
		return (int)r;
	}
	/* room for bursts, as for the packet socket of packet_xmit.c */
	if (rawsys5(SYS_setsockopt, fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0)
		rawsys5(SYS_setsockopt, fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	p = (void *)rawsys6(SYS_mmap, 0, (long)(rg->frames * rg->frame_size),
			    PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if ((long)p < 0 && (long)p > -4096) {
		rawsys1(SYS_close, fd);
		return (int)(long)p;
	}
	rg->map = p;
	rg->bound_ifindex = 0;
	rg->fd = internal_fd_adopt((int)fd, true);
	internal_fd_track(&rg->fd);
	return 0;
}

int packet_ring_open(void)
{
	return tx_ring_open(&main_ring);
}

int packet_ring_gso_open(void)
{
	return tx_ring_open(&gso_ring);
}

/* In a child: the ring is the parent's; the child does not use it. */
static void tx_ring_after_fork(struct tx_ring *rg)
{
	/* the mapping is shared with the parent: the child leaves it alone and sends through the
	 * packet socket; its copy of the fd goes (the mapping keeps the socket, which stays the
	 * parent's), so the child holds no number it does not use */
	int fd = __atomic_exchange_n(&rg->fd, -1, __ATOMIC_ACQ_REL);

	if (fd >= 0) {
		internal_fd_close(fd);
	}
	rg->map = NULL;
	rg->filled = 0;
	rg->bound_ifindex = -1;
}

static void packet_ring_after_fork_child(void)
{
	tx_ring_after_fork(&main_ring);
	tx_ring_after_fork(&gso_ring);
}
SHIM_AFTER_FORK(packet_ring_after_fork_child);

int packet_ring_ready(void)
{
	return main_ring.map != NULL;
}

size_t packet_ring_frame_max(void)
{
	return main_ring.frame_size - DATA_OFF;
}

int packet_ring_put(const struct iovec *iov, int iovcnt, size_t len)
{
	struct tpacket2_hdr *h = slot(main_ring.next);
	uint8_t *d;

	if (len > packet_ring_frame_max())
		return -EMSGSIZE;
	if (state(h) != TP_STATUS_AVAILABLE)
		return -EAGAIN;
	d = (uint8_t *)h + DATA_OFF;
	/* the payload parts are the program's: a fault-safe copy (the slot stays available when
	 * one cannot be read) */
	for (int i = 0; i < iovcnt; i++) {
		if (umem_read(d, iov[i].iov_base, iov[i].iov_len) != 0)
			return -EFAULT;
		d += iov[i].iov_len;
	}
	h->tp_len = (uint32_t)len;
	__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
	main_ring.next = (main_ring.next + 1) % PACKET_RING_FRAMES;
	main_ring.filled++;
	return 0;
}

int packet_ring_filled(void)
{
	return main_ring.filled;
}

uint8_t *packet_ring_last(size_t *len)
{
	struct tpacket2_hdr *h;

	if (main_ring.filled == 0)
		return NULL;
	h = slot((main_ring.next + PACKET_RING_FRAMES - 1) % PACKET_RING_FRAMES);
	*len = h->tp_len;
	return (uint8_t *)h + DATA_OFF;
}

void packet_ring_set_last_len(size_t len)
{
	slot((main_ring.next + PACKET_RING_FRAMES - 1) % PACKET_RING_FRAMES)->tp_len =
	    (uint32_t)len;
}

/* tpacket_snd for what waits in the ring. Without dontwait, a kick that could not take every frame
 * (the socket's send buffer is full) is repeated blocking: the kernel then waits for room. The
 * kick's protocol (ETH_P_*) is every frame's skb->protocol, its control messages every frame's
 * priority and mark: one kick sends frames of one protocol, priority and mark. */
static long tx_ring_kick(struct tx_ring *rg, int ifindex, int dontwait, uint16_t proto,
			 uint32_t priority, uint32_t mark)
{
	struct sockaddr_ll sll;
	uint64_t ctl[DEV_SKB_CTL_MAX / 8];
	struct msghdr mh = {.msg_name = &sll, .msg_namelen = sizeof(sll)};
	long r;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(proto);
	sll.sll_ifindex = ifindex;
	if (priority | mark) {
		mh.msg_controllen = dev_skb_ctl(ctl, priority, mark);
		mh.msg_control = ctl;
	}
	/* The ring's socket is this process's alone (a child drops it): it is bound, once (protocol
	 * 0: it receives nothing), to the interface of its first IPv4 kick without control
	 * messages, and such kicks on that interface name none, so that tpacket_snd neither imports
	 * an address nor looks the device up (each frame's protocol is read from its Ethernet
	 * header). An interface gone since (ENXIO: the binding went with it) is not used again. */
	int b = __atomic_load_n(&rg->bound_ifindex, __ATOMIC_ACQUIRE);
	bool bound = false;

	if (proto == ETH_P_IP && !mh.msg_controllen && ifindex > 0) {
		if (b == 0 && __atomic_compare_exchange_n(&rg->bound_ifindex, &b, -2, false,
							  __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			struct sockaddr_ll a = {.sll_family = AF_PACKET, .sll_ifindex = ifindex};

			b = rawsys3(SYS_bind, rg->fd, (long)&a, sizeof(a)) == 0 ? ifindex : -1;
			__atomic_store_n(&rg->bound_ifindex, b, __ATOMIC_RELEASE);
		}
		bound = b == ifindex;
	}
	/* without control messages a sendto (with the address unless bound): no msghdr for the
	 * kernel to import (copy_msghdr_from_user: ~8% of a UDP_SEGMENT send's kick,
	 * docs/performance.md) */
	for (int flags = MSG_DONTWAIT;;) {
		do
			r = mh.msg_controllen ? rawsys3(SYS_sendmsg, rg->fd, &mh, flags)
			    : bound
				? rawsys6(SYS_sendto, rg->fd, 0, 0, flags, 0, 0)
				: rawsys6(SYS_sendto, rg->fd, 0, 0, flags, (long)&sll, sizeof(sll));
		while (r == -EINTR);
		if (bound && r == -ENXIO) { /* again with the address */
			__atomic_store_n(&rg->bound_ifindex, -1, __ATOMIC_RELEASE);
			bound = false;
			continue;
		}
		if (r != -EAGAIN || dontwait || flags == 0)
			return r;
		flags = 0;
	}
}

static long ring_kick_to(int ifindex, int dontwait, uint16_t proto, uint32_t priority,
			 uint32_t mark)
{
	return tx_ring_kick(&main_ring, ifindex, dontwait, proto, priority, mark);
}

int packet_ring_kick(int ifindex, uint16_t proto, uint32_t priority, uint32_t mark)
{
	int n = main_ring.filled;
	long r;

	if (n == 0)
		return 0;
	r = ring_kick_to(ifindex, 1, proto, priority, mark);
	main_ring.filled = 0;
	return r < 0 ? (int)r : n;
}

static int packet_ring_wait_slot(unsigned i, unsigned max_us)
{
	struct tpacket2_hdr *h = slot(i);
	struct timespec pause = {0, 20000};

	for (unsigned waited = 0;; waited += 20) {
		if (state(h) == TP_STATUS_AVAILABLE)
			return 0;
		if (waited >= max_us)
			return -EAGAIN;
		rawsys2(SYS_nanosleep, (long)&pause, 0);
	}
}

int packet_ring_wait(unsigned max_us)
{
	return packet_ring_wait_slot(main_ring.next, max_us);
}

/* A frame the kernel must pass over: tp_len 0 is shorter than the vnet header, so tpacket_snd
 * drops it (PACKET_LOSS: marked available, the ring head moves on) at the next kick. */
static void neutralise(unsigned i)
{
	slot(i)->tp_len = 0;
}

/* Copy the program's remote parts into the local ones (the same lengths): fault-safe copies, or
 * process_vm_readv where the shim's fault handler is not in place (umem.c). Returns the bytes
 * copied: fewer than asked when a part is unreadable. */
static long read_payloads(const struct iovec *local, const struct iovec *remote, unsigned n)
{
	long r = umem_read_parts(local, n, remote, n);

	return r < 0 ? 0 : r;
}

int packet_ring_xmit_batch(int ifindex, struct iovec *const *iov, const int *iovcnt, int n,
			   int dontwait, uint16_t proto, uint32_t priority, uint32_t mark)
{
	struct iovec local[PACKET_RING_BATCH_MAX * 8], remote[PACKET_RING_BATCH_MAX * 8];
	size_t want[PACKET_RING_BATCH_MAX], got;
	unsigned first = main_ring.next, nl = 0;
	int ok = n, done, r;
	long rd;

	if (main_ring.map == NULL || n > PACKET_RING_BATCH_MAX || n > PACKET_RING_FRAMES / 2)
		return -EOPNOTSUPP;
	if (!shim_lock_try(main_ring.lock))
		return -EOPNOTSUPP;
	first = main_ring.next;
	for (int i = 0; i < n; i++) {
		struct tpacket2_hdr *h = slot((first + (unsigned)i) % PACKET_RING_FRAMES);
		uint8_t *d = (uint8_t *)h + DATA_OFF;
		size_t len = 0;

		for (int k = 0; k < iovcnt[i]; k++)
			len += iov[i][k].iov_len;
		if (len > packet_ring_frame_max() || iovcnt[i] > 8 ||
		    (state(h) != TP_STATUS_AVAILABLE &&
		     packet_ring_wait_slot((first + (unsigned)i) % PACKET_RING_FRAMES, 1000) !=
			 0)) {
			shim_lock_release(main_ring.lock);
			return -EOPNOTSUPP; /* nothing was written to the ring yet */
		}
		/* the headers are the shim's own; the payload is the program's, read below */
		memcpy(d, iov[i][0].iov_base, iov[i][0].iov_len);
		want[i] = 0;
		for (int k = 1; k < iovcnt[i]; k++) {
			local[nl] =
			    (struct iovec){d + iov[i][0].iov_len + want[i], iov[i][k].iov_len};
			remote[nl++] = iov[i][k];
			want[i] += iov[i][k].iov_len;
		}
		h->tp_len = (uint32_t)len;
	}
	/* one read for every payload of the batch: the first that faults is the entry that gets
	 * EFAULT, as the packet socket's copy would have said */
	rd = nl ? read_payloads(local, remote, nl) : 0;
	got = rd < 0 ? 0 : (size_t)rd;
	for (int i = 0; i < n; i++) {
		if (got < want[i]) {
			ok = i;
			break;
		}
		got -= want[i];
	}
	for (int i = 0; i < ok; i++)
		__atomic_store_n(&slot((first + (unsigned)i) % PACKET_RING_FRAMES)->tp_status,
				 TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
	main_ring.next = (first + (unsigned)ok) % PACKET_RING_FRAMES;
	r = ok ? ring_kick_to(ifindex, dontwait, proto, priority, mark) : 0;
	/* what the kernel took: every frame no longer waiting for it */
	for (done = 0; done < ok; done++)
		if (state(slot((first + (unsigned)done) % PACKET_RING_FRAMES)) ==
		    TP_STATUS_SEND_REQUEST)
			break;
	/* the rest are not sent: the kernel passes over them at the next kick */
	for (int i = done; i < ok; i++)
		neutralise((first + (unsigned)i) % PACKET_RING_FRAMES);
	shim_lock_release(main_ring.lock);
	if (done > 0)
		return done;
	if (ok == 0)
		return -EFAULT;
	return r < 0 ? r : -EAGAIN;
}

/* Direct batches (packet_ring.h): frame k of the batch is slot direct_first + k. */
static unsigned direct_first, direct_put;

int packet_ring_direct_begin(uint8_t **frame, unsigned want)
{
	unsigned k;

	if (main_ring.map == NULL || !shim_lock_try(main_ring.lock))
		return -EOPNOTSUPP;
	direct_first = main_ring.next;
	direct_put = 0;
	if (want > PACKET_RING_DIRECT_MAX)
		want = PACKET_RING_DIRECT_MAX;
	for (k = 0; k < want; k++) {
		unsigned i = (direct_first + k) % PACKET_RING_FRAMES;
		struct tpacket2_hdr *h = slot(i);

		if (state(h) != TP_STATUS_AVAILABLE && packet_ring_wait_slot(i, 1000) != 0)
			break;
		frame[k] = (uint8_t *)h + DATA_OFF;
	}
	return (int)k;
}

void packet_ring_direct_put(const unsigned *len, size_t hdr_len, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		struct tpacket2_hdr *h = slot((direct_first + k) % PACKET_RING_FRAMES);

		h->tp_len = (uint32_t)(hdr_len + len[k]);
		__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
	}
	direct_put = n;
}

int packet_ring_direct_kick(int ifindex, unsigned first, unsigned n, int dontwait, uint16_t proto,
			    int *err)
{
	unsigned done = first;
	long r = ring_kick_to(ifindex, dontwait, proto, 0, 0);

	/* what the kernel took: every frame no longer waiting for it */
	while (done < n &&
	       state(slot((direct_first + done) % PACKET_RING_FRAMES)) != TP_STATUS_SEND_REQUEST)
		done++;
	if (done > first)
		stats_add(STAT_FRAMES_SENT, done - first);
	if (done < n)
		*err = r < 0 ? (int)r : -EAGAIN;
	return (int)(done - first);
}

void packet_ring_direct_drop(unsigned k)
{
	neutralise((direct_first + k) % PACKET_RING_FRAMES);
}

void packet_ring_direct_end(void)
{
	main_ring.next = (direct_first + direct_put) % PACKET_RING_FRAMES;
	shim_lock_release(main_ring.lock);
}

int packet_ring_gso_xmit(int ifindex, const struct iovec *iov, int iovcnt, int dontwait,
			 uint16_t proto, uint32_t priority, uint32_t mark)
{
	struct tx_ring *rg = &gso_ring;
	struct tpacket2_hdr *h;
	size_t len = 0;
	uint8_t *d;
	long r;

	for (int i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	if (rg->map == NULL || len > rg->frame_size - DATA_OFF)
		return -EOPNOTSUPP;
	if (!shim_lock_try(rg->lock))
		return -EOPNOTSUPP; /* another thread's frame: the packet socket takes this one */
	h = ring_slot(rg, rg->next);
	if (state(h) != TP_STATUS_AVAILABLE) {
		shim_lock_release(rg->lock);
		return -EOPNOTSUPP; /* still on its way out */
	}
	/* the frame, copied in: the headers are the shim's, the payload the program's (a fault is
	 * the EFAULT the packet socket's copy would give; the slot stays available) */
	d = (uint8_t *)h + DATA_OFF;
	for (int i = 0; i < iovcnt; i++) {
		if (umem_read(d, iov[i].iov_base, iov[i].iov_len) != 0) {
			shim_lock_release(rg->lock);
			return -EFAULT;
		}
		d += iov[i].iov_len;
	}
	h->tp_len = (uint32_t)len;
	__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
	rg->next = (rg->next + 1) % rg->frames;
	r = tx_ring_kick(rg, ifindex, dontwait, proto, priority, mark);
	if (state(h) == TP_STATUS_SEND_REQUEST) {
		h->tp_len = 0; /* not taken: the kernel passes over it at the next kick */
		if (r >= 0)
			r = -EAGAIN;
	}
	shim_lock_release(rg->lock);
	/* taken: the device's answer (a queue drop's ENOBUFS), as the packet socket gives it */
	return r < 0 ? (int)r : 0;
}

/* The ring as a device: batches of up to PACKET_RING_BATCH_MAX frames with one kick; single
 * frames, larger batches and batches the ring cannot take now go to the packet socket below. */
static int ring_xmit(struct netdev *dev, int ifindex, const struct iovec *iov, int iovcnt,
		     const struct dev_meta *m, int dontwait)
{
	return netdev_lower_xmit(dev, ifindex, iov, iovcnt, m, dontwait);
}

static uint16_t meta_proto(const struct dev_meta *m)
{
	return m != NULL && m->proto != 0 ? m->proto : ETH_P_IP;
}

/* Whether frames a and b can share a kick: one protocol, one skb priority and mark. */
static bool same_kick(const struct dev_meta *a, const struct dev_meta *b)
{
	return meta_proto(a) == meta_proto(b) && dev_meta_priority(a) == dev_meta_priority(b) &&
	       dev_meta_mark(a) == dev_meta_mark(b);
}

/* A batch goes out in runs of frames that share a kick (a change of protocol, priority or mark
 * ends a run), each run with one kick; a run the ring cannot take goes to the device below. */
static int ring_xmit_batch(struct netdev *dev, int ifindex, struct iovec *const *iov,
			   const int *iovcnt, const struct dev_meta *m, int n, int dontwait)
{
	int done = 0;

	/* nothing known of the frames (IPv4, priority and mark 0): one run */
	if (m == NULL) {
		int r =
		    n <= PACKET_RING_BATCH_MAX
			? packet_ring_xmit_batch(ifindex, iov, iovcnt, n, dontwait, ETH_P_IP, 0, 0)
			: -EOPNOTSUPP;

		return r != -EOPNOTSUPP
			   ? r
			   : netdev_lower_xmit_batch(dev, ifindex, iov, iovcnt, NULL, n, dontwait);
	}
	while (done < n) {
		const struct dev_meta *first = &m[done];
		int k = 1, r = -EOPNOTSUPP;

		while (done + k < n && same_kick(first, &m[done + k]))
			k++;
		if (k <= PACKET_RING_BATCH_MAX)
			r = packet_ring_xmit_batch(ifindex, iov + done, iovcnt + done, k, dontwait,
						   meta_proto(first), dev_meta_priority(first),
						   dev_meta_mark(first));
		if (r == -EOPNOTSUPP)
			r = netdev_lower_xmit_batch(dev, ifindex, iov + done, iovcnt + done, first,
						    k, dontwait);
		if (r < 0)
			return done > 0 ? done : r;
		done += r;
		if (r < k)
			break;
	}
	return done;
}

static const struct netdev_ops ring_ops = {ring_xmit, ring_xmit_batch};
struct netdev netdev_ring = {.name = "ring", .ops = &ring_ops};
