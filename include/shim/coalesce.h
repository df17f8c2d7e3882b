/* coalesce: the opt-in coalescing mode (SHIM_COALESCE=1, off by default).
 *
 * A single-frame datagram the shim transmits itself is copied into the PACKET_TX_RING
 * (src/dev/packet_ring.c) and the send call returns its length at once; the frames held are handed
 * to the kernel together (one system call) when
 *   - SHIM_COALESCE_FRAMES frames are held (default 64, at most PACKET_RING_FRAMES / 2),
 *   - SHIM_COALESCE_USEC microseconds passed since the first of them was held (default 50; a
 *     flusher thread wakes for that deadline, so a program that sends once and then computes or
 *     sleeps still has its datagram out in time),
 *   - before the program waits or reads (poll, ppoll, select, pselect, epoll_wait, epoll_pwait,
 *     recv, recvfrom, recvmsg, recvmmsg, read, nanosleep, clock_nanosleep, usleep, sleep), before
 *     close, fork, execve and at exit,
 *   - before any other transmit of the shim (a fragmented datagram, a sendmmsg batch, a hand-off
 *     to the kernel socket), so the order on the wire is the order of the calls.
 * Held datagrams that continue the last one's flow (the same dev_meta flow identity, given by the
 * layer above; the ID one more; the same payload size, or a shorter one that ends the run) are
 * appended to its ring slot, which leaves as one VIRTIO_NET_HDR_GSO_UDP_L4 frame: the kernel's
 * segmentation at the device gives back the very frames (SHIM_COALESCE_GSO=0: off).
 * Trade-offs, stated in docs/performance.md: the payload is copied by the shim when the call is
 * made, directly (an unmapped buffer crashes the program where the kernel would answer EFAULT;
 * addresses below 64 KiB still give EFAULT); a device error at the kick is not reported to any call
 * (the kernel does not report those for UDP either, without IP_RECVERR); datagrams go out up to
 * SHIM_COALESCE_USEC later. */
#ifndef SHIM_COALESCE_H
#define SHIM_COALESCE_H

#include <stddef.h>
#include <sys/uio.h>

/* Frames held now; read without the lock by the wait hooks (a hint: a stale non-zero only costs a
 * lock, a stale zero is impossible for the calling thread's own datagrams). */
extern int coalesce_held;

/* Before the transmit ring is opened, when coalescing will be on: its slots are made large enough
 * for GSO runs (unless SHIM_COALESCE_GSO=0). */
void coalesce_prepare(void);

/* Turn coalescing on (opens the ring). Returns 0 or -errno. */
int coalesce_start(int frames, unsigned usec);

struct dev_meta;

/* Hold one frame (vnet header + Ethernet frame in iov parts) for ifindex; m: what the layer above
 * says of it (a run is made of frames it marks DEV_META_SINGLE with their flow; the frame is not
 * parsed). Returns 0 when it is held, -EFAULT for a payload address in the first 64 KiB, or
 * another -errno when it was not taken (the caller transmits it itself, after coalesce_flush):
 * among them a frame whose skb priority or mark the packet socket may refuse (dev_skb_needs_caps,
 * which must be known when the program is answered, not at the kick). Only called when
 * coalescing is on. */
int coalesce_put(int ifindex, const struct iovec *iov, int iovcnt, const struct dev_meta *m);

/* Hand what is held to the kernel now. */
void coalesce_flush(void);

/* Whether coalescing is on (set once at start-up). */
extern int coalesce_mode;

/* One line on what coalescing did (frames, kicks, how long the oldest frame of each kick was
 * held: p50, p99, max), for SHIM_STATS=on at exit. Returns its length (0: nothing to say). */
size_t coalesce_report(char *buf, size_t cap);

/* Before the program blocks, reads, closes or leaves: flush what is held (one branch when nothing
 * is). */
static inline void coalesce_before_wait(void)
{
	if (__builtin_expect(__atomic_load_n(&coalesce_held, __ATOMIC_RELAXED) != 0, 0))
		coalesce_flush();
}

#endif
