/* The AF_XDP ceiling: an XDP socket in copy mode with a TX ring only (no XDP program, no RX),
 * a UMEM whose every chunk holds the prebuilt frame, BATCH descriptors then one sendto() kick
 * when the ring asks for a wakeup (XDP_USE_NEED_WAKEUP). In copy mode the kernel transmits at
 * most its TX budget per kick (32 unless XDP_MAX_TX_SKB_BUDGET, Linux >= 6.17, raises it): the
 * budget is raised to BATCH where the kernel allows, and a kick that leaves descriptors behind
 * is followed by another. Written with the socket calls only (no libxdp). */
#include "raw_tx.h"

#include <errno.h>
#include <linux/if_xdp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif
#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9 /* uapi value since Linux 6.17 */
#endif

#define XDP_CHUNK  2048
#define XDP_FRAMES 2048 /* UMEM chunks = TX ring = completion ring entries */

struct xring {
	uint32_t *producer, *consumer, *flags;
	void *desc;
	void *map;
	size_t map_len;
};

static int xring_map(int fd, const struct xdp_ring_offset *o, size_t desc_size, off_t pgoff,
		     struct xring *x)
{
	x->map_len = o->desc + (size_t)XDP_FRAMES * desc_size;
	x->map =
	    mmap(NULL, x->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, pgoff);
	if (x->map == MAP_FAILED)
		return -1;
	x->producer = (uint32_t *)((char *)x->map + o->producer);
	x->consumer = (uint32_t *)((char *)x->map + o->consumer);
	x->flags = (uint32_t *)((char *)x->map + o->flags);
	x->desc = (char *)x->map + o->desc;
	return 0;
}

struct xsk {
	int fd;
	struct xring tx, cq;
	uint32_t tx_prod, cq_cons;
	long in_flight; /* descriptors produced and not yet completed */
};

/* Take back what the kernel completed (the frames stay prebuilt: only the count matters). */
static long xsk_reclaim(struct xsk *s)
{
	uint32_t prod = __atomic_load_n(s->cq.producer, __ATOMIC_ACQUIRE);
	long n = (long)(uint32_t)(prod - s->cq_cons);

	if (n > 0) {
		s->cq_cons = prod;
		__atomic_store_n(s->cq.consumer, prod, __ATOMIC_RELEASE);
		s->in_flight -= n;
	}
	return n;
}

/* Kick while the ring asks for it until the kernel has consumed everything produced (each kick
 * sends at most the budget); bounded. Returns the kicks made. */
static long xsk_kick(struct xsk *s)
{
	long kicks = 0;

	for (int i = 0; i < 4096; i++) {
		if (__atomic_load_n(s->tx.consumer, __ATOMIC_ACQUIRE) == s->tx_prod)
			break;
		/* copy mode always asks (the kernel transmits only inside a send call) */
		if (!(__atomic_load_n(s->tx.flags, __ATOMIC_RELAXED) & XDP_RING_NEED_WAKEUP))
			continue;
		if (sendto(s->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0 || errno == EAGAIN ||
		    errno == EBUSY || errno == ENOBUFS)
			kicks++;
		else
			break;
	}
	return kicks;
}

/* Produce n descriptors (UMEM chunks in order: completions in copy mode come back in order),
 * kick, reclaim. Returns the descriptors produced. */
static long xsk_batch(struct xsk *s, const struct raw_run *r, long n, long *kicks)
{
	struct xdp_desc *d = s->tx.desc;

	if (n > XDP_FRAMES - s->in_flight)
		n = XDP_FRAMES - s->in_flight;
	for (long i = 0; i < n; i++) {
		uint32_t idx = (s->tx_prod + (uint32_t)i) % XDP_FRAMES;

		d[idx].addr = (uint64_t)idx * XDP_CHUNK;
		d[idx].len = (uint32_t)r->frame_len;
		d[idx].options = 0;
	}
	s->tx_prod += (uint32_t)n;
	s->in_flight += n;
	__atomic_store_n(s->tx.producer, s->tx_prod, __ATOMIC_RELEASE);
	*kicks += xsk_kick(s);
	xsk_reclaim(s);
	return n;
}

int raw_xdp(struct raw_run *r)
{
	struct xsk s = {.fd = socket(AF_XDP, SOCK_RAW, 0)};
	struct xdp_mmap_offsets off;
	struct sockaddr_xdp sxdp = {.sxdp_family = AF_XDP,
				    .sxdp_ifindex = (uint32_t)r->ifindex,
				    .sxdp_queue_id = 0,
				    .sxdp_flags = XDP_COPY | XDP_USE_NEED_WAKEUP};
	size_t umem_len = (size_t)XDP_FRAMES * XDP_CHUNK;
	unsigned char *umem;
	struct xdp_umem_reg mr;
	socklen_t ol = sizeof(off);
	int ring = XDP_FRAMES, fill = 64;
	unsigned budget = (unsigned)r->batch;
	long warm = 0, tries = 0;

	if (s.fd < 0) {
		perror("raw_tx: socket(AF_XDP)");
		return -1;
	}
	umem = mmap(NULL, umem_len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (umem == MAP_FAILED) {
		perror("raw_tx: mmap(UMEM)");
		return -1;
	}
	for (size_t i = 0; i < XDP_FRAMES; i++)
		memcpy(umem + i * XDP_CHUNK, r->frame, r->frame_len);
	memset(&mr, 0, sizeof(mr));
	mr.addr = (uint64_t)(uintptr_t)umem;
	mr.len = umem_len;
	mr.chunk_size = XDP_CHUNK;
	/* the kernel wants a fill ring with its UMEM even for a TX-only socket; it stays empty */
	if (setsockopt(s.fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof(mr)) != 0 ||
	    setsockopt(s.fd, SOL_XDP, XDP_UMEM_FILL_RING, &fill, sizeof(fill)) != 0 ||
	    setsockopt(s.fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &ring, sizeof(ring)) != 0 ||
	    setsockopt(s.fd, SOL_XDP, XDP_TX_RING, &ring, sizeof(ring)) != 0 ||
	    getsockopt(s.fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &ol) != 0) {
		perror("raw_tx: AF_XDP UMEM/rings");
		return -1;
	}
	if (xring_map(s.fd, &off.tx, sizeof(struct xdp_desc), XDP_PGOFF_TX_RING, &s.tx) != 0 ||
	    xring_map(s.fd, &off.cr, sizeof(uint64_t), (off_t)XDP_UMEM_PGOFF_COMPLETION_RING,
		      &s.cq) != 0) {
		perror("raw_tx: mmap(AF_XDP rings)");
		return -1;
	}
	/* the queue of a socket closed just before (the previous run) is released a little later */
	for (int i = 0; i < 200 && bind(s.fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) != 0; i++) {
		struct timespec ms10 = {0, 10000000};

		if (errno != EBUSY || i == 199) {
			perror("raw_tx: bind(AF_XDP, copy mode, queue 0)");
			return -1;
		}
		nanosleep(&ms10, NULL);
		r->bind_waits++;
	}
	if (budget > 32 &&
	    setsockopt(s.fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &budget, sizeof(budget)) == 0)
		r->budget = (int)budget;
	s.tx_prod = *s.tx.producer;
	s.cq_cons = *s.cq.consumer;
	xsk_batch(&s, r, r->batch, &warm);
	raw_start(r);
	while (r->sent < r->count && tries < r->count + 1000000) {
		long n = r->count - r->sent < r->batch ? r->count - r->sent : r->batch;
		long m = xsk_batch(&s, r, n, &r->kicks);

		r->sent += m;
		tries += m == 0;
	}
	/* what was produced and never completed was not sent */
	for (int i = 0; i < 1000 && s.in_flight > 0; i++) {
		r->kicks += xsk_kick(&s);
		xsk_reclaim(&s);
	}
	r->sent -= s.in_flight;
	close(s.fd);
	munmap(s.tx.map, s.tx.map_len);
	munmap(s.cq.map, s.cq.map_len);
	munmap(umem, umem_len);
	return 0;
}
