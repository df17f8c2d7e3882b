/* sockevents: keep an owned socket's state in step with the calls that change it (bypass mode).
 * The preload layer calls these after the real call returned; for fds the shim does not own they do
 * nothing. */
#ifndef SHIM_SOCKEVENTS_H
#define SHIM_SOCKEVENTS_H

#include <sys/socket.h>

void sockev_bind(int fd, socklen_t len, int ret, int err);
void sockev_connect(int fd, const struct sockaddr *addr, socklen_t len, int ret, int err);
void sockev_shutdown(int fd, int how, int ret, int err);
/* setsockopt: the shim's verdict is checked against the kernel's answer (ret, and err when ret < 0)
 * before the state is updated (src/inet/sockopt_check.c). */
void sockev_setsockopt(int fd, int level, int name, const void *val, socklen_t len, int ret,
		       int err);
void sockev_setfl(int fd, int flags, int ret);
/* getsockname, getpeername: inet_getname holds the socket lock (release_sock's callback) */
void sockev_getname(int fd);

#endif
