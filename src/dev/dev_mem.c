/* dev_mem: the in-memory device (see include/shim/dev_mem.h). */
#include "shim/dev_mem.h"
#include "shim/shim_alloc.h"
#include "shim/shim_lock.h"
#include "shim/umem.h"

#include <errno.h>
#include <string.h>

static uint8_t *buf;
static size_t used, cap;
static struct held {
	size_t off; /* in buf, which may move as it grows */
	struct dev_mem_frame pub;
} * frames;
static int nframes, maxframes;
SHIM_LOCK_DEFINE(lock);

void dev_mem_reset(void)
{
	shim_lock_acquire(&lock);
	shim_free(buf);
	shim_free(frames);
	buf = NULL;
	frames = NULL;
	used = cap = 0;
	nframes = maxframes = 0;
	shim_lock_release(&lock);
}

int dev_mem_count(void)
{
	return nframes;
}

const struct dev_mem_frame *dev_mem_frame(int i)
{
	if (i < 0 || i >= nframes)
		return NULL;
	frames[i].pub.data = buf + frames[i].off;
	return &frames[i].pub;
}

/* Room for one more frame of len bytes; lock held. Returns 0 or -ENOMEM. */
static int reserve(size_t len)
{
	if (nframes == maxframes) {
		int more = maxframes ? maxframes * 2 : 64;
		struct held *f = shim_realloc(frames, (size_t)more * sizeof(*f));

		if (f == NULL)
			return -ENOMEM;
		frames = f;
		maxframes = more;
	}
	if (used + len > cap) {
		size_t more = cap ? cap * 2 : 1 << 16;
		uint8_t *b;

		while (more < used + len)
			more *= 2;
		b = shim_realloc(buf, more);
		if (b == NULL)
			return -ENOMEM;
		buf = b;
		cap = more;
	}
	return 0;
}

/* Append one frame; lock held. Returns 0 or -errno (nothing appended). */
static int append(int ifindex, const struct iovec *iov, int iovcnt, const struct dev_meta *m,
		  int dontwait)
{
	size_t len = 0, at;
	struct held *h;
	struct dev_mem_frame *f;

	for (int i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	if (reserve(len) < 0)
		return -ENOMEM;
	at = used;
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len && umem_read(buf + at, iov[i].iov_base, iov[i].iov_len) != 0)
			return -EFAULT;
		at += iov[i].iov_len;
	}
	h = &frames[nframes++];
	memset(h, 0, sizeof(*h));
	h->off = used;
	f = &h->pub;
	f->len = len;
	f->ifindex = ifindex;
	f->dontwait = dontwait != 0;
	if (m != NULL) {
		f->has_meta = true;
		f->meta = *m;
	}
	used += len;
	return 0;
}

static int mem_xmit(struct netdev *dev, int ifindex, const struct iovec *iov, int iovcnt,
		    const struct dev_meta *m, int dontwait)
{
	int r;

	(void)dev;
	shim_lock_acquire(&lock);
	r = append(ifindex, iov, iovcnt, m, dontwait);
	shim_lock_release(&lock);
	return r;
}

static int mem_xmit_batch(struct netdev *dev, int ifindex, struct iovec *const *iov,
			  const int *iovcnt, const struct dev_meta *m, int n, int dontwait)
{
	int i, r = 0;

	(void)dev;
	shim_lock_acquire(&lock);
	for (i = 0; i < n; i++) {
		r = append(ifindex, iov[i], iovcnt[i], m != NULL ? &m[i] : NULL, dontwait);
		if (r < 0)
			break;
	}
	shim_lock_release(&lock);
	return i > 0 ? i : r;
}

static const struct netdev_ops mem_ops = {mem_xmit, mem_xmit_batch};
struct netdev netdev_mem = {.name = "mem", .ops = &mem_ops};
