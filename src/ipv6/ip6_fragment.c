/* ip6_fragment: the fragments of one UDP/IPv6 datagram (see include/shim/ip6_fragment.h).
 * Mirrors net/ipv6/ip6_output.c __ip6_append_data's pieces and ip6_fragment's fast path
 * (ip6_fraglist_init, ip6_fraglist_prepare) and udp_v6_send_skb's software
 * checksum (udp_csum over the whole datagram). */
#include "shim/ip6_fragment.h"
#include "shim/dev.h"
#include "shim/ip6_exthdrs.h"
#include "shim/ip6_output.h"
#include "shim/shim_alloc.h"
#include "shim/umem.h"
#include "shim/wire.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#define IP6_MF 0x0001 /* more fragments, in frag_off (host order) */

unsigned ip6_frag_count(size_t fraglen, size_t hlen, uint32_t mtu, size_t *per)
{
	*per = 0;
	/* ip6_fragment: mtu - hlen - sizeof(frag_hdr) must leave room for 8 bytes */
	if ((size_t)mtu < hlen + IP6_FRAG_HLEN + 8)
		return 0;
	/* __ip6_append_data's maxfraglen less the headers */
	*per = ((size_t)mtu - hlen - IP6_FRAG_HLEN) & ~(size_t)7;
	return (unsigned)((fraglen + *per - 1) / *per);
}

/* Copy the payload from the program (EFAULT if any of it is unreadable) to dst. */
static int gather_payload(const struct udp6_datagram *d, uint8_t *dst)
{
	return umem_read_iov(dst, d->iov, d->iovcnt, d->len) != 0 ? -EFAULT : 0;
}

/* The offset of the last unfragmentable extension header (hop-by-hop, destination options,
 * routing header), whose next header the fragment header takes over (ip6_find_1stfragopt). */
static size_t last_nfrag_hdr(const struct udp6_datagram *d)
{
	size_t last = 0;

	while (d->ext_nflen && last + ipv6_optlen(d->ext + last) < d->ext_nflen)
		last += ipv6_optlen(d->ext + last);
	return last;
}

/* [vnet (no offload) | Ethernet | IPv6 | the unfragmentable extension headers | fragment header]
 * of one fragment carrying chunk bytes at offset off of the fragmentable part (frag: false for
 * the one frame of an unfragmented datagram: no fragment header). Returns the headers' length. */
static size_t put_headers(uint8_t *p, const struct udp6_datagram *d, bool frag, uint32_t id,
			  size_t off, size_t chunk, bool more)
{
	struct eth_hdr_fields eth;
	uint8_t proto = d->ext_nflen + d->ext_flen != 0 ? d->ext_proto
			: d->protocol != 0		? d->protocol
							: IPPROTO_UDP;
	size_t last = last_nfrag_hdr(d);
	uint8_t after_nf = d->ext_nflen ? d->ext[last] : proto; /* what follows them */
	struct ipv6_hdr_fields ip = {
	    .tclass = d->tclass,
	    .flowlabel = d->flowlabel,
	    .payload_len = (uint16_t)(d->ext_nflen + (frag ? IP6_FRAG_HLEN : 0) + chunk),
	    .nexthdr = d->ext_nflen || !frag ? proto : NEXTHDR_FRAGMENT,
	    .hop_limit = d->hop_limit,
	    .saddr = d->saddr,
	    .daddr = d->daddr,
	};
	uint8_t *nf = p + DEV_VNET_HDR_LEN + ETH_HLEN_BYTES + IPV6_HLEN, *fh = nf + d->ext_nflen;
	uint16_t frag_off = (uint16_t)(off | (more ? IP6_MF : 0)); /* off: a multiple of 8 */

	dev_put_vnet_hdr(p, 0, 0, 0);
	memcpy(eth.dst, d->dst_mac, 6);
	memcpy(eth.src, d->src_mac, 6);
	eth.ethertype = 0x86DD; /* ETH_P_IPV6 */
	wire_put_eth(p + DEV_VNET_HDR_LEN, &eth);
	wire_put_ipv6(p + DEV_VNET_HDR_LEN + ETH_HLEN_BYTES, &ip);
	if (d->ext_nflen) {
		memcpy(nf, d->ext, d->ext_nflen);
		if (frag) /* ip6_fragment: the last unfragmentable header points at it */
			nf[last] = NEXTHDR_FRAGMENT;
	}
	if (!frag)
		return (size_t)(fh - p);
	fh[0] = after_nf;
	fh[1] = 0;
	fh[2] = (uint8_t)(frag_off >> 8);
	fh[3] = (uint8_t)frag_off;
	fh[4] = (uint8_t)(id >> 24);
	fh[5] = (uint8_t)(id >> 16);
	fh[6] = (uint8_t)(id >> 8);
	fh[7] = (uint8_t)id;
	return (size_t)(fh + IP6_FRAG_HLEN - p);
}

int ip6_fragment_frames(const struct udp6_datagram *d, struct frame_set *fs)
{
	const bool frag = d->frag_mtu != 0;
	const size_t hlen = IPV6_HLEN + d->ext_nflen,
		     head = DEV_VNET_HDR_LEN + ETH_HLEN_BYTES + hlen + (frag ? IP6_FRAG_HLEN : 0);
	size_t ulen = UDP_HLEN + d->len, flen = d->ext_flen + ulen, per = flen;
	unsigned n = frag ? ip6_frag_count(flen, hlen, d->frag_mtu, &per) : 1;
	uint8_t *data, *udp;
	uint32_t id = 0;

	if (n == 0)
		return -EMSGSIZE;
	/* the first frame's data area holds the whole fragmentable part (the destination options,
	 * the UDP datagram) while it is summed */
	if (frame_set_alloc(fs, n, n * head + flen) == NULL)
		return -ENOMEM;
	fs->proto = 0x86DD;	    /* ETH_P_IPV6 */
	fs->priority = d->priority; /* every fragment's skb */
	fs->mark = d->mark;
	data = fs->buf + head;
	udp = data + d->ext_flen;
	if (gather_payload(d, udp + UDP_HLEN) != 0) {
		shim_free(fs->buf);
		fs->buf = NULL;
		return -EFAULT;
	}
	if (d->ext_flen)
		memcpy(data, d->ext + d->ext_nflen, d->ext_flen);
	/* udp_v6_send_skb: udp_csum over the whole datagram (UDP-Lite: its coverage) */
	udp_v6_put_csum_sw(d, udp, ulen);
	if (frag)
		id = ipv6_select_ident(d->daddr, d->saddr);

	/* Frame i is [headers | piece i]; its piece starts i headers to the right of where it lies
	 * now. Back to front, every move and header write lands on bytes already moved. */
	for (unsigned i = 0; i <= n; i++)
		fs->off[i] = i * head + (i < n ? i * per : flen);
	for (int i = (int)n - 1; i >= 0; i--) {
		size_t off = (size_t)i * per, chunk = i + 1 < (int)n ? per : flen - off;
		uint8_t *out = fs->buf + fs->off[i];

		memmove(out + head, data + off, chunk);
		put_headers(out, d, frag, id, off, chunk, i + 1 < (int)n);
	}
	return 0;
}
