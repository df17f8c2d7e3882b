/* packet_xmit: dev_queue_xmit through AF_PACKET (see include/shim/dev.h). */
#include "shim/config.h"
#include "shim/dev.h"
#include "shim/dev_xmit_fast.h"
#include "shim/internal_fd.h"
#include "shim/netdev.h"
#include "shim/packet_ring.h"
#include "shim/rawsys.h"
#include "shim/shim_lock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#define MAX_BATCH 64

int dev_packet_fd = -1; /* shared with the inlined transmit (include/shim/dev_xmit_fast.h) */
static unsigned long long packet_netns; /* the namespace the packet socket sends in */

/* The packet socket bound to one interface, the first a one-frame datagram left by: its frames
 * then go without an address (dev_xmit_fast), which spares packet_snd the address's import and
 * the device lookup (move_addr_to_kernel, dev_get_by_index). Bound with protocol 0, it still
 * receives nothing and each frame's protocol is read from its Ethernet header
 * (packet_parse_headers); the binding is never changed. Only the process that made the socket binds
 * it, once (the flag goes in a child: a child of fork shares the socket and knows of a binding made
 * before the fork only, an inherited socket is never bound), so every process that sends without an
 * address knows what the socket is bound to. 0: not bound. */
int dev_packet_bound_ifindex;
static bool packet_may_bind;

static void packet_bind_after_fork_child(void)
{
	packet_may_bind = false;
}
SHIM_AFTER_FORK(packet_bind_after_fork_child);

static void packet_bind_once(int ifindex)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_ifindex = ifindex};

	if (!__atomic_exchange_n(&packet_may_bind, false, __ATOMIC_ACQ_REL))
		return;
	if (rawsys3(SYS_bind, dev_packet_fd, &sll, sizeof(sll)) == 0)
		__atomic_store_n(&dev_packet_bound_ifindex, ifindex, __ATOMIC_RELEASE);
}

int dev_xmit_open(int inherited_fd)
{
	long fd = inherited_fd >= 0 ? inherited_fd
				    : rawsys3(SYS_socket, AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	int one = 1, sndbuf = 4 << 20;

	if (fd < 0)
		return (int)fd;
	if (rawsys5(SYS_setsockopt, fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0) {
		rawsys1(SYS_close, fd);
		return -EOPNOTSUPP;
	}
	/* Room for bursts: the kernel's UDP socket would have its own sndbuf; this one is shared.
	 */
	if (rawsys5(SYS_setsockopt, fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0)
		rawsys5(SYS_setsockopt, fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	dev_ufo = shim_config.ufo;
	dev_packet_fd = internal_fd_adopt((int)fd, true);
	internal_fd_track(&dev_packet_fd);
	packet_netns = rawsys_netns_cookie(dev_packet_fd);
	packet_may_bind = inherited_fd < 0 && shim_config.fastpath;
	/* the transmit ring for batches; without it (an inherited packet socket and no privilege
	 * left, or SHIM_TX_RING=0) batches go through the packet socket's sendmmsg */
	if (shim_config.tx_ring) {
		(void)packet_ring_open();
		(void)packet_ring_gso_open();
	}
	return 0;
}

unsigned long long dev_netns_cookie(void)
{
	return packet_netns;
}

bool dev_ufo = true;

int dev_xmit_ready(void)
{
	return dev_packet_fd >= 0;
}

void dev_put_vnet_hdr(uint8_t *p, uint16_t hdr_len, uint16_t csum_start, uint16_t csum_offset)
{
	struct virtio_net_hdr h;

	memset(&h, 0, sizeof(h));
	if (csum_offset) {
		h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h.csum_start = csum_start;
		h.csum_offset = csum_offset;
	}
	h.hdr_len = hdr_len;
	h.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	memcpy(p, &h, DEV_VNET_HDR_LEN);
}

void dev_put_vnet_hdr_ufo(uint8_t *p, uint16_t hdr_len, uint16_t csum_start, uint16_t frag_size)
{
	struct virtio_net_hdr h;

	memset(&h, 0, sizeof(h));
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = csum_start;
	h.csum_offset = 6; /* offsetof(struct udphdr, check) */
	h.hdr_len = hdr_len;
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	h.gso_size = frag_size;
	memcpy(p, &h, DEV_VNET_HDR_LEN);
}

/* The fragments of one datagram leave together (frames sent one by one): one thread at a time
 * transmits a datagram's fragments, as the kernel's ip_do_fragment hands them to the device in
 * one loop. (A signal handler's send never reaches the shim while its thread is inside, and a
 * child after fork finds the lock free: include/shim/shim_lock.h.) */
SHIM_LOCK_DEFINE(frags_lock);

void dev_xmit_frags_begin(void)
{
	shim_lock_acquire(&frags_lock);
}

void dev_xmit_frags_end(void)
{
	shim_lock_release(&frags_lock);
}

/* Each frame names its interface and its protocol (skb->protocol, which the kernel's offloads
 * read: the ETH_P_* of the frame's dev_meta; IPv4 without one). */
static void fill_target(struct sockaddr_ll *sll, int ifindex, uint16_t proto)
{
	memset(sll, 0, sizeof(*sll));
	sll->sll_family = AF_PACKET;
	sll->sll_protocol = htons(proto);
	sll->sll_ifindex = ifindex;
}

static inline uint16_t frame_proto(const struct dev_meta *m)
{
	return m != NULL && m->proto != 0 ? m->proto : ETH_P_IP;
}

static size_t put_u32_cmsg(uint8_t *p, int type, uint32_t v)
{
	struct cmsghdr h = {
	    .cmsg_len = CMSG_LEN(sizeof(v)), .cmsg_level = SOL_SOCKET, .cmsg_type = type};

	memcpy(p, &h, sizeof(h));
	memcpy(p + CMSG_LEN(0), &v, sizeof(v));
	return CMSG_SPACE(sizeof(v));
}

_Static_assert(DEV_SKB_CTL_MAX == 2 * CMSG_SPACE(sizeof(uint32_t)), "two messages of 4 bytes");

size_t dev_skb_ctl(void *buf, uint32_t priority, uint32_t mark)
{
	size_t n = 0;

	if (priority != 0)
		n += put_u32_cmsg((uint8_t *)buf + n, SO_PRIORITY, priority);
	if (mark != 0)
		n += put_u32_cmsg((uint8_t *)buf + n, SO_MARK, mark);
	return n;
}

/* per thread, per protocol (DEV_XMIT_L3: IPv4, IPv6), the address of the last interface */
__thread __attribute__((tls_model("initial-exec"))) struct sockaddr_ll dev_xmit_target[2];
__thread __attribute__((tls_model("initial-exec"))) int dev_xmit_target_ifindex[2];

/* The packet socket: each frame with one sendmsg. */
static int packet_xmit(struct netdev *dev, int ifindex, const struct iovec *iov, int iovcnt,
		       const struct dev_meta *m, int dontwait)
{
	uint16_t proto = frame_proto(m);
	int l3 = DEV_XMIT_L3(proto);
	struct msghdr mh;
	uint64_t ctl[DEV_SKB_CTL_MAX / 8];
	long r;

	(void)dev;
	/* a frame that becomes several on the wire: from the GSO ring, where the kernel neither
	 * allocates pages for it nor copies it (packet_ring.h) */
	if (m != NULL && m->segs > 1) {
		int g = packet_ring_gso_xmit(ifindex, iov, iovcnt, dontwait, proto,
					     dev_meta_priority(m), dev_meta_mark(m));

		if (g != -EOPNOTSUPP)
			return g;
	}
	if (__builtin_expect(packet_may_bind, 0) && ifindex > 0)
		packet_bind_once(ifindex);
	/* the address built once per thread, protocol and interface (perf) */
	if (__builtin_expect(dev_xmit_target_ifindex[l3] != ifindex ||
				 dev_xmit_target[l3].sll_protocol != htons(proto),
			     0)) {
		fill_target(&dev_xmit_target[l3], ifindex, proto);
		dev_xmit_target_ifindex[l3] = ifindex;
	}
	/* sendmsg only reads the address: the thread's own copy is given as it is */
	mh = (struct msghdr){.msg_name = &dev_xmit_target[l3],
			     .msg_namelen = sizeof(dev_xmit_target[l3]),
			     .msg_iov = (struct iovec *)iov,
			     .msg_iovlen = (size_t)iovcnt};
	/* the skb's priority and mark, where they are not the packet socket's 0 */
	if (m != NULL && (m->flags & DEV_META_SKB)) {
		mh.msg_controllen = dev_skb_ctl(ctl, m->priority, m->mark);
		if (mh.msg_controllen)
			mh.msg_control = ctl;
	}
	do
		r = rawsys3(SYS_sendmsg, dev_packet_fd, &mh, dontwait ? MSG_DONTWAIT : 0);
	while (r == -EINTR);
	return r < 0 ? (int)r : 0;
}

/* The packet socket's sendmmsg, in chunks of MAX_BATCH frames. */
static int packet_xmit_batch(struct netdev *dev, int ifindex, struct iovec *const *iov,
			     const int *iovcnt, const struct dev_meta *m, int n, int dontwait)
{
	struct sockaddr_ll sll[2]; /* by DEV_XMIT_L3 */
	struct mmsghdr mm[MAX_BATCH];
	uint64_t ctl[MAX_BATCH][DEV_SKB_CTL_MAX / 8];
	int sent = 0;

	(void)dev;
	fill_target(&sll[0], ifindex, ETH_P_IP);
	fill_target(&sll[1], ifindex, ETH_P_IPV6);
	while (sent < n) {
		int chunk = n - sent > MAX_BATCH ? MAX_BATCH : n - sent;
		long r;

		memset(mm, 0, sizeof(mm[0]) * (size_t)chunk);
		for (int i = 0; i < chunk; i++) {
			/* each frame's own protocol */
			mm[i].msg_hdr.msg_name =
			    &sll[DEV_XMIT_L3(frame_proto(m != NULL ? &m[sent + i] : NULL))];
			mm[i].msg_hdr.msg_namelen = sizeof(sll[0]);
			mm[i].msg_hdr.msg_iov = iov[sent + i];
			mm[i].msg_hdr.msg_iovlen = (size_t)iovcnt[sent + i];
			/* each frame's skb priority and mark */
			if (m != NULL && (m[sent + i].flags & DEV_META_SKB)) {
				mm[i].msg_hdr.msg_controllen =
				    dev_skb_ctl(ctl[i], m[sent + i].priority, m[sent + i].mark);
				if (mm[i].msg_hdr.msg_controllen)
					mm[i].msg_hdr.msg_control = ctl[i];
			}
		}
		do
			r = rawsys4(SYS_sendmmsg, dev_packet_fd, mm, chunk,
				    dontwait ? MSG_DONTWAIT : 0);
		while (r == -EINTR);
		if (r < 0)
			return sent ? sent : (int)r;
		sent += (int)r;
		if (r < chunk)
			break;
	}
	return sent;
}

static const struct netdev_ops packet_ops = {packet_xmit, packet_xmit_batch};
struct netdev netdev_packet = {.name = "packet", .ops = &packet_ops};
