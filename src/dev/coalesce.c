/* coalesce: the opt-in coalescing mode (see include/shim/coalesce.h). */
#include "shim/config.h"
#include "shim/guard.h"
#include "shim/shim_fmt.h"
#include "shim/shim_lock.h"
#include "shim/shim_thread.h"
#include "shim/coalesce.h"
#include "shim/dev.h"
#include "shim/packet_ring.h"
#include "shim/umem.h"
#include "shim/netdev.h"
#include "shim/rawsys.h"
#include "shim/sandbox.h"
#include "shim/stats.h"
#include "shim/trace.h"
#include "shim/wire.h"

#include <errno.h>
#include <linux/futex.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

int coalesce_held;

int coalesce_mode;
static int max_frames = 64;
static int64_t hold_ns = 50000;
SHIM_LOCK_DEFINE(lock);
static int held_ifindex;
/* the held frames' protocol (skb->protocol), skb priority and mark: one kick gives each frame
 * the same */
static uint16_t held_proto = ETH_P_IP;
static uint32_t held_priority, held_mark;
static int64_t first_held_ns; /* when the oldest frame held now was put (atomic) */
static int wake_word;	      /* futex the flusher sleeps on; bumped to wake it */
static int flusher_idle;      /* the flusher sleeps without a deadline (atomic) */
static int flusher_running;   /* started (in this process) */
static int broken;	      /* a kick failed for good: coalescing stopped */

/* Age of the oldest frame at each kick, in microseconds (the last bucket: 1 ms or more), and the
 * frames kicked: the delay coalescing added, reported by coalesce_report. */
#define AGE_BUCKETS 1001
static uint32_t age_hist[AGE_BUCKETS];
static uint64_t kicks, frames_kicked;

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /* include/uapi/linux/virtio_net.h, since 5.18 */
#endif

/* GSO runs: consecutive held datagrams that the kernel's UDP segmentation (__udp_gso_segment,
 * inet_gso_segment) turns back into exactly the frames they were — one flow, one payload size
 * (the last may be shorter), IDs one apart — leave as one VIRTIO_NET_HDR_GSO_UDP_L4 frame: one skb
 * for the kernel's per-frame work instead of one each. SHIM_COALESCE_GSO=0 turns it off. */
#define RUN_SLOT_SIZE 16384 /* ring slots in the coalescing mode */
#define RUN_MAX_SEGS  64    /* UDP_MAX_SEGMENTS of older kernels (virtio_net_hdr_to_skb) */

static int gso_runs = 1;
static struct {
	uint8_t *frame;	  /* the run's frame in the ring (the slot put last), NULL: no open run */
	size_t seg;	  /* payload size of each datagram: the gso_size */
	size_t payload;	  /* payload so far */
	unsigned count;	  /* datagrams in it */
	uint16_t next_id; /* the ID the next datagram must carry */
	uint8_t l3_off, l4_off, hdr_len; /* from the first datagram's dev_meta */
	uint8_t flow_len;
	uint8_t flow[DEV_META_FLOW_MAX]; /* what the run's datagrams share */
} run;
static uint64_t gso_frames, gso_dgrams;

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Whether the layer above says this frame of len bytes is a whole UDP/IPv4 datagram as one frame,
 * its checksum left to the device, and tells its flow: the kind a run is made of. Returns its
 * payload length, or 0. */
static size_t run_candidate(const struct dev_meta *m, const struct iovec *iov, size_t len)
{
	if (m == NULL || !(m->flags & DEV_META_SINGLE) || m->proto != ETH_P_IP ||
	    m->flow_len == 0 || m->payload_len == 0 || iov[0].iov_len < m->hdr_len ||
	    len != (size_t)m->hdr_len + m->payload_len)
		return 0;
	return m->payload_len;
}

/* The datagram m continues the open run: the same flow (everything the segments copy from the
 * run's header), the next ID, and a payload the run can take. */
static int continues_run(const struct dev_meta *m, size_t payload)
{
	return run.frame != NULL && payload <= run.seg && run.count < RUN_MAX_SEGS &&
	       m->hdr_len == run.hdr_len && m->l3_off == run.l3_off && m->l4_off == run.l4_off &&
	       (size_t)run.hdr_len + run.payload + payload <= packet_ring_frame_max() &&
	       (size_t)(run.hdr_len - run.l3_off) + run.payload + payload <= IP_MAX_TOTAL &&
	       m->id == run.next_id && m->flow_len == run.flow_len &&
	       memcmp(m->flow, run.flow, run.flow_len) == 0;
}

/* Rewrite the run's header for its whole payload, as ip_output_gso.c builds a GSO frame (what
 * udp_send_skb leaves on a GSO skb): gso_size, IP total length and header checksum, UDP length,
 * and the pseudo-header sum over the whole UDP length in the checksum field (__udp_gso_segment
 * swaps the length in it for each segment's), moved from the last length's by the difference
 * (the addresses need not be read). The ID stays the first datagram's: the segments get it and
 * the ones after it (inet_gso_segment). */
static void run_set_headers(void)
{
	uint8_t *f = run.frame, *ip = f + run.l3_off, *udp = f + run.l4_off;
	uint16_t ulen = (uint16_t)(run.hdr_len - run.l4_off + run.payload), old_nlen, new_nlen, ck;
	struct virtio_net_hdr vh;

	memcpy(&vh, f, sizeof(vh));
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	vh.gso_size = (uint16_t)run.seg;
	vh.hdr_len = (uint16_t)(run.hdr_len - DEV_VNET_HDR_LEN);
	memcpy(f, &vh, sizeof(vh));
	put_be16(ip + 2, (uint16_t)(run.l4_off - run.l3_off + ulen));
	memset(ip + 10, 0, 2);
	ck = csum_fold(csum_partial(ip, (size_t)(run.l4_off - run.l3_off), 0));
	memcpy(ip + 10, &ck, 2);
	/* the field holds the folded pseudo-header sum, uncomplemented: add the new length, take
	 * the old one away (one's complement arithmetic, in network order throughout) */
	memcpy(&old_nlen, udp + 4, 2);
	memcpy(&ck, udp + 6, 2);
	new_nlen = htons(ulen);
	ck = (uint16_t)~csum_fold((uint32_t)ck + (uint16_t)~old_nlen + new_nlen);
	memcpy(udp + 6, &ck, 2);
	memcpy(udp + 4, &new_nlen, 2);
}

/* Append the datagram in iov (header part first) to the open run; lock held. Returns 0, or
 * -EFAULT when the program's payload cannot be read (the run is left as it was). */
static int run_append(const struct iovec *iov, int iovcnt, size_t payload)
{
	uint8_t *d = run.frame + run.hdr_len + run.payload;
	size_t skip = run.hdr_len;

	for (int i = 0; i < iovcnt; i++) {
		size_t l = iov[i].iov_len;
		const uint8_t *p = iov[i].iov_base;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		if (umem_read(d, p + skip, l - skip) != 0)
			return -EFAULT;
		d += l - skip;
		skip = 0;
	}
	if (run.count == 1)
		gso_frames++;
	gso_dgrams += run.count == 1 ? 2 : 1;
	run.payload += payload;
	run.count++;
	run.next_id++;
	run_set_headers();
	packet_ring_set_last_len(run.hdr_len + run.payload);
	if (payload < run.seg) /* a shorter datagram ends the run */
		run.frame = NULL;
	return 0;
}

/* After a frame was put into the ring by itself: it opens a run when it is a candidate (payload:
 * run_candidate's answer). */
static void run_open(const struct dev_meta *m, size_t payload)
{
	size_t len;
	uint8_t *f = packet_ring_last(&len);

	run.frame = NULL;
	if (f == NULL || payload == 0)
		return;
	run.frame = f;
	run.seg = payload;
	run.payload = payload;
	run.count = 1;
	run.next_id = (uint16_t)(m->id + 1);
	run.l3_off = m->l3_off;
	run.l4_off = m->l4_off;
	run.hdr_len = m->hdr_len;
	run.flow_len = m->flow_len;
	memcpy(run.flow, m->flow, m->flow_len);
}

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Hand the held frames to the kernel; lock held. */
static void kick_locked(void)
{
	int64_t age = (now_ns() - __atomic_load_n(&first_held_ns, __ATOMIC_RELAXED)) / 1000;
	int n;

	age_hist[age < 0 ? 0 : age >= AGE_BUCKETS ? AGE_BUCKETS - 1 : age]++;
	kicks++;
	frames_kicked += (uint64_t)coalesce_held;
	run.frame = NULL; /* the kernel owns the frames from now on */
	n = packet_ring_kick(held_ifindex, held_proto, held_priority, held_mark);
	if (n < 0 && n != -EAGAIN && n != -ENOBUFS && n != -EINTR) {
		stats_error(-n);
		if (n == -ENXIO || n == -ENODEV || n == -EINVAL || n == -EPERM) {
			broken = 1;
			shim_notice(
			    "libshim: the transmit ring failed; coalescing is off from now on");
		}
	}
	__atomic_store_n(&coalesce_held, 0, __ATOMIC_SEQ_CST);
}

static void futex_wait(int *word, int seen, int64_t rel_ns)
{
	struct timespec t = {rel_ns / 1000000000, rel_ns % 1000000000};

	rawsys4(SYS_futex, word, FUTEX_WAIT_PRIVATE, seen, rel_ns >= 0 ? &t : NULL);
}

/* The flusher thread: sleeps until the oldest held frame is due, and kicks then if the frames are
 * still held. It takes the lock only to kick, so a sender never waits for it otherwise. */
static void *flusher(void *arg)
{
	(void)arg;
	shim_enter(); /* the shim's own thread: every call it makes is the shim's */
	for (;;) {
		int seen = __atomic_load_n(&wake_word, __ATOMIC_SEQ_CST);
		int64_t now, due;

		if (shim_seccomp_active()) /* nothing is held, and no packet socket send again */
			shim_seccomp_park();

		if (__atomic_load_n(&coalesce_held, __ATOMIC_SEQ_CST) == 0) {
			__atomic_store_n(&flusher_idle, 1, __ATOMIC_SEQ_CST);
			if (__atomic_load_n(&coalesce_held, __ATOMIC_SEQ_CST) == 0)
				futex_wait(&wake_word, seen, -1);
			__atomic_store_n(&flusher_idle, 0, __ATOMIC_SEQ_CST);
			continue;
		}
		due = __atomic_load_n(&first_held_ns, __ATOMIC_SEQ_CST) + hold_ns;
		now = now_ns();
		if (now < due) {
			futex_wait(&wake_word, seen, due - now);
			continue;
		}
		shim_lock_acquire(&lock);
		if (coalesce_held > 0 &&
		    now_ns() >= __atomic_load_n(&first_held_ns, __ATOMIC_RELAXED) + hold_ns)
			kick_locked();
		shim_lock_release(&lock);
	}
	return NULL;
}

static void start_flusher(void)
{
	flusher_running = 1;
	/* the flusher never runs the program's signal handlers */
	if (shim_thread_start(flusher, NULL) != 0)
		flusher_running = 0;
}

static void before_fork(void)
{
	if (coalesce_mode)
		coalesce_flush();
	shim_lock_acquire(&lock);
}

static void after_fork_parent(void)
{
	shim_lock_release(&lock);
}

/* The child (of fork, _Fork or clone: no atfork handler runs for the last two) has no flusher
 * thread and no ring (the mapping is the parent's: packet_ring.c): it sends each frame as it comes,
 * and never starts a thread (after _Fork that may not even be possible). The lock is free in the
 * child's generation. */
static void coalesce_after_fork(void)
{
	coalesce_mode = 0;
	flusher_running = 0;
	flusher_idle = 0;
}
SHIM_AFTER_FORK(coalesce_after_fork);

static void at_exit(void)
{
	coalesce_flush();
}

void coalesce_prepare(void)
{
	gso_runs = shim_config.coalesce_gso;
	if (gso_runs)
		(void)packet_ring_set_frame_size(RUN_SLOT_SIZE);
}

int coalesce_start(int frames, unsigned usec)
{
	int err = packet_ring_open();

	if (err < 0)
		return err;
	if (frames > 0)
		max_frames = frames > PACKET_RING_FRAMES / 2 ? PACKET_RING_FRAMES / 2 : frames;
	if (usec > 0)
		hold_ns = (int64_t)usec * 1000;
	pthread_atfork(before_fork, after_fork_parent, NULL);
	atexit(at_exit);
	coalesce_mode = 1;
	/* the flusher now, at set-up: not on a send, which may come from a signal handler that
	 * interrupted malloc (pthread_create allocates). Without it every frame goes out at once.
	 */
	start_flusher();
	return 0;
}

/* The frame's protocol (ETH_P_*): its dev_meta's, IPv4 without one. */
static uint16_t meta_proto(const struct dev_meta *m)
{
	return m != NULL && m->proto != 0 ? m->proto : ETH_P_IP;
}

int coalesce_put(int ifindex, const struct iovec *iov, int iovcnt, const struct dev_meta *m)
{
	size_t len = 0, payload;
	int r, signal = 0;

	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len && (uintptr_t)iov[i].iov_base < 65536)
			return -EFAULT;
		len += iov[i].iov_len;
	}
	/* a priority or mark the packet socket may refuse is not held: the refusal would come at
	 * the kick, after the program was told the datagram left (udp_send_skb hands it to the
	 * kernel socket when the packet socket refuses it now) */
	if (dev_skb_needs_caps(dev_meta_priority(m), dev_meta_mark(m)))
		return -EPERM;
	payload = run_candidate(m, iov, len);
	/* the larger slots are for GSO runs: any other frame is held only if the 2 KiB slots took
	 * it (a UDP_SEGMENT super-packet goes out by itself, its payload read by the kernel) */
	if (len > PACKET_RING_FRAME_SIZE - PACKET_RING_DATA_OFF && payload == 0)
		return -EMSGSIZE;
	shim_lock_acquire(&lock);
	if (broken || !packet_ring_ready()) {
		shim_lock_release(&lock);
		return -ENODEV;
	}
	/* one kick: one device, one skb priority and mark */
	if (coalesce_held > 0 &&
	    (ifindex != held_ifindex || meta_proto(m) != held_proto ||
	     dev_meta_priority(m) != held_priority || dev_meta_mark(m) != held_mark))
		kick_locked();
	if (run.frame != NULL && payload != 0 && continues_run(m, payload)) {
		r = run_append(iov, iovcnt, payload);
		if (r < 0) {
			shim_lock_release(&lock);
			return r;
		}
		goto held;
	}
	r = packet_ring_put(iov, iovcnt, len);
	if (r == -EAGAIN) { /* the kernel still owns the slot: kick, give it up to 2 ms */
		if (coalesce_held > 0)
			kick_locked();
		if (packet_ring_wait(2000) == 0)
			r = packet_ring_put(iov, iovcnt, len);
	}
	if (r < 0) {
		shim_lock_release(&lock);
		return r;
	}
	if (gso_runs)
		run_open(m, payload);
held:
	held_ifindex = ifindex;
	held_proto = meta_proto(m);
	held_priority = dev_meta_priority(m);
	held_mark = dev_meta_mark(m);
	if (coalesce_held == 0) {
		__atomic_store_n(&first_held_ns, now_ns(), __ATOMIC_SEQ_CST);
		__atomic_store_n(&coalesce_held, 1, __ATOMIC_SEQ_CST);
		if (flusher_running)
			signal = __atomic_load_n(&flusher_idle, __ATOMIC_SEQ_CST);
	} else {
		__atomic_store_n(&coalesce_held, coalesce_held + 1, __ATOMIC_RELAXED);
	}
	/* a busy sender checks the deadline itself (every 8th frame: one clock read per 8), so the
	 * flusher's wake-up delay does not add to the hold time */
	if (!flusher_running || coalesce_held >= max_frames ||
	    ((coalesce_held & 7) == 0 && now_ns() - first_held_ns >= hold_ns)) {
		kick_locked();
		signal = 0;
	}
	shim_lock_release(&lock);
	/* after the unlock: the flusher does not wake up only to wait for the lock */
	if (signal) {
		__atomic_add_fetch(&wake_word, 1, __ATOMIC_SEQ_CST);
		rawsys3(SYS_futex, &wake_word, FUTEX_WAKE_PRIVATE, 1);
	}
	return 0;
}

void coalesce_flush(void)
{
	shim_lock_acquire(&lock);
	if (coalesce_held > 0)
		kick_locked();
	shim_lock_release(&lock);
}

/* Coalescing as a device: single frames are held (the program's call returns at once), anything
 * else goes below after what is held, so the order on the wire is the order of the calls. After
 * fork the child's coalescing is off and every frame goes below as it comes. */
static int coalesce_xmit(struct netdev *dev, int ifindex, const struct iovec *iov, int iovcnt,
			 const struct dev_meta *m, int dontwait)
{
	if (__builtin_expect(coalesce_mode, 1)) {
		int r = coalesce_put(ifindex, iov, iovcnt, m);

		if (r == 0 || r == -EFAULT)
			return r;
		coalesce_flush(); /* not taken: it goes out itself, after what is held */
	}
	return netdev_lower_xmit(dev, ifindex, iov, iovcnt, m, dontwait);
}

static int coalesce_xmit_batch(struct netdev *dev, int ifindex, struct iovec *const *iov,
			       const int *iovcnt, const struct dev_meta *m, int n, int dontwait)
{
	coalesce_before_wait();
	return netdev_lower_xmit_batch(dev, ifindex, iov, iovcnt, m, n, dontwait);
}

static const struct netdev_ops coalesce_ops = {coalesce_xmit, coalesce_xmit_batch};
struct netdev netdev_coalesce = {.name = "coalesce", .ops = &coalesce_ops};

/* The p-th percentile of the oldest-frame ages, in microseconds. */
static unsigned age_percentile(unsigned p)
{
	uint64_t want = (kicks * p + 99) / 100, seen = 0;

	for (unsigned i = 0; i < AGE_BUCKETS; i++) {
		seen += age_hist[i];
		if (seen >= want && want > 0)
			return i;
	}
	return 0;
}

size_t coalesce_report(char *buf, size_t cap)
{
	int n;

	if (!coalesce_mode || kicks == 0)
		return 0;
	n = shim_snprintf(
	    buf, cap,
	    "libshim: coalescing: %llu frames in %llu kicks (%llu of them in %llu GSO frames); "
	    "oldest frame held at the kick p50 %u us, p99 %u us, max %s%u us",
	    (unsigned long long)frames_kicked, (unsigned long long)kicks,
	    (unsigned long long)gso_dgrams, (unsigned long long)gso_frames, age_percentile(50),
	    age_percentile(99), age_hist[AGE_BUCKETS - 1] ? ">= " : "", age_percentile(100));
	return n < 0 ? 0 : (size_t)n;
}
