/* udp_wmem: send-buffer accounting of one datagram on an idle socket (include/shim/udp_wmem.h).
 *
 * The sizes are this kernel's (Linux 6.18, x86_64), measured with SO_SNDBUFFORCE at the smallest
 * sk_sndbuf that lets a datagram through a veth at MTU 68, 576, 1000, 1280, 1500 and 9000 (payloads
 * 200 to 65507): a full fragment's skb is 832 bytes at MTU 68, 1280 at 576, 2304 at 1000 to 1500,
 * 16640 at 9000, which is what the rules below give. */
#include "shim/udp_wmem.h"

#include <errno.h>

#define SKB_DATA_ALIGN_TO 64u  /* SMP_CACHE_BYTES */
#define SKB_SHINFO_SIZE	  320u /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
#define SKB_STRUCT_SIZE	  256u /* SKB_DATA_ALIGN(sizeof(struct sk_buff)) */
#define SKB_SMALL_HEAD	  576u /* SKB_SMALL_HEAD_CACHE_SIZE: SKB_HEAD_ALIGN(MAX_TCP_HEADER) */
#define SKB_MAX_ALLOC	  (16384u - SKB_SHINFO_SIZE) /* SKB_MAX_ORDER(0, 2) */
#define ETH_HH_LEN	  16u /* LL_RESERVED_SPACE of an Ethernet device (hard_header_len 14) */

unsigned udp_wmem_truesize(unsigned alloclen)
{
	/* __alloc_skb: kmalloc_reserve of SKB_HEAD_ALIGN(size), from the small-head cache when it
	 * fits, else the kmalloc bucket it rounds up to (powers of two from here on); the head is
	 * what the allocation holds less the shared info, and truesize adds both structures */
	unsigned obj =
	    ((alloclen + SKB_DATA_ALIGN_TO - 1) & ~(SKB_DATA_ALIGN_TO - 1)) + SKB_SHINFO_SIZE;
	unsigned size = SKB_SMALL_HEAD;

	if (obj > SKB_SMALL_HEAD)
		for (size = 1024; size < obj; size <<= 1)
			;
	return size - SKB_SHINFO_SIZE + SKB_STRUCT_SIZE + SKB_SHINFO_SIZE;
}

/* __ip_append_data (v6 false) or __ip6_append_data (v6 true): the same loop, but IPv6 keeps 8
 * bytes of every piece for the fragment header (maxfraglen), reserves them in every skb instead
 * of IPv4's 15 (alloc_extra), and fills an skb up to the MTU only while the whole datagram
 * (cork->length) fits it. */
static int wmem_append(struct udp_wmem_queue *q, int sndbuf, unsigned fragsize, unsigned fraghdrlen,
		       size_t length, bool v6)
{
	const uint64_t limit = 2 * (uint64_t)(sndbuf > 0 ? sndbuf : 0);
	unsigned maxfraglen, datalen, fraggap, alloclen, transhdrlen = q->queued ? 0 : 8, fill;
	uint64_t delta = 0; /* wmem_alloc_delta: charged when the call ends */
	size_t copy;

	if (fragsize <= fraghdrlen + 8 + (v6 ? 8 : 0))
		return 0;
	maxfraglen = ((fragsize - fraghdrlen) & ~7u) + fraghdrlen - (v6 ? 8 : 0);
	q->length += length;
	fill = !v6 || q->length <= fragsize ? fragsize : maxfraglen;
	while (length > 0) {
		/* what still fits in the last skb: up to the MTU when the rest fits, else up to
		 * maxfraglen (page fragments on a scatter-gather device) */
		copy = q->queued ? fill - q->tail_len : 0;
		if (q->queued && copy < length)
			copy = maxfraglen > q->tail_len ? maxfraglen - q->tail_len : 0;
		if (copy > 0) {
			if (copy > length)
				copy = length;
			q->tail_len += (unsigned)copy;
			delta += copy; /* skb->truesize += copy */
			length -= copy;
			continue;
		}
		/* alloc_new_skb: the bytes beyond maxfraglen move into it (fraggap) */
		fraggap = q->queued ? q->tail_len - maxfraglen : 0;
		datalen = length + fraggap > fill - fraghdrlen ? maxfraglen - fraghdrlen
							       : (unsigned)length + fraggap;
		alloclen = datalen + fraghdrlen + ETH_HH_LEN + (v6 ? 8 : 15);
		if (alloclen >= SKB_MAX_ALLOC)
			return 0; /* paged skbs: not modelled */
		if (transhdrlen) {
			/* sock_alloc_send_skb: refused only while sk_wmem_alloc reaches sk_sndbuf
			 */
			q->charged += udp_wmem_truesize(alloclen);
		} else {
			if (1 + q->charged + delta > limit)
				return -ENOBUFS;
			delta += udp_wmem_truesize(alloclen);
		}
		q->queued = true;
		q->tail_len = datalen + fraghdrlen;
		length -= datalen - fraggap;
		transhdrlen = 0;
	}
	q->charged += delta;
	return 0;
}

int udp_wmem_append(struct udp_wmem_queue *q, int sndbuf, unsigned fragsize, unsigned fraghdrlen,
		    size_t length)
{
	return wmem_append(q, sndbuf, fragsize, fraghdrlen, length, false);
}

int udp_wmem_append6(struct udp_wmem_queue *q, int sndbuf, unsigned fragsize, unsigned fraghdrlen,
		     size_t length)
{
	return wmem_append(q, sndbuf, fragsize, fraghdrlen, length, true);
}
