/* dev: the transmit end — frames onto an interface through one AF_PACKET socket (dev_queue_xmit).
 *
 * The packet socket is opened when the library loads, while the process still holds CAP_NET_RAW
 * (some programs drop every capability before they open their first socket), as an internal fd.
 * It receives nothing (protocol 0); each frame names its interface, except those of the interface
 * it is bound to (the first a one-frame datagram left by, src/dev/packet_xmit.c). PACKET_VNET_HDR
 * is on, so a frame can ask the kernel to finish the UDP checksum (VIRTIO_NET_HDR_F_NEEDS_CSUM)
 * over payload it copies straight from the program's buffers. */
#ifndef SHIM_DEV_H
#define SHIM_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* Bytes of struct virtio_net_hdr that start every frame handed to dev_xmit. */
#define DEV_VNET_HDR_LEN 10

/* Open the packet socket, or adopt inherited_fd (>= 0: a packet socket opened by a privileged
 * launcher, see shim-run --unprivileged). Returns 0, or -errno (EPERM without CAP_NET_RAW). */
int dev_xmit_open(int inherited_fd);

/* Whether frames can be sent. */
int dev_xmit_ready(void);

/* The network namespace the packet socket belongs to (its SO_NETNS_COOKIE), fixed at open: every
 * frame leaves there, so only sockets of that namespace, with routes asked there, may send
 * through it. 0 when the kernel cannot tell (no comparison is possible). */
unsigned long long dev_netns_cookie(void);

/* Write a virtio_net_hdr asking for the checksum at csum_start + csum_offset (0, 0: none). */
void dev_put_vnet_hdr(uint8_t *p, uint16_t hdr_len, uint16_t csum_start, uint16_t csum_offset);

/* A UDP/IPv4 datagram as one frame the kernel fragments (software UFO, VIRTIO_NET_HDR_GSO_UDP):
 * the UDP checksum completed over the whole datagram, the IP payload cut into frag_size pieces
 * (a multiple of 8), each fragment with the datagram's IP header, its offset and MF. */
void dev_put_vnet_hdr_ufo(uint8_t *p, uint16_t hdr_len, uint16_t csum_start, uint16_t frag_size);

/* Turn the virtio_net_hdr at p (a one-frame datagram's, dev_put_vnet_hdr with the UDP checksum
 * asked for) into a UDP GSO super-packet's: segments of gso_size payload bytes
 * (VIRTIO_NET_HDR_GSO_UDP_L4). */
static inline void dev_vnet_hdr_set_gso_udp_l4(uint8_t *p, uint16_t gso_size)
{
	p[1] = 5;			       /* gso_type: VIRTIO_NET_HDR_GSO_UDP_L4 */
	__builtin_memcpy(p + 4, &gso_size, 2); /* gso_size (little-endian, as the host) */
}

/* Whether datagrams larger than the MTU leave as one UFO frame (false: SHIM_UFO=0, or the packet
 * socket refused one with EINVAL; then their fragments are sent one by one). */
extern bool dev_ufo;

struct dev_meta; /* include/shim/netdev.h */

/* A frame's skb priority and mark (SO_PRIORITY, SO_MARK and their control messages, the priority
 * IP_TOS derives) reach the device as the packet socket's control messages: packet_snd and
 * tpacket_snd start from the packet socket's sk_priority and sk_mark (0, 0: sockcm_init) and take
 * SO_PRIORITY and SO_MARK messages over them (sock_cmsg_send). Only what differs from 0 is given,
 * so a frame with neither costs nothing. dev_skb_ctl writes the messages into buf (at least
 * DEV_SKB_CTL_MAX bytes, aligned for a cmsghdr) and returns their length (0: none). */
#define DEV_SKB_CTL_MAX 48 /* 2 * CMSG_SPACE(4) */
size_t dev_skb_ctl(void *buf, uint32_t priority, uint32_t mark);

/* Whether the packet socket may refuse those messages (EPERM: SO_MARK, and a priority outside
 * 0..6, need CAP_NET_RAW or CAP_NET_ADMIN at the time of the send, __sock_cmsg_send); the caller
 * then hands the datagram to the kernel socket, whose skb takes them from the socket. */
static inline bool dev_skb_needs_caps(uint32_t priority, uint32_t mark)
{
	return mark != 0 || priority > 6;
}

/* Transmit one frame (vnet header + Ethernet frame, in iov parts) on ifindex, through the device
 * stack (include/shim/netdev.h); m: what the layer above knows of it (NULL: nothing). Returns 0 or
 * -errno as the device answered (EFAULT when a payload part was unreadable, ENOBUFS when the queue
 * dropped it, ...). dontwait: MSG_DONTWAIT. */
int dev_xmit(int ifindex, const struct iovec *iov, int iovcnt, const struct dev_meta *m,
	     int dontwait);

/* Transmit n frames in order; frame i is iov[i] with iovcnt[i] parts, m[i] (m NULL: nothing
 * known). Returns the number of frames sent, or -errno if the first failed. */
int dev_xmit_batch(int ifindex, struct iovec *const *iov, const int *iovcnt,
		   const struct dev_meta *m, int n, int dontwait);

/* Around the transmission of one datagram's fragments as separate frames (the fallback when
 * they cannot leave as one UFO frame): one thread at a time, so the fragments of the process's
 * datagrams do not interleave (a peer drops a datagram whose fragments arrive more than
 * ipfrag_max_dist fragments apart). */
void dev_xmit_frags_begin(void);
void dev_xmit_frags_end(void);

#endif
