/* ip_ident: the IPv4 identification of a datagram (ip_select_ident_segs). */
#ifndef SHIM_IP_IDENT_H
#define SHIM_IP_IDENT_H

#include <stdbool.h>
#include <stdint.h>

/* For a datagram from an unconnected socket that may be fragmented locally or carries no DF:
 * the next ID of a per-destination counter (the kernel's __ip_select_ident keeps a hashed bucket of
 * counters keyed by destination, source and protocol; its values cannot be reproduced from user
 * space, so the shim keeps its own buckets with the same properties: consecutive per destination,
 * random start). */
uint16_t ip_ident_unconnected(uint32_t daddr, uint32_t saddr, uint8_t protocol);

/* The counter and starting point ip_ident_unconnected uses for (daddr, saddr, protocol), for a
 * flow that keeps them (udp_fastpath.c): ip_ident_next(bucket, offset) is then the same ID as
 * ip_ident_unconnected(daddr, saddr, protocol). */
_Atomic uint32_t *ip_ident_bucket(uint32_t daddr, uint32_t saddr, uint8_t protocol,
				  uint16_t *offset);

static inline uint16_t ip_ident_next(_Atomic uint32_t *bucket, uint16_t offset)
{
	return (uint16_t)(__atomic_add_fetch(bucket, 1, __ATOMIC_SEQ_CST) + offset);
}

#endif
