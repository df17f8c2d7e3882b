/* result: the answers of the shim's functions that are not a result of the call and not -errno,
 * in one place. Each is outside every -errno (errnos end below 4096) and distinct from the others.
 *
 * The send path (sys_send.h, inet.h, udp_fastpath.h) returns >= 0 or -errno as the kernel would,
 * or one of: */
#ifndef SHIM_RESULT_H
#define SHIM_RESULT_H

/* Give this call (this message, for sendmmsg) to the kernel socket unchanged. */
#define SHIM_TO_KERNEL (-100000L)

/* The fd is not a UDP/IPv4 socket the shim owns: call libc. */
#define SHIM_NOT_OWNED (-100001L)

/* In a sendmmsg batch: an earlier entry failed when the batch went out, this one was not sent
 * (xmit_batch says which entry and why). */
#define SHIM_BATCH_BROKEN (-100002L)

/* Not answered by the send fast path: take the general path. */
#define UDP_FP_MISS (-100010L)

/* rtnetlink (src/route/rtnl.h): the kernel could not be asked or did not answer; never a route's
 * answer: the caller hands the datagram to the kernel socket. */
#define RTNL_UNASKED (-0x10000)

/* The inlined transmit (dev_xmit_fast.h): not sent, use dev_xmit. */
#define DEV_XMIT_SLOW 1

#endif
