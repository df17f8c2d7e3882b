/* csum: the Internet checksum (RFC 1071), as csum_partial/csum_fold in the kernel. */
#include "shim/wire.h"

#include <arpa/inet.h>
#include <string.h>

uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t acc = sum;

	/* Sum 32-bit words in a 64-bit accumulator; the carries are folded at the end. Bytes are
	 * taken in memory order, so the result is in network order like the data. */
	while (len >= 4) {
		uint32_t w;

		memcpy(&w, p, 4);
		acc += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t h;

		memcpy(&h, p, 2);
		acc += h;
		p += 2;
		len -= 2;
	}
	if (len)
		acc += *p; /* the odd byte, padded with zero (little-endian host: low byte) */
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

uint32_t csum_add(uint32_t a, uint32_t b)
{
	uint32_t r = a + b;

	return r + (r < a);
}

uint32_t csum_pseudo_ipv4(uint32_t saddr, uint32_t daddr, uint8_t proto, uint16_t len)
{
	uint8_t ph[12];
	uint16_t nlen = htons(len);

	memcpy(ph, &saddr, 4);
	memcpy(ph + 4, &daddr, 4);
	ph[8] = 0;
	ph[9] = proto;
	memcpy(ph + 10, &nlen, 2);
	return csum_partial(ph, sizeof(ph), 0);
}

uint32_t csum_pseudo_ipv6(const uint8_t saddr[16], const uint8_t daddr[16], uint8_t proto,
			  uint32_t len)
{
	uint8_t ph[40];
	uint32_t nlen = htonl(len);

	memcpy(ph, saddr, 16);
	memcpy(ph + 16, daddr, 16);
	memcpy(ph + 32, &nlen, 4);
	ph[36] = ph[37] = ph[38] = 0;
	ph[39] = proto;
	return csum_partial(ph, sizeof(ph), 0);
}

uint16_t udp_checksum_final(uint32_t sum)
{
	uint16_t c = csum_fold(sum);

	return c == 0 ? 0xffff : c;
}

int skb_checksum_help(uint8_t *frame, size_t len, size_t start, size_t offset)
{
	uint16_t folded;

	if (start > len || offset + 2 > len - start)
		return -1;
	folded = udp_checksum_final(csum_partial(frame + start, len - start, 0));
	memcpy(frame + start + offset, &folded, 2);
	return 0;
}
