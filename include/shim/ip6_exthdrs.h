/* ip6_exthdrs: the IPv6 extension headers of one datagram (struct ipv6_txoptions of
 * include/net/ipv6.h; net/ipv6/exthdrs.c ipv6_push_nfrag_opts, ipv6_push_frag_opts,
 * ipv6_fixup_options).
 *
 * Hop-by-hop options, the destination options that go before a routing header (dst0opt,
 * IPV6_RTHDRDSTOPTS) and the routing header are unfragmentable: they stay in every fragment,
 * before the fragment header. The destination options for the final destination (dst1opt,
 * IPV6_DSTOPTS) are the first bytes of the fragmentable part. Without a routing header,
 * ipv6_fixup_options drops dst0opt. The routing headers built are segment routing headers (type
 * 4, RFC 8754) without an HMAC: the only kind a socket takes on a kernel without
 * CONFIG_IPV6_MIP6 (IPV6_RTHDR; as a control message none is taken). */
#ifndef SHIM_IP6_EXTHDRS_H
#define SHIM_IP6_EXTHDRS_H

#include <stddef.h>
#include <stdint.h>

#define NEXTHDR_HOP	 0
#define NEXTHDR_ROUTING	 43
#define NEXTHDR_DEST	 60
#define NEXTHDR_FRAGMENT 44

#define IPV6_SRCRT_TYPE_4 4 /* segment routing header */

/* The most extension header bytes a datagram the shim builds carries. */
#define IP6_EXTHDRS_MAX 512

/* The headers a datagram carries: each points at the header's bytes (ipv6_optlen of them), or is
 * NULL. opt_nflen, opt_flen: the unfragmentable and fragmentable lengths. */
struct ipv6_txoptions {
	const uint8_t *hopopt, *dst0opt, *srcrt, *dst1opt;
	uint16_t opt_nflen, opt_flen;
};

/* ipv6_optlen: (hdrlen + 1) * 8 bytes, from the header's length byte. */
static inline size_t ipv6_optlen(const uint8_t *h)
{
	return ((size_t)h[1] + 1) * 8;
}

/* The headers as they go on the wire, into out (opt_nflen + opt_flen bytes): hop-by-hop, the
 * destination options before the routing header, the routing header, the destination options,
 * each header's next header set to the one after it and the last's to proto (ipv6_push_exthdr
 * overwrites what the program gave). The routing header's first address becomes the final
 * destination (daddr: 16 bytes; ipv6_push_rthdr4). Returns the IPv6 header's next header (proto
 * when there are none). */
uint8_t ipv6_push_exthdrs(const struct ipv6_txoptions *opt, uint8_t proto, const uint8_t *daddr,
			  uint8_t *out);

/* Why a routing header (as IPV6_RTHDR holds it, ipv6_optlen bytes) is not one the shim builds
 * (NULL: a segment routing header without an HMAC, the only kind). */
const char *ipv6_rthdr_unbuilt(const uint8_t *rthdr);

/* fl6_update_dst: the address the datagram goes to first, which the route is looked up for and
 * the IPv6 header carries (a segment routing header's segments[segments_left]), into first. */
void fl6_update_dst(const uint8_t *rthdr, uint8_t first[16]);

#endif
