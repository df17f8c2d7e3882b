/* The AF_PACKET ceilings: a prebuilt frame sent with one send() each, prebuilt frames in a
 * PACKET_TX_RING kicked BATCH at a time, a prebuilt GSO frame with a virtio-net header (by send(),
 * or from a PACKET_TX_RING slot, one kick per frame). They
 * bypass the qdisc (PACKET_QDISC_BYPASS) unless r->qdisc (the shim's packet socket does not:
 * its frames meet the qdisc as the kernel's do). */
#include "raw_tx.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /* uapi value since Linux 4.18 */
#endif

#define RING_FRAME  2048
#define RING_BLOCK  (1 << 16)
#define RING_BLOCKS 16 /* 512 frames: two batches of 256 in flight at most */

/* A TX-only packet socket (protocol 0: it receives nothing) bound to the device. */
static int packet_socket(const struct raw_run *r)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_ifindex = r->ifindex};
	int fd = socket(AF_PACKET, SOCK_RAW, 0), one = 1;

	if (fd < 0) {
		perror("raw_tx: socket(AF_PACKET)");
		return -1;
	}
	if (!r->qdisc && setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) != 0)
		perror("raw_tx: PACKET_QDISC_BYPASS (going through the qdisc)");
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		perror("raw_tx: bind(AF_PACKET)");
		close(fd);
		return -1;
	}
	return fd;
}

int raw_packet_send(struct raw_run *r)
{
	int fd = packet_socket(r);

	if (fd < 0)
		return -1;
	send(fd, r->frame, r->frame_len, 0); /* warm up */
	raw_start(r);
	for (long i = 0; i < r->count; i++) {
		r->sent += send(fd, r->frame, r->frame_len, 0) == (ssize_t)r->frame_len;
		r->kicks++;
	}
	close(fd);
	return 0;
}

struct tx_ring {
	unsigned char *map;
	unsigned frames, head;
	size_t data_off;
};

static struct tpacket2_hdr *ring_slot(const struct tx_ring *t, unsigned i)
{
	return (struct tpacket2_hdr *)(t->map + (size_t)(i % t->frames) * RING_FRAME);
}

/* Mark up to n prebuilt frames for sending (those the kernel has given back), then kick once;
 * a blocking kick returns when the device took them all. Returns the frames marked. */
static long ring_batch(int fd, struct tx_ring *t, const struct raw_run *r, long n, long *kicks)
{
	long marked = 0;

	for (; marked < n; marked++) {
		struct tpacket2_hdr *h = ring_slot(t, t->head);

		if (__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) != TP_STATUS_AVAILABLE)
			break;
		h->tp_len = (uint32_t)r->frame_len;
		__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
		t->head = (t->head + 1) % t->frames;
	}
	if (send(fd, NULL, 0, 0) >= 0)
		(*kicks)++;
	return marked;
}

int raw_packet_ring(struct raw_run *r)
{
	struct tpacket_req req = {.tp_block_size = RING_BLOCK,
				  .tp_block_nr = RING_BLOCKS,
				  .tp_frame_size = RING_FRAME,
				  .tp_frame_nr = RING_BLOCK / RING_FRAME * RING_BLOCKS};
	struct tx_ring t = {.frames = req.tp_frame_nr,
			    .data_off = TPACKET2_HDRLEN - sizeof(struct sockaddr_ll)};
	int fd = packet_socket(r), v = TPACKET_V2;
	long tries = 0, warm = 0;

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) != 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req)) != 0) {
		perror("raw_tx: PACKET_TX_RING");
		close(fd);
		return -1;
	}
	t.map = mmap(NULL, (size_t)RING_BLOCK * RING_BLOCKS, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_POPULATE, fd, 0);
	if (t.map == MAP_FAILED) {
		perror("raw_tx: mmap(PACKET_TX_RING)");
		close(fd);
		return -1;
	}
	/* every slot holds the frame from the start: a kick only sets lengths and states */
	for (unsigned i = 0; i < t.frames; i++)
		memcpy((unsigned char *)ring_slot(&t, i) + t.data_off, r->frame, r->frame_len);
	ring_batch(fd, &t, r, r->batch, &warm);
	raw_start(r);
	/* bounded: a kick that sends nothing counts as a try, and a few million of those end it */
	while (r->sent < r->count && tries < r->count + 1000000) {
		long n = r->count - r->sent < r->batch ? r->count - r->sent : r->batch;
		long m = ring_batch(fd, &t, r, n, &r->kicks);

		r->sent += m;
		tries += m == 0;
	}
	/* what the last kick marked has been sent once the blocking kick returned; frames still
	 * marked (a kick that failed) are not counted as sent */
	for (unsigned i = 0; i < t.frames; i++)
		if (ring_slot(&t, i)->tp_status != TP_STATUS_AVAILABLE)
			r->sent--;
	munmap(t.map, (size_t)RING_BLOCK * RING_BLOCKS);
	close(fd);
	return 0;
}

/* One send per GSO frame: a virtio-net header (UDP_L4 segments of gso_size, the checksum left to
 * the device) and the prebuilt super-frame, as two iovecs of one sendmsg. r->count counts
 * segments, r->batch of them per frame. */
int raw_packet_gso(struct raw_run *r)
{
	struct virtio_net_hdr vh = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				    .gso_type = VIRTIO_NET_HDR_GSO_UDP_L4,
				    .hdr_len = 14 + 20 + 8,
				    .gso_size = (uint16_t)r->gso_size,
				    .csum_start = 14 + 20,
				    .csum_offset = 6};
	struct iovec iov[2] = {{&vh, sizeof(vh)}, {(void *)r->frame, r->frame_len}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
	ssize_t want = (ssize_t)(sizeof(vh) + r->frame_len);
	int fd = packet_socket(r), one = 1;

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) != 0) {
		perror("raw_tx: PACKET_VNET_HDR");
		close(fd);
		return -1;
	}
	if (sendmsg(fd, &mh, 0) != want) { /* warm up, and say why when it fails */
		perror("raw_tx: sendmsg(GSO frame)");
		close(fd);
		return -1;
	}
	raw_start(r);
	for (long i = 0; i < r->count; i += r->batch) {
		r->sent += sendmsg(fd, &mh, 0) == want ? r->batch : 0;
		r->kicks++;
	}
	/* whole frames only: the count rounded up to a multiple of the batch, as udp_bench does */
	r->count = (r->count + r->batch - 1) / r->batch * r->batch;
	close(fd);
	return 0;
}

/* The GSO frame from a TX ring (PACKET_VNET_HDR, TPACKET_V2): each of GSO_RING_SLOTS slots of
 * GSO_RING_SLOT bytes (one block each) holds the virtio-net header and the super-frame from the
 * start; per frame the slot is marked and kicked with a send() that does not wait, then the next
 * slot is used once the kernel gave it back (a blocking kick when it has not yet). The kernel takes
 * the slot's pages as the skb's fragments (no allocation of pages, no copy), as the shim's GSO
 * ring (src/dev/packet_ring.c, packet_ring_gso_xmit) does. */
#define GSO_RING_SLOT  (1 << 17)
#define GSO_RING_SLOTS 4

/* Mark the next slot and kick without waiting; a slot the kernel still holds is waited for with
 * blocking kicks (bounded). Returns whether the frame was kicked. */
static int gso_ring_one(int fd, struct tx_ring *t, size_t len)
{
	struct tpacket2_hdr *h = (struct tpacket2_hdr *)(t->map + (size_t)t->head * GSO_RING_SLOT);

	for (int w = 0;
	     w < 1000 && __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) != TP_STATUS_AVAILABLE;
	     w++)
		send(fd, NULL, 0, 0);
	if (__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) != TP_STATUS_AVAILABLE)
		return 0;
	h->tp_len = (uint32_t)len;
	__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
	t->head = (t->head + 1) % t->frames;
	return send(fd, NULL, 0, MSG_DONTWAIT) >= 0;
}

int raw_packet_gso_ring(struct raw_run *r)
{
	struct virtio_net_hdr vh = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				    .gso_type = VIRTIO_NET_HDR_GSO_UDP_L4,
				    .hdr_len = 14 + 20 + 8,
				    .gso_size = (uint16_t)r->gso_size,
				    .csum_start = 14 + 20,
				    .csum_offset = 6};
	struct tpacket_req req = {.tp_block_size = GSO_RING_SLOT,
				  .tp_block_nr = GSO_RING_SLOTS,
				  .tp_frame_size = GSO_RING_SLOT,
				  .tp_frame_nr = GSO_RING_SLOTS};
	struct tx_ring t = {.frames = GSO_RING_SLOTS,
			    .data_off = TPACKET2_HDRLEN - sizeof(struct sockaddr_ll)};
	int fd = packet_socket(r), v = TPACKET_V2, one = 1;
	size_t map_len = (size_t)GSO_RING_SLOT * GSO_RING_SLOTS, len = sizeof(vh) + r->frame_len;

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) != 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) != 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req)) != 0) {
		perror("raw_tx: PACKET_TX_RING with PACKET_VNET_HDR");
		close(fd);
		return -1;
	}
	t.map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (t.map == MAP_FAILED) {
		perror("raw_tx: mmap(PACKET_TX_RING)");
		close(fd);
		return -1;
	}
	for (unsigned i = 0; i < t.frames; i++) {
		unsigned char *d = t.map + (size_t)i * GSO_RING_SLOT + t.data_off;

		memcpy(d, &vh, sizeof(vh));
		memcpy(d + sizeof(vh), r->frame, r->frame_len);
	}
	if (!gso_ring_one(fd, &t, len)) { /* warm up, and say why when it fails */
		perror("raw_tx: kick of the GSO frame");
		munmap(t.map, map_len);
		close(fd);
		return -1;
	}
	raw_start(r);
	for (long i = 0; i < r->count; i += r->batch) {
		int ok = gso_ring_one(fd, &t, len);

		r->sent += ok ? r->batch : 0;
		r->kicks += ok;
	}
	/* whole frames only, as raw_packet_gso; frames still marked (a kick that failed) are not
	 * counted as sent */
	r->count = (r->count + r->batch - 1) / r->batch * r->batch;
	for (unsigned i = 0; i < t.frames; i++)
		if (((struct tpacket2_hdr *)(t.map + (size_t)i * GSO_RING_SLOT))->tp_status !=
		    TP_STATUS_AVAILABLE)
			r->sent -= r->batch;
	munmap(t.map, map_len);
	close(fd);
	return 0;
}
