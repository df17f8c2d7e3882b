/* udp_v6_send_skb: an IPv6 datagram with its header fields set, to the device — ip6_send_skb →
 * ip6_finish_output2 → neigh_output (see include/shim/udp_send_skb.h). Used by udpv6_sendmsg and
 * the cork push (udp_cork.c). */
#include "shim/udp_send_skb.h"
#include "shim/dev.h"
#include "shim/ip6_output.h"
#include "shim/mcast.h"
#include "shim/neigh_queue.h"
#include "shim/shim_alloc.h"
#include "shim/udp_gso.h"
#include "shim/inet.h"
#include "shim/wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

/* The datagram cannot leave through the shim: the kernel socket's to send (SHIM_TO_KERNEL, the
 * reason in s->kernel_reason), or, for a datagram the shim holds (the cork), dropped as a failing
 * device drops it (0). */
static long not_sent6(struct udp_skb *s, int reason)
{
	if (s->held) {
		path_step(s->trace, "dropped");
		return 0;
	}
	s->kernel_reason = reason;
	return SHIM_TO_KERNEL;
}

long udp_v6_gso_decide(size_t datalen, unsigned gso_size, uint32_t fragsize, size_t nhlen,
		       bool no_check6, int protocol, struct path_trace *t)
{
	struct udp_gso_req req = {
	    .datalen = datalen,
	    .gso_size = gso_size,
	    .hlen = nhlen + UDP_HLEN,
	    .fragsize = fragsize,
	    .no_check = no_check6,
	    .udplite = protocol == IPPROTO_UDPLITE,
	};
	int g = udp_gso_check(&req);

	if (g < 0) {
		path_step(t, "udp_v6_send_skb(gso_size %u, payload %zu: error %d)", gso_size,
			  datalen, -g);
		return g;
	}
	if (g == UDP_GSO_PLAIN) {
		path_step(t, "udp_v6_send_skb(gso_size %u \xe2\x89\xa5 payload %zu: no GSO)",
			  gso_size, datalen);
		return 0;
	}
	return gso_size;
}

void ip6_finish_output_layout(struct udp6_datagram *d, size_t total, uint32_t path_mtu,
			      uint32_t mtu, bool corked)
{
	/* __ip6_finish_output: ip6_fragment when the datagram is larger than the route's MTU (the
	 * device's for PROBE and above; not IPV6_MTU's), at the MTU it was laid out for */
	if (total > path_mtu)
		d->frag_mtu = mtu;
	/* __ip6_append_data's csummode: CHECKSUM_PARTIAL only for a datagram that fits the MTU it
	 * is laid out with and whose first piece was not corked */
	else if (total > mtu || corked)
		d->csum_sw = true;
}

long udp_v6_send_skb(struct udp6_datagram *d, struct udp_skb *s)
{
	struct shim_addr nh = s->nexthop;
	char a[INET6_ADDRSTRLEN];
	struct frame_set fs;
	int err;

	/* a datagram of a sendmmsg call leaves after the ones batched before it */
	if (s->batch != NULL && xmit_batch_flush(s->batch) < 0)
		return SHIM_BATCH_BROKEN;
	/* a group's MAC without neighbour discovery (ndisc_mc_map) */
	if (d->daddr[0] == 0xff)
		ipv6_eth_mc_map(d->daddr, d->dst_mac);
	if (d->daddr[0] == 0xff || (!neigh_queue_waiting(d->oif, &nh) &&
				    neigh_output_lookup(d->oif, &nh, d->dst_mac) == 0)) {
		err = ip6_output_udp(d, s->trace);
		if (err == -EPERM && dev_skb_needs_caps(d->priority, d->mark)) {
			if (!udp_skb_caps_refused(s, &d->priority, &d->mark))
				return SHIM_TO_KERNEL;
			err = ip6_output_udp(d, s->trace);
		}
		if (err == -ENOMEM) {
			path_step(s->trace, "%s(resources: no memory for the frame)",
				  s->held ? "dev_queue_xmit" : "kernel");
			return not_sent6(s, KR_RESOURCES);
		}
		if (err != -EFAULT)
			path_step(s->trace, "dev_queue_xmit(%s)%s", s->rt->dev_name,
				  err == -ENOBUFS ? " dropped" : "");
		return udp_xmit_errno(err);
	}
	/* neigh_resolve_output: the frame is built now (the payload copied: EFAULT now) and waits
	 * for the kernel's answer to its neighbour solicitation */
	s->unresolved = true;
	err = ip6_build_udp_frames(d, &fs);
	if (err == -ENOMEM) {
		path_step(s->trace, "%s(resources: no memory for the frame)",
			  s->held ? "neigh_resolve_output" : "kernel");
		return not_sent6(s, KR_RESOURCES);
	}
	if (err < 0)
		return err;
	inet_ntop(AF_INET6, nh.v6, a, sizeof(a));
	err = neigh_queue_frames(d->oif, &nh, &fs, d->dontwait);
	if (err < 0) {
		shim_free(fs.buf);
		if (s->held)
			stats_add(STAT_NEIGH_QUEUE_DROP, 1);
		path_step(s->trace, "%s(neighbour %s unresolved, cannot ask for resolution: %s)",
			  s->held ? "neigh_resolve_output" : "kernel", a, strerrorname_np(-err));
		return not_sent6(s, KR_NEIGH);
	}
	stats_add(STAT_NEIGH_MISS, 1);
	path_step(s->trace,
		  "ip6_make_skb(len %zu) \xe2\x86\x92 neigh_resolve_output(%s on %s: "
		  "queued until resolved)",
		  IPV6_HLEN + UDP_HLEN + d->len, a, s->rt->dev_name);
	return 0;
}
