/* fdtable: the fd → socket map (the shim's sockfd_lookup_light). See include/shim/fdtable.h. */
#include "shim/fdtable.h"

#include <stdatomic.h>
#include <stdint.h>

/* A slot value below FDTABLE_SLOT_PTR_MIN is an enum fd_kind; anything else is a struct shim_sock
 * pointer. The slots are core's (fd_slots.h). */
#define SLOT_PTR_MIN FDTABLE_SLOT_PTR_MIN

typedef fd_slot_t slot_t;

static void drop_slot_value(uintptr_t v)
{
	if (v >= SLOT_PTR_MIN)
		shim_sock_put((struct shim_sock *)v);
}

enum fd_kind fdtable_lookup(int fd, struct shim_sock **skp)
{
	slot_t *slot = fd_slot(fd, false);

	*skp = NULL;
	if (slot == NULL) {
		if (internal_fd_is(fd))
			return FD_INTERNAL;
		return fd >= 0 && (unsigned)fd < FDTABLE_MAX_FDS ? FD_UNKNOWN : FD_FOREIGN;
	}
	for (;;) {
		uintptr_t v = atomic_load_explicit(slot, memory_order_acquire);
		struct shim_sock *sk;

		if (v < SLOT_PTR_MIN) /* the shim's own fds are recorded by core's registry */
			return internal_fd_is(fd) ? FD_INTERNAL : (enum fd_kind)v;
		sk = (struct shim_sock *)v;
		if (!shim_sock_get_not_zero(sk))
			continue; /* being freed: the slot has changed already */
		if (atomic_load_explicit(slot, memory_order_acquire) == v) {
			*skp = sk;
			return FD_OWNED;
		}
		shim_sock_put(sk); /* lost a race with close/dup2: read the slot again */
	}
}

static int slot_store(int fd, uintptr_t v)
{
	slot_t *slot = fd_slot(fd, v != FD_UNKNOWN);

	if (slot == NULL) {
		drop_slot_value(v);
		return -1;
	}
	drop_slot_value(atomic_exchange_explicit(slot, v, memory_order_acq_rel));
	return 0;
}

int fdtable_install(int fd, struct shim_sock *sk)
{
	shim_sock_get(sk);
	return slot_store(fd, (uintptr_t)sk);
}

void fdtable_set_kind(int fd, enum fd_kind kind)
{
	if (kind == FD_OWNED || kind == FD_INTERNAL)
		return; /* owned slots are made by fdtable_install, internal fds are core's */
	slot_store(fd, (uintptr_t)kind);
}

fd_token_t fdtable_token(int fd)
{
	slot_t *slot = fd_slot(fd, false);

	return slot == NULL ? FD_UNKNOWN : atomic_load_explicit(slot, memory_order_acquire);
}

void fdtable_forget_if(int fd, fd_token_t token)
{
	slot_t *slot = fd_slot(fd, false);
	uintptr_t v = token;

	if (slot == NULL || v == FD_UNKNOWN)
		return;
	if (atomic_compare_exchange_strong_explicit(slot, &v, FD_UNKNOWN, memory_order_acq_rel,
						    memory_order_acquire))
		drop_slot_value(v);
}

void fdtable_dup(int oldfd, int newfd)
{
	struct shim_sock *sk;
	enum fd_kind kind = fdtable_lookup(oldfd, &sk);

	if (kind == FD_OWNED) {
		fdtable_install(newfd, sk);
		shim_sock_put(sk);
	} else if (kind == FD_INTERNAL) {
		fdtable_forget(newfd); /* the program's copy of an internal fd is the program's */
	} else {
		fdtable_set_kind(newfd, kind);
	}
}

static bool forget(slot_t *slot)
{
	uintptr_t v = atomic_load_explicit(slot, memory_order_acquire);

	if (v != FD_UNKNOWN &&
	    atomic_compare_exchange_strong_explicit(slot, &v, FD_UNKNOWN, memory_order_acq_rel,
						    memory_order_acquire))
		drop_slot_value(v);
	return false;
}

void fdtable_forget_range(unsigned first, unsigned last)
{
	fd_slots_scan(first, last, forget);
}
