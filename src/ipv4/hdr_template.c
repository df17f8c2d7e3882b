/* hdr_template: per-thread header template for one-frame datagrams (see
 * include/shim/hdr_template.h). */
#include "shim/hdr_template.h"
#include "shim/dev.h"
#include "shim/wire.h"

#include <arpa/inet.h>
#include <string.h>

/* What the headers depend on, besides the lengths and the ID. */
struct flow_key {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint8_t tos, ttl, df, pad;
	uint8_t src_mac[6], dst_mac[6];
};

struct template
{
	bool valid;
	struct flow_key key;
	uint32_t ip_base; /* partial sum of the IPv4 header without length, ID, fragment field */
	uint32_t pseudo_base; /* partial sum of the UDP pseudo-header without the length */
	uint8_t hdr[HDR_TEMPLATE_LEN];
};

/* the IPv4 frame's layout (wire.h): the template is IPv4's, keyed on 4-byte addresses */
#define DESC	(&udp_frame_ipv4)
#define ETH_OFF DEV_VNET_HDR_LEN

static __thread __attribute__((tls_model("initial-exec"))) struct template tpl;

static void key_of(struct flow_key *k, const struct udp_datagram *d)
{
	memset(k, 0, sizeof(*k));
	k->saddr = d->saddr;
	k->daddr = d->daddr;
	k->sport = d->sport;
	k->dport = d->dport;
	k->tos = d->tos;
	k->ttl = d->ttl;
	k->df = d->df;
	memcpy(k->src_mac, d->src_mac, 6);
	memcpy(k->dst_mac, d->dst_mac, 6);
}

static inline uint64_t load6(const uint8_t *p)
{
	uint32_t a;
	uint16_t b;

	memcpy(&a, p, 4);
	memcpy(&b, p + 4, 2);
	return (uint64_t)a | (uint64_t)b << 32;
}

bool hdr_template_put(uint8_t *hdr, const struct udp_datagram *d)
{
	const struct flow_key *t = &tpl.key;

	/* field by field rather than a built key: this runs for every datagram */
	if (!tpl.valid || d->saddr != t->saddr || d->daddr != t->daddr || d->sport != t->sport ||
	    d->dport != t->dport || d->tos != t->tos || d->ttl != t->ttl || d->df != t->df ||
	    load6(d->dst_mac) != load6(t->dst_mac) || load6(d->src_mac) != load6(t->src_mac))
		return false;
	memcpy(hdr, tpl.hdr, HDR_TEMPLATE_LEN);
	udp_frame_patch(DESC, hdr + ETH_OFF, (uint16_t)(UDP_HLEN + d->len), htons(d->id),
			d->df ? htons(IP_DF) : 0, tpl.ip_base, tpl.pseudo_base);
	return true;
}

void hdr_template_save(const uint8_t *hdr, const struct udp_datagram *d)
{
	uint8_t *eth = tpl.hdr + ETH_OFF;

	key_of(&tpl.key, d);
	memcpy(tpl.hdr, hdr, HDR_TEMPLATE_LEN);
	/* what udp_frame_patch writes is zero in the template */
	memset(eth + DESC->iplen_off, 0, 2);
	memset(eth + DESC->id_off, 0, 4); /* ID, fragment field */
	memset(eth + DESC->csum_off, 0, 2);
	memset(eth + DESC->l4_off + 4, 0, 4); /* UDP length, checksum */
	tpl.ip_base = csum_partial(eth + DESC->l3_off, DESC->l3_len, 0);
	tpl.pseudo_base = csum_pseudo_ipv4(d->saddr, d->daddr, IPPROTO_UDP, 0);
	tpl.valid = true;
}
