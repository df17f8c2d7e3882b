/* dev_xmit_fast: the plain device stack (counters over the packet socket, include/shim/netdev.h)
 * inlined for the send fast path.
 *
 * Only the common case is done here: the stack is the plain one (no coalescing, capture or fault
 * injection: netdev_plain) and this thread's packet-socket address is already built for the
 * device; then one sendto (a frame that fits DEV_XMIT_LINEAR_MAX, copied into one buffer) or
 * sendmsg on the packet socket and the frame counter, as the stack would do. Otherwise, or on
 * EINTR, it returns DEV_XMIT_SLOW with nothing sent: the caller hands the frame to dev_xmit with
 * what it knows of it (its dev_meta). msg_flags is MSG_DONTWAIT or 0. iov[0] is the shim's own
 * (the headers), the other parts the program's (read with the fault-safe copy: -EFAULT). */
#ifndef SHIM_DEV_XMIT_FAST_H
#define SHIM_DEV_XMIT_FAST_H

#include "shim/dev.h"
#include "shim/netdev.h"
#include "shim/rawsys.h"
#include "shim/result.h"
#include "shim/stats.h"
#include "shim/umem.h"

#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

/* DEV_XMIT_SLOW (shim/result.h): not sent, use dev_xmit */

/* The largest frame (virtio-net header included) sent from one buffer on the stack: an Ethernet
 * frame of a 1500-byte MTU */
#define DEV_XMIT_LINEAR_MAX 1536

extern int dev_packet_fd;
/* The interface the packet socket is bound to (0: none, src/dev/packet_xmit.c): its frames need
 * no address. */
extern int dev_packet_bound_ifindex;
/* The packet socket's address for a frame of protocol proto (ETH_P_*) on the device: built per
 * thread, one per network protocol (0: IPv4, 1: IPv6), for the last device it was used with. */
#define DEV_XMIT_L3(proto) ((proto) == ETH_P_IPV6)
extern __thread __attribute__((tls_model("initial-exec"))) struct sockaddr_ll dev_xmit_target[2];
extern __thread __attribute__((tls_model("initial-exec"))) int dev_xmit_target_ifindex[2];

/* One frame of protocol proto (the ETH_P_* of its Ethernet header; a constant where inlined), with
 * the control messages of its skb priority and mark (dev_skb_ctl; ctl_len 0: none). */
static inline __attribute__((always_inline)) int dev_xmit_fast(int ifindex, const struct iovec *iov,
							       int iovcnt, int msg_flags,
							       uint16_t proto, void *ctl,
							       size_t ctl_len)
{
	const int l3 = DEV_XMIT_L3(proto);
	struct msghdr mh;
	long r;

	if (__builtin_expect(!netdev_plain || dev_xmit_target_ifindex[l3] != ifindex, 0))
		return DEV_XMIT_SLOW;
	/* A frame without control messages that fits DEV_XMIT_LINEAR_MAX goes as one buffer: the
	 * headers (iov[0], the shim's own) and the payload copied in with the fault-safe copy (a
	 * fault is EFAULT, as the packet socket's own copy answers), then sendto. The kernel then
	 * imports one buffer (import_ubuf) instead of a msghdr and an iovec array
	 * (copy_msghdr_from_user, import_iovec: ~10% of the call, docs/performance.md). */
	if (__builtin_expect(ctl_len == 0, 1) && umem_fault_safe()) {
		uint8_t buf[DEV_XMIT_LINEAR_MAX] __attribute__((aligned(16)));
		size_t n = iov[0].iov_len;
		int i;

		for (i = 1; i < iovcnt; i++)
			n += iov[i].iov_len;
		if (__builtin_expect(n <= sizeof(buf), 1)) {
			memcpy(buf, iov[0].iov_base, iov[0].iov_len);
			n = iov[0].iov_len;
			for (i = 1; i < iovcnt; i++) {
				if (ucopy(buf + n, iov[i].iov_base, iov[i].iov_len) != 0)
					return -EFAULT;
				n += iov[i].iov_len;
			}
			if (ifindex !=
			    __atomic_load_n(&dev_packet_bound_ifindex, __ATOMIC_ACQUIRE)) {
				r = rawsys6(SYS_sendto, dev_packet_fd, (long)buf, (long)n,
					    msg_flags, (long)&dev_xmit_target[l3],
					    sizeof(dev_xmit_target[l3]));
				goto sent;
			}
			/* the bound interface: no address. One gone since (ENXIO: the binding
			 * went with it) is not used again; dev_xmit answers with the address */
			r = rawsys6(SYS_sendto, dev_packet_fd, (long)buf, (long)n, msg_flags, 0, 0);
			if (__builtin_expect(r == -ENXIO, 0)) {
				__atomic_store_n(&dev_packet_bound_ifindex, 0, __ATOMIC_RELEASE);
				return DEV_XMIT_SLOW;
			}
			goto sent;
		}
	}
	mh = (struct msghdr){.msg_name = &dev_xmit_target[l3],
			     .msg_namelen = sizeof(dev_xmit_target[l3]),
			     .msg_iov = (struct iovec *)iov,
			     .msg_iovlen = (size_t)iovcnt,
			     .msg_control = ctl,
			     .msg_controllen = ctl_len};
	r = rawsys3(SYS_sendmsg, dev_packet_fd, &mh, msg_flags);
sent:
	if (__builtin_expect(r < 0, 0))
		return r == -EINTR ? DEV_XMIT_SLOW : (int)r;
	stats_add_inline(STAT_FRAMES_SENT, 1);
	return 0;
}

#endif
