/* hdr_template: the headers of a one-frame datagram (vnet, Ethernet, IPv4, UDP: 52 bytes) are the
 * same from one datagram to the next of a flow except the lengths, the IP ID and the two checksums.
 * Each thread keeps the last headers it built with the fields they came from; a datagram of the
 * same flow (addresses, ports, MACs, TOS, TTL, DF) copies them and patches only what differs, the
 * IPv4 checksum from a precomputed partial sum. Used by put_single_headers (ipv4/ip_output.c). */
#ifndef SHIM_HDR_TEMPLATE_H
#define SHIM_HDR_TEMPLATE_H

#include "shim/ip_output.h"

#include <stdbool.h>
#include <stdint.h>

/* vnet header and the IPv4 frame's headers (udp_frame_ipv4, wire.h) */
#define HDR_TEMPLATE_LEN (10 + 14 + 20 + 8)

/* Write d's headers into hdr from the template when d is of the template's flow. Returns whether
 * it did (when not, the caller builds them and calls hdr_template_save). */
bool hdr_template_put(uint8_t *hdr, const struct udp_datagram *d);

/* Remember hdr (just built for d) as this thread's template. */
void hdr_template_save(const uint8_t *hdr, const struct udp_datagram *d);

#endif
