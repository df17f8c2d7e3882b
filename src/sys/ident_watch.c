/* ident_watch: the socket's side of learning the kernel's IP ID (see include/shim/ident_watch.h);
 * the tap is src/ipv4/ident_learn.c. */
#include "shim/ident_watch.h"
#include "shim/ident_learn.h"
#include "shim/fdtable.h"
#include "shim/shim_lock.h"

#include <stdint.h>

void ident_watch_begin(int fd, struct ident_watch *w)
{
	struct shim_sock *sk;
	bool watch;

	w->active = false;
	if (!ident_tap_available() || fdtable_lookup(fd, &sk) != FD_OWNED)
		return;
	shim_lock_acquire(&sk->lock);
	watch = sk->synced && sk->connected && sk->kernel_only == NULL && sk->sport != 0;
	shim_lock_release(&sk->lock);
	if (watch && ident_tap_begin(sk->sport, sk->dport)) {
		w->active = true;
		w->fd = fd;
	}
	shim_sock_put(sk);
}

void ident_watch_end(struct ident_watch *w, long ret)
{
	struct shim_sock *sk;
	int id;

	if (!w->active)
		return;
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
