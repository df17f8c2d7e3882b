/* packet_ring: a PACKET_TX_RING (TPACKET_V2, PACKET_VNET_HDR) for transmitting many frames with one
 * system call. Used by the opt-in coalescing mode (src/dev/coalesce.c), whose datagrams were
 * already reported sent to the program, and by sendmmsg batches (packet_ring_xmit_batch), whose
 * per-entry results are read back from the frames' status after the kick.
 *
 * The ring holds PACKET_RING_FRAMES frames of 2048 bytes (256 KiB, touched as it is used). Frames
 * are filled in order; a kick hands every filled frame to the kernel (tpacket_snd) without waiting
 * for their completion. Not thread-safe: the caller serialises (coalesce.c holds its lock). */
#ifndef SHIM_PACKET_RING_H
#define SHIM_PACKET_RING_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define PACKET_RING_FRAMES     128
#define PACKET_RING_FRAME_SIZE 2048
#define PACKET_RING_DATA_OFF   32 /* where a slot's frame starts (after its tpacket2_hdr) */

/* The second ring, for single frames that become several on the wire (a UDP_SEGMENT
 * super-packet, a UFO frame: dev_meta.segs > 1): slots that hold the largest IPv4 datagram
 * (vnet header, Ethernet header, 65535 bytes), each its own block of 17 pages. The packet socket
 * would allocate pages for such a frame and copy it in (packet_snd, alloc_skb_with_frags); from
 * the ring the kernel takes the slot's pages as the skb's fragments (tpacket_snd), with the same
 * virtio-net header handling, and the device segments it as before. */
#define PACKET_RING_GSO_FRAMES	   4
#define PACKET_RING_GSO_FRAME_SIZE (17 * 4096)
int packet_ring_gso_open(void);

/* One such frame (iov parts: the shim's headers, then the payload, possibly the program's, read
 * with fault-safe copies) into the GSO ring and kicked with its skb priority and mark. Returns 0 or
 * -errno as the packet socket would (EFAULT: the payload is unreadable, nothing sent), or
 * -EOPNOTSUPP: not sent, use the packet socket (no ring, in use by another thread, the slot still
 * in flight, too large). */
int packet_ring_gso_xmit(int ifindex, const struct iovec *iov, int iovcnt, int dontwait,
			 uint16_t proto, uint32_t priority, uint32_t mark);

/* Before packet_ring_open: slots of size bytes (a multiple of PACKET_RING_FRAME_SIZE dividing
 * 16 KiB) instead of PACKET_RING_FRAME_SIZE. Returns 0 or -EINVAL (already open, bad size). */
int packet_ring_set_frame_size(size_t size);

/* Open the ring socket and map the ring (needs CAP_NET_RAW). Returns 0 or -errno. */
int packet_ring_open(void);

/* Whether the ring is open. */
int packet_ring_ready(void);

/* Largest frame (vnet header included) one slot holds. */
size_t packet_ring_frame_max(void);

/* Copy one frame (vnet header + Ethernet frame, from iov parts, len bytes in all) into the next
 * slot. Returns 0, or -EAGAIN when the next slot is still owned by the kernel (kick and wait with
 * packet_ring_wait) or -EMSGSIZE when it does not fit. The first byte of each part must be
 * readable: the copy is direct. */
int packet_ring_put(const struct iovec *iov, int iovcnt, size_t len);

/* Frames filled and not yet kicked. */
int packet_ring_filled(void);

/* The frame put last, while it is not kicked yet (NULL when nothing was put since the last kick):
 * its data (vnet header first) and, in *len, its length. The caller may change it in place and
 * grow it (packet_ring_set_last_len, up to packet_ring_frame_max) until the next kick. */
uint8_t *packet_ring_last(size_t *len);
void packet_ring_set_last_len(size_t len);

/* Hand the filled frames to the kernel for ifindex (sendmsg on the ring socket, MSG_DONTWAIT),
 * every one of protocol proto (ETH_P_*, skb->protocol) with this skb priority and mark
 * (tpacket_snd takes them from the kick's control messages, dev_skb_ctl). Returns the number of
 * frames kicked, or -errno. */
int packet_ring_kick(int ifindex, uint16_t proto, uint32_t priority, uint32_t mark);

/* Transmit n frames (frame i: iov[i], iovcnt[i] parts; part 0 the shim's own headers, the others
 * the program's buffers, read with one process_vm_readv for the batch) with one kick, in order.
 * Returns the number of frames the kernel took (the frames after them are not sent), or -errno
 * for the first: EFAULT (its payload is unreadable), or the kick's error (ENETDOWN, ENXIO,
 * ENOBUFS, EAGAIN ...). -EOPNOTSUPP: the ring cannot take this batch (not open, in use by another
 * thread, a frame too large, slots still in flight); nothing was sent, use the packet socket.
 * proto: the frames' ETH_P_*, priority and mark their skb's (one of each for the batch). */
#define PACKET_RING_BATCH_MAX 16
int packet_ring_xmit_batch(int ifindex, struct iovec *const *iov, const int *iovcnt, int n,
			   int dontwait, uint16_t proto, uint32_t priority, uint32_t mark);

/* Direct batches: the layer above builds its frames in the ring's slots itself (the sendmmsg
 * fast path, src/inet/udp_fastpath.c, where the device stack is the plain one with the ring:
 * netdev_ring_direct) and they leave with one kick. Between packet_ring_direct_begin and
 * packet_ring_direct_end the calling thread owns the ring (the lock of packet_ring_xmit_batch).
 *
 * packet_ring_direct_begin: the data areas (vnet header first, packet_ring_frame_max bytes) of
 *   the batch's next frames in frame[], up to want (at most PACKET_RING_DIRECT_MAX), waiting up to
 *   1 ms for the kernel to give each back. Returns how many, or -EOPNOTSUPP (no ring here, or
 *   another thread's batch: nothing to end).
 * packet_ring_direct_put: frames 0..n-1 are complete, hdr_len + len[k] bytes each; they go out
 *   with the next kick.
 * packet_ring_direct_kick: hand frames first..n-1 (put, in order) to the kernel, with skb
 *   priority and mark 0 (a flow with either is not sent this way). Returns how many
 *   of them it took, in order (frames_sent counts them); when fewer than asked, *err is the
 *   kick's error for the first one not taken (-EAGAIN when it gave none) and the frames not taken
 *   stay put: kick again from the first not taken, or drop it (packet_ring_direct_drop: the
 *   kernel passes over it at the next kick) and kick the rest, or drop them all.
 * packet_ring_direct_end: the frames of the batch that were not put are left unused; the next
 *   batch starts after the last frame put. */
#define PACKET_RING_DIRECT_MAX (PACKET_RING_FRAMES / 2)
int packet_ring_direct_begin(uint8_t **frame, unsigned want);
void packet_ring_direct_put(const unsigned *len, size_t hdr_len, unsigned n);
int packet_ring_direct_kick(int ifindex, unsigned first, unsigned n, int dontwait, uint16_t proto,
			    int *err);
void packet_ring_direct_drop(unsigned k);
void packet_ring_direct_end(void);

/* Wait (at most max_us) until the next slot is free again. Returns 0 or -EAGAIN. */
int packet_ring_wait(unsigned max_us);

#endif
