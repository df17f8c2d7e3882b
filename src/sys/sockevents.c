/* sockevents: route calls that change a socket to its inet state (see include/shim/sockevents.h).
 */
#include "shim/sockevents.h"
#include "shim/fdevents.h"
#include "shim/fdtable.h"
#include "shim/inet.h"
#include "shim/route.h"
#include "shim/sockgen.h"
#include "shim/sockopt_check.h"
#include "shim/udp_cork.h"
#include "shim/udp_fastpath.h"
#include "shim/umem.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

/* The socket the shim owns at fd, locked and read from the kernel socket if it was not yet (or
 * another process changed it since): the change is then applied to complete state. An fd not seen
 * yet (inherited, received) is looked at now, so that the change is announced to the other
 * processes that share the socket (release). */
static struct shim_sock *owned(int fd)
{
	struct shim_sock *sk;

	if (sockfd_lookup_light(fd, &sk) != FD_OWNED)
		return NULL;
	shim_lock_acquire(&sk->lock);
	inet_sock_sync(sk, fd);
	return sk;
}

static void release_step(struct shim_sock *sk, bool connect)
{
	unsigned step = connect ? SOCKGEN_CONNECT_STEP : 1;

	sock_settings_changed(sk); /* cached fast-path flows of this socket are stale */
	/* ... and those of every other process that shares the socket (sockgen.h); this object
	 * stays current unless one of them changed the socket too meanwhile */
	if ((connect ? sockgen_bump_connect(sk->gen_cell) : sockgen_bump(sk->gen_cell)) ==
	    sk->gen_seen)
		sk->gen_seen += step;
	shim_lock_release(&sk->lock);
	shim_sock_put(sk);
}

static void release(struct shim_sock *sk)
{
	release_step(sk, false);
}

void sockev_bind(int fd, socklen_t len, int ret, int err)
{
	struct shim_sock *sk = owned(fd);

	if (sk == NULL)
		return;
	if (sk->family == AF_INET6) {
		inet6_after_bind(sk, fd, ret);
	} else {
		inet_after_bind(sk, fd, ret);
		/* __inet_bind takes the lock past its address checks: then EINVAL is "already
		 * bound", EADDRINUSE the port's */
		if (ret == 0 || err == EADDRINUSE ||
		    (err == EINVAL && len >= sizeof(struct sockaddr_in)))
			ip4_datagram_release_cb(sk);
	}
	release(sk);
}

/* The route ip_route_connect finds for daddr:dport in the socket's flow (__ip4_datagram_connect;
 * for a group the device is SO_BINDTODEVICE's, else IP_UNICAST_IF's). Whether it answered. */
static bool connect_route(const struct shim_sock *sk, uint32_t daddr, uint16_t dport,
			  struct route_result *rt)
{
	struct shim_flowi key;
	int oif = sk->bound_dev_if;

	if (!IN_MULTICAST(ntohl(daddr)))
		oif = sock_flow_unicast_oif(&sk->flow, daddr, oif);
	if (oif < 0)
		return false;
	shim_flowi4_init_output(&key, oif, sk->mark, sk->tos, sk->uid, daddr, sk->saddr, dport,
				sk->sport);
	return route_output(&key, rt) == 0 && rt->err == 0;
}

/* After a successful connect, keep the route for the connected fast path (its broadcast check
 * happened in the kernel's connect). */
static void cache_connect_route(struct shim_sock *sk)
{
	struct route_result rt;

	if (connect_route(sk, sk->daddr, sk->dport, &rt)) {
		sk->dst_cache = rt;
		sk->dst_cache_valid = true;
		if (sk->saddr == 0) /* __ip4_datagram_connect: "Update source address" */
			sk->saddr = rt.saddr.v4;
	}
}

/* The source a failed connect left in inet->cork.fl: the route's when the lookup succeeded and a
 * later check refused (EACCES for a broadcast without SO_BROADCAST), else the socket's. */
static uint32_t failed_connect_saddr(const struct shim_sock *sk, const struct sockaddr *addr,
				     socklen_t len)
{
	struct sockaddr_in sin;
	struct route_result rt;

	if (len < sizeof(sin) || umem_read(&sin, addr, sizeof(sin)) != 0 ||
	    sin.sin_family != AF_INET || sk->saddr != 0 ||
	    !connect_route(sk, sin.sin_addr.s_addr, sin.sin_port, &rt))
		return sk->saddr;
	return rt.saddr.v4;
}

void sockev_connect(int fd, const struct sockaddr *addr, socklen_t len, int ret, int err)
{
	struct shim_sock *sk = owned(fd);

	if (sk == NULL)
		return;
	if (sk->family == AF_INET6) { /* no route kept at connect */
		inet6_after_connect(sk, fd, addr, len, ret);
		udp_cork_after_connect6(sk, addr, len);
		release(sk);
		return;
	}
	inet_after_connect(sk, fd, addr, len, ret);
	if (ret == 0 && sk->connected && sk->kernel_only == NULL)
		cache_connect_route(sk);
	udp_cork_after_connect(sk, addr, len, ret,
			       ret == 0 ? sk->saddr : failed_connect_saddr(sk, addr, len));
	/* ip4_datagram_connect refuses a short address or another family under the lock, before
	 * it drops the route (after that, the release finds no route) */
	if (ret != 0 && (err == EINVAL || err == EAFNOSUPPORT) && len >= sizeof(sa_family_t))
		ip4_datagram_release_cb(sk);
	release_step(sk, true); /* __ip4_datagram_connect: sk_dst_reset, even when it fails */
}

void sockev_shutdown(int fd, int how, int ret, int err)
{
	struct shim_sock *sk = owned(fd);

	if (sk == NULL)
		return;
	inet_after_shutdown(sk, how, ret, err);
	if (ret == 0 || err == ENOTCONN) /* inet_shutdown: a valid how takes the lock */
		ip4_datagram_release_cb(sk);
	release(sk);
}

void sockev_setsockopt(int fd, int level, int name, const void *val, socklen_t len, int ret,
		       int err)
{
	struct shim_sock *sk = owned(fd);
	struct sov_verdict v;

	if (sk == NULL)
		return;
	if (sk->family == AF_INET6) { /* every setting read back (inet6_sock.c) */
		inet6_after_setsockopt(sk, fd, level, name, val, len, ret);
		udp_cork_setsockopt(sk, level, name, val, len, ret);
		release(sk);
		return;
	}
	/* where the verdict agreed and gives the stored value, no read-back is needed */
	if (!(sockopt_check(sk, fd, level, name, val, len, ret, err, &v) &&
	      sockopt_apply(sk, level, name, &v)))
		inet_after_setsockopt(sk, fd, level, name, val, len, ret);
	udp_cork_setsockopt(sk, level, name, val, len, ret);
	if (ip4_setsockopt_locks(level, name, val, len, ret, err))
		ip4_datagram_release_cb(sk);
	release(sk);
}

void sockev_getname(int fd)
{
	struct shim_sock *sk;

	if (sockfd_lookup_light(fd, &sk) != FD_OWNED)
		return;
	shim_lock_acquire(&sk->lock);
	inet_sock_sync(sk, fd);
	ip4_datagram_release_cb(sk);
	shim_lock_release(&sk->lock);
	shim_sock_put(sk);
}

void sockev_setfl(int fd, int flags, int ret)
{
	struct shim_sock *sk;

	if (ret != 0 || (sk = owned(fd)) == NULL)
		return;
	inet_after_setfl(sk, flags);
	release(sk);
}
