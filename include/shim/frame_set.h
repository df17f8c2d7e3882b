/* frame_set: a datagram's frames built in one buffer, handed to the device in order — built by
 * ip_output (fragments, copied frames), kept by neigh_queue while the next hop resolves. */
#ifndef SHIM_FRAME_SET_H
#define SHIM_FRAME_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iovec;

/* A datagram's frames built in one buffer: frame i is buf[off[i] .. off[i+1]), each starting with
 * the vnet header (no offload requested: the checksum is complete). The offsets live in the same
 * allocation (a datagram of 65535 bytes at the smallest MTU has thousands of fragments), so one
 * shim_free(buf) releases both and the struct may be copied. */
struct frame_set {
	int n;
	uint16_t proto;		 /* the frames' ETH_P_* (host order); 0: ETH_P_IP */
	uint32_t priority, mark; /* every frame's skb priority and mark (dev_meta) */
	size_t *off;		 /* n + 1 entries */
	uint8_t *buf;		 /* shim_alloc'd; shim_free() it */
};

/* Allocate a frame_set for n frames of bytes in all. Returns the buffer, or NULL. */
uint8_t *frame_set_alloc(struct frame_set *fs, unsigned n, size_t bytes);

/* A frame_set of one frame: hlen bytes of headers (the caller's to write), then the payload read
 * from the program's iov. Returns 0, -ENOMEM (nothing allocated) or -EFAULT (any of the payload
 * unreadable; nothing kept). */
int frame_set_one(struct frame_set *fs, size_t hlen, const struct iovec *iov, int iovcnt,
		  size_t len);

/* Transmit a frame_set's frames in order, in chunks of one AF_PACKET sendmmsg each. Returns the
 * number of frames sent (stopping at the first that was not) or -errno. */
int frame_set_xmit(const struct frame_set *fs, int oif, bool dontwait);

/* frame_set_xmit for one datagram, and its buffer freed: 0 when every frame left, -ENOBUFS when
 * the device took only some (a queue drop: the datagram is lost, as the kernel's would be), or
 * -errno. *sent: the frames that left, or -errno. */
int frame_set_xmit_datagram(struct frame_set *fs, int oif, bool dontwait, int *sent);

/* Offset of the destination MAC in each frame of a frame_set. */
#define FRAME_DST_MAC_OFF 10

#endif
