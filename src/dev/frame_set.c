/* frame_set: a datagram's frames in one buffer, sent in order (see include/shim/frame_set.h). */
#include "shim/frame_set.h"
#include "shim/dev.h"
#include "shim/netdev.h"
#include "shim/shim_alloc.h"
#include "shim/umem.h"

#include <errno.h>
#include <string.h>

#include <sys/uio.h>

uint8_t *frame_set_alloc(struct frame_set *fs, unsigned n, size_t bytes)
{
	size_t data = (bytes + 7) & ~(size_t)7;

	fs->buf = shim_alloc(data + (n + 1) * sizeof(size_t));
	if (fs->buf == NULL)
		return NULL;
	fs->off = (size_t *)(void *)(fs->buf + data);
	fs->n = (int)n;
	fs->proto = 0;
	fs->priority = 0;
	fs->mark = 0;
	return fs->buf;
}

int frame_set_one(struct frame_set *fs, size_t hlen, const struct iovec *iov, int iovcnt,
		  size_t len)
{
	if (frame_set_alloc(fs, 1, hlen + len) == NULL)
		return -ENOMEM;
	if (umem_read_iov(fs->buf + hlen, iov, iovcnt, len) != 0) {
		shim_free(fs->buf);
		fs->buf = NULL;
		return -EFAULT;
	}
	fs->off[0] = 0;
	fs->off[1] = hlen + len;
	return 0;
}

#define XMIT_CHUNK 64 /* frames per AF_PACKET sendmmsg */

int frame_set_xmit_datagram(struct frame_set *fs, int oif, bool dontwait, int *sent)
{
	int r = frame_set_xmit(fs, oif, dontwait);

	shim_free(fs->buf);
	fs->buf = NULL;
	*sent = r;
	return r < 0 ? r : r == fs->n ? 0 : -ENOBUFS;
}

int frame_set_xmit(const struct frame_set *fs, int oif, bool dontwait)
{
	struct iovec parts[XMIT_CHUNK], *frames[XMIT_CHUNK];
	struct dev_meta meta[XMIT_CHUNK];
	int counts[XMIT_CHUNK], done = 0;
	/* what the device is told: each frame's protocol, where it is not IPv4 (the packet socket's
	 * default), and its skb priority and mark, where either is not 0 */
	bool tagged = (fs->priority | fs->mark) != 0, meta_given = fs->proto != 0 || tagged;

	for (int i = 0; meta_given && i < XMIT_CHUNK; i++)
		meta[i] = (struct dev_meta){.proto = fs->proto,
					    .flags = tagged ? DEV_META_SKB : 0,
					    .segs = 1,
					    .priority = fs->priority,
					    .mark = fs->mark};

	if (fs->n > 1)
		dev_xmit_frags_begin();
	while (done < fs->n) {
		int k = fs->n - done < XMIT_CHUNK ? fs->n - done : XMIT_CHUNK, sent;

		for (int i = 0; i < k; i++) {
			size_t o = fs->off[done + i];

			parts[i] = (struct iovec){fs->buf + o, fs->off[done + i + 1] - o};
			frames[i] = &parts[i];
			counts[i] = 1;
		}
		sent = dev_xmit_batch(oif, frames, counts, meta_given ? meta : NULL, k, dontwait);
		if (sent < 0) {
			done = done > 0 ? done : sent;
			break;
		}
		done += sent;
		if (sent < k)
			break;
	}
	if (fs->n > 1)
		dev_xmit_frags_end();
	return done;
}
