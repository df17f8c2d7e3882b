/* sockopt_check: the shim's setsockopt verdict (sockopt_verdict.h) checked against the kernel's
 * answer on the real socket, a built-in conformance check (design decision 3).
 *
 * The preload gives every setsockopt to the kernel socket; for a socket the shim owns,
 * sockev_setsockopt then asks sockopt_check, which computes the shim's verdict from the same
 * arguments and compares: a difference is counted (stats "sockopt_diff") and said in the path
 * trace, and the kernel's answer is what the program gets. */
#ifndef SHIM_SOCKOPT_CHECK_H
#define SHIM_SOCKOPT_CHECK_H

#include <stdbool.h>
#include <sys/socket.h>

#include "shim/sock.h"
#include "shim/sockopt_verdict.h"

/* After the kernel answered setsockopt(fd, level, name, val, len) with ret (and err when ret < 0)
 * on sk (locked, synced): the shim's verdict in *v, compared and reported. Returns true when the
 * shim predicted the answer and the kernel agreed. */
bool sockopt_check(struct shim_sock *sk, int fd, int level, int name, const void *val,
		   socklen_t len, int ret, int err, struct sov_verdict *v);

/* With an agreed, successful verdict: update sk from the value the verdict says the kernel stored,
 * for the options whose state was read back with getsockopt before (SO_BROADCAST, SO_MARK,
 * SO_BINDTODEVICE, SO_BINDTOIFINDEX). Returns true when it did (the caller then skips the
 * read-back). */
bool sockopt_apply(struct shim_sock *sk, int level, int name, const struct sov_verdict *v);

/* The environment of the verdict for sk on fd: capabilities (read only when the option needs them),
 * net.core.wmem_max (read once), device look-ups by ioctl on fd. fd is kept in *fdp, which must
 * live as long as the env. Exposed for the unit test. */
void sockopt_env_for(struct sov_env *e, int protocol, int bound_dev_if, bool need_caps, int *fdp);

/* ns_capable(sock_net(sk)->user_ns, cap) for the calling thread: 1, 0, or -1 when it cannot be
 * told (outside the initial user namespace, capget failed). */
int sock_net_capable(int cap);

#endif
