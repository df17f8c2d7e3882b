/* ip_output: one UDP datagram into IPv4 frames on an Ethernet device — the shim's ip_make_skb,
 * __ip_append_data, ip_do_fragment and udp_send_skb, ending in dev_xmit. */
#ifndef SHIM_IP_OUTPUT_H
#define SHIM_IP_OUTPUT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "shim/frame_set.h"
#include "shim/ip_options.h"
#include "shim/path_trace.h"

struct udp_datagram {
	/* flow, network order */
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	/* IPv4 header fields */
	uint8_t tos, ttl;
	uint16_t id;	 /* of the datagram; every fragment carries it */
	uint8_t id_rule; /* where id comes from (enum ip_id_rule, inet/ip_make_skb.h) */
	bool df;
	uint32_t fragsize; /* MTU the datagram is laid out for (cork->fragsize) */
	/* link */
	int oif;
	uint8_t src_mac[6], dst_mac[6];
	/* payload in the program's memory, len bytes in all */
	const struct iovec *iov;
	int iovcnt;
	size_t len;
	bool dontwait;
	uint16_t gso_size; /* UDP_SEGMENT: a super-packet to segment at this size (0: none) */
	/* UDP-Lite, SO_NO_CHECK, IP options (udp_csum.h); all zero for a plain UDP datagram */
	uint8_t protocol; /* 0 (= IPPROTO_UDP) or IPPROTO_UDPLITE */
	bool no_check;	  /* SO_NO_CHECK: UDP checksum field 0 */
	bool cscov_set;	  /* UDP-Lite: UDPLITE_SEND_CSCOV was set (UDPLITE_SEND_CC) ... */
	uint16_t cscov;	  /* ... to this coverage (pcslen) */
	const struct ip_optset *opt; /* compiled IP options, or NULL */
	/* the UDP checksum computed in software even in one frame (CHECKSUM_NONE): a corked
	 * datagram, whose first __ip_append_data had MSG_MORE (udp_csum.h udp_csum_partial) */
	bool csum_sw;
	/* skb->priority and skb->mark (__ip_make_skb: cork->priority, cork->mark), every frame's */
	uint32_t priority, mark;
};

/* udp_send_skb's answer for a transmit's -errno: a queue drop (ENOBUFS, net_xmit_errno) is no
 * error for a socket without IP_RECVERR (a socket with it is the kernel's); a device that is gone
 * or down (the packet socket's ENETDOWN, ENXIO) is ENETUNREACH, the kernel's route lookup's answer.
 */
static inline int udp_xmit_errno(int err)
{
	if (err == -ENOBUFS)
		return 0;
	if (err == -ENETDOWN || err == -ENXIO)
		return -ENETUNREACH;
	return err;
}

/* Copy the payload (fault-checked: -EFAULT), compute the UDP checksum over it (or leave it to the
 * device where the kernel does: udp_csum_partial), and lay the datagram out in frames as
 * __ip_append_data and ip_do_fragment do. Returns 0 or -errno (ENOMEM: no memory of the shim's for
 * the frames, nothing built; the caller hands the datagram to the kernel). */
int ip_build_udp_frames(const struct udp_datagram *d, struct frame_set *fs);

/* Datagrams of one sendmmsg call waiting to go out with one transmit (AF_PACKET sendmmsg). Each is
 * a single frame whose payload stays in the program's buffers. */
#define XMIT_BATCH_MAX 16
#define XMIT_SLOT_IOVS 8
struct xmit_slot {
	uint8_t hdr[10 + 14 + 20 + 8]; /* vnet, Ethernet, IPv4, UDP */
	struct iovec parts[XMIT_SLOT_IOVS];
	int nparts;
	unsigned entry; /* index of the sendmmsg entry */
	uint32_t len;	/* its UDP payload bytes (the counters, at the flush) */
	/* the skb's priority and mark (udp_datagram): read only when the batch is tagged */
	uint32_t priority, mark;
};
struct xmit_batch {
	int n;
	int oif;
	bool dontwait;
	unsigned current_entry; /* set by the caller before each entry */
	bool tagged;	       /* an entry's skb priority or mark is not 0 (cleared by the flush) */
	unsigned failed_entry; /* after a failed flush: the entry that failed ... */
	int err;	       /* ... and its -errno; the entries before it went out */
	struct xmit_slot slot[XMIT_BATCH_MAX];
};

/* Add d to the batch instead of transmitting it. Returns 0, or -1 when it cannot be batched (it
 * is fragmented, has too many buffers, leaves by another device, or the batch is full): the caller
 * flushes the batch and sends d by itself. */
int ip_output_defer(struct xmit_batch *b, const struct udp_datagram *d, struct path_trace *t);

/* Transmit what the batch holds, in order. Returns 0, or -1 when an entry failed (failed_entry,
 * err; the ones before it went out, the ones after it did not). The batch is empty afterwards.
 * The datagrams that went out are counted here (udp_count_sent's counters), not when batched. */
int xmit_batch_flush(struct xmit_batch *b);

/* Build and transmit. Returns 0, or -errno: EFAULT (payload unreadable: nothing sent), ENOMEM (no
 * memory of the shim's: nothing sent), ENOBUFS, EAGAIN, ENETDOWN ... as the device answered. */
int ip_output_udp(const struct udp_datagram *d, struct path_trace *t);

struct dev_meta;

/* What the device stack is told of a frame built with [vnet | Ethernet | IPv4 without options |
 * UDP] headers (hdr, as ip_output and the fast path build them) and payload bytes after them: it
 * becomes segs frames on the wire; single: a whole datagram, its checksum left to the device (the
 * flow identity is filled in when a device of the stack merges flows). */
void ip_udp_frame_meta(struct dev_meta *m, const uint8_t *hdr, size_t payload, unsigned segs,
		       bool single, uint32_t priority, uint32_t mark);

/* Transmit a one-frame datagram: iov[0] its headers as above, the other parts its payload bytes;
 * priority and mark its skb's. Returns 0 or -errno as the device answered. */
int ip_output_frame(int oif, const struct iovec *iov, int iovcnt, size_t payload, bool dontwait,
		    uint32_t priority, uint32_t mark);

/* The frames a datagram of total IP length `total` (header included) makes at fragsize with an
 * IP header of hlen bytes, and the data bytes each fragment but the last carries ((fragsize -
 * hlen) & ~7); the last carries the rest, which may be up to 7 bytes more than that. */
unsigned ip_fragment_count(size_t total, size_t hlen, uint32_t fragsize, size_t *per_fragment);

#endif
