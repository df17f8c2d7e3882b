/* udp_gso: UDP_SEGMENT (UDP GSO) decisions of the send path — the checks of udp_send_skb's GSO
 * block (net/ipv4/udp.c) and the size limit __ip_append_data applies to a GSO datagram
 * (udp4-send-path.md 5.10). The frames themselves are built by ip_output_gso.c. */
#ifndef SHIM_UDP_GSO_H
#define SHIM_UDP_GSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* UDP_MAX_SEGMENTS of include/linux/udp.h on 6.18 (64 before 6.10) */
#define UDP_GSO_MAX_SEGMENTS 128

/* What udp_send_skb does with a datagram built with a gso_size. */
enum udp_gso_verdict {
	UDP_GSO_PLAIN,	 /* no gso_size, or payload ≤ gso_size: an ordinary datagram */
	UDP_GSO_SEGMENT, /* a super-packet cut into ceil(payload / gso_size) datagrams */
};

/* The datagram's GSO facts for the checks below. */
struct udp_gso_req {
	size_t datalen;	   /* UDP payload bytes */
	unsigned gso_size; /* cork->gso_size: the cmsg's, else the socket option's; 0 = none */
	size_t hlen;	   /* IP header (with options) + UDP header */
	uint32_t fragsize; /* cork->fragsize: the MTU the datagram is built for */
	bool no_check;	   /* SO_NO_CHECK */
	bool udplite;	   /* a UDP-Lite socket */
};

/* The largest datagram __ip_append_data accepts: a gso_size lifts the MTU limit of the
 * IP_MTU_DISCOVER modes that refuse fragmentation up to the 65535 total (mtu = IP_MAX_MTU). */
static inline uint32_t udp_gso_maxsize(unsigned gso_size, uint32_t maxsize)
{
	return gso_size ? 65535u : maxsize;
}

/* udp_send_skb's GSO block, in its order: segment payload over the MTU → -EMSGSIZE, more than
 * UDP_MAX_SEGMENTS segments → -EINVAL, SO_NO_CHECK → -EINVAL, UDP-Lite → -EIO; then a payload above
 * gso_size is segmented. Returns an enum udp_gso_verdict or -errno. */
int udp_gso_check(const struct udp_gso_req *r);

/* The kernel copies the payload (ip_make_skb) before udp_send_skb's checks, so a GSO error is
 * only reported for a readable payload: err, or -EFAULT when any payload byte is unreadable. */
int udp_gso_error(int err, const struct iovec *iov, int iovcnt, size_t len);

/* udp_send_skb's hook: gso_size (the control message's, else the option's) for datagram d (laid
 * out for an MTU of d->fragsize; SO_NO_CHECK and UDP-Lite from d). Returns the size to segment at
 * (the payload is above it), 0 for an ordinary datagram, or -errno; says so in the path trace t. */
struct udp_datagram;
struct path_trace;
long udp_gso_decide(const struct udp_datagram *d, unsigned gso_size, struct path_trace *t);

#endif
