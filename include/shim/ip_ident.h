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

#endif
