/* fdtable: which file descriptors are sockets the shim owns — the shim's sockfd_lookup_light().
 *
 * Every fd number has one slot. A slot holds either a reference to the fd's socket object, or one
 * of: FD_UNKNOWN   never seen (e.g. inherited across exec, or made by a call the shim does not
 *                intercept): the caller probes the fd once and records the answer
 *   FD_FOREIGN   checked: not a socket the shim owns; every call on it goes to libc
 *   FD_INTERNAL  one of the shim's own fds (trace file, ...): hidden from the program; never
 *                stored in a slot, answered from core's registry (internal_fd.h)
 *
 * Reads take no lock: a lookup is one atomic load plus a reference count increment on the socket.
 * Socket objects live in type-stable memory (sock_alloc.h), so a lookup that races with close()
 * sees either the old socket, safely referenced, or the new slot value. */
#ifndef SHIM_FDTABLE_H
#define SHIM_FDTABLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "shim/fd_slots.h"
#include "shim/internal_fd.h"
#include "shim/sock.h"
#include "shim/sock_alloc.h"

enum fd_kind {
	FD_UNKNOWN = 0,
	FD_FOREIGN,
	FD_INTERNAL,
	FD_OWNED,
};

/* Highest fd number the table can hold (plus one); fds above it are always FD_FOREIGN. */
#define FDTABLE_MAX_FDS FD_SLOTS_MAX

/* A slot (fd_slots.h, core's) holds an enum fd_kind below this, or the address of the socket. */
#define FDTABLE_SLOT_PTR_MIN ((uintptr_t)FD_OWNED + 1)

/* The socket fd's slot holds now, without a reference (NULL: not an owned socket, or not known
 * yet): for the send fast path only. The object stays a socket object (type-stable memory) but may
 * be closed, and even reused for a new socket, at any moment after the load: the caller may only
 * read it and must find its own flow stamp in it before trusting anything (udp_fastpath.c), and
 * must take a reference (shim_sock_hold_peeked, sock_alloc.h) before it writes to it or takes its
 * lock. */
static inline struct shim_sock *fdtable_peek(int fd)
{
	uintptr_t v = fd_slot_peek(fd);

	return v >= FDTABLE_SLOT_PTR_MIN ? (struct shim_sock *)v : NULL;
}

/* Look fd up. Returns the kind; for FD_OWNED *skp receives a reference the caller must put. */
enum fd_kind fdtable_lookup(int fd, struct shim_sock **skp);

/* Put sk in fd's slot (taking a new reference) after the kernel created or duplicated fd.
 * Whatever the slot held before is dropped. Returns 0, or -1 if fd is out of range. */
int fdtable_install(int fd, struct shim_sock *sk);

/* Record fd as FD_FOREIGN or FD_UNKNOWN, dropping a socket reference it held (FD_INTERNAL is
 * recorded by internal_fd_adopt, in core). */
void fdtable_set_kind(int fd, enum fd_kind kind);

/* The kernel closed fd (close, close_range, dup2/dup3 onto it): forget it. */
static inline void fdtable_forget(int fd)
{
	fdtable_set_kind(fd, FD_UNKNOWN);
}

/* What fd's slot holds now, to be passed to fdtable_forget_if after the kernel closed fd. */
typedef unsigned long fd_token_t;
fd_token_t fdtable_token(int fd);

/* Forget fd unless its slot changed since the token was taken: another thread may have been
 * handed the same fd number by the kernel between the close and this call. */
void fdtable_forget_if(int fd, fd_token_t token);

/* fd newfd now refers to what oldfd refers to (dup family, after the kernel said yes). */
void fdtable_dup(int oldfd, int newfd);

/* Forget every fd in [first, last] (close_range, closefrom; the shim's own fds, which the
 * program's close_range spares, have nothing here: core's registry keeps them). */
void fdtable_forget_range(unsigned first, unsigned last);

#endif
