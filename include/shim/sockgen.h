/* sockgen: one generation number per kernel socket, shared by every process under the shim.
 *
 * A socket can be shared by several processes (a forked child, an exec'd or posix_spawn'ed child,
 * a process that received it with SCM_RIGHTS or took it with pidfd_getfd), and each keeps its own
 * copy of the socket's state (struct shim_sock). Whatever changes the kernel socket through the
 * shim (bind, connect, shutdown, setsockopt, fcntl F_SETFL) bumps the socket's generation; a
 * process that finds it moved since it last read the socket reads the kernel socket again before
 * its next datagram (inet_sock_sync).
 *
 * The generations live in a file mapped MAP_SHARED, one per effective uid: /dev/shm/libshim-
 * sockgen-<euid> (mode 0600, owner checked), so every process of that user under the shim finds
 * the same cells whatever its ancestry, across fork, exec and SCM_RIGHTS alike, and the shim keeps
 * no fd open for it. Cells are indexed by a hash of the socket's SO_COOKIE and never allocated or
 * freed: two sockets that share a cell only cost each other a spurious re-read, never a wrong
 * answer. Where the file cannot be used (no /dev/shm, another owner, no fd left, a seccomp filter
 * that might not allow opening it), an anonymous MAP_SHARED mapping serves instead, which forked
 * children share but exec'd ones do not. */
#ifndef SHIM_SOCKGEN_H
#define SHIM_SOCKGEN_H

#include <stdbool.h>
#include <stdint.h>

#define SOCKGEN_SHIFT 16
#define SOCKGEN_CELLS (1u << SOCKGEN_SHIFT)

/* The cell of the socket with this cookie (0: unknown cookie: a cell of its own process that no
 * other process bumps). Never NULL. Maps the shared file on first use. */
unsigned *sockgen_cell(uint64_t cookie);

static inline unsigned sockgen_read(const unsigned *cell)
{
	return __atomic_load_n(cell, __ATOMIC_ACQUIRE);
}

/* The socket changed (after the kernel's answer): returns the generation before the bump. */
static inline unsigned sockgen_bump(unsigned *cell)
{
	return __atomic_fetch_add(cell, 1, __ATOMIC_ACQ_REL);
}

/* A connect (or disconnect, or a connect that failed) bumps by this much: a process that reads the
 * socket again sees that one was made since, which dropped the socket's route (sk_dst_reset)
 * whatever the peer is now. Two sockets that share a cell only cost each other a lookup. */
#define SOCKGEN_CONNECT_STEP (1u << 20)

/* The socket changed by a connect: returns the generation before the bump. */
static inline unsigned sockgen_bump_connect(unsigned *cell)
{
	return __atomic_fetch_add(cell, SOCKGEN_CONNECT_STEP, __ATOMIC_ACQ_REL);
}

/* Whether a connect was made between the generations then and now (sockgen_bump_connect). */
static inline bool sockgen_connected_since(unsigned then, unsigned now)
{
	return (then / SOCKGEN_CONNECT_STEP) != (now / SOCKGEN_CONNECT_STEP);
}

/* Which mapping serves (for tests): 2 the per-user file, 1 the anonymous fallback, 0 none yet. */
int sockgen_backing(void);

#endif
