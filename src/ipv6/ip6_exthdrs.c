/* ip6_exthdrs: the extension headers of a datagram in wire order (see include/shim/ip6_exthdrs.h).
 */
#include "shim/ip6_exthdrs.h"

#include <string.h>

/* ipv6_push_exthdr: the header's bytes in front of what follows, its next header that of the
 * following one; *proto becomes its type. */
static size_t push_exthdr(uint8_t *at, const uint8_t *h, uint8_t *proto, uint8_t type)
{
	size_t len = ipv6_optlen(h);

	memcpy(at, h, len);
	at[0] = *proto;
	*proto = type;
	return len;
}

/* struct ipv6_sr_hdr: nexthdr, hdrlen, type, segments_left, first_segment, flags, tag, then the
 * segments (16 bytes each) from offset 8 */
#define SRH_SEGMENTS_LEFT 3
#define SRH_FLAGS	  5
#define SRH_SEGMENTS	  8
#define SR6_FLAG1_HMAC	  (1 << 3)

uint8_t ipv6_push_exthdrs(const struct ipv6_txoptions *opt, uint8_t proto, const uint8_t *daddr,
			  uint8_t *out)
{
	size_t hop = opt->hopopt != NULL ? ipv6_optlen(opt->hopopt) : 0;
	size_t dst0 = opt->srcrt != NULL && opt->dst0opt != NULL ? ipv6_optlen(opt->dst0opt) : 0;
	size_t rt = opt->srcrt != NULL ? ipv6_optlen(opt->srcrt) : 0;

	/* __ip6_make_skb: ipv6_push_frag_opts (dst1opt), then ipv6_push_nfrag_opts (the routing
	 * header, the destination options before it, hop-by-hop in front of them) */
	if (opt->dst1opt != NULL)
		push_exthdr(out + hop + dst0 + rt, opt->dst1opt, &proto, NEXTHDR_DEST);
	if (opt->srcrt != NULL) {
		/* ipv6_push_rthdr4: the segments as given but the first, the final destination */
		push_exthdr(out + hop + dst0, opt->srcrt, &proto, NEXTHDR_ROUTING);
		memcpy(out + hop + dst0 + SRH_SEGMENTS, daddr, 16);
		if (dst0)
			push_exthdr(out + hop, opt->dst0opt, &proto, NEXTHDR_DEST);
	}
	if (opt->hopopt != NULL)
		push_exthdr(out, opt->hopopt, &proto, NEXTHDR_HOP);
	return proto;
}

const char *ipv6_rthdr_unbuilt(const uint8_t *rthdr)
{
	if (rthdr[2] != IPV6_SRCRT_TYPE_4)
		return "IPV6_RTHDR (a type 0 or 2 routing header: ipv6_push_rthdr0)";
	if (rthdr[SRH_FLAGS] & SR6_FLAG1_HMAC)
		return "IPV6_RTHDR (a segment routing header with an HMAC: seg6_push_hmac)";
	return NULL;
}

void fl6_update_dst(const uint8_t *rthdr, uint8_t first[16])
{
	memcpy(first, rthdr + SRH_SEGMENTS + 16 * (size_t)rthdr[SRH_SEGMENTS_LEFT], 16);
}
