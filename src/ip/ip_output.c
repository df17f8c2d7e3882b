/* ip_output: build the frames of one UDP/IPv4 datagram and hand them to the device.
 *
 * A datagram that fits the MTU is one frame sent as a gather list [vnet | Ethernet | IPv4 | UDP |
 * the program's own buffers]: the kernel copies the payload (and answers EFAULT for a bad buffer,
 * as the kernel's UDP does) and finishes the UDP checksum from the pseudo-header sum we seed
 * (VIRTIO_NET_HDR_F_NEEDS_CSUM). A larger datagram is fragmented the way __ip_append_data lays it
 * out; its checksum must cover all fragments, so its payload is first copied (fault-checked) and
 * summed here, and the fragments go out with one sendmmsg. */
#include "shim/ip_output.h"
#include "shim/dev.h"
#include "shim/hdr_template.h"
#include "shim/stats.h"
#include "shim/umem.h"
#include "shim/wire.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_HDR_MAX (DEV_VNET_HDR_LEN + ETH_HLEN_BYTES + IPV4_HLEN_MIN + UDP_HLEN)

unsigned ip_fragment_count(size_t total, size_t hlen, uint32_t fragsize, size_t *per_fragment)
{
	size_t data = total - hlen, per = ((size_t)fragsize - hlen) & ~(size_t)7;

	*per_fragment = per;
	if (total <= fragsize)
		return 1;
	return (unsigned)((data + per - 1) / per);
}

static void put_link_and_ip(uint8_t *p, const struct udp_datagram *d, uint16_t total, uint16_t frag)
{
	struct eth_hdr_fields eth;
	struct ipv4_hdr_fields ip = {
	    .tos = d->tos,
	    .total_len = total,
	    .id = d->id,
	    .frag = frag,
	    .ttl = d->ttl,
	    .protocol = IPPROTO_UDP,
	    .saddr = d->saddr,
	    .daddr = d->daddr,
	};

	memcpy(eth.dst, d->dst_mac, 6);
	memcpy(eth.src, d->src_mac, 6);
	eth.ethertype = 0x0800;
	wire_put_eth(p, &eth);
	wire_put_ipv4(p + ETH_HLEN_BYTES, &ip);
}

/* One frame: headers here, payload straight from the program's iovecs. */
/* The headers of a one-frame datagram: vnet (checksum left to the kernel/device), Ethernet, IPv4,
 * UDP with the pseudo-header sum. */
static void put_single_headers(uint8_t *hdr, const struct udp_datagram *d)
{
	uint16_t ulen = (uint16_t)(UDP_HLEN + d->len);
	uint8_t *l2 = hdr + DEV_VNET_HDR_LEN;
	uint16_t csum_start = ETH_HLEN_BYTES + IPV4_HLEN_MIN;
	uint32_t pseudo;

	if (hdr_template_put(hdr, d)) /* the flow of this thread's last datagram (perf) */
		return;
	pseudo = csum_pseudo_ipv4(d->saddr, d->daddr, IPPROTO_UDP, ulen);
	put_link_and_ip(l2, d, (uint16_t)(IPV4_HLEN_MIN + ulen), d->df ? IP_DF : 0);
	/* CHECKSUM_PARTIAL convention: the field holds the folded pseudo-header sum, uncomplemented
	 */
	wire_put_udp(l2 + csum_start, d->sport, d->dport, ulen, (uint16_t)~csum_fold(pseudo));
	dev_put_vnet_hdr(hdr, (uint16_t)(csum_start + UDP_HLEN), csum_start, 6);
	hdr_template_save(hdr, d);
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
	return dev_xmit(d->oif, iov, single_frame_parts(hdr, d, iov), d->dontwait);
}

int ip_output_defer(struct xmit_batch *b, const struct udp_datagram *d, struct path_trace *t)
{
	struct xmit_slot *slot;

	if (b->n == XMIT_BATCH_MAX || IPV4_HLEN_MIN + UDP_HLEN + d->len > d->fragsize ||
	    d->iovcnt > XMIT_SLOT_IOVS - 1 ||
	    (b->n > 0 && (b->oif != d->oif || b->dontwait != d->dontwait)))
		return -1;
	slot = &b->slot[b->n];
	put_single_headers(slot->hdr, d);
	slot->nparts = single_frame_parts(slot->hdr, d, slot->parts);
	slot->entry = b->current_entry;
	b->oif = d->oif;
	b->dontwait = d->dontwait;
	b->n++;
	path_step(
	    t, "ip_make_skb(len %zu id %u%s ttl %u tos 0x%x) \xe2\x86\x92 batched for one transmit",
	    IPV4_HLEN_MIN + UDP_HLEN + d->len, d->id, d->df ? " DF" : "", d->ttl, d->tos);
	return 0;
}

int xmit_batch_flush(struct xmit_batch *b)
{
	struct iovec *frames[XMIT_BATCH_MAX];
	int counts[XMIT_BATCH_MAX], at = 0;

	for (int i = 0; i < b->n; i++) {
		frames[i] = b->slot[i].parts;
		counts[i] = b->slot[i].nparts;
	}
	while (at < b->n) {
		int sent = dev_xmit_batch(b->oif, frames + at, counts + at, b->n - at, b->dontwait);

		if (sent == b->n - at)
			break;
		if (sent > 0) {
			at += sent;
			continue; /* the next one failed: learn why on the next round */
		}
		if (sent == -ENOBUFS) { /* a queue drop is no error for UDP (udp_send_skb) */
			at++;
			continue;
		}
		b->failed_entry = b->slot[at].entry;
		b->err = sent == -ENETDOWN || sent == -ENXIO ? -ENETUNREACH : sent;
		b->n = 0;
		return -1;
	}
	b->n = 0;
	return 0;
}

/* Copy the payload from the program (EFAULT if any of it is unreadable) to dst. */
static int gather_payload(const struct udp_datagram *d, uint8_t *dst)
{
	size_t off = 0;

	for (int i = 0; i < d->iovcnt && off < d->len; i++) {
		size_t take = d->iov[i].iov_len;

		if (take > d->len - off)
			take = d->len - off;
		if (take && umem_read(dst + off, d->iov[i].iov_base, take) != 0)
			return -EFAULT;
		off += take;
	}
	return 0;
}

int ip_build_udp_frames(const struct udp_datagram *d, struct frame_set *fs)
{
	const size_t l2 = DEV_VNET_HDR_LEN + ETH_HLEN_BYTES, hlen = IPV4_HLEN_MIN;
	size_t ulen = UDP_HLEN + d->len, total = hlen + ulen, per;
	unsigned nfrag = ip_fragment_count(total, hlen, d->fragsize, &per);
	uint8_t *udp, *out;
	uint16_t check;

	if (nfrag > IP_MAX_FRAMES)
		return -EMSGSIZE;
	/* the first frame's data area holds the whole UDP datagram while it is summed */
	fs->buf = malloc(nfrag * (l2 + hlen) + ulen);
	if (fs->buf == NULL)
		return -ENOBUFS;
	udp = fs->buf + l2 + hlen;
	if (gather_payload(d, udp + UDP_HLEN) != 0) {
		free(fs->buf);
		fs->buf = NULL;
		return -EFAULT;
	}
	/* udp_csum: over the whole datagram, in software */
	wire_put_udp(udp, d->sport, d->dport, (uint16_t)ulen, 0);
	check = udp_checksum_final(
	    csum_add(csum_pseudo_ipv4(d->saddr, d->daddr, IPPROTO_UDP, (uint16_t)ulen),
		     csum_partial(udp, ulen, 0)));
	memcpy(udp + 6, &check, 2);

	/* Frame i is [vnet | Ethernet | IPv4 | data i]; its data starts i headers to the right of
	 * where it lies now. Moving back to front, every move and header write lands on bytes
	 * already moved. */
	fs->n = (int)nfrag;
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
		dev_put_vnet_hdr(out, 0, 0, 0);
		put_link_and_ip(out + DEV_VNET_HDR_LEN, d, (uint16_t)(hlen + chunk), frag);
	}
	return 0;
}

static int output_copied(const struct udp_datagram *d, struct path_trace *t)
{
	struct frame_set fs;
	struct iovec parts[IP_MAX_FRAMES], *frames[IP_MAX_FRAMES];
	int counts[IP_MAX_FRAMES], sent;
	size_t per;
	unsigned nfrag =
	    ip_fragment_count(IPV4_HLEN_MIN + UDP_HLEN + d->len, IPV4_HLEN_MIN, d->fragsize, &per);
	int r = ip_build_udp_frames(d, &fs);

	if (r < 0)
		return r;
	for (int i = 0; i < fs.n; i++) {
		parts[i] = (struct iovec){fs.buf + fs.off[i], fs.off[i + 1] - fs.off[i]};
		frames[i] = &parts[i];
		counts[i] = 1;
	}
	path_step(t,
		  "ip_make_skb(len %zu id %u ttl %u tos 0x%x%s) \xe2\x86\x92 ip_do_fragment(%u "
		  "frames of up to %zu data bytes)",
		  IPV4_HLEN_MIN + UDP_HLEN + d->len, d->id, d->ttl, d->tos, d->df ? " DF" : "",
		  nfrag, per);
	sent = dev_xmit_batch(d->oif, frames, counts, fs.n, d->dontwait);
	free(fs.buf);
	if (sent < 0)
		return sent;
	if (fs.n > 1)
		stats_add(STAT_FRAGMENTED, 1);
	return sent == fs.n ? 0 : -ENOBUFS;
}

int ip_output_udp(const struct udp_datagram *d, struct path_trace *t)
{
	size_t total = IPV4_HLEN_MIN + UDP_HLEN + d->len;

	if (total <= d->fragsize && d->iovcnt <= 1023)
		return output_single(d, t);
	return output_copied(d, t);
}
