/* ip_output: build the frames of one UDP/IPv4 datagram and hand them to the device.
 *
 * A datagram that fits the MTU is one frame sent as a gather list [vnet | Ethernet | IPv4 | UDP |
 * the program's own buffers]: the kernel copies the payload (and answers EFAULT for a bad buffer,
 * as the kernel's UDP does) and finishes the UDP checksum from the pseudo-header sum we seed
 * (VIRTIO_NET_HDR_F_NEEDS_CSUM). A larger plain UDP datagram is one frame as well, which the
 * kernel fragments (output_ufo). Otherwise it is fragmented here the way __ip_append_data lays it
 * out; its checksum must cover all fragments, so its payload is first copied (fault-checked) and
 * summed here, and the fragments go out in AF_PACKET sendmmsg calls of up to 64, one datagram's
 * fragments at a time (dev_xmit_frags_begin). */
#include "shim/shim_alloc.h"
#include "shim/ip_output.h"
#include "shim/ip_output_gso.h"
#include "shim/dev.h"
#include "shim/hdr_template.h"
#include "shim/netdev.h"
#include "shim/stats.h"
#include "shim/udp_csum.h"
#include "shim/umem.h"
#include "shim/wire.h"

#include <errno.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_HDR_MAX (DEV_VNET_HDR_LEN + ETH_HLEN_BYTES + IPV4_HLEN_MIN + UDP_HLEN)
#define FRAME_IP_OFF  (DEV_VNET_HDR_LEN + ETH_HLEN_BYTES)

unsigned ip_fragment_count(size_t total, size_t hlen, uint32_t fragsize, size_t *per_fragment)
{
	size_t data = total - hlen, room = (size_t)fragsize - hlen, per = room & ~(size_t)7;

	*per_fragment = per;
	if (total <= fragsize)
		return 1;
	/* __ip_append_data: a fragment carries per bytes (a multiple of 8) while the rest does not
	 * fit the MTU; the last takes the rest, up to room bytes (MTU 576: 556, where the others
	 * carry 552) */
	return 1 + (unsigned)((data - room + per - 1) / per);
}

static void put_link_and_ip(uint8_t *p, const struct udp_datagram *d, uint16_t total, uint16_t frag,
			    const uint8_t *opt)
{
	struct eth_hdr_fields eth;
	struct ipv4_hdr_fields ip = {
	    .tos = d->tos,
	    .total_len = total,
	    .id = d->id,
	    .frag = frag,
	    .ttl = d->ttl,
	    .protocol = udp_datagram_protocol(d),
	    .saddr = d->saddr,
	    .daddr = d->daddr,
	    .options = opt,
	    .optlen = (uint8_t)(udp_datagram_hlen(d) - IPV4_HLEN_MIN),
	};

	memcpy(eth.dst, d->dst_mac, 6);
	memcpy(eth.src, d->src_mac, 6);
	eth.ethertype = udp_frame_ipv4.ethertype;
	wire_put_eth(p, &eth);
	wire_put_ipv4(p + ETH_HLEN_BYTES, &ip);
}

/* The headers of a one-frame datagram: vnet (checksum left to the kernel/device), Ethernet, IPv4,
 * UDP with the pseudo-header sum, from the thread's template of the flow (hdr_template.h). */
static void put_single_headers(uint8_t *hdr, const struct udp_datagram *d)
{
	hdr_template_put(hdr, d);
}

/* [headers | the program's non-empty buffers] into iov; returns the number of parts. */
static int single_frame_parts(uint8_t *hdr, const struct udp_datagram *d, struct iovec *iov)
{
	int n = 0;

	iov[n++] = (struct iovec){hdr, FRAME_HDR_MAX};
	for (int i = 0; i < d->iovcnt; i++)
		if (d->iov[i].iov_len)
			iov[n++] = d->iov[i];
	return n;
}

void ip_udp_frame_meta(struct dev_meta *m, const uint8_t *hdr, size_t payload, unsigned segs,
		       bool single, uint32_t priority, uint32_t mark)
{
	const uint8_t *ip = hdr + FRAME_IP_OFF;

	/* the IPv4 frame's layout (wire.h), its protocol with it */
	m->proto = udp_frame_ipv4.ethertype;
	m->l3_off = DEV_VNET_HDR_LEN + udp_frame_ipv4.l3_off;
	m->l4_off = DEV_VNET_HDR_LEN + udp_frame_ipv4.l4_off;
	m->hdr_len = DEV_VNET_HDR_LEN + udp_frame_ipv4.hdr_len;
	m->flags = (single ? DEV_META_SINGLE : 0) | DEV_META_SKB;
	m->priority = priority;
	m->mark = mark;
	m->segs = (uint16_t)segs;
	m->id = (uint16_t)(ip[4] << 8 | ip[5]);
	m->payload_len = (uint32_t)payload;
	m->flow_len = 0;
	if (!single || !netdev_wants_flow)
		return;
	/* what every datagram of the flow repeats: the Ethernet header, TOS, the fragment field
	 * (DF), TTL and protocol, the addresses and the ports */
	memcpy(m->flow, hdr + DEV_VNET_HDR_LEN, ETH_HLEN_BYTES);
	m->flow[ETH_HLEN_BYTES] = ip[1];
	memcpy(m->flow + ETH_HLEN_BYTES + 1, ip + 6, 4);
	memcpy(m->flow + ETH_HLEN_BYTES + 5, ip + 12, 12);
	m->flow_len = ETH_HLEN_BYTES + 17;
}

int ip_output_frame(int oif, const struct iovec *iov, int iovcnt, size_t payload, bool dontwait,
		    uint32_t priority, uint32_t mark)
{
	struct dev_meta m;

	ip_udp_frame_meta(&m, iov[0].iov_base, payload, 1, true, priority, mark);
	return dev_xmit(oif, iov, iovcnt, &m, dontwait);
}

/* One frame: headers here, payload straight from the program's iovecs. */
static int output_single(const struct udp_datagram *d, struct path_trace *t)
{
	uint8_t hdr[FRAME_HDR_MAX];
	struct iovec iov[1 + 1024];

	if (d->iovcnt > 1023)
		return -EMSGSIZE; /* caller uses the copying path instead */
	put_single_headers(hdr, d);
	path_step(t, "ip_make_skb(len %zu id %u%s ttl %u tos 0x%x)",
		  IPV4_HLEN_MIN + UDP_HLEN + d->len, d->id, d->df ? " DF" : "", d->ttl, d->tos);
	return ip_output_frame(d->oif, iov, single_frame_parts(hdr, d, iov), d->len, d->dontwait,
			       d->priority, d->mark);
}

int ip_output_defer(struct xmit_batch *b, const struct udp_datagram *d, struct path_trace *t)
{
	struct xmit_slot *slot;

	if (d->gso_size)
		return -1; /* a GSO super-packet goes out by itself */
	/* a priority or mark the packet socket may refuse (udp_send_skb then hands the datagram to
	 * the kernel socket) goes out by itself */
	if (b->n == XMIT_BATCH_MAX || !udp_datagram_plain(d) || d->csum_sw ||
	    dev_skb_needs_caps(d->priority, d->mark) ||
	    IPV4_HLEN_MIN + UDP_HLEN + d->len > d->fragsize || d->iovcnt > XMIT_SLOT_IOVS - 1 ||
	    (b->n > 0 && (b->oif != d->oif || b->dontwait != d->dontwait)))
		return -1;
	slot = &b->slot[b->n];
	put_single_headers(slot->hdr, d);
	slot->nparts = single_frame_parts(slot->hdr, d, slot->parts);
	slot->entry = b->current_entry;
	slot->len = (uint32_t)d->len;
	slot->priority = d->priority;
	slot->mark = d->mark;
	b->tagged |= (d->priority | d->mark) != 0;
	b->oif = d->oif;
	b->dontwait = d->dontwait;
	b->n++;
	path_step(
	    t, "ip_make_skb(len %zu id %u%s ttl %u tos 0x%x) \xe2\x86\x92 batched for one transmit",
	    IPV4_HLEN_MIN + UDP_HLEN + d->len, d->id, d->df ? " DF" : "", d->ttl, d->tos);
	return 0;
}

/* udp_send_skb's counters (udp_count_sent) for the batch's first n datagrams, which went out. */
static void count_batch_sent(const struct xmit_batch *b, int n)
{
	uint64_t bytes = 0;

	for (int i = 0; i < n; i++)
		bytes += b->slot[i].len;
	stats_add(STAT_DGRAMS_SENT, (uint64_t)n);
	stats_add(STAT_BYTES_SENT, bytes);
}

int xmit_batch_flush(struct xmit_batch *b)
{
	struct iovec *frames[XMIT_BATCH_MAX];
	int counts[XMIT_BATCH_MAX], at = 0;
	struct dev_meta meta[XMIT_BATCH_MAX];
	bool tagged = b->tagged;

	b->tagged = false;
	for (int i = 0; i < b->n; i++) {
		frames[i] = b->slot[i].parts;
		counts[i] = b->slot[i].nparts;
	}
	/* the skbs' priorities and marks, when any is not 0 */
	for (int i = 0; tagged && i < b->n; i++)
		meta[i] = (struct dev_meta){.flags = DEV_META_SKB,
					    .segs = 1,
					    .priority = b->slot[i].priority,
					    .mark = b->slot[i].mark};
	while (at < b->n) {
		int sent = dev_xmit_batch(b->oif, frames + at, counts + at,
					  tagged ? meta + at : NULL, b->n - at, b->dontwait);

		if (sent == b->n - at)
			break;
		if (sent > 0) {
			at += sent;
			continue; /* the next one failed: learn why on the next round */
		}
		if (sent < 0 && udp_xmit_errno(sent) == 0) { /* a queue drop: no error for UDP */
			at++;
			continue;
		}
		b->failed_entry = b->slot[at].entry;
		b->err = udp_xmit_errno(sent);
		count_batch_sent(b, at);
		b->n = 0;
		return -1;
	}
	count_batch_sent(b, b->n);
	b->n = 0;
	return 0;
}

/* Copy the payload from the program (EFAULT if any of it is unreadable) to dst. */
static int gather_payload(const struct udp_datagram *d, uint8_t *dst)
{
	return umem_read_iov(dst, d->iov, d->iovcnt, d->len) != 0 ? -EFAULT : 0;
}

int ip_build_udp_frames(const struct udp_datagram *d, struct frame_set *fs)
{
	const size_t l2 = DEV_VNET_HDR_LEN + ETH_HLEN_BYTES, hlen = udp_datagram_hlen(d);
	size_t ulen = UDP_HLEN + d->len, total = hlen + ulen, per;
	unsigned nfrag = ip_fragment_count(total, hlen, d->fragsize, &per);
	uint8_t *udp, *out, opt_first[IP_OPTS_MAX], opt_rest[IP_OPTS_MAX];

	if (d->gso_size) {
		int r = ip_build_udp_gso_frame(d, fs);

		if (r == 0) {
			fs->priority = d->priority; /* the skb's */
			fs->mark = d->mark;
		}
		return r;
	}
	/* the first frame's data area holds the whole UDP datagram while it is summed */
	if (frame_set_alloc(fs, nfrag, nfrag * (l2 + hlen) + ulen) == NULL)
		return -ENOMEM; /* the shim's memory, not a queue drop: the caller hands it on */
	fs->priority = d->priority; /* every frame's skb */
	fs->mark = d->mark;
	udp = fs->buf + l2 + hlen;
	if (gather_payload(d, udp + UDP_HLEN) != 0) {
		shim_free(fs->buf);
		fs->buf = NULL;
		return -EFAULT;
	}
	/* udp_csum: over the whole datagram (or the UDP-Lite coverage), in software; or, for one
	 * frame the kernel leaves to the device (udp4_hwcsum), the pseudo-header sum and a vnet
	 * header that asks for the rest */
	if (udp_csum_partial(d, nfrag))
		wire_put_udp(udp, d->sport, d->dport, (uint16_t)ulen,
			     udp4_csum_seed(d->saddr, d->daddr, (uint16_t)ulen));
	else
		udp_put_header_csum(d, udp, ulen);
	/* ip_options_build for the first frame; ip_options_fragment for the others */
	if (hlen > IPV4_HLEN_MIN) {
		ip_opts_build(d->opt, d->saddr, opt_first);
		memcpy(opt_rest, opt_first, hlen - IPV4_HLEN_MIN);
		ip_opts_fragment(opt_rest, hlen - IPV4_HLEN_MIN);
	}

	/* Frame i is [vnet | Ethernet | IPv4 | data i]; its data starts i headers to the right of
	 * where it lies now. Moving back to front, every move and header write lands on bytes
	 * already moved. */
	for (unsigned i = 0; i <= nfrag; i++)
		fs->off[i] = i * (l2 + hlen) + (i < nfrag ? i * per : ulen);
	for (int i = (int)nfrag - 1; i >= 0; i--) {
		size_t off = (size_t)i * per, chunk = i + 1 < (int)nfrag ? per : ulen - off;
		uint16_t frag = (uint16_t)(off / 8);

		if (i + 1 < (int)nfrag)
			frag |= IP_MF;
		else if (d->df && nfrag == 1)
			frag |= IP_DF;
		out = fs->buf + fs->off[i];
		memmove(out + l2 + hlen, udp + off, chunk);
		if (udp_csum_partial(d, nfrag))
			dev_put_vnet_hdr(out, (uint16_t)(ETH_HLEN_BYTES + hlen + UDP_HLEN),
					 (uint16_t)(ETH_HLEN_BYTES + hlen), 6);
		else
			dev_put_vnet_hdr(out, 0, 0, 0);
		put_link_and_ip(out + DEV_VNET_HDR_LEN, d, (uint16_t)(hlen + chunk), frag,
				i == 0 ? opt_first : opt_rest);
	}
	return 0;
}

/* The fragments of one datagram as ONE frame whose virtio-net header asks for
 * VIRTIO_NET_HDR_GSO_UDP (software UFO, udp4_ufo_fragment + inet_gso_segment): the kernel
 * completes the UDP checksum over the whole datagram and cuts the IP payload into gso_size pieces,
 * each with the datagram's IP header, its own total length, offset and MF, and the same ID — the
 * fragments ip_do_fragment makes, which then leave the device one after another, as the kernel's
 * do, however many threads send (frames sent one by one interleave with other threads' and the
 * peer's reassembly drops a datagram whose fragments arrive more than ipfrag_max_dist apart).
 * The payload stays in the program's buffers, as for a single frame. Only for plain UDP: UFO sums
 * the whole datagram (no UDP-Lite coverage, no SO_NO_CHECK) and copies every IP option into every
 * fragment (ip_options_fragment keeps only the copied ones). Returns 0, -errno, or -EINVAL when
 * the packet socket does not take UFO frames (the caller sends the fragments one by one). */
static int output_ufo(const struct udp_datagram *d, unsigned nfrag, size_t per,
		      struct path_trace *t)
{
	uint8_t hdr[FRAME_HDR_MAX];
	struct iovec iov[1 + 1024];
	uint16_t ulen = (uint16_t)(UDP_HLEN + d->len), csum_start = ETH_HLEN_BYTES + IPV4_HLEN_MIN;
	struct dev_meta m;
	int r;

	put_link_and_ip(hdr + DEV_VNET_HDR_LEN, d, (uint16_t)(IPV4_HLEN_MIN + ulen), 0, NULL);
	wire_put_udp(hdr + DEV_VNET_HDR_LEN + csum_start, d->sport, d->dport, ulen,
		     udp4_csum_seed(d->saddr, d->daddr, ulen));
	dev_put_vnet_hdr_ufo(hdr, (uint16_t)(csum_start + UDP_HLEN), csum_start, (uint16_t)per);
	ip_udp_frame_meta(&m, hdr, d->len, nfrag, false, d->priority, d->mark);
	r = dev_xmit(d->oif, iov, single_frame_parts(hdr, d, iov), &m, d->dontwait);
	if (r == -EINVAL)
		return r;
	path_step(t,
		  "ip_make_skb(len %zu id %u ttl %u tos 0x%x) \xe2\x86\x92 ip_do_fragment(%u "
		  "frames of up to %zu data bytes, one frame to the device: "
		  "VIRTIO_NET_HDR_GSO_UDP)",
		  IPV4_HLEN_MIN + UDP_HLEN + d->len, d->id, d->ttl, d->tos, nfrag, per);
	if (r == 0)
		stats_add(STAT_FRAGMENTED, 1);
	return r;
}

static int output_copied(const struct udp_datagram *d, struct path_trace *t)
{
	struct frame_set fs;
	int sent;
	size_t per;
	size_t hlen = udp_datagram_hlen(d);
	unsigned nfrag = ip_fragment_count(hlen + UDP_HLEN + d->len, hlen, d->fragsize, &per);
	int r = ip_build_udp_frames(d, &fs);

	if (r < 0)
		return r;
	path_step(t,
		  "ip_make_skb(len %zu id %u ttl %u tos 0x%x%s) \xe2\x86\x92 ip_do_fragment(%u "
		  "frames of up to %zu data bytes)",
		  hlen + UDP_HLEN + d->len, d->id, d->ttl, d->tos, d->df ? " DF" : "", nfrag, per);
	r = frame_set_xmit_datagram(&fs, d->oif, d->dontwait, &sent);
	if (sent >= 0 && fs.n > 1)
		stats_add(STAT_FRAGMENTED, 1);
	return r;
}

int ip_output_udp(const struct udp_datagram *d, struct path_trace *t)
{
	size_t total = IPV4_HLEN_MIN + UDP_HLEN + d->len;

	if (d->gso_size)
		return ip_output_udp_gso(d, t);
	/* a corked datagram of one frame is summed in software (udp_csum_partial): copied */
	if (d->iovcnt <= 1023 && udp_datagram_plain(d) && (total > d->fragsize || !d->csum_sw)) {
		size_t per;
		unsigned nfrag;
		int r;

		if (total <= d->fragsize)
			return output_single(d, t);
		nfrag = ip_fragment_count(total, IPV4_HLEN_MIN, d->fragsize, &per);
		/* a UFO frame is cut at per bytes (udp4_ufo_fragment): not when the last fragment
		 * carries more */
		if (dev_ufo && total - IPV4_HLEN_MIN - (nfrag - 1) * per <= per) {
			r = output_ufo(d, nfrag, per, t);
			if (r != -EINVAL)
				return r;
			dev_ufo = false; /* this kernel refuses UFO frames: fragments from now on */
		}
	}
	return output_copied(d, t);
}
