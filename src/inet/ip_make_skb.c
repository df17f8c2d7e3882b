/* ip_make_skb: the header fields of __ip_make_skb and the ID rule (see include/shim/ip_make_skb.h).
 * It lives with the socket (inet) because it reads the socket's settings and its ID counter. */
#include "shim/ip_make_skb.h"
#include "shim/ip_ident.h"
#include "shim/udp_csum.h"

#include <linux/rtnetlink.h>

void __ip_make_skb(struct udp_datagram *d, const struct ip_make_args *a,
		   const struct route_result *rt, size_t total)
{
	d->tos = a->tos;
	d->ttl = (uint8_t)(a->cmsg_ttl		       ? a->cmsg_ttl
			   : rt->type == RTN_MULTICAST ? a->mc_ttl
			   : a->uc_ttl >= 0	       ? a->uc_ttl
			   : rt->hoplimit > 0	       ? rt->hoplimit
						       : rt->default_ttl);
	d->df = total <= ip_df_upto(a->pmtudisc, rt);
	d->id_rule = (uint8_t)ip_id_rule(a->connected, a->pmtudisc);
	/* skb->priority = cork->priority; skb->mark = cork->mark: every frame carries them to the
	 * device (dev_meta) */
	d->priority = a->priority;
	d->mark = a->mark;
}

void ip_select_ident(struct shim_sock *sk, struct udp_datagram *d, bool locked)
{
	if (d->id_rule == IP_ID_SOCKET)
		d->id = ip_ident_sock_next(sk, locked);
	else if (d->id_rule == IP_ID_ZERO_IF_DF && d->df)
		d->id = 0;
	else
		d->id = ip_ident_unconnected(d->daddr, d->saddr, udp_datagram_protocol(d));
}

void ip_select_ident_undo(struct shim_sock *sk, const struct udp_datagram *d, bool locked)
{
	if (d->id_rule == IP_ID_SOCKET)
		ip_ident_sock_undo(sk, d->id, locked);
}
