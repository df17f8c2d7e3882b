/* hdr_template: the headers of a one-frame datagram (vnet, Ethernet, IPv4, UDP: 52 bytes) are the
 * same from one datagram to the next of a flow except the lengths, the IP ID and fragment field,
 * and the two checksums. A template holds them with those fields zero, and the folded sums of the
 * rest; udp_frame_patch (wire.h) writes them for one datagram. hdr_template_build is the one
 * place the template of a flow is made: for the thread's last flow (hdr_template_put, which
 * put_single_headers in ipv4/ip_output.c uses for every one-frame datagram) and for each flow the
 * fast path keeps (inet/udp_fastpath.c). */
#ifndef SHIM_HDR_TEMPLATE_H
#define SHIM_HDR_TEMPLATE_H

#include "shim/ip_output.h"
#include "shim/wire.h"

#include <stdbool.h>
#include <stdint.h>

/* vnet header and the IPv4 frame's headers (udp_frame_ipv4, wire.h) */
#define HDR_TEMPLATE_LEN (10 + 14 + 20 + 8)
/* ... and room for an IPv6 frame's (udp_frame_ipv6: the fast path's IPv6 flows,
 * ip6_udp_template) */
#define HDR_TEMPLATE_MAX (10 + UDP_FRAME_HDR_MAX)

struct hdr_template {
	uint8_t hdr[HDR_TEMPLATE_MAX];
	uint32_t ip_base; /* csum_base16 of the IPv4 header without length, ID, fragment field */
	uint32_t pseudo_base; /* csum_base16 of the UDP pseudo-header without the length */
};

/* The template of d's flow: addresses, ports, MACs, TOS, TTL (plain UDP, no IP options). */
void hdr_template_build(struct hdr_template *t, const struct udp_datagram *d);

/* Write d's headers (a plain one-frame datagram) into hdr from this thread's template, made
 * again first when d is not of its flow. */
void hdr_template_put(uint8_t *hdr, const struct udp_datagram *d);

#endif
