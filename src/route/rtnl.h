/* rtnl: rtnetlink request/response for the route module (private header).
 *
 * Messages are built and parsed with libmnl; the socket I/O is made with raw system calls, so that
 * none of it goes through the shim's own interposed socket/bind/sendto (nor shows in its trace). */
#ifndef SHIM_ROUTE_RTNL_H
#define SHIM_ROUTE_RTNL_H

#include <libmnl/libmnl.h>
#include <stdbool.h>

#include "shim/addr.h"
#include "shim/result.h"

/* Open an rtnetlink socket as an internal fd (high, close-on-exec), not bound yet; replace >= 0:
 * an fd of the shim's inherited across fork whose number it takes (internal_fd_replace), closed in
 * any case. Returns the fd or -errno (EXDEV: the calling thread is in another network namespace
 * than the packet socket, where routes must not be asked). */
int rtnl_socket(int replace);

/* Bind fd (from rtnl_socket) to the groups (a bit mask of RTMGRP_*; 0 for a request socket). 0 or
 * -errno. */
int rtnl_subscribe(int fd, unsigned groups);

/* Open this process's request socket now (at load: in the namespace of load time, before the
 * program may lower its fd limit). 0 or -errno. */
int rtnl_open_now(void);

/* Move fd high (close-on-exec) and mark it internal; returns the fd to use from now on. */
int rtnl_make_internal(int fd);

/* Send req (NLM_F_REQUEST|NLM_F_ACK are added) on this process's request socket and feed every
 * reply message to cb. Returns 0, the kernel's answer as -errno (its NLMSG_ERROR code), or
 * RTNL_UNASKED when the kernel could not be asked or did not answer: no socket could be opened (the
 * program's fd limit, memory), the thread is in another network namespace than the packet socket,
 * a send or receive failed or timed out, or the kernel had no memory for the answer. Never a
 * route's answer: the caller hands the datagram to the kernel socket. */
/* RTNL_UNASKED: shim/result.h */
int rtnl_request(struct nlmsghdr *req, mnl_cb_t cb, void *data);

/* Put a as attribute type, its length the family's (4 or 16 bytes). */
static inline void rtnl_put_addr(struct nlmsghdr *nlh, uint16_t type, const struct shim_addr *a)
{
	mnl_attr_put(nlh, type, shim_addr_len(a->family), a->v6);
}

/* Read attr as an address of family into *a: false (and *a left alone) when its length is not
 * the family's. */
static inline bool rtnl_get_addr(const struct nlattr *attr, sa_family_t family, struct shim_addr *a)
{
	return shim_addr_from(a, family, mnl_attr_get_payload(attr),
			      mnl_attr_get_payload_len(attr));
}

#endif
