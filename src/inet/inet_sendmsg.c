/* inet_sendmsg: the socket layer before UDP (net/ipv4/af_inet.c inet_sendmsg, inet_send_prepare,
 * inet_autobind). */
#include "shim/inet.h"
#include "shim/rawsys.h"
#include "shim/sandbox.h"
#include "shim/udp_cork.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/syscall.h>

/* inet_autobind(): the kernel socket binds to an ephemeral port, so the port is really reserved
 * and replies reach the program. bind(0.0.0.0:0) leaves the same state as the kernel's autobind
 * (no address or port lock, so a disconnect releases the port again). */
static int inet_autobind(int fd, struct shim_sock *sk, struct path_trace *t)
{
	struct sockaddr_in any, got;
	socklen_t len = sizeof(got);
	long r;

	memset(&any, 0, sizeof(any));
	any.sin_family = AF_INET;
	r = rawsys3(SYS_bind, fd, &any, sizeof(any));
	if (r < 0 && r != -EINVAL) /* EINVAL: bound meanwhile (by a call the shim did not see) */
		return (int)r;
	memset(&got, 0, sizeof(got));
	if (rawsys3(SYS_getsockname, fd, &got, &len) < 0)
		return -EAGAIN;
	sk->sport = got.sin_port;
	sk->rcv_saddr = got.sin_addr.s_addr;
	if (!sk->connected)
		sk->saddr = got.sin_addr.s_addr;
	path_step(t, "inet_autobind(port %u)", ntohs(got.sin_port));
	return 0;
}

/* udp_sendmsg's sk_dst_set (udpv6_sendmsg's ip6_sk_dst_store_flow for a connected IPv6 socket
 * whose route was dropped), made by a send the shim answered itself, for the kernel socket too:
 * its own later connected sends (a local peer, ...) would otherwise look up again with the
 * settings of then, which IP_UNICAST_IF may have changed without resetting the route, and take
 * inet->cork.fl only from a cached route. A MSG_PROBE send does the lookup and sets the route, and
 * nothing else (no datagram, sk_err and the shutdown state untouched). A send handed to the kernel
 * socket sets it itself. Not while the kernel socket may hold a corked datagram or UDP_CORK is on
 * (the probe would push it, or write inet->cork.fl), nor under a seccomp filter (sandbox.h). */
static bool sk_dst_set_kernel(int fd, struct shim_sock *sk)
{
	if (sk->cork_opt || sk->cork_kernel || udp_cork_pending(sk) || shim_sandboxed())
		return false;
	(void)rawsys6(SYS_sendto, fd, 0, 0, 0x10 /* MSG_PROBE */ | MSG_DONTWAIT | MSG_NOSIGNAL, 0,
		      0);
	return true;
}

void udp_take_view(const struct shim_sock *sk, struct sock_view *v)
{
	v->saddr = sk->saddr;
	v->daddr = sk->daddr;
	v->sport = sk->sport;
	v->dport = sk->dport;
	v->connected = sk->connected;
	v->broadcast = sk->broadcast;
	v->shut_wr = sk->shut_wr;
	v->nonblock = sk->nonblock;
	v->uc_ttl = sk->uc_ttl;
	v->tos = sk->tos;
	v->pmtudisc = sk->pmtudisc;
	v->bound_dev_if = sk->bound_dev_if;
	v->mark = sk->mark;
	v->priority = sk->priority;
	v->uid = sk->uid;
	v->gso_size = sk->gso_size;
	v->sndbuf = sk->sndbuf;
	v->ext = sk->ext;
	v->flow = sk->flow;
	v->fp_stamp = sk->fp_stamp;
	v->gen_seen = sk->gen_seen;
	v->mc_ttl = sk->mc_ttl;
	v->mc_loop = sk->mc_loop;
	v->mc_index = sk->mc_index;
	v->mc_addr = sk->mc_addr;
	v->mc_index_known = sk->mc_index_known;
	v->dst_cache_valid = sk->connected && sk->dst_cache_valid;
	if (v->dst_cache_valid)
		v->dst_cache = sk->dst_cache;
}

/* Not locked. A send handed to the kernel socket before udp_sendmsg (udpv6_sendmsg) looked at it:
 * a corked one (UDP_CORK, MSG_MORE) may begin the kernel socket's pending datagram, which the
 * sends after it follow (udp_cork_handed_off; not corked: udp_cork_kernel_route). */
static void handed_early(struct shim_sock *sk, struct shim_msg *m)
{
	if (sk->cork_opt)
		m->flags |= MSG_MORE;
	udp_cork_handed_off(sk, m);
}

long inet_sendmsg(int fd, struct shim_sock *sk, struct shim_msg *m)
{
	struct sock_view view;
	long ret;

	shim_lock_acquire(&sk->lock);
	inet_sock_sync(sk, fd);
	/* a hand-off that never reached the kernel socket (a sendmmsg batch that failed first)
	 * left its mark: this send's own is the one its answer is told for */
	sk->cork_kernel_fresh = false;
	if (udp_cork_in_kernel(sk, m)) {
		/* the corked datagram's label may be the program's (the flow-label tap must not
		 * learn it as the automatic one) */
		m->label_given |= sk->family == AF_INET6 && sk->ipv6.sndflow;
		udp_cork_kernel_route(sk, m);
		shim_lock_release(&sk->lock);
		TO_KERNEL(m, KR_CORK, "kernel(the kernel socket holds the corked datagram)");
	}
	/* a datagram the shim holds is completed by the shim (S3 skips every hand-off reason) */
	if (sk->kernel_only != NULL && !udp_cork_pending(sk)) {
		const char *why = sk->kernel_only;
		int reason = sk->kernel_only_reason;

		shim_lock_release(&sk->lock);
		handed_early(sk, m);
		if (reason == KR_NETNS)
			TO_KERNEL(m, reason, "kernel(netns: %s)", why);
		TO_KERNEL(m, reason, "kernel(%s is set on this socket)", why);
	}
	if (sk->sport == 0 && inet_autobind_by_kernel(sk, fd, m)) {
		shim_lock_release(&sk->lock);
		TO_KERNEL(m, KR_SOCKOPT,
			  "kernel(inet_autobind keeps the address bound with "
			  "IP_BIND_ADDRESS_NO_PORT)");
	}
	path_step(m->trace, "inet_sendmsg");
	if (sk->family == AF_INET6) {
		struct sock_view6 v6;

		if (sk->sport == 0 && (ret = inet6_autobind(fd, sk, m->trace)) != 0) {
			shim_lock_release(&sk->lock);
			if (ret != SHIM_TO_KERNEL)
				return ret;
			handed_early(sk, m);
			TO_KERNEL(m, KR_SOCKOPT,
				  "kernel(inet_autobind keeps the address bound without a port)");
		}
		if (sk->cork_opt)
			m->flags |= MSG_MORE;
		udpv6_take_view(sk, &v6);
		shim_lock_release(&sk->lock);
		ret = udpv6_sendmsg(fd, sk, m, &v6);
		if (ret == SHIM_TO_KERNEL && (m->flags & MSG_MORE))
			udp_cork_handed_off(sk,
					    m); /* the kernel socket holds this corked datagram */
		/* ip6_sk_dst_store_flow: a datagram handed to the kernel socket does it there */
		if (m->dst_fresh && ret != SHIM_BATCH_BROKEN) {
			shim_lock_acquire(&sk->lock);
			if (ret == SHIM_TO_KERNEL)
				sk->ipv6.kdst_stale = false;
			else if (sk_dst_set_kernel(fd, sk)) {
				sk->ipv6.kdst_stale = false;
				path_step(m->trace,
					  "ip6_sk_dst_store_flow(kernel socket: MSG_PROBE)");
			}
			shim_lock_release(&sk->lock);
		}
		return ret;
	}
	if (sk->sport == 0) {
		int r = inet_autobind(fd, sk, m->trace);

		if (r < 0) {
			shim_lock_release(&sk->lock);
			return r;
		}
	}
	if (udp_cork_pending(sk)) { /* S3: append to the pending datagram (udp_cork.c) */
		ret = udp_cork_append(sk, m);
		shim_lock_release(&sk->lock);
		return ret;
	}
	if (sk->cork_opt)
		m->flags |= MSG_MORE; /* corkreq: UDP_CORK or MSG_MORE, as ip_append_data sees it */
	udp_take_view(sk, &view);
	shim_lock_release(&sk->lock);
	ret = udp_sendmsg(fd, sk, m, &view);
	if (ret == SHIM_TO_KERNEL) /* the kernel socket holds a corked datagram, or a route */
		udp_cork_handed_off(sk, m);
	if (m->dst_fresh && ret != SHIM_TO_KERNEL) {
		shim_lock_acquire(&sk->lock);
		(void)sk_dst_set_kernel(fd, sk);
		shim_lock_release(&sk->lock);
	}
	return ret;
}
