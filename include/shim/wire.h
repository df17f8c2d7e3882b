/* wire: header layouts and checksums, pure functions without I/O.
 *
 * Addresses and ports are kept in network byte order everywhere in the shim (as the kernel keeps
 * them in struct inet_sock), so they go into headers unchanged. */
#ifndef SHIM_WIRE_H
#define SHIM_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define ETH_HLEN_BYTES 14
#define IPV4_HLEN_MIN  20
#define UDP_HLEN       8
#define IP_MAX_TOTAL   65535

/* One's complement arithmetic (RFC 1071). A partial sum is a 32-bit accumulator that has not been
 * folded; csum_add combines two, csum_fold folds to 16 bits and complements. */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);
uint32_t csum_add(uint32_t a, uint32_t b);
uint16_t csum_fold(uint32_t sum);

/* Partial sum of the UDP/IPv4 pseudo-header (saddr, daddr, zero, proto, length). */
uint32_t csum_pseudo_ipv4(uint32_t saddr, uint32_t daddr, uint8_t proto, uint16_t len);

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

/* Writes the 8-byte UDP header; check in network order as it goes on the wire. */
void wire_put_udp(uint8_t *p, uint16_t sport, uint16_t dport, uint16_t len, uint16_t check);

/* The UDP checksum as sent: the complement of the sum over pseudo-header, header (check 0) and
 * payload, with 0 sent as 0xFFFF (udp_csum / CSUM_MANGLED_0). Returns network order. */
uint16_t udp_checksum_final(uint32_t pseudo_and_payload_sum);

#endif
