/* hdr_template: header templates of one-frame datagrams (see include/shim/hdr_template.h). */
#include "shim/hdr_template.h"
#include "shim/dev.h"
#include "shim/wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

/* the IPv4 frame's layout (wire.h): the template is IPv4's, keyed on 4-byte addresses */
#define DESC	(&udp_frame_ipv4)
#define ETH_OFF DEV_VNET_HDR_LEN

/* What the headers depend on, besides what udp_frame_patch writes. */
struct flow_key {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint8_t tos, ttl;
	uint8_t src_mac[6], dst_mac[6];
};

static __thread __attribute__((tls_model("initial-exec"))) struct {
	bool valid;
	struct flow_key key;
	struct hdr_template t;
} tpl;

void hdr_template_build(struct hdr_template *t, const struct udp_datagram *d)
{
	struct eth_hdr_fields eth;
	struct ipv4_hdr_fields ip;
	uint8_t *l2 = t->hdr + ETH_OFF;

	memset(t->hdr, 0, sizeof(t->hdr));
	/* the UDP checksum left to the kernel/device, from the seed udp_frame_patch writes */
	dev_put_vnet_hdr(t->hdr, (uint16_t)(DESC->l4_off + UDP_HLEN), DESC->l4_off, 6);
	memcpy(eth.dst, d->dst_mac, 6);
	memcpy(eth.src, d->src_mac, 6);
	eth.ethertype = DESC->ethertype;
	wire_put_eth(l2, &eth);
	memset(&ip, 0, sizeof(ip));
	ip.tos = d->tos;
	ip.ttl = d->ttl;
	ip.protocol = IPPROTO_UDP;
	ip.saddr = d->saddr;
	ip.daddr = d->daddr;
	wire_put_ipv4(l2 + DESC->l3_off, &ip);
	memset(l2 + DESC->csum_off, 0, 2);
	wire_put_udp(l2 + DESC->l4_off, d->sport, d->dport, 0, 0);
	t->ip_base = csum_base16(csum_partial(l2 + DESC->l3_off, DESC->l3_len, 0));
	t->pseudo_base = csum_base16(csum_pseudo_ipv4(d->saddr, d->daddr, IPPROTO_UDP, 0));
}

static inline uint64_t load6(const uint8_t *p)
{
	uint32_t a;
	uint16_t b;

	memcpy(&a, p, 4);
	memcpy(&b, p + 4, 2);
	return (uint64_t)a | (uint64_t)b << 32;
}

void hdr_template_put(uint8_t *hdr, const struct udp_datagram *d)
{
	struct flow_key *k = &tpl.key;

	/* field by field rather than a built key: this runs for every datagram */
	if (!tpl.valid || d->saddr != k->saddr || d->daddr != k->daddr || d->sport != k->sport ||
	    d->dport != k->dport || d->tos != k->tos || d->ttl != k->ttl ||
	    load6(d->dst_mac) != load6(k->dst_mac) || load6(d->src_mac) != load6(k->src_mac)) {
		k->saddr = d->saddr;
		k->daddr = d->daddr;
		k->sport = d->sport;
		k->dport = d->dport;
		k->tos = d->tos;
		k->ttl = d->ttl;
		memcpy(k->src_mac, d->src_mac, 6);
		memcpy(k->dst_mac, d->dst_mac, 6);
		hdr_template_build(&tpl.t, d);
		tpl.valid = true;
	}
	memcpy(hdr, tpl.t.hdr, HDR_TEMPLATE_LEN);
	udp_frame_patch(DESC, hdr + ETH_OFF, (uint16_t)(UDP_HLEN + d->len), htons(d->id),
			d->df ? htons(IP_DF) : 0, tpl.t.ip_base, tpl.t.pseudo_base);
}
