/* udp_gso: the checks of udp_send_skb for a datagram with a gso_size (see include/shim/udp_gso.h).
 */
#include "shim/udp_gso.h"
#include "shim/inet.h"
#include "shim/ip_output.h"
#include "shim/udp_csum.h"
#include "shim/umem.h"
#include "shim/wire.h"

#include <errno.h>
#include <netinet/in.h>

int udp_gso_check(const struct udp_gso_req *r)
{
	size_t seg;

	if (r->gso_size == 0)
		return UDP_GSO_PLAIN;
	/* udp_send_skb: the first segment (or the whole payload, if smaller) must fit the MTU */
	seg = r->datalen < r->gso_size ? r->datalen : r->gso_size;
	if (r->hlen + seg > r->fragsize)
		return -EMSGSIZE;
	if (r->datalen > (size_t)r->gso_size * UDP_GSO_MAX_SEGMENTS)
		return -EINVAL;
	if (r->no_check)
		return -EINVAL;
	if (r->udplite)
		return -EIO; /* also a route with an xfrm transformation, which the shim never has
			      */
	return r->datalen > r->gso_size ? UDP_GSO_SEGMENT : UDP_GSO_PLAIN;
}

int udp_gso_error(int err, const struct iovec *iov, int iovcnt, size_t len)
{
	unsigned char scratch[4096];
	size_t off = 0;

	/* ip_generic_getfrag would have faulted on the copy first */
	for (int i = 0; i < iovcnt && off < len; i++) {
		const unsigned char *p = iov[i].iov_base;
		size_t left = iov[i].iov_len < len - off ? iov[i].iov_len : len - off;

		off += left;
		while (left) {
			size_t n = left < sizeof(scratch) ? left : sizeof(scratch);

			if (umem_read(scratch, p, n) != 0)
				return -EFAULT;
			p += n;
			left -= n;
		}
	}
	return err;
}

long udp_gso_decide(const struct udp_datagram *d, unsigned gso_size, struct path_trace *t)
{
	struct udp_gso_req req = {
	    .datalen = d->len,
	    .gso_size = gso_size,
	    .hlen = IPV4_HLEN_MIN + UDP_HLEN,
	    .fragsize = d->fragsize,
	    .no_check = d->no_check,
	    .udplite = udp_datagram_protocol(d) == IPPROTO_UDPLITE,
	};
	int r = udp_gso_check(&req);

	if (r < 0) {
		r = udp_gso_error(r, d->iov, d->iovcnt, d->len);
		path_step(t, "udp_send_skb(gso_size %u, payload %zu: error %d)", gso_size, d->len,
			  -r);
		return r;
	}
	if (r == UDP_GSO_PLAIN && gso_size)
		path_step(t, "udp_send_skb(gso_size %u \xe2\x89\xa5 payload %zu: no GSO)", gso_size,
			  d->len);
	return r == UDP_GSO_SEGMENT ? (long)gso_size : 0;
}
