/* hdr_template: per-thread header template for one-frame datagrams (see
 * include/shim/hdr_template.h). */
#include "shim/hdr_template.h"
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
	uint32_t ip_base; /* partial sum of the IPv4 header without total length, ID, checksum */
	uint32_t pseudo_base; /* partial sum of the UDP pseudo-header without the length */
	uint8_t hdr[HDR_TEMPLATE_LEN];
};

#define IP_OFF	(10 + 14)
#define UDP_OFF (IP_OFF + 20)

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

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* csum_fold, here so it is inlined: fold to 16 bits and complement. */
static inline uint16_t fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
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
	uint16_t ulen = (uint16_t)(UDP_HLEN + d->len), tot = (uint16_t)(IPV4_HLEN_MIN + ulen);
	uint16_t ipck, udpck;

	/* field by field rather than a built key: this runs for every datagram */
	if (!tpl.valid || d->saddr != t->saddr || d->daddr != t->daddr || d->sport != t->sport ||
	    d->dport != t->dport || d->tos != t->tos || d->ttl != t->ttl || d->df != t->df ||
	    load6(d->dst_mac) != load6(t->dst_mac) || load6(d->src_mac) != load6(t->src_mac))
		return false;
	memcpy(hdr, tpl.hdr, HDR_TEMPLATE_LEN);
	put_be16(hdr + IP_OFF + 2, tot);
	put_be16(hdr + IP_OFF + 4, d->id);
	/* the one's complement sum does not depend on byte order: add the fields as stored */
	ipck = fold(tpl.ip_base + htons(tot) + htons(d->id));
	memcpy(hdr + IP_OFF + 10, &ipck, 2);
	put_be16(hdr + UDP_OFF + 4, ulen);
	udpck = (uint16_t)~fold(tpl.pseudo_base + htons(ulen));
	memcpy(hdr + UDP_OFF + 6, &udpck, 2);
	return true;
}

void hdr_template_save(const uint8_t *hdr, const struct udp_datagram *d)
{
	uint8_t ip[IPV4_HLEN_MIN];

	key_of(&tpl.key, d);
	memcpy(tpl.hdr, hdr, HDR_TEMPLATE_LEN);
	memcpy(ip, hdr + IP_OFF, sizeof(ip));
	memset(ip + 2, 0, 4);  /* total length, ID */
	memset(ip + 10, 0, 2); /* checksum */
	tpl.ip_base = csum_partial(ip, sizeof(ip), 0);
	tpl.pseudo_base = csum_pseudo_ipv4(d->saddr, d->daddr, IPPROTO_UDP, 0);
	tpl.valid = true;
}
