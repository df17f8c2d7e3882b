/* rtnl: rtnetlink request/response for the route module (private header).
 *
 * Messages are built and parsed with libmnl; the socket I/O is made with raw system calls, so that
 * none of it goes through the shim's own interposed socket/bind/sendto (nor shows in its trace). */
#ifndef SHIM_ROUTE_RTNL_H
#define SHIM_ROUTE_RTNL_H

#include <libmnl/libmnl.h>

/* Open an rtnetlink socket as an internal fd (high, close-on-exec), subscribed to groups (a
 * bit mask of RTMGRP_*; 0 for a request socket). Returns the fd or -errno. */
int rtnl_open(unsigned groups);

/* Move fd high (close-on-exec) and mark it internal; returns the fd to use from now on. */
int rtnl_make_internal(int fd);

/* Send req (NLM_F_REQUEST|NLM_F_ACK are added) on this process's request socket and feed every
 * reply message to cb. Returns 0, or -errno (the kernel's NLMSG_ERROR code, or an I/O error). */
int rtnl_request(struct nlmsghdr *req, mnl_cb_t cb, void *data);

/* After fork, in the child: the request socket is shared with the parent and must not be used. */
void rtnl_forget_after_fork(void);

#endif
