/* The datagram core driven from above (sys_sendto / sys_sendmsg → inet_sendmsg → udp_sendmsg, the
 * cork, the fast path) onto the in-memory device, for the unit tests check_udp_cork,
 * check_udp_segment and check_udp_fastpath. The program's socket is a real, unprivileged kernel UDP
 * socket (autobound to 0.0.0.0 by the first send: nothing is ever sent through it); the route and
 * neighbour answers for 192.0.2.0/24 are fixed (route_fixed.h: no rtnetlink request), the frames
 * go to the memory device, and the packet socket is never opened. No root, no namespace. */
#ifndef CHECK_UDP_CORE_H
#define CHECK_UDP_CORE_H

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <linux/virtio_net.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shim/dev.h"
#include "shim/dev_mem.h"
#include "shim/dev_xmit_fast.h"
#include "shim/fdevents.h"
#include "shim/fault.h"
#include "shim/fdtable.h"
#include "shim/netdev.h"
#include "shim/route_fixed.h"
#include "shim/shim_proc.h"
#include "shim/sockevents.h"
#include "shim/sys_send.h"
#include "shim/wire.h"

#define VNET 10
#define ETH  14
#define L3   (VNET + ETH)      /* IPv4 header of a frame */
#define L4   (VNET + ETH + 20) /* UDP header (no IP options) */
#define PAY  (VNET + ETH + 28) /* payload */

#define FIXED_IFINDEX 7
#define FIXED_TTL     61 /* the route's default TTL: not the host's 64 */
static const uint8_t dev_mac[6] = {2, 0, 0, 0, 0, 0x11};
static const uint8_t hop_mac[6] = {2, 0, 0, 0, 0, 0x22};

static inline uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static bool fault_installed;

/* The memory device under an otherwise plain stack, the fixed answers for 192.0.2.0/24 with
 * this MTU. */
static inline void core_setup(uint32_t mtu)
{
	struct route_fixed f = {
	    .net = htonl(0xc0000200),
	    .mask = htonl(0xffffff00),
	    .saddr = htonl(0xc0000201), /* 192.0.2.1 */
	    .ifindex = FIXED_IFINDEX,
	    .dev_name = "mem0",
	    .mtu = mtu,
	    .default_ttl = FIXED_TTL,
	};

	memcpy(f.dev_mac, dev_mac, 6);
	memcpy(f.nexthop_mac, hop_mac, 6);
	/* a forked test process is a new one for the shim (its after-fork hooks reset the route
	 * state): made so before the answers are fixed */
	shim_proc_refresh();
	/* as at load: a fault in a copy from the program is an error, so the fast entries read
	 * the program's arguments inline (umem_fault_safe) */
	if (!fault_installed) {
		ck_assert_int_eq(fault_handler_install(), 0);
		fault_installed = true;
	}
	dev_mem_reset();
	netdev_stack_build(&(struct netdev_stack_conf){.bottom = &netdev_mem});
	route_fixed_set(&f);
	dev_ufo = true;
}

static inline void core_teardown(void)
{
	ck_assert_int_eq(dev_packet_fd, -1); /* nothing went near a network */
	route_fixed_set(NULL);
}

/* A kernel UDP socket the shim owns, as the socket() interposer leaves it. */
static inline int core_socket(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	ck_assert_int_ge(fd, 0);
	fdev_socket(fd, AF_INET, SOCK_DGRAM, 0);
	return fd;
}

/* A socket connected to 127.0.0.1:port, with the fixed answers covering 127.0.0.0/8 (MTU 1500):
 * connect asks the host's routing for nothing beyond loopback. After core_setup. */
static inline int core_connect_loopback(uint16_t port)
{
	struct sockaddr_in peer = {
	    .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(0x7f000001)};
	struct route_fixed f = {
	    .net = htonl(0x7f000000),
	    .mask = htonl(0xff000000),
	    .saddr = htonl(0x7f000001),
	    .ifindex = FIXED_IFINDEX,
	    .dev_name = "mem0",
	    .mtu = 1500,
	    .default_ttl = FIXED_TTL,
	};
	int fd, r;

	memcpy(f.dev_mac, dev_mac, 6);
	memcpy(f.nexthop_mac, hop_mac, 6);
	route_fixed_set(&f);
	fd = core_socket();
	r = connect(fd, (struct sockaddr *)&peer, sizeof(peer));
	sockev_connect(fd, (struct sockaddr *)&peer, sizeof(peer), r, r < 0 ? errno : 0);
	ck_assert_int_eq(r, 0);
	return fd;
}

static inline void core_close(int fd)
{
	fd_token_t tok = fdtable_token(fd);
	int r = close(fd);

	fdev_close(fd, tok, r, r < 0 ? errno : 0);
}

/* setsockopt as the interposer makes it: the kernel's call, then the shim's state. */
static inline int core_setsockopt(int fd, int level, int name, int v)
{
	int r = setsockopt(fd, level, name, &v, sizeof(v));

	sockev_setsockopt(fd, level, name, &v, sizeof(v), r, r < 0 ? errno : 0);
	return r;
}

static inline struct sockaddr_in core_dest(uint8_t host, uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};

	a.sin_addr.s_addr = htonl(0xc0000200 | host);
	return a;
}

static inline long core_sendto(int fd, const void *buf, size_t len, int flags,
			       const struct sockaddr_in *to)
{
	return sys_sendto(fd, buf, len, flags, (const struct sockaddr *)to, to ? sizeof(*to) : 0);
}

/* The socket's port (network order), after the autobind. */
static inline uint16_t core_port(int fd)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);

	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	return a.sin_port;
}

/* The UDP checksum of a datagram (ulen bytes at udp, in a frame whose vnet header is vh) as the
 * receiver checks it, after the device completed it when asked to: the sum with the
 * pseudo-header is 0. */
static inline void check_udp_csum(const struct virtio_net_hdr *vh, uint8_t *udp, size_t ulen,
				  uint32_t saddr, uint32_t daddr)
{
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		/* the field holds the pseudo-header sum; the device sums from csum_start on */
		uint16_t c;

		ck_assert_int_eq(vh->csum_offset, 6);
		c = csum_fold(csum_partial(udp, ulen, 0));
		memcpy(udp + 6, &c, 2);
	}
	ck_assert(be16(udp + 6) != 0); /* 0 would be "no checksum" */
	ck_assert_int_eq(
	    csum_fold(csum_partial(udp, ulen, csum_pseudo_ipv4(saddr, daddr, 17, (uint16_t)ulen))),
	    0);
}

/* Check frame i as one whole datagram (not a fragment, no options) from 192.0.2.1:sport to
 * 192.0.2.host:dport carrying payload; returns its IPv4 header's offset in the frame. */
static inline void check_datagram_frame(int i, uint16_t sport, uint8_t host, uint16_t dport,
					const void *payload, size_t len)
{
	const struct dev_mem_frame *f = dev_mem_frame(i);
	static uint8_t copy[VNET + ETH + 65535];
	struct virtio_net_hdr vh;
	const uint8_t *ip;
	struct sockaddr_in to = core_dest(host, dport);

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->len, PAY + len);
	ck_assert_int_eq(f->ifindex, FIXED_IFINDEX);
	memcpy(copy, f->data, f->len);
	memcpy(&vh, copy, sizeof(vh));
	ip = copy + L3;
	ck_assert_mem_eq(copy + VNET, hop_mac, 6);
	ck_assert_mem_eq(copy + VNET + 6, dev_mac, 6);
	ck_assert_int_eq(be16(copy + VNET + 12), 0x0800);
	ck_assert_int_eq(ip[0], 0x45);
	ck_assert_int_eq(be16(ip + 2), 28 + len);
	ck_assert_int_eq(be16(ip + 6) & 0x3fff, 0); /* no MF, offset 0 */
	ck_assert_int_eq(ip[9], 17);
	ck_assert_int_eq(csum_fold(csum_partial(ip, 20, 0)), 0);
	ck_assert_mem_eq(ip + 12, &(uint32_t){htonl(0xc0000201)}, 4);
	ck_assert_mem_eq(ip + 16, &to.sin_addr.s_addr, 4);
	ck_assert_mem_eq(copy + L4, &sport, 2);
	ck_assert_mem_eq(copy + L4 + 2, &to.sin_port, 2);
	ck_assert_int_eq(be16(copy + L4 + 4), 8 + len);
	ck_assert_mem_eq(copy + PAY, payload, len);
	check_udp_csum(&vh, copy + L4, 8 + len, htonl(0xc0000201), to.sin_addr.s_addr);
}

#endif
