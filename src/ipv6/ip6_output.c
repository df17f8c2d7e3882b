/* ip6_output: the frame of one UDP/IPv6 datagram, to the device (see include/shim/ip6_output.h).
 * Mirrors net/ipv6/ip6_output.c (ip6_make_skb, __ip6_make_skb, ip6_finish_output2) and
 * udp_v6_send_skb's checksum (net/ipv6/udp.c). */
#include "shim/ip6_output.h"
#include "shim/dev.h"
#include "shim/ip6_fragment.h"
#include "shim/netdev.h"
#include "shim/stats.h"
#include "shim/wire.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#define FRAME6_HDR (DEV_VNET_HDR_LEN + UDP_FRAME_HDR_IPV6)

/* the destination of the UDP checksum's pseudo-header: the final one (udp_v6_send_skb: fl6->daddr)
 */
static const uint8_t *csum_daddr(const struct udp6_datagram *d)
{
	return d->final_daddr != NULL ? d->final_daddr : d->daddr;
}

static uint8_t ip6_udp_proto(const struct udp6_datagram *d)
{
	return d->protocol != 0 ? d->protocol : IPPROTO_UDP;
}

/* udp_v6_send_skb for a UDP-Lite datagram (udplite_csum, CHECKSUM_NONE): the header at udp (the
 * payload after it) with the coverage's length field and the checksum over the covered bytes and
 * the pseudo-header of the full length; 0 sent as 0xFFFF. UDP_NO_CHECK6_TX does not apply. */
static void udplite_v6_put_csum(const struct udp6_datagram *d, uint8_t *udp, size_t ulen)
{
	uint16_t lenfield, check;
	size_t cover = udplite_coverage(d->cscov_set, d->cscov, ulen, &lenfield);

	wire_put_udp(udp, d->sport, d->dport, lenfield, 0);
	check = udp_checksum_final(
	    csum_add(csum_pseudo_ipv6(d->saddr, csum_daddr(d), IPPROTO_UDPLITE, (uint32_t)ulen),
		     csum_partial(udp, cover, 0)));
	memcpy(udp + 6, &check, 2);
}

void udp_v6_put_csum_sw(const struct udp6_datagram *d, uint8_t *udp, size_t ulen)
{
	if (d->protocol == IPPROTO_UDPLITE) {
		udplite_v6_put_csum(d, udp, ulen);
		return;
	}
	/* UDP_NO_CHECK6_TX sends 0; else udp_csum, csum_ipv6_magic, 0 sent as 0xFFFF */
	wire_put_udp(udp, d->sport, d->dport, (uint16_t)ulen, 0);
	if (!d->no_check6)
		wire_put_udp(
		    udp, d->sport, d->dport, (uint16_t)ulen,
		    udp_checksum_final(csum_partial(
			udp, ulen,
			csum_pseudo_ipv6(d->saddr, csum_daddr(d), IPPROTO_UDP, (uint32_t)ulen))));
}

void ip6_put_frame_headers(uint8_t *hdr, const struct udp6_datagram *d, uint16_t check, bool csum)
{
	struct eth_hdr_fields eth;
	struct ipv6_hdr_fields ip = {
	    .tclass = d->tclass,
	    .flowlabel = d->flowlabel,
	    .payload_len = (uint16_t)(UDP_HLEN + d->len),
	    .nexthdr = ip6_udp_proto(d),
	    .hop_limit = d->hop_limit,
	    .saddr = d->saddr,
	    .daddr = d->daddr,
	};

	if (csum)
		dev_put_vnet_hdr(hdr, 0, udp_frame_ipv6.l4_off, 6 /* offsetof(udphdr, check) */);
	else
		dev_put_vnet_hdr(hdr, 0, 0, 0);
	memcpy(eth.dst, d->dst_mac, 6);
	memcpy(eth.src, d->src_mac, 6);
	eth.ethertype = udp_frame_ipv6.ethertype;
	wire_put_eth(hdr + DEV_VNET_HDR_LEN, &eth);
	wire_put_ipv6(hdr + DEV_VNET_HDR_LEN + udp_frame_ipv6.l3_off, &ip);
	wire_put_udp(hdr + DEV_VNET_HDR_LEN + udp_frame_ipv6.l4_off, d->sport, d->dport,
		     (uint16_t)(UDP_HLEN + d->len), check);
}

void ip6_frame_meta(struct dev_meta *m, size_t payload, unsigned segs, uint32_t priority,
		    uint32_t mark)
{
	memset(m, 0, sizeof(*m));
	m->flags = DEV_META_SKB; /* the skb's priority and mark */
	m->priority = priority;
	m->mark = mark;
	m->proto = udp_frame_ipv6.ethertype;
	m->l3_off = DEV_VNET_HDR_LEN + udp_frame_ipv6.l3_off;
	m->l4_off = DEV_VNET_HDR_LEN + udp_frame_ipv6.l4_off;
	m->hdr_len = DEV_VNET_HDR_LEN + udp_frame_ipv6.hdr_len;
	m->segs = (uint16_t)segs;
	m->payload_len = (uint32_t)payload;
}

/* The datagram's frame with its payload copied and its checksum complete, transmitted. */
static int ip6_output_copied(const struct udp6_datagram *d, struct path_trace *t)
{
	struct frame_set fs;
	int r = ip6_build_udp_frames(d, &fs);

	if (r < 0)
		return r;
	path_step(t, "ip6_make_skb(len %zu hlim %u tclass 0x%x flowlabel 0x%05x%s)",
		  IPV6_HLEN + UDP_HLEN + d->len, d->hop_limit, d->tclass, d->flowlabel,
		  d->protocol == IPPROTO_UDPLITE ? " udplite" : "");
	return frame_set_xmit_datagram(&fs, d->oif, d->dontwait, &r);
}

/* A datagram larger than its MTU (ip6_finish_output → ip6_fragment), or with extension headers:
 * its frames copied and summed (ip6_fragment.c), sent in order. */
static int output_fragments(const struct udp6_datagram *d, struct path_trace *t)
{
	struct frame_set fs;
	size_t per = 0, flen = d->ext_flen + UDP_HLEN + d->len;
	unsigned n = d->frag_mtu != 0
			 ? ip6_frag_count(flen, IPV6_HLEN + d->ext_nflen, d->frag_mtu, &per)
			 : 1;
	int r = ip6_fragment_frames(d, &fs), sent;

	if (r < 0)
		return r;
	if (d->frag_mtu != 0)
		path_step(t,
			  "ip6_make_skb(len %zu hlim %u tclass 0x%x flowlabel 0x%05x%s) "
			  "\xe2\x86\x92 ip6_fragment(mtu %u: %u frames of up to %zu data bytes)",
			  IPV6_HLEN + d->ext_nflen + flen, d->hop_limit, d->tclass, d->flowlabel,
			  d->ext_nflen + d->ext_flen ? " exthdrs" : "", d->frag_mtu, n, per);
	else
		path_step(
		    t, "ip6_make_skb(len %zu hlim %u tclass 0x%x flowlabel 0x%05x exthdrs %u+%u)",
		    IPV6_HLEN + d->ext_nflen + flen, d->hop_limit, d->tclass, d->flowlabel,
		    d->ext_nflen, d->ext_flen);
	r = frame_set_xmit_datagram(&fs, d->oif, d->dontwait, &sent);
	if (sent >= 0 && fs.n > 1)
		stats_add(STAT_FRAGMENTED, 1);
	return r;
}

int ip6_output_udp(const struct udp6_datagram *d, struct path_trace *t)
{
	uint8_t hdr[FRAME6_HDR];
	struct iovec iov[1 + IP6_OUTPUT_MAX_IOV];
	struct dev_meta m;
	uint32_t ulen = (uint32_t)(UDP_HLEN + d->len);
	int n = 0;

	if (d->gso_size)
		return ip6_output_udp_gso(d, t);
	if (d->frag_mtu != 0 || d->csum_sw || d->ext_nflen + d->ext_flen != 0)
		return output_fragments(d, t);
	if (d->protocol == IPPROTO_UDPLITE)
		return ip6_output_copied(d, t);
	if (d->iovcnt > IP6_OUTPUT_MAX_IOV)
		return -EMSGSIZE;
	/* udp_v6_send_skb: UDP_NO_CHECK6_TX sends 0; otherwise udp6_hwcsum_outgoing seeds the
	 * pseudo-header sum and the device completes it (0 becomes 0xFFFF) */
	ip6_put_frame_headers(hdr, d,
			      d->no_check6 ? 0 : udp6_csum_seed(d->saddr, csum_daddr(d), ulen),
			      !d->no_check6);
	iov[n++] = (struct iovec){hdr, sizeof(hdr)};
	for (int i = 0; i < d->iovcnt; i++)
		if (d->iov[i].iov_len)
			iov[n++] = d->iov[i];
	ip6_frame_meta(&m, d->len, 1, d->priority, d->mark);
	path_step(t, "ip6_make_skb(len %u hlim %u tclass 0x%x flowlabel 0x%05x%s)",
		  (unsigned)(IPV6_HLEN + ulen), d->hop_limit, d->tclass, d->flowlabel,
		  d->no_check6 ? " no_check6_tx" : "");
	return dev_xmit(d->oif, iov, n, &m, d->dontwait);
}

int ip6_build_udp_frames(const struct udp6_datagram *d, struct frame_set *fs)
{
	size_t ulen = UDP_HLEN + d->len;
	uint8_t *udp;
	uint16_t check = 0;
	int r;

	if (d->gso_size)
		return ip6_build_udp_gso_frame(d, fs);
	if (d->frag_mtu != 0 || d->csum_sw || d->ext_nflen + d->ext_flen != 0)
		return ip6_fragment_frames(d, fs);
	r = frame_set_one(fs, FRAME6_HDR, d->iov, d->iovcnt, d->len);
	if (r != 0)
		return r;
	fs->proto = udp_frame_ipv6.ethertype;
	fs->priority = d->priority; /* the skb's */
	fs->mark = d->mark;
	udp = fs->buf + DEV_VNET_HDR_LEN + udp_frame_ipv6.l4_off;
	/* the kernel's queued skb is the one it would have sent: CHECKSUM_PARTIAL (the
	 * pseudo-header sum in the field, the rest left to the device) unless UDP_NO_CHECK6_TX */
	if (d->protocol == IPPROTO_UDPLITE) {
		ip6_put_frame_headers(fs->buf, d, 0, false);
		udplite_v6_put_csum(d, udp, ulen);
		return 0;
	}
	if (!d->no_check6)
		check = udp6_csum_seed(d->saddr, csum_daddr(d), (uint32_t)ulen);
	ip6_put_frame_headers(fs->buf, d, check, !d->no_check6);
	return 0;
}

void ip6_udp_template(uint8_t *hdr, uint32_t *pseudo_base, const struct udp6_datagram *d)
{
	struct udp6_datagram t = *d;
	uint8_t *l2 = hdr + DEV_VNET_HDR_LEN;

	t.len = 0;
	ip6_put_frame_headers(hdr, &t, 0, true);
	memset(l2 + udp_frame_ipv6.iplen_off, 0, 2);
	memset(l2 + udp_frame_ipv6.l4_off + 4, 0, 2); /* the UDP length */
	*pseudo_base = csum_base16(csum_pseudo_ipv6(d->saddr, d->daddr, IPPROTO_UDP, 0));
}

int ip6_output_frame(int oif, const struct iovec *iov, int iovcnt, size_t payload, bool dontwait,
		     uint32_t priority, uint32_t mark)
{
	struct dev_meta m;

	ip6_frame_meta(&m, payload, 1, priority, mark);
	return dev_xmit(oif, iov, iovcnt, &m, dontwait);
}
