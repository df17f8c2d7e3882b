/* ip6_exthdrs: the IPv6 extension headers of one datagram (struct ipv6_txoptions of
 * include/net/ipv6.h; net/ipv6/exthdrs.c ipv6_push_nfrag_opts, ipv6_push_frag_opts,
 * ipv6_fixup_options).
 *
 * Hop-by-hop options and the destination options that go before a routing header (dst0opt,
 * IPV6_RTHDRDSTOPTS) are unfragmentable: they stay in every fragment, before the fragment header.
 * The destination options for the final destination (dst1opt, IPV6_DSTOPTS) are the first bytes
 * of the fragmentable part. Routing headers are not built here (the caller hands them to the
 * kernel socket): without one, ipv6_fixup_options drops dst0opt. */
#ifndef SHIM_IP6_EXTHDRS_H
#define SHIM_IP6_EXTHDRS_H

#include <stddef.h>
#include <stdint.h>

#define NEXTHDR_HOP	 0
#define NEXTHDR_DEST	 60
#define NEXTHDR_FRAGMENT 44

/* The most extension header bytes a datagram the shim builds carries. */
#define IP6_EXTHDRS_MAX 512

/* The headers a datagram carries: each points at the header's bytes (ipv6_optlen of them), or is
 * NULL. opt_nflen, opt_flen: the unfragmentable and fragmentable lengths. */
struct ipv6_txoptions {
	const uint8_t *hopopt, *dst1opt;
	uint16_t opt_nflen, opt_flen;
};

/* ipv6_optlen: (hdrlen + 1) * 8 bytes, from the header's length byte. */
static inline size_t ipv6_optlen(const uint8_t *h)
{
	return ((size_t)h[1] + 1) * 8;
}

/* The headers as they go on the wire, into out (opt_nflen + opt_flen bytes): hop-by-hop, then
 * the destination options, each header's next header set to the one after it and the last's to
 * proto (ipv6_push_exthdr overwrites what the program gave). Returns the IPv6 header's next
 * header (proto when there are none). */
uint8_t ipv6_push_exthdrs(const struct ipv6_txoptions *opt, uint8_t proto, uint8_t *out);

#endif
