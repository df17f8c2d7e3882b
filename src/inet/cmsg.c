/* cmsg: control messages on sendmsg — net/ipv4/udp.c udp_cmsg_send, net/ipv4/ip_sockglue.c
 * ip_cmsg_send and net/core/sock.c __sock_cmsg_send, as udp4-send-path.md 4.3 tabulates them. The
 * shim applies IP_PKTINFO, IP_TTL, IP_TOS, IP_RETOPTS (the options ip_options.c builds),
 * IP_PROTOCOL, UDP_SEGMENT, SO_MARK and SO_PRIORITY itself; for any other valid message (source
 * routes, timestamps) it leaves the whole call to the kernel, which parses the buffer again and
 * so answers exactly. */
#include "shim/cmsg.h"
#include "shim/net_compat.h"
#include "shim/sockopt_check.h"
#include "shim/sockopt_verdict.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

/* for_each_cmsghdr with CMSG_OK: calls fn on each message; a header that does not fit is EINVAL.
 * A buffer shorter than one header holds no message. */
static int walk(const unsigned char *buf, size_t len, int (*fn)(const struct cmsghdr *, void *),
		void *ctx)
{
	size_t off = 0;

	while (len - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr h;
		int r;

		memcpy(&h, buf + off, sizeof(h));
		if (h.cmsg_len < sizeof(struct cmsghdr) || h.cmsg_len > len - off)
			return -EINVAL;
		r = fn((const struct cmsghdr *)(buf + off), ctx);
		if (r != 0)
			return r;
		off += CMSG_ALIGN(h.cmsg_len);
		if (off >= len)
			break;
	}
	return 0;
}

/* rt_tos2priority: the qdisc band of a TOS (ip_tos2prio, by the TOS bits without the lowest):
 * best effort, bulk, interactive, interactive bulk, each twice */
uint8_t rt_tos2priority(uint8_t tos)
{
	static const uint8_t tos2prio[8] = {0, 0, 2, 2, 6, 6, 4, 4};

	return tos2prio[(tos & 0x1e) >> 2];
}

static int get_int(const struct cmsghdr *m)
{
	int v;

	memcpy(&v, CMSG_DATA(m), sizeof(v));
	return v;
}

/* udp_cmsg_send: SOL_UDP messages only */
static int udp_cmsg(const struct cmsghdr *m, void *ctx)
{
	struct ipcm *c = ctx;
	uint16_t gso;

	if (m->cmsg_level != SOL_UDP) {
		c->need_ip = true;
		return 0;
	}
	if (m->cmsg_type != UDP_SEGMENT || m->cmsg_len != CMSG_LEN(sizeof(uint16_t)))
		return -EINVAL;
	memcpy(&gso, CMSG_DATA(m), sizeof(gso));
	c->gso_size = gso;
	c->has_gso = true;
	return 0;
}

/* CAP_NET_RAW or CAP_NET_ADMIN in the socket's namespace: 1, 0, -1 unknown */
static int raw_or_admin(void)
{
	int raw = sock_net_capable(SOV_CAP_NET_RAW);

	return raw != 0 ? raw : sock_net_capable(SOV_CAP_NET_ADMIN);
}

/* __sock_cmsg_send: SOL_SOCKET messages */
static int sock_cmsg(const struct cmsghdr *m, struct ipcm *c)
{
	int cap, v;

	switch (m->cmsg_type) {
	case SCM_RIGHTS:
	case SCM_CREDENTIALS:
		return 0; /* ignored on a UDP socket */
	case SO_MARK:	  /* the capability before the length; the mark joins the flow */
		if ((cap = raw_or_admin()) < 0) {
			c->kernel = "SO_MARK (capabilities unknown)";
			return 1;
		}
		if (!cap)
			return -EPERM;
		if (m->cmsg_len != CMSG_LEN(sizeof(uint32_t)))
			return -EINVAL;
		memcpy(&c->mark, CMSG_DATA(m), sizeof(c->mark));
		c->has_mark = true;
		return 0;
	case SO_PRIORITY: /* the length, then sk_set_prio_allowed */
		if (m->cmsg_len != CMSG_LEN(sizeof(uint32_t)))
			return -EINVAL;
		v = get_int(m);
		if (v < 0 || v > 6) { /* TC_PRIO_BESTEFFORT..TC_PRIO_INTERACTIVE are free */
			if ((cap = raw_or_admin()) < 0) {
				c->kernel = "SO_PRIORITY (capabilities unknown)";
				return 1;
			}
			if (!cap)
				return -EPERM;
		}
		/* sockc.priority becomes the skb's (the device's dev_meta) */
		c->priority = (uint32_t)v;
		c->has_priority = true;
		return 0;
	case SO_TIMESTAMPING_OLD: /* timestamps, a transmit time, a timestamp ID: the kernel's */
	case SO_TIMESTAMPING_NEW:
		c->kernel = "SO_TIMESTAMPING";
		return 1;
	case SCM_TXTIME:
		c->kernel = "SCM_TXTIME";
		return 1;
	case 81: /* SCM_TS_OPT_ID */
		c->kernel = "SCM_TS_OPT_ID";
		return 1;
	default:
		return -EINVAL;
	}
}

/* ip_cmsg_send: SOL_SOCKET and SOL_IP messages, and on an AF_INET6 socket (allow_ipv6) an
 * IPV6_PKTINFO with a v4-mapped source; other levels are ignored */
static int ip_cmsg(const struct cmsghdr *m, void *ctx)
{
	struct ipcm *c = ctx;
	int v;

	if (c->allow_ipv6 && m->cmsg_level == SOL_IPV6 && m->cmsg_type == IPV6_PKTINFO) {
		struct in6_pktinfo info;

		if (m->cmsg_len < CMSG_LEN(sizeof(info)))
			return -EINVAL;
		memcpy(&info, CMSG_DATA(m), sizeof(info));
		if (info.ipi6_addr.s6_addr32[0] != 0 || info.ipi6_addr.s6_addr32[1] != 0 ||
		    info.ipi6_addr.s6_addr32[2] != htonl(0xffff))
			return -EINVAL;
		if (info.ipi6_ifindex)
			c->oif = (int)info.ipi6_ifindex;
		c->has_addr = true;
		c->addr = info.ipi6_addr.s6_addr32[3];
		return 0;
	}
	if (m->cmsg_level == SOL_SOCKET)
		return sock_cmsg(m, c);
	if (m->cmsg_level != SOL_IP)
		return 0;
	switch (m->cmsg_type) {
	case IP_RETOPTS: {
		/* ip_options_get over cmsg_len - sizeof(cmsghdr) bytes, at most 40; the last one
		 * wins; an empty one means "no options", also over the socket's IP_OPTIONS */
		size_t n = m->cmsg_len - sizeof(struct cmsghdr);
		const char *why = ip_opts_from_cmsg(&c->opt, CMSG_DATA(m), n < 40 ? n : 40);

		if (why != NULL) {
			c->kernel = why; /* invalid (EINVAL is the kernel's) or not built here */
			return 1;
		}
		c->has_opt = true;
		return 0;
	}
	case IP_PKTINFO: {
		struct in_pktinfo info;

		if (m->cmsg_len != CMSG_LEN(sizeof(info)))
			return -EINVAL;
		memcpy(&info, CMSG_DATA(m), sizeof(info));
		if (info.ipi_ifindex)
			c->oif = info.ipi_ifindex;
		c->has_addr = true;
		c->addr = info.ipi_spec_dst.s_addr;
		return 0;
	}
	case IP_TTL:
		if (m->cmsg_len != CMSG_LEN(sizeof(int)))
			return -EINVAL;
		v = get_int(m);
		if (v < 1 || v > 255)
			return -EINVAL;
		c->ttl = v;
		return 0;
	case IP_TOS:
		if (m->cmsg_len == CMSG_LEN(sizeof(int)))
			v = get_int(m);
		else if (m->cmsg_len == CMSG_LEN(sizeof(uint8_t)))
			v = *(const uint8_t *)CMSG_DATA(m);
		else
			return -EINVAL;
		if (v < 0 || v > 255)
			return -EINVAL;
		c->tos = v;
		c->priority = rt_tos2priority((uint8_t)v); /* ipc->sockc.priority */
		c->has_priority = true;
		return 0;
	case IP_PROTOCOL:
		if (m->cmsg_len != CMSG_LEN(sizeof(int)))
			return -EINVAL;
		v = get_int(m);
		return v < 1 || v > 255 ? -EINVAL : 0; /* accepted and ignored by UDP */
	default:
		return -EINVAL;
	}
}

int udp_ip_cmsg_send(const void *control, size_t len, struct ipcm *c, bool allow_ipv6)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->tos = -1;
	c->allow_ipv6 = allow_ipv6;
	r = walk(control, len, udp_cmsg, c);
	if (r == 0)
		r = walk(control, len, ip_cmsg, c);
	if (r > 0)
		return 0; /* c->kernel says which message the kernel must have */
	return r;
}
