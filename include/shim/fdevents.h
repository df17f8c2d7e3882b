/* fdevents: keep the fd table in step with what the kernel did to the program's fds.
 *
 * The preload layer calls these after the real call returned, with its result. They hold the rules
 * (which sockets are owned, what dup and close do to ownership, how an fd inherited across exec is
 * recognised) so that the interposition layer holds none. */
#ifndef SHIM_FDEVENTS_H
#define SHIM_FDEVENTS_H

#include "shim/fdtable.h"

/* socket() returned fd (>= 0) for (family, type, protocol). */
void fdev_socket(int fd, int family, int type, int protocol);

/* close(fd) was called (token: fdtable_token(fd) taken before) and the kernel answered ret (errno
 * err when ret is -1). */
void fdev_close(int fd, fd_token_t token, int ret, int err);

/* close_range(first, last, flags) returned 0. */
void fdev_close_range(unsigned first, unsigned last, unsigned flags);

/* dup/dup2/dup3/F_DUPFD*(oldfd) returned newfd (>= 0). */
void fdev_dup(int oldfd, int newfd);

/* The shim's sockfd_lookup_light(): like fdtable_lookup, but an fd never seen before (inherited
 * across exec, received with SCM_RIGHTS, ...) is recognised on this first use by asking the kernel
 * for SO_DOMAIN, SO_TYPE and SO_PROTOCOL, and the answer is remembered. */
enum fd_kind sockfd_lookup_light(int fd, struct shim_sock **skp);

#endif
