/* udp_wmem: the send-buffer accounting of __ip_append_data for one datagram on an idle socket.
 *
 * The kernel charges each skb of a datagram to sk_wmem_alloc by its truesize. The first comes from
 * sock_alloc_send_skb (it waits, or EAGAIN, only while sk_wmem_alloc already reaches sk_sndbuf:
 * never on an idle socket); each later fragment's skb is allocated only while sk_wmem_alloc (1 on
 * an idle socket) plus the truesize of the skbs before it stays within 2 × sk_sndbuf, else the
 * datagram fails with ENOBUFS. The shim's frames leave at once, so the socket it models is always
 * idle; datagrams of the kernel's still in flight (or queued behind an unresolved neighbour) are
 * not counted (docs/conformance.md). */
#ifndef SHIM_UDP_WMEM_H
#define SHIM_UDP_WMEM_H

#include <stddef.h>
#include <stdint.h>

/* skb->truesize of an skb that __alloc_skb made for alloclen bytes of head on this kernel. */
unsigned udp_wmem_truesize(unsigned alloclen);

/* __ip_append_data for a datagram of ulen bytes (UDP header and payload) laid out in fragments of
 * fragsize (cork->fragsize) with fraghdrlen bytes of IP header (20 + options), not UDP GSO, on an
 * idle socket whose sk_sndbuf is sndbuf: 0, or -ENOBUFS. */
int udp_wmem_idle_append(int sndbuf, unsigned fragsize, unsigned fraghdrlen, size_t ulen);

#endif
