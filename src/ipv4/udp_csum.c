/* udp_csum: the UDP header's length and checksum fields as udp_send_skb fills them for UDP with
 * SO_NO_CHECK and for UDP-Lite (include/net/udplite.h udplite_csum), always in software. */
#include "shim/udp_csum.h"
#include "shim/wire.h"

#include <netinet/in.h>
#include <string.h>

void udp_put_header_csum(const struct udp_datagram *d, uint8_t *udp, size_t ulen)
{
	uint8_t proto = udp_datagram_protocol(d);
	uint16_t lenfield = (uint16_t)ulen, check;
	size_t cover = ulen;

	if (proto == IPPROTO_UDPLITE) {
		/* udplite_csum (wire.h); SO_NO_CHECK has no effect on UDP-Lite */
		cover = udplite_coverage(d->cscov_set, d->cscov, ulen, &lenfield);
	} else if (d->no_check) {
		wire_put_udp(udp, d->sport, d->dport, lenfield, 0); /* CHECKSUM_NONE, check 0 */
		return;
	}
	wire_put_udp(udp, d->sport, d->dport, lenfield, 0);
	/* csum_tcpudp_magic with the full length in the pseudo-header; 0 → CSUM_MANGLED_0 */
	check =
	    udp_checksum_final(csum_add(csum_pseudo_ipv4(d->saddr, d->daddr, proto, (uint16_t)ulen),
					csum_partial(udp, cover, 0)));
	memcpy(udp + 6, &check, 2);
}

void udp_trace_datagram(struct path_trace *t, const struct udp_datagram *d)
{
	size_t optlen = udp_datagram_hlen(d) - IPV4_HLEN_MIN;

	if (udp_datagram_plain(d))
		return;
	if (udp_datagram_protocol(d) == IPPROTO_UDPLITE) {
		if (d->cscov_set)
			path_step(t, "udplite_csum(coverage %u%s)", d->cscov,
				  d->cscov == 0 ? ": full, length field 0" : "");
		else
			path_step(t, "udplite_csum(full coverage)");
	} else if (d->no_check) {
		path_step(t, "udp_send_skb(SO_NO_CHECK: checksum 0)");
	}
	if (optlen)
		path_step(t, "ip_options_build(%zu bytes)", optlen);
}
