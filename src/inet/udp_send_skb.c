/* udp_send_skb: from a datagram with its header fields to the device, once for the general path
 * and the cork push (see include/shim/udp_send_skb.h). */
#include "shim/udp_send_skb.h"
#include "shim/dev.h"
#include "shim/shim_alloc.h"
#include "shim/inet.h"
#include "shim/mcast.h"
#include "shim/neigh_queue.h"
#include "shim/udp_csum.h"
#include "shim/udp_gso.h"
#include "shim/wire.h"
#include "shim/xdp_xmit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

/* neigh_resolve_output: the next hop is unresolved. The frames are built now (the payload is
 * copied, so a bad buffer is EFAULT now, as in the kernel) and wait for the kernel's ARP answer
 * (neigh_queue.c). Returns 0 when queued (or dropped, for a held datagram that cannot go to the
 * kernel), -errno, or SHIM_TO_KERNEL when resolution cannot be started (no CAP_NET_ADMIN). */
static long queue_for_neighbour(const struct udp_datagram *d, struct udp_skb *s)
{
	struct frame_set fs;
	char a[INET6_ADDRSTRLEN];
	int r = ip_build_udp_frames(d, &fs);

	if (r < 0)
		return r;
	inet_ntop(s->nexthop.family, s->nexthop.v6, a, sizeof(a));
	r = neigh_queue_frames(d->oif, &s->nexthop, &fs, d->dontwait);
	if (r < 0) {
		shim_free(fs.buf);
		if (s->held) {
			stats_add(STAT_NEIGH_QUEUE_DROP, 1);
			path_step(s->trace,
				  "neigh_resolve_output(%s unresolved, cannot ask for resolution: "
				  "dropped)",
				  a);
			return 0;
		}
		path_step(s->trace,
			  "kernel(neighbour %s unresolved, cannot ask for resolution: %s)", a,
			  strerrorname_np(-r));
		s->kernel_reason = KR_NEIGH;
		return SHIM_TO_KERNEL;
	}
	stats_add(STAT_NEIGH_MISS, 1);
	if (fs.n > 1)
		stats_add(STAT_FRAGMENTED, 1);
	path_step(s->trace,
		  "ip_make_skb(len %zu id %u) \xe2\x86\x92 neigh_resolve_output(%s on %s: "
		  "%d frame(s) queued until resolved)",
		  udp_datagram_hlen(d) + UDP_HLEN + d->len, d->id, a, s->rt->dev_name, fs.n);
	return 0;
}

bool udp_skb_caps_refused(struct udp_skb *s, uint32_t *priority, uint32_t *mark)
{
	path_step(s->trace,
		  "%s(skb priority %u mark %u refused by the packet socket: no CAP_NET_RAW/ADMIN)",
		  s->held ? "dev_queue_xmit" : "kernel", *priority, *mark);
	if (!s->held) {
		s->kernel_reason = KR_SOCKOPT;
		return false;
	}
	*priority = 0;
	*mark = 0;
	return true;
}

/* The datagram did not leave: its ID is given back, the answer passed on. */
static long not_sent(struct udp_datagram *d, struct udp_skb *s, long r)
{
	ip_select_ident_undo(s->sk, d, s->locked);
	return r;
}

long udp_send_skb(struct udp_datagram *d, struct udp_skb *s)
{
	long r;
	int err;
	bool batched = false, deferred = false;

	/* the GSO checks come after the ID was taken (a refused datagram uses it up) */
	r = udp_gso_decide(d, s->gso_size, s->trace);
	if (r < 0)
		return r == -EFAULT ? not_sent(d, s, r) /* the copy failed first: no skb, no ID */
				    : r;
	d->gso_size = (uint16_t)r;

	/* ip_mc_output: a TTL-0 datagram with a local member is dropped (payload still copied) */
	if (s->mc_drop) {
		err = s->batch != NULL && xmit_batch_flush(s->batch) < 0 ? SHIM_BATCH_BROKEN
									 : udp_mcast_drop(d);
		if (err == -ENOMEM && !s->held) {
			path_step(s->trace, "kernel(resources: no memory to copy the payload)");
			s->kernel_reason = KR_RESOURCES;
			return not_sent(d, s, SHIM_TO_KERNEL);
		}
		if (err < 0)
			return not_sent(d, s, err);
		path_step(s->trace, "ip_mc_output(TTL 0: not transmitted)");
		return 0;
	}

	/* neigh_output: the next hop's MAC (a group's without ARP), or the neighbour queue while
	 * the kernel resolves it; frames already waiting for the next hop go first */
	s->unresolved = !udp_mcast_neigh(s->rt, d->dst_mac) &&
			(neigh_queue_waiting(d->oif, &s->nexthop) ||
			 neigh_output_lookup(d->oif, &s->nexthop, d->dst_mac) < 0);
	if (s->batch != NULL && !s->unresolved && ip_output_defer(s->batch, d, s->trace) == 0) {
		batched = deferred = true; /* goes out with the rest of the sendmmsg batch, */
		err = 0;		   /* counted there (xmit_batch_flush) */
	} else if (s->batch != NULL && xmit_batch_flush(s->batch) < 0) {
		return not_sent(d, s, SHIM_BATCH_BROKEN); /* an earlier entry failed: not sent */
	} else if (s->unresolved) {
		r = queue_for_neighbour(d, s);
		if (r == SHIM_TO_KERNEL)
			return not_sent(d, s, r);
		err = (int)r;
		batched = err == 0; /* no transmit to report */
	} else {
		err = ip_output_udp(d, s->trace);
		if (err == -EPERM && dev_skb_needs_caps(d->priority, d->mark)) {
			if (!udp_skb_caps_refused(s, &d->priority, &d->mark))
				return not_sent(d, s, SHIM_TO_KERNEL);
			err = ip_output_udp(d, s->trace);
		}
	}
	if (err == -ENOMEM) { /* no memory of the shim's for the frames: nothing was sent */
		if (s->held) {
			err = 0; /* the payload was taken already: a drop */
		} else {
			path_step(s->trace, "kernel(resources: no memory for the frames)");
			s->kernel_reason = KR_RESOURCES;
			return not_sent(d, s, SHIM_TO_KERNEL);
		}
	} else if (!batched) {
		path_step(s->trace, "dev_queue_xmit(%s%s%s)%s", s->rt->dev_name,
			  xdp_xmit_backend() ? " " : "", xdp_xmit_backend() ?: "",
			  err == -ENOBUFS ? " dropped" : "");
	}
	err = udp_xmit_errno(err);
	if (err < 0)
		return not_sent(d, s, err);
	if (!deferred)
		udp_count_sent(d->len);
	return 0;
}
