/* wire: header layouts and checksums, pure functions without I/O.
 *
 * Addresses and ports are kept in network byte order everywhere in the shim (as the kernel keeps
 * them in struct inet_sock), so they go into headers unchanged. */
#ifndef SHIM_WIRE_H
#define SHIM_WIRE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ETH_HLEN_BYTES 14
#define IPV4_HLEN_MIN  20
#define IPV6_HLEN      40
#define UDP_HLEN       8
#define IP_MAX_TOTAL   65535

/* One's complement arithmetic (RFC 1071). A partial sum is a 32-bit accumulator that has not been
 * folded; csum_add combines two, csum_fold folds to 16 bits and complements. */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);
uint32_t csum_add(uint32_t a, uint32_t b);

static inline uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* A partial sum folded to 16 bits, not complemented: the base of a template's sums, to which a
 * few 16-bit fields can be added without overflowing 32 bits (udp_frame_patch). */
static inline uint32_t csum_base16(uint32_t sum)
{
	return (uint16_t)~csum_fold(sum);
}

/* Partial sum of the UDP/IPv4 pseudo-header (saddr, daddr, zero, proto, length). */
uint32_t csum_pseudo_ipv4(uint32_t saddr, uint32_t daddr, uint8_t proto, uint16_t len);

/* The UDP checksum field of a datagram whose checksum the device completes (CHECKSUM_PARTIAL,
 * udp4_hwcsum's ~csum_tcpudp_magic): the pseudo-header sum over ulen, folded, not complemented.
 * Network order, as it goes in the header. */
static inline uint16_t udp4_csum_seed(uint32_t saddr, uint32_t daddr, uint16_t ulen)
{
	return (uint16_t)~csum_fold(csum_pseudo_ipv4(saddr, daddr, 17 /* IPPROTO_UDP */, ulen));
}

struct eth_hdr_fields {
	uint8_t dst[6];
	uint8_t src[6];
	uint16_t ethertype; /* host order */
};

/* Writes 14 bytes. */
void wire_put_eth(uint8_t *p, const struct eth_hdr_fields *f);

struct ipv4_hdr_fields {
	uint8_t tos;
	uint16_t total_len; /* host order */
	uint16_t id;	    /* host order */
	uint16_t frag;	    /* host order: flags (DF 0x4000, MF 0x2000) | offset in 8-byte units */
	uint8_t ttl;
	uint8_t protocol;
	uint32_t saddr, daddr;	/* network order */
	const uint8_t *options; /* optlen bytes, a multiple of 4, or NULL */
	uint8_t optlen;
};

#define IP_DF 0x4000
#define IP_MF 0x2000

/* Writes 20 + optlen bytes including the header checksum; returns the header length. */
size_t wire_put_ipv4(uint8_t *p, const struct ipv4_hdr_fields *f);

struct ipv6_hdr_fields {
	uint8_t tclass;	      /* traffic class */
	uint32_t flowlabel;   /* host order, the low 20 bits */
	uint16_t payload_len; /* host order: what follows the 40 bytes */
	uint8_t nexthdr;      /* IPPROTO_UDP ... */
	uint8_t hop_limit;
	const uint8_t *saddr, *daddr; /* 16 bytes each, network order */
};

/* Writes the 40-byte IPv6 header (ip6_flow_hdr and the rest of __ip6_make_skb's fields). */
void wire_put_ipv6(uint8_t *p, const struct ipv6_hdr_fields *f);

/* Partial sum of the UDP/IPv6 pseudo-header (RFC 8200 8.1: saddr, daddr, 32-bit upper-layer
 * length, three zero bytes, next header). */
uint32_t csum_pseudo_ipv6(const uint8_t saddr[16], const uint8_t daddr[16], uint8_t proto,
			  uint32_t len);

/* The UDP checksum field of an IPv6 datagram whose checksum the device completes
 * (udp6_hwcsum_outgoing's ~csum_ipv6_magic): network order. */
static inline uint16_t udp6_csum_seed(const uint8_t saddr[16], const uint8_t daddr[16],
				      uint32_t ulen)
{
	return (uint16_t)~csum_fold(csum_pseudo_ipv6(saddr, daddr, 17 /* IPPROTO_UDP */, ulen));
}

/* Writes the 8-byte UDP header; check in network order as it goes on the wire. */
void wire_put_udp(uint8_t *p, uint16_t sport, uint16_t dport, uint16_t len, uint16_t check);

/* ip_send_check: the IPv4 header checksum at ip computed again (its length from the header), after
 * a field of it changed. */
void ip_send_check(uint8_t *ip);

/* ---- one frame of a UDP datagram, per family ---- */

/* The headers of a one-frame UDP datagram of one family as the header templates lay them out
 * (Ethernet, the IP header without options or extension headers, UDP; offsets from the start of
 * the Ethernet header), and where the fields are that change from one datagram of a flow to the
 * next. One per family: udp_frame_ipv4, udp_frame_ipv6. */
struct udp_frame_desc {
	uint16_t family;    /* AF_INET, AF_INET6 */
	uint16_t ethertype; /* the frame's ETH_P_IP, ETH_P_IPV6 (host order) */
	uint8_t l3_off;	    /* the IP header */
	uint8_t l3_len;	    /* its length: 20, 40 */
	uint8_t l4_off;	    /* the UDP header */
	uint8_t hdr_len;    /* all of them: 42, 62 */
	uint8_t iplen_off;  /* the IP length: tot_len (IPv4), payload_len (IPv6) */
	uint8_t iplen_hdr;  /* ... counts the IP header too: 20 (IPv4), 0 (IPv6) */
	uint8_t id_off;	    /* the IP ID and the fragment field after it; 0: none (IPv6) */
	uint8_t csum_off;   /* the IP header checksum; 0: none (IPv6) */
};

#define UDP_FRAME_HDR_IPV4 (ETH_HLEN_BYTES + IPV4_HLEN_MIN + UDP_HLEN) /* 42 */
#define UDP_FRAME_HDR_IPV6 (ETH_HLEN_BYTES + IPV6_HLEN + UDP_HLEN)     /* 62 */
#define UDP_FRAME_HDR_MAX  UDP_FRAME_HDR_IPV6

/* static: constant to every user, so code inlined with one of them is that family's own */
static const struct udp_frame_desc udp_frame_ipv4 = {
    .family = 2 /* AF_INET */,
    .ethertype = 0x0800 /* ETH_P_IP */,
    .l3_off = ETH_HLEN_BYTES,
    .l3_len = IPV4_HLEN_MIN,
    .l4_off = ETH_HLEN_BYTES + IPV4_HLEN_MIN,
    .hdr_len = UDP_FRAME_HDR_IPV4,
    .iplen_off = ETH_HLEN_BYTES + 2,
    .iplen_hdr = IPV4_HLEN_MIN,
    .id_off = ETH_HLEN_BYTES + 4,
    .csum_off = ETH_HLEN_BYTES + 10,
};
static const struct udp_frame_desc udp_frame_ipv6 = {
    .family = 10 /* AF_INET6 */,
    .ethertype = 0x86DD /* ETH_P_IPV6 */,
    .l3_off = ETH_HLEN_BYTES,
    .l3_len = IPV6_HLEN,
    .l4_off = ETH_HLEN_BYTES + IPV6_HLEN,
    .hdr_len = UDP_FRAME_HDR_IPV6,
    .iplen_off = ETH_HLEN_BYTES + 4,
    .iplen_hdr = 0,
    .id_off = 0,
    .csum_off = 0,
};

/* A 16-bit field in network order, v already in network order. */
static inline void wire_put_n16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

/* Complete eth (the Ethernet header of a flow's template frame, with the fields below zero) for
 * one datagram of ulen UDP bytes (host order): the IP length, for IPv4 the ID and fragment field
 * (id, frag: network order) and the header checksum from ip_base (csum_base16 of the
 * template's IPv4 header), the UDP length, and the UDP checksum seeded with the pseudo-header sum
 * from pseudo_base (csum_base16 of it without the length), which the device completes over the
 * payload. The bases are folded: an unfolded 32-bit sum near 2^32 (header words such as those of
 * 172.16.255.255 > 172.17.255.255) would lose a carry when the fields are added. The one's
 * complement sum does not depend on byte order: the fields are added as stored. Inlined with a
 * constant desc, only that family's fields remain. */
static inline __attribute__((always_inline)) void
udp_frame_patch(const struct udp_frame_desc *desc, uint8_t *eth, uint16_t ulen, uint16_t id,
		uint16_t frag, uint32_t ip_base, uint32_t pseudo_base)
{
	uint16_t iplen = htons((uint16_t)(ulen + desc->iplen_hdr));
	uint16_t ulen_n = htons(ulen);

	wire_put_n16(eth + desc->iplen_off, iplen);
	if (desc->id_off) {
		wire_put_n16(eth + desc->id_off, id);
		wire_put_n16(eth + desc->id_off + 2, frag);
	}
	if (desc->csum_off)
		wire_put_n16(eth + desc->csum_off, csum_fold(ip_base + iplen + id + frag));
	wire_put_n16(eth + desc->l4_off + 4, ulen_n);
	wire_put_n16(eth + desc->l4_off + 6, (uint16_t)~csum_fold(pseudo_base + ulen_n));
}

/* The UDP checksum as sent: the complement of the sum over pseudo-header, header (check 0) and
 * payload, with 0 sent as 0xFFFF (udp_csum / CSUM_MANGLED_0). Returns network order. */
uint16_t udp_checksum_final(uint32_t pseudo_and_payload_sum);

/* udplite_csum's coverage (include/net/udplite.h, both families): with UDPLITE_SEND_CC set
 * (cscov_set) to a coverage below the datagram's UDP length ulen, the length field carries the
 * coverage and only that many bytes from the UDP header on are summed — 0 meaning "the whole
 * datagram"; otherwise the field is ulen and everything is summed. Returns the bytes to sum;
 * *lenfield: the UDP length field (host order). The pseudo-header always has the full length. */
static inline size_t udplite_coverage(bool cscov_set, uint16_t cscov, size_t ulen,
				      uint16_t *lenfield)
{
	*lenfield = (uint16_t)ulen;
	if (!cscov_set || cscov >= ulen)
		return ulen;
	*lenfield = cscov;
	return cscov > 0 ? cscov : ulen;
}

/* skb_checksum_help: complete in software a checksum left to the device (CHECKSUM_PARTIAL, a
 * virtio-net header's NEEDS_CSUM): the sum of frame[start, len), whose checksum field at
 * start + offset holds the pseudo-header sum, folded into that field; a computed 0 is stored as
 * 0xFFFF (CSUM_MANGLED_0). Returns 0, or -1 when the field lies outside the frame. */
int skb_checksum_help(uint8_t *frame, size_t len, size_t start, size_t offset);

#endif
