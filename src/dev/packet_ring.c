/* packet_ring: transmit through a PACKET_TX_RING (see include/shim/packet_ring.h). */
#include "shim/shim_lock.h"
#include "shim/dev.h"
#include "shim/packet_ring.h"
#include "shim/internal_fd.h"
#include "shim/netdev.h"
#include "shim/rawsys.h"
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

static int ring_fd = -1;
/* the slot size: PACKET_RING_FRAME_SIZE, or larger for the coalescing mode's GSO runs */
static size_t frame_size = PACKET_RING_FRAME_SIZE;
static uint8_t *ring;
SHIM_LOCK_DEFINE(batch_lock);
static unsigned next; /* the slot filled next */
static int filled;    /* filled since the last kick */

static struct tpacket2_hdr *slot(unsigned i)
{
	return (struct tpacket2_hdr *)(ring + (size_t)i * frame_size);
}

/* The frame's state without the timestamp flags the kernel may add when it is done with it. */
static unsigned state(const struct tpacket2_hdr *h)
{
	return __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) &
	       (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING | TP_STATUS_WRONG_FORMAT);
}

int packet_ring_set_frame_size(size_t size)
{
	if (ring != NULL || size < PACKET_RING_FRAME_SIZE || size > BLOCK_SIZE ||
	    BLOCK_SIZE % size != 0)
		return -EINVAL;
	frame_size = size;
	return 0;
}

int packet_ring_open(void)
{
	struct tpacket_req req = {
	    .tp_block_size = BLOCK_SIZE,
	    .tp_block_nr = (unsigned)(PACKET_RING_FRAMES * frame_size / BLOCK_SIZE),
	    .tp_frame_size = (unsigned)frame_size,
	    .tp_frame_nr = PACKET_RING_FRAMES,
	};
	int one = 1, v2 = TPACKET_V2, sndbuf = 4 << 20;
	long fd, r;
	void *p;

	if (ring != NULL)
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
	p = (void *)rawsys6(SYS_mmap, 0, (long)(PACKET_RING_FRAMES * frame_size),
			    PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if ((long)p < 0 && (long)p > -4096) {
		rawsys1(SYS_close, fd);
		return (int)(long)p;
	}
	ring = p;
	ring_fd = internal_fd_adopt((int)fd, true);
	internal_fd_track(&ring_fd);
	return 0;
}

/* In a child: the ring is the parent's; the child does not use it. */
static void packet_ring_after_fork_child(void)
{
	/* the mapping is shared with the parent: the child leaves it alone and sends through the
	 * packet socket; its copy of the fd goes (the mapping keeps the socket, which stays the
	 * parent's), so the child holds no number it does not use */
	int fd = __atomic_exchange_n(&ring_fd, -1, __ATOMIC_ACQ_REL);

	if (fd >= 0) {
		internal_fd_close(fd);
	}
	ring = NULL;
	filled = 0;
}
SHIM_AFTER_FORK(packet_ring_after_fork_child);

int packet_ring_ready(void)
{
	return ring != NULL;
}

size_t packet_ring_frame_max(void)
{
	return frame_size - DATA_OFF;
}

int packet_ring_put(const struct iovec *iov, int iovcnt, size_t len)
{
	struct tpacket2_hdr *h = slot(next);
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
	next = (next + 1) % PACKET_RING_FRAMES;
	filled++;
	return 0;
}

int packet_ring_filled(void)
{
	return filled;
}

uint8_t *packet_ring_last(size_t *len)
{
	struct tpacket2_hdr *h;

	if (filled == 0)
		return NULL;
	h = slot((next + PACKET_RING_FRAMES - 1) % PACKET_RING_FRAMES);
	*len = h->tp_len;
	return (uint8_t *)h + DATA_OFF;
}

void packet_ring_set_last_len(size_t len)
{
	slot((next + PACKET_RING_FRAMES - 1) % PACKET_RING_FRAMES)->tp_len = (uint32_t)len;
}

/* tpacket_snd for what waits in the ring. Without dontwait, a kick that could not take every frame
 * (the socket's send buffer is full) is repeated blocking: the kernel then waits for room. The
 * kick's protocol (ETH_P_*) is every frame's skb->protocol, its control messages every frame's
 * priority and mark: one kick sends frames of one protocol, priority and mark. */
static long ring_kick_to(int ifindex, int dontwait, uint16_t proto, uint32_t priority,
			 uint32_t mark)
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
	do
		r = rawsys3(SYS_sendmsg, ring_fd, &mh, MSG_DONTWAIT);
	while (r == -EINTR);
	if (r == -EAGAIN && !dontwait) {
		do
			r = rawsys3(SYS_sendmsg, ring_fd, &mh, 0);
		while (r == -EINTR);
	}
	return r;
}

int packet_ring_kick(int ifindex, uint16_t proto, uint32_t priority, uint32_t mark)
{
	int n = filled;
	long r;

	if (n == 0)
		return 0;
	r = ring_kick_to(ifindex, 1, proto, priority, mark);
	filled = 0;
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
	return packet_ring_wait_slot(next, max_us);
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
	unsigned first = next, nl = 0;
	int ok = n, done, r;
	long rd;

	if (ring == NULL || n > PACKET_RING_BATCH_MAX || n > PACKET_RING_FRAMES / 2)
		return -EOPNOTSUPP;
	if (!shim_lock_try(&batch_lock))
		return -EOPNOTSUPP;
	first = next;
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
			shim_lock_release(&batch_lock);
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
	next = (first + (unsigned)ok) % PACKET_RING_FRAMES;
	r = ok ? ring_kick_to(ifindex, dontwait, proto, priority, mark) : 0;
	/* what the kernel took: every frame no longer waiting for it */
	for (done = 0; done < ok; done++)
		if (state(slot((first + (unsigned)done) % PACKET_RING_FRAMES)) ==
		    TP_STATUS_SEND_REQUEST)
			break;
	/* the rest are not sent: the kernel passes over them at the next kick */
	for (int i = done; i < ok; i++)
		neutralise((first + (unsigned)i) % PACKET_RING_FRAMES);
	shim_lock_release(&batch_lock);
	if (done > 0)
		return done;
	if (ok == 0)
		return -EFAULT;
	return r < 0 ? r : -EAGAIN;
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
