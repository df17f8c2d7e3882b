/* cmsg: control messages of one sendmsg (udp_cmsg_send, ip_cmsg_send, __sock_cmsg_send). */
#ifndef SHIM_CMSG_H
#define SHIM_CMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shim/ip_options.h"

/* struct ipcm_cookie: what the control messages set for this datagram. */
struct ipcm {
	int oif;       /* IP_PKTINFO ipi_ifindex, 0 = not set */
	bool has_addr; /* IP_PKTINFO given: addr replaces the socket's source (even 0) */
	uint32_t addr; /* ipi_spec_dst, network order */
	int ttl;       /* IP_TTL, 0 = not set */
	int tos;       /* IP_TOS, -1 = not set */
	int gso_size;  /* UDP_SEGMENT, 0 = none */
	bool has_gso;  /* a UDP_SEGMENT message was given: gso_size replaces the option's */
	bool has_opt;  /* IP_RETOPTS given: opt replaces the socket's IP_OPTIONS (even if empty) */
	bool has_mark; /* SO_MARK given: mark replaces the socket's in the flow (sockc.mark) */
	uint32_t mark;
	/* SO_PRIORITY given, or IP_TOS (rt_tos2priority): priority replaces the socket's
	 * (sockc.priority; of the two, the one later in the buffer) */
	bool has_priority;
	uint32_t priority;
	struct ip_optset opt;
	const char
	    *kernel;	 /* a message the shim leaves to the kernel (all of them go there then) */
	bool allow_ipv6; /* the socket is AF_INET6: IPV6_PKTINFO is read (ip_cmsg_send) */
	bool need_ip;	 /* a message of another level than SOL_UDP (udp_cmsg_send's answer 1):
			  * only that ends udp_sendmsg's connected fast path */
};

/* rt_tos2priority: the skb priority a TOS gives (net/ipv4/route.c ip_tos2prio). */
uint8_t rt_tos2priority(uint8_t tos);

/* Parse the control buffer (a copy of the program's, len bytes) in the kernel's order: every
 * SOL_UDP message first, then the others in buffer order; the first error wins. allow_ipv6: the
 * socket is AF_INET6 (an IPV6_PKTINFO with a v4-mapped source sets the output interface and the
 * source, any other source is EINVAL). Returns 0 (c filled; c->kernel set if the shim must hand
 * the call to the kernel), or -errno. */
int udp_ip_cmsg_send(const void *control, size_t len, struct ipcm *c, bool allow_ipv6);

#endif
