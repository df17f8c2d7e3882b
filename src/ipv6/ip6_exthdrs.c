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

uint8_t ipv6_push_exthdrs(const struct ipv6_txoptions *opt, uint8_t proto, uint8_t *out)
{
	size_t hop = opt->hopopt != NULL ? ipv6_optlen(opt->hopopt) : 0;

	/* __ip6_make_skb: ipv6_push_frag_opts (dst1opt), then ipv6_push_nfrag_opts (hop-by-hop in
	 * front of it) */
	if (opt->dst1opt != NULL)
		push_exthdr(out + hop, opt->dst1opt, &proto, NEXTHDR_DEST);
	if (opt->hopopt != NULL)
		push_exthdr(out, opt->hopopt, &proto, NEXTHDR_HOP);
	return proto;
}
