/* ip_options: the IPv4 options a UDP datagram carries (see include/shim/ip_options.h), as
 * net/ipv4/ip_options.c lays them out: compiled once when set (ip_options_compile without an skb:
 * record-route and timestamp pointers advanced past the slot the sender fills), written into the
 * first frame with the sender's address and the time (ip_options_build), and reduced to the
 * "copied" options in later fragments (ip_options_fragment). Source routes, prespecified
 * timestamps and CIPSO are left to the kernel socket. */
#include "shim/ip_options.h"

#include <arpa/inet.h>
#include <string.h>
#include <time.h>

#define OPT_END	      0x00
#define OPT_NOP	      0x01
#define OPT_RR	      0x07
#define OPT_TIMESTAMP 0x44
#define OPT_LSRR      0x83
#define OPT_CIPSO     0x86
#define OPT_SSRR      0x89
#define OPT_RA	      0x94
#define OPT_COPIED    0x80

#define TS_ONLY	     0
#define TS_AND_ADDR  1
#define TS_PRESPEC   3
#define INVALID_OPTS "invalid IP options: the kernel answers"

/* ip_options_get + ip_options_compile(skb NULL). from_cmsg: the bytes come from the program, not
 * yet checked by the kernel; options whose acceptance depends on CAP_NET_RAW go to the kernel. */
static const char *compile(struct ip_optset *o, const uint8_t *buf, size_t len, bool from_cmsg)
{
	size_t n = len > IP_OPTS_MAX ? IP_OPTS_MAX : len;

	memset(o, 0, sizeof(*o));
	memcpy(o->data, buf, n);
	while (n & 3)
		o->data[n++] = OPT_END;
	o->optlen = (uint8_t)n;
	for (size_t i = 0; i < n;) {
		uint8_t *p = o->data + i, flag;
		size_t left = n - i;
		int olen;

		if (p[0] == OPT_END) {
			memset(p + 1, OPT_END, left - 1); /* whatever follows END is zeroed */
			break;
		}
		if (p[0] == OPT_NOP) {
			i++;
			continue;
		}
		if (left < 2 || p[1] < 2 || (size_t)p[1] > left)
			return INVALID_OPTS;
		olen = p[1];
		switch (p[0]) {
		case OPT_LSRR:
		case OPT_SSRR:
			/* the first address becomes the destination and next hop (udp_sendmsg
			 * faddr, strict-route check against the gateway) */
			return "source route option: the first hop becomes the destination";
		case OPT_CIPSO:
			return "CIPSO option: validated by the kernel's CIPSO/netlabel code";
		case OPT_RR:
			if (o->rr || olen < 3 || p[2] < 4)
				return INVALID_OPTS;
			if (p[2] <= olen) {
				if (p[2] + 3 > olen)
					return INVALID_OPTS;
				p[2] += 4;
				o->rr_needaddr = true;
			}
			o->rr = (uint8_t)(i + 1);
			break;
		case OPT_TIMESTAMP:
			if (o->ts || olen < 4 || p[2] < 5)
				return INVALID_OPTS;
			flag = p[3] & 0xf;
			if (flag == TS_PRESPEC)
				return "timestamp option with prespecified addresses: stamped only "
				       "for "
				       "local addresses";
			if (flag != TS_ONLY && flag != TS_AND_ADDR && from_cmsg)
				return "timestamp option flag needs the kernel's CAP_NET_RAW check";
			if (p[2] <= olen) {
				if (p[2] + 3 > olen)
					return INVALID_OPTS;
				if (flag == TS_AND_ADDR) {
					if (p[2] + 7 > olen)
						return INVALID_OPTS;
					p[2] += 8;
					o->ts_needaddr = o->ts_needtime = true;
				} else if (flag == TS_ONLY) {
					p[2] += 4;
					o->ts_needtime = true;
				}
			} else if ((p[3] >> 4) == 15) {
				return INVALID_OPTS; /* the overflow counter is full */
			}
			o->ts = (uint8_t)(i + 1);
			break;
		case OPT_RA:
			if (olen < 4)
				return INVALID_OPTS;
			break;
		default: /* security, stream id and others: copied as they are */
			if (from_cmsg)
				return "IP option that needs the kernel's CAP_NET_RAW check";
			break;
		}
		i += olen;
	}
	return NULL;
}

const char *ip_opts_from_socket(struct ip_optset *o, const uint8_t *buf, size_t len)
{
	return compile(o, buf, len, false);
}

const char *ip_opts_from_cmsg(struct ip_optset *o, const uint8_t *buf, size_t len)
{
	return compile(o, buf, len, true);
}

/* inet_current_timestamp: milliseconds since midnight UTC, network order */
static uint32_t current_timestamp(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return htonl((uint32_t)(ts.tv_sec % 86400) * 1000u + (uint32_t)(ts.tv_nsec / 1000000));
}

void ip_opts_build(const struct ip_optset *o, uint32_t saddr, uint8_t *out)
{
	memcpy(out, o->data, o->optlen);
	if (o->rr_needaddr) {
		uint8_t *p = out + o->rr - 1;

		memcpy(p + p[2] - 5, &saddr, 4); /* the slot before the advanced pointer */
	}
	if (o->ts) {
		uint8_t *p = out + o->ts - 1;

		if (o->ts_needaddr)
			memcpy(p + p[2] - 9, &saddr, 4);
		if (o->ts_needtime) {
			uint32_t now = current_timestamp();

			memcpy(p + p[2] - 5, &now, 4);
		}
	}
}

void ip_opts_fragment(uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t olen;

		if (p[i] == OPT_END)
			return;
		if (p[i] == OPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			return;
		olen = p[i + 1];
		if (olen < 2 || olen > len - i)
			return;
		if (!(p[i] & OPT_COPIED))
			memset(p + i, OPT_NOP, olen);
		i += olen;
	}
}
