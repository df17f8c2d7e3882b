/* sock_flow: the socket settings that shape a datagram's flow beyond the address — IP_UNICAST_IF
 * (inet->uc_index), IP_TRANSPARENT (FLOWI_FLAG_ANYSRC from inet_sk_flowi_flags) and
 * IP_BIND_ADDRESS_NO_PORT (the autobind keeps the bound address) — read from the kernel socket and
 * kept in step with setsockopt (do_ip_setsockopt), and how udp_sendmsg uses them. IP_FREEBIND
 * only matters to bind, which the kernel socket does itself. */
#ifndef SHIM_SOCK_FLOW_H
#define SHIM_SOCK_FLOW_H

#include <stdbool.h>
#include <stdint.h>

struct sock_flow {
	int uc_index;	       /* IP_UNICAST_IF ifindex (host order), 0 = none */
	bool transparent;      /* IP_TRANSPARENT */
	bool conn_transparent; /* IP_TRANSPARENT when the socket last connected (the kernel's
				  cached route was looked up with FLOWI_FLAG_ANYSRC) */
	bool bind_no_port;     /* IP_BIND_ADDRESS_NO_PORT */
};

/* From inet_sock_sync (socket lock held): read the settings from the kernel socket fd. */
void sock_flow_sync(struct sock_flow *f, int fd);

/* After a setsockopt the kernel accepted: read the value back if it is one of the options kept
 * here. Returns true when it was. */
bool sock_flow_after_setsockopt(struct sock_flow *f, int fd, int level, int name);

/* After a successful connect. */
void sock_flow_after_connect(struct sock_flow *f);

/* udp_sendmsg S11 for a unicast daddr: oif is what IP_PKTINFO or SO_BINDTODEVICE chose (0: none).
 * Returns the output interface of the flow, or -1 when only the kernel can decide (a limited
 * broadcast whose bound device may be the L3 master of IP_UNICAST_IF's device). */
int sock_flow_unicast_oif(const struct sock_flow *f, uint32_t daddr, int oif);

/* Whether a failed route lookup (err) for source saddr may have succeeded in the kernel, whose
 * lookup skips the "source is a local address" check with FLOWI_FLAG_ANYSRC (IP_TRANSPARENT):
 * RTM_GETROUTE cannot ask for that flag, so the datagram goes to the kernel socket. fastpath: the
 * connected socket's route, which the kernel looked up at connect. */
bool sock_flow_anysrc_failed(const struct sock_flow *f, bool fastpath, int err, uint32_t saddr);

#endif
