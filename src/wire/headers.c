/* headers: Ethernet, IPv4 and UDP header writers (the byte layouts of __ip_make_skb and
 * udp_send_skb). */
#include "shim/wire.h"

#include <arpa/inet.h>
#include <string.h>

void wire_put_eth(uint8_t *p, const struct eth_hdr_fields *f)
{
	uint16_t t = htons(f->ethertype);

	memcpy(p, f->dst, 6);
	memcpy(p + 6, f->src, 6);
	memcpy(p + 12, &t, 2);
}

static void put16(uint8_t *p, uint16_t host)
{
	uint16_t n = htons(host);

	memcpy(p, &n, 2);
}

size_t wire_put_ipv4(uint8_t *p, const struct ipv4_hdr_fields *f)
{
	size_t hlen = IPV4_HLEN_MIN + f->optlen;

	p[0] = (uint8_t)(0x40 | (hlen / 4));
	p[1] = f->tos;
	put16(p + 2, f->total_len);
	put16(p + 4, f->id);
	put16(p + 6, f->frag);
	p[8] = f->ttl;
	p[9] = f->protocol;
	p[10] = p[11] = 0;
	memcpy(p + 12, &f->saddr, 4);
	memcpy(p + 16, &f->daddr, 4);
	if (f->optlen)
		memcpy(p + IPV4_HLEN_MIN, f->options, f->optlen);
	ip_send_check(p);
	return hlen;
}

void ip_send_check(uint8_t *ip)
{
	uint16_t check;

	memset(ip + 10, 0, 2);
	check = csum_fold(csum_partial(ip, (size_t)(ip[0] & 0x0f) * 4, 0));
	memcpy(ip + 10, &check, 2);
}

void wire_put_ipv6(uint8_t *p, const struct ipv6_hdr_fields *f)
{
	uint32_t w = htonl(6u << 28 | (uint32_t)f->tclass << 20 | (f->flowlabel & 0xfffff));

	memcpy(p, &w, 4);
	put16(p + 4, f->payload_len);
	p[6] = f->nexthdr;
	p[7] = f->hop_limit;
	memcpy(p + 8, f->saddr, 16);
	memcpy(p + 24, f->daddr, 16);
}

void wire_put_udp(uint8_t *p, uint16_t sport, uint16_t dport, uint16_t len, uint16_t check)
{
	memcpy(p, &sport, 2);
	memcpy(p + 2, &dport, 2);
	put16(p + 4, len);
	memcpy(p + 6, &check, 2);
}
