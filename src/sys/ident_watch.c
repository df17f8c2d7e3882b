/* ident_watch: the socket's side of learning the kernel's IP ID, and of an IPv6 socket's flow
 * the kernel's automatic flow label (see include/shim/ident_watch.h); the tap is
 * src/ipv4/ident_learn.c. */
#include "shim/ident_watch.h"
#include "shim/ident_learn.h"
#include "shim/fdtable.h"
#include "shim/ip6_flowlabel.h"
#include "shim/shim_lock.h"
#include "shim/udp_cork.h"

#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

static __thread __attribute__((tls_model("initial-exec"))) bool label_given;

void ident_watch_label_given(bool given)
{
	label_given = given;
}

void ident_watch_begin(int fd, struct ident_watch *w)
{
	struct shim_sock *sk;
	bool watch, given = label_given;

	w->active = false;
	w->cork = false;
	w->fd = fd;
	label_given = false; /* for this hand-off only */
	if (fdtable_lookup(fd, &sk) != FD_OWNED)
		return;
	shim_lock_acquire(&sk->lock);
	w->cork = sk->cork_kernel_fresh;
	if (!ident_tap_available()) {
		shim_lock_release(&sk->lock);
		shim_sock_put(sk);
		return;
	}
	if (sk->family == AF_INET6) /* the automatic flow label of any of its datagrams */
		watch = sk->synced && sk->kernel_only == NULL && sk->sport != 0 &&
			sk->ipv6.autoflowlabel && !given;
	else
		watch = sk->synced && sk->connected && sk->kernel_only == NULL && sk->sport != 0;
	shim_lock_release(&sk->lock);
	if (watch && (sk->family == AF_INET6 ? ident_tap_begin6(sk->sport)
					     : ident_tap_begin(sk->sport, sk->dport))) {
		w->active = true;
		w->fd = fd;
		w->family = sk->family;
	}
	shim_sock_put(sk);
}

/* The frame the kernel sent for an IPv6 socket: its flow label, the socket's own once it was
 * connected (sk_txhash), else the flow's (ip6_flowlabel.c). */
static void learn_flowlabel(struct ident_watch *w, long ret)
{
	uint8_t f[IDENT_TAP6_SNAP];
	int n = ident_tap_end_frame(ret, f, sizeof(f));
	/* after the IPv6 header (UDP, UDP-Lite), its fragment header, or one extension header
	 * (hop-by-hop, destination options, routing: the tap's filter) */
	unsigned udp = n > 20 && (f[20] == 17 || f[20] == 136) ? 54
		       : n > 55 && (f[20] == 0 || f[20] == 60 || f[20] == 43)
			   ? 54 + ((unsigned)f[55] + 1) * 8
			   : 62;
	/* the flow's destination: with a segment routing header the final one, its segments[0]
	 * (the kernel's hash takes fl6->daddr), not the first hop the IPv6 header carries */
	const uint8_t *daddr = n >= 78 && f[20] == 43 && f[56] == 4 ? f + 62 : f + 38;
	uint32_t label;
	uint16_t sport, dport;
	struct shim_sock *sk;

	w->active = false;
	if (n < (int)udp + 4 || fdtable_lookup(w->fd, &sk) != FD_OWNED)
		return;
	label = (uint32_t)(f[15] & 0x0f) << 16 | (uint32_t)f[16] << 8 | f[17];
	memcpy(&sport, f + udp, 2);
	memcpy(&dport, f + udp + 2, 2);
	shim_lock_acquire(&sk->lock);
	if (sk->family == AF_INET6 && sk->ipv6.txhash != 0)
		sk->ipv6.txlabel = label;
	else if (sk->family == AF_INET6)
		ip6_flowlabel_learnt(f + 22, daddr, sport, dport, label);
	shim_lock_release(&sk->lock);
	shim_sock_put(sk);
}

/* The cork's side: the answer to a send that may have begun the kernel's corked datagram. */
static void cork_answer(struct ident_watch *w, long ret)
{
	struct shim_sock *sk;

	w->cork = false;
	if (fdtable_lookup(w->fd, &sk) != FD_OWNED)
		return;
	shim_lock_acquire(&sk->lock);
	udp_cork_kernel_answer(sk, ret);
	shim_lock_release(&sk->lock);
	shim_sock_put(sk);
}

void ident_watch_end(struct ident_watch *w, long ret)
{
	struct shim_sock *sk;
	int id;

	if (w->cork)
		cork_answer(w, ret);
	if (!w->active)
		return;
	if (w->family == AF_INET6) {
		learn_flowlabel(w, ret);
		return;
	}
	id = ident_tap_end(ret);
	w->active = false;
	if (id < 0 || fdtable_lookup(w->fd, &sk) != FD_OWNED)
		return;
	/* Adopted only while the shim has not used its own counter since connect: later, the
	 * kernel's counter lags behind the shim's and adopting it would repeat IDs in the flow. */
	shim_lock_acquire(&sk->lock);
	if (!sk->ip_id_used)
		sk->ip_id = (uint16_t)id; /* the next one is this + 1 */
	shim_lock_release(&sk->lock);
	shim_sock_put(sk);
}
