/* coalesce: the opt-in coalescing mode (see include/shim/coalesce.h). */
#include "shim/coalesce.h"
#include "shim/packet_ring.h"
#include "shim/pcap.h"
#include "shim/rawsys.h"
#include "shim/stats.h"
#include "shim/trace.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>

int coalesce_held;

int coalesce_mode;
static int max_frames = 64;
static int64_t hold_ns = 50000;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int held_ifindex;
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
	n = packet_ring_kick(held_ifindex);
	if (n > 0) {
		stats_add(STAT_FRAMES_SENT, (uint64_t)n);
	} else if (n < 0 && n != -EAGAIN && n != -ENOBUFS && n != -EINTR) {
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
	for (;;) {
		int seen = __atomic_load_n(&wake_word, __ATOMIC_SEQ_CST);
		int64_t now, due;

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
		pthread_mutex_lock(&lock);
		if (coalesce_held > 0 &&
		    now_ns() >= __atomic_load_n(&first_held_ns, __ATOMIC_RELAXED) + hold_ns)
			kick_locked();
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static void start_flusher_locked(void)
{
	pthread_t t;
	pthread_attr_t attr;
	sigset_t all, old;

	flusher_running = 1;
	/* the flusher never runs the program's signal handlers */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	if (pthread_create(&t, &attr, flusher, NULL) != 0)
		flusher_running = 0;
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void before_fork(void)
{
	if (coalesce_mode)
		coalesce_flush();
	pthread_mutex_lock(&lock);
}

static void after_fork_parent(void)
{
	pthread_mutex_unlock(&lock);
}

/* The child has no flusher thread: it starts its own on its first held frame. */
static void after_fork_child(void)
{
	pthread_mutex_unlock(&lock);
	flusher_running = 0;
	flusher_idle = 0;
}

static void at_exit(void)
{
	coalesce_flush();
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
	pthread_atfork(before_fork, after_fork_parent, after_fork_child);
	atexit(at_exit);
	coalesce_mode = 1;
	return 0;
}

int coalesce_put(int ifindex, const struct iovec *iov, int iovcnt)
{
	size_t len = 0;
	int r, signal = 0;

	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len && (uintptr_t)iov[i].iov_base < 65536)
			return -EFAULT;
		len += iov[i].iov_len;
	}
	pthread_mutex_lock(&lock);
	if (broken || !packet_ring_ready()) {
		pthread_mutex_unlock(&lock);
		return -ENODEV;
	}
	if (coalesce_held > 0 && ifindex != held_ifindex)
		kick_locked();
	r = packet_ring_put(iov, iovcnt, len);
	if (r == -EAGAIN) { /* the kernel still owns the slot: kick, give it up to 2 ms */
		if (coalesce_held > 0)
			kick_locked();
		if (packet_ring_wait(2000) == 0)
			r = packet_ring_put(iov, iovcnt, len);
	}
	if (r < 0) {
		pthread_mutex_unlock(&lock);
		return r;
	}
	if (pcap_enabled)
		pcap_frame(iov, iovcnt);
	held_ifindex = ifindex;
	if (coalesce_held == 0) {
		__atomic_store_n(&first_held_ns, now_ns(), __ATOMIC_SEQ_CST);
		__atomic_store_n(&coalesce_held, 1, __ATOMIC_SEQ_CST);
		if (!flusher_running)
			start_flusher_locked();
		else
			signal = __atomic_load_n(&flusher_idle, __ATOMIC_SEQ_CST);
	} else {
		__atomic_store_n(&coalesce_held, coalesce_held + 1, __ATOMIC_RELAXED);
	}
	/* a busy sender checks the deadline itself (every 8th frame: one clock read per 8), so the
	 * flusher's wake-up delay does not add to the hold time */
	if (coalesce_held >= max_frames ||
	    ((coalesce_held & 7) == 0 && now_ns() - first_held_ns >= hold_ns)) {
		kick_locked();
		signal = 0;
	}
	pthread_mutex_unlock(&lock);
	/* after the unlock: the flusher does not wake up only to wait for the lock */
	if (signal) {
		__atomic_add_fetch(&wake_word, 1, __ATOMIC_SEQ_CST);
		rawsys3(SYS_futex, &wake_word, FUTEX_WAKE_PRIVATE, 1);
	}
	return 0;
}

void coalesce_flush(void)
{
	pthread_mutex_lock(&lock);
	if (coalesce_held > 0)
		kick_locked();
	pthread_mutex_unlock(&lock);
}

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
	n = snprintf(
	    buf, cap,
	    "libshim: coalescing: %llu frames in %llu kicks; oldest frame held at the kick "
	    "p50 %u us, p99 %u us, max %s%u us",
	    (unsigned long long)frames_kicked, (unsigned long long)kicks, age_percentile(50),
	    age_percentile(99), age_hist[AGE_BUCKETS - 1] ? ">= " : "", age_percentile(100));
	return n < 0 ? 0 : (size_t)n;
}
