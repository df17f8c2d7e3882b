/* ip6_fragment: a UDP/IPv6 datagram larger than its MTU as fragments behind the fragment header
 * (net/ipv6/ip6_output.c ip6_fragment; net/ipv6/output_core.c ipv6_select_ident).
 *
 * Every fragment is [IPv6 header | the unfragmentable extension headers | fragment header | a
 * piece of the fragmentable part (the destination options after a routing header, the UDP
 * header, the payload)]. Every piece but the last carries (MTU - unfragmentable part - 8) & ~7
 * bytes, the last the rest: __ip6_append_data lays a datagram that does not fit out in pieces
 * of that size (maxfraglen) and ip6_fragment's fast path puts each in a fragment. (Its slow path,
 * whose last piece may be up to 7 bytes larger, takes a datagram built as one buffer: never an
 * uncorked UDP datagram without IPsec.) */
#ifndef SHIM_IP6_FRAGMENT_H
#define SHIM_IP6_FRAGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shim/frame_set.h"

struct udp6_datagram;

#define IP6_FRAG_HLEN 8 /* struct frag_hdr */

/* The number of fragments of fraglen fragmentable bytes behind hlen bytes (IPv6 header and the
 * unfragmentable extension headers) at mtu; *per: the size of every piece but the last. 0 when
 * mtu leaves no room for 8 bytes of data (ip6_fragment's fail_toobig). */
unsigned ip6_frag_count(size_t fraglen, size_t hlen, uint32_t mtu, size_t *per);

/* ipv6_select_ident: the identification of one fragmented datagram from (daddr, saddr): the next
 * value of a counter per hashed (destination, source) bucket, starting at random (the kernel's
 * ip_idents_reserve over a keyed hash cannot be reproduced from user space; its properties are:
 * one per datagram, distinct per datagram of a flow, never 0). Host order. */
uint32_t ipv6_select_ident(const uint8_t daddr[16], const uint8_t saddr[16]);

/* The fragments of d (d->frag_mtu != 0) in a frame_set, the payload copied from the program
 * (fault-checked: -EFAULT, nothing built), the UDP checksum computed in software over the whole
 * datagram (udp_csum: the kernel never leaves a fragmented datagram's checksum to the device),
 * one identification for all of them; with d->frag_mtu 0, the one frame of a datagram with
 * extension headers, summed the same way. Returns 0, -EFAULT, -EMSGSIZE (no room for data at
 * that MTU) or -ENOMEM (the shim's memory). */
int ip6_fragment_frames(const struct udp6_datagram *d, struct frame_set *fs);

#endif
