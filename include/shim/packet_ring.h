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

/* Wait (at most max_us) until the next slot is free again. Returns 0 or -EAGAIN. */
int packet_ring_wait(unsigned max_us);

#endif
