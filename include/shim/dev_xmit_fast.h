/* dev_xmit_fast: dev_xmit (src/dev/packet_xmit.c) inlined for the send fast path.
 *
 * The common case only — no coalescing, this thread's packet-socket address already built for
 * the device — is done here: one sendmsg on the packet socket, the frame counter, the capture
 * hook. Anything else (coalescing on, another device, EINTR) is dev_xmit's, which does the same
 * checks again from the start: nothing has been sent when it is called. msg_flags is MSG_DONTWAIT
 * or 0. */
#ifndef SHIM_DEV_XMIT_FAST_H
#define SHIM_DEV_XMIT_FAST_H

#include "shim/coalesce.h"
#include "shim/dev.h"
#include "shim/pcap.h"
#include "shim/rawsys.h"
#include "shim/stats.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <sys/syscall.h>

extern int dev_packet_fd;
extern __thread __attribute__((tls_model("initial-exec"))) struct sockaddr_ll dev_xmit_target;
extern __thread __attribute__((tls_model("initial-exec"))) int dev_xmit_target_ifindex;

static inline __attribute__((always_inline)) int dev_xmit_fast(int ifindex, const struct iovec *iov,
							       int iovcnt, int msg_flags)
{
	struct msghdr mh;
	long r;

	if (__builtin_expect(coalesce_mode || dev_xmit_target_ifindex != ifindex, 0))
		return dev_xmit(ifindex, iov, iovcnt, msg_flags != 0);
	mh = (struct msghdr){.msg_name = &dev_xmit_target,
			     .msg_namelen = sizeof(dev_xmit_target),
			     .msg_iov = (struct iovec *)iov,
			     .msg_iovlen = (size_t)iovcnt};
	r = rawsys3(SYS_sendmsg, dev_packet_fd, &mh, msg_flags);
	if (__builtin_expect(r < 0, 0))
		return r == -EINTR ? dev_xmit(ifindex, iov, iovcnt, msg_flags != 0) : (int)r;
	stats_add_inline(STAT_FRAMES_SENT, 1);
	if (__builtin_expect(pcap_enabled, 0))
		pcap_frame(iov, iovcnt);
	return 0;
}

#endif
