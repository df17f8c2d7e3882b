/* pcap_writer: the capture file of SHIM_PCAP (see include/shim/pcap.h).
 *
 * Format: pcapng. Each process image that opens the file appends one section: a Section Header
 * Block and one Interface Description Block (link type Ethernet, nanosecond timestamps), written
 * with one write(2). Every frame is then one Enhanced Packet Block, also one write(2) on the
 * O_APPEND fd, so records of threads, forked children (which share the fd) and exec'd images
 * (which append sections of their own) never interleave inside a record, and the file is complete
 * at any moment the process stops. All sections describe the same interface, so a block that
 * lands after another process's section header is still read correctly. Frames the shim sent are
 * marked outbound (epb_flags); datagrams handed to the kernel socket are recorded as the shim
 * knows them and carry a comment naming the reason. */
#include "shim/shim_fmt.h"
#include "shim/shim_alloc.h"
#include "shim/pcap.h"
#include "shim/internal_fd.h"
#include "shim/rawsys.h"
#include "shim/umem.h"
#include "shim/wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/virtio_net.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>

#define VNET_HDR_LEN 10 /* DEV_VNET_HDR_LEN */
#define STACK_FRAME  2048

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u

#define OPT_END		 0
#define OPT_COMMENT	 1
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME	 2
#define OPT_IF_DESC	 3
#define OPT_IF_TSRESOL	 9
#define OPT_EPB_FLAGS	 2
#define EPB_OUTBOUND	 2u /* epb_flags bits 0-1: direction, 2 = outbound */

bool pcap_enabled;
static int pcap_fd = -1;

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* One option (code, length, value padded to 4) at p; returns the bytes written. */
static size_t put_opt(uint8_t *p, uint16_t code, const void *val, uint16_t len)
{
	memcpy(p, &code, 2);
	memcpy(p + 2, &len, 2);
	memcpy(p + 4, val, len);
	memset(p + 4 + len, 0, pad4(len) - len);
	return 4 + pad4(len);
}

static size_t put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
	return 4;
}

/* Write all of it with one system call (O_APPEND: one record, never split by another writer). */
static void write_record(const struct iovec *iov, int n)
{
	long r;

	do
		r = rawsys3(SYS_writev, pcap_fd, iov, n);
	while (r == -EINTR);
}

static void write_section_header(void)
{
	uint8_t b[512], *p = b;
	char comment[96], comm[17] = {0};
	size_t shb_start, idb_start;
	uint32_t len;
	uint8_t tsresol = 9;
	struct iovec iov;
	static const char if_desc[] = "frames sent by libshim; datagrams it handed to the kernel";

	rawsys2(SYS_prctl, PR_GET_NAME, comm);
	shim_snprintf(comment, sizeof(comment), "libshim capture of pid %ld (%s)",
		      rawsys0(SYS_getpid), comm);

	shb_start = 0;
	p += put_u32(p, BT_SHB);
	p += 4; /* total length, below */
	p += put_u32(p, 0x1A2B3C4Du);
	p += put_u32(p, 1 | (0u << 16)); /* version 1.0 */
	memset(p, 0xff, 8);		 /* section length: not given */
	p += 8;
	p += put_opt(p, OPT_COMMENT, comment, (uint16_t)strlen(comment));
	p += put_opt(p, OPT_SHB_USERAPPL, "libshim", 7);
	p += put_opt(p, OPT_END, "", 0);
	len = (uint32_t)(p - b - shb_start + 4);
	memcpy(b + shb_start + 4, &len, 4);
	p += put_u32(p, len);

	idb_start = (size_t)(p - b);
	p += put_u32(p, BT_IDB);
	p += 4;
	p += put_u32(p, 1); /* LINKTYPE_ETHERNET, reserved 0 */
	p += put_u32(p, 0); /* snaplen: no limit */
	p += put_opt(p, OPT_IF_NAME, "libshim", 7);
	p += put_opt(p, OPT_IF_DESC, if_desc, (uint16_t)strlen(if_desc));
	p += put_opt(p, OPT_IF_TSRESOL, &tsresol, 1);
	p += put_opt(p, OPT_END, "", 0);
	len = (uint32_t)((size_t)(p - b) - idb_start + 4);
	memcpy(b + idb_start + 4, &len, 4);
	p += put_u32(p, len);

	iov.iov_base = b;
	iov.iov_len = (size_t)(p - b);
	write_record(&iov, 1);
}

int pcap_open(const char *path)
{
	long fd = rawsys4(SYS_openat, AT_FDCWD, path,
			  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0644);

	if (fd < 0)
		return (int)fd;
	if (pcap_fd >= 0) {
		internal_fd_close(pcap_fd);
	}
	pcap_fd = internal_fd_adopt((int)fd, true);
	internal_fd_track(&pcap_fd);
	write_section_header();
	pcap_enabled = true;
	return 0;
}

/* One Enhanced Packet Block: frame (caplen bytes of a frame of origlen), optional comment. */
static void write_epb(const uint8_t *frame, uint32_t caplen, uint32_t origlen, const char *comment)
{
	uint8_t head[28], tail[4 + 8 + 4 + 256 + 4 + 4];
	static const uint8_t zeros[4];
	struct timespec ts;
	uint64_t t;
	uint32_t total, flags = EPB_OUTBOUND;
	size_t n = 0, clen = comment ? strlen(comment) : 0;
	struct iovec iov[4];

	if (clen > 256)
		clen = 256;
	clock_gettime(CLOCK_REALTIME, &ts);
	t = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;

	n += put_opt(tail + n, OPT_EPB_FLAGS, &flags, 4);
	if (clen)
		n += put_opt(tail + n, OPT_COMMENT, comment, (uint16_t)clen);
	n += put_opt(tail + n, OPT_END, "", 0);
	total = (uint32_t)(28 + pad4(caplen) + n + 4);
	n += put_u32(tail + n, total);

	put_u32(head, BT_EPB);
	put_u32(head + 4, total);
	put_u32(head + 8, 0); /* interface 0 */
	put_u32(head + 12, (uint32_t)(t >> 32));
	put_u32(head + 16, (uint32_t)t);
	put_u32(head + 20, caplen);
	put_u32(head + 24, origlen);

	iov[0] = (struct iovec){head, sizeof(head)};
	iov[1] = (struct iovec){(void *)frame, caplen};
	iov[2] = (struct iovec){(void *)zeros, pad4(caplen) - caplen};
	iov[3] = (struct iovec){tail, n};
	write_record(iov, 4);
}

/* A UFO frame (VIRTIO_NET_HDR_GSO_UDP, its UDP checksum complete) as the fragments the device
 * cuts it into (inet_gso_segment for a UDP fragmentation skb): each with the frame's Ethernet and
 * IP header, its own total length, offset, MF and header checksum, and frag bytes of the IP
 * payload (the last one the rest). */
static void write_ufo_fragments(const uint8_t *frame, size_t len, uint16_t frag)
{
	const size_t ihl = (size_t)(frame[ETH_HLEN_BYTES] & 0x0f) * 4, hdrs = ETH_HLEN_BYTES + ihl;
	uint8_t stack[STACK_FRAME], *buf = stack;

	if (frag == 0 || (frag & 7) != 0 || len <= hdrs)
		return;
	if (hdrs + frag > sizeof(stack) && (buf = shim_alloc(hdrs + frag)) == NULL)
		return;
	for (size_t off = 0; off < len - hdrs; off += frag) {
		size_t chunk = len - hdrs - off < frag ? len - hdrs - off : frag;
		uint8_t *ip = buf + ETH_HLEN_BYTES;
		uint16_t v, c;

		memcpy(buf, frame, hdrs);
		memcpy(buf + hdrs, frame + hdrs + off, chunk);
		v = htons((uint16_t)(ihl + chunk));
		memcpy(ip + 2, &v, 2);
		v = htons((uint16_t)(off / 8 | (off + chunk < len - hdrs ? IP_MF : 0)));
		memcpy(ip + 6, &v, 2);
		memset(ip + 10, 0, 2);
		c = csum_fold(csum_partial(ip, ihl, 0));
		memcpy(ip + 10, &c, 2);
		write_epb(buf, (uint32_t)(hdrs + chunk), (uint32_t)(hdrs + chunk), NULL);
	}
	if (buf != stack)
		shim_free(buf);
}

void pcap_frame(const struct iovec *parts, int nparts)
{
	uint8_t stack[STACK_FRAME], *buf = stack, *frame;
	struct virtio_net_hdr vh;
	size_t total = 0, got = 0, len;

	if (pcap_fd < 0 || nparts <= 0)
		return;
	for (int i = 0; i < nparts; i++)
		total += parts[i].iov_len;
	if (total <= VNET_HDR_LEN)
		return;
	if (total > sizeof(stack)) {
		buf = shim_alloc(total);
		if (buf == NULL)
			return;
	}
	/* parts[0] is the shim's own memory; the rest may be the program's buffers */
	memcpy(buf, parts[0].iov_base, parts[0].iov_len);
	got = parts[0].iov_len;
	for (int i = 1; i < nparts; i++) {
		size_t n = umem_read_partial(buf + got, parts[i].iov_base, parts[i].iov_len);

		got += n;
		if (n < parts[i].iov_len)
			break; /* unreadable now: record what could be read */
	}
	if (got <= VNET_HDR_LEN)
		goto out;
	memcpy(&vh, buf, sizeof(vh) < VNET_HDR_LEN ? sizeof(vh) : VNET_HDR_LEN);
	frame = buf + VNET_HDR_LEN;
	len = got - VNET_HDR_LEN;
	/* finish the checksum as the device (skb_checksum_help) would: over csum_start..end, with
	 * the seeded pseudo-header sum in the field; 0 goes out as 0xFFFF */
	if ((vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && got == total &&
	    (size_t)vh.csum_start + vh.csum_offset + 2 <= len) {
		uint16_t c = csum_fold(csum_partial(frame + vh.csum_start, len - vh.csum_start, 0));

		if (c == 0)
			c = 0xffff;
		memcpy(frame + vh.csum_start + vh.csum_offset, &c, 2);
	}
	if (vh.gso_type == VIRTIO_NET_HDR_GSO_UDP && got == total)
		write_ufo_fragments(frame, len, vh.gso_size);
	else
		write_epb(frame, (uint32_t)len, (uint32_t)(total - VNET_HDR_LEN), NULL);
out:
	if (buf != stack)
		shim_free(buf);
}

/* A handed-off datagram's record: hdrs bytes of headers the caller writes into the buffer this
 * returns (the stack's, or allocated for a large payload), then up to take bytes of the payload,
 * read fault-safely (*got: how many could be; the rest zeros: the kernel will say EFAULT). */
static uint8_t *kernel_record_buf(uint8_t *stack, size_t hdrs, const struct iovec *payload,
				  int niov, size_t take, size_t *got)
{
	uint8_t *buf = stack;

	if (hdrs + take > STACK_FRAME) {
		buf = shim_alloc(hdrs + take);
		if (buf == NULL)
			return NULL;
	}
	*got = 0;
	for (int i = 0; i < niov && *got < take; i++) {
		size_t want = payload[i].iov_len < take - *got ? payload[i].iov_len : take - *got;
		size_t n = umem_read_partial(buf + hdrs + *got, payload[i].iov_base, want);

		*got += n;
		if (n < want)
			break;
	}
	if (*got < take)
		memset(buf + hdrs + *got, 0, take - *got);
	return buf;
}

/* The UDP header and checksum (over the pseudo-header sum psum) at udp, the comment naming the
 * reason, and the record written. */
static void kernel_record_put(uint8_t *buf, uint8_t *stack, size_t hdrs, uint8_t *udp,
			      uint16_t sport, uint16_t dport, size_t take, size_t got,
			      uint32_t psum, enum shim_kernel_reason why)
{
	char comment[257]; /* write_epb keeps 256 bytes */
	uint16_t c;

	wire_put_udp(udp, sport, dport, (uint16_t)(UDP_HLEN + take), 0);
	c = udp_checksum_final(csum_partial(udp, UDP_HLEN + take, psum));
	memcpy(udp + 6, &c, 2);
	shim_snprintf(
	    comment, sizeof(comment),
	    "libshim: handed to the kernel socket (%s: %s)%s; the kernel built the frame on "
	    "the wire, this record shows its addresses, ports and payload",
	    stats_kernel_name(why), stats_kernel_desc(why),
	    got < take ? ", payload unreadable" : "");
	write_epb(buf, (uint32_t)(hdrs + take), (uint32_t)(hdrs + take), comment);
	if (buf != stack)
		shim_free(buf);
}

void pcap_kernel_datagram(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
			  const struct iovec *payload, int niov, size_t len,
			  enum shim_kernel_reason why)
{
	const size_t hdrs = ETH_HLEN_BYTES + IPV4_HLEN_MIN + UDP_HLEN;
	const size_t max_payload = IP_MAX_TOTAL - IPV4_HLEN_MIN - UDP_HLEN;
	uint8_t stack[STACK_FRAME], *buf;
	struct eth_hdr_fields eth = {.ethertype = 0x0800};
	struct ipv4_hdr_fields ip = {.ttl = 64, .protocol = 17};
	size_t take = len > max_payload ? max_payload : len, got;

	if (pcap_fd < 0)
		return;
	buf = kernel_record_buf(stack, hdrs, payload, niov, take, &got);
	if (buf == NULL)
		return;
	wire_put_eth(buf, &eth);
	ip.total_len = (uint16_t)(IPV4_HLEN_MIN + UDP_HLEN + take);
	ip.saddr = saddr;
	ip.daddr = daddr;
	wire_put_ipv4(buf + ETH_HLEN_BYTES, &ip);
	kernel_record_put(buf, stack, hdrs, buf + ETH_HLEN_BYTES + IPV4_HLEN_MIN, sport, dport,
			  take, got,
			  csum_pseudo_ipv4(saddr, daddr, 17, (uint16_t)(UDP_HLEN + take)), why);
}

void pcap_kernel_datagram6(const struct in6_addr *saddr, const struct in6_addr *daddr,
			   uint16_t sport, uint16_t dport, const struct iovec *payload, int niov,
			   size_t len, enum shim_kernel_reason why)
{
	const size_t hdrs = ETH_HLEN_BYTES + IPV6_HLEN + UDP_HLEN;
	const size_t max_payload = IP_MAX_TOTAL - UDP_HLEN;
	uint8_t stack[STACK_FRAME], *buf;
	struct eth_hdr_fields eth = {.ethertype = 0x86DD};
	struct ipv6_hdr_fields ip = {.nexthdr = 17, .hop_limit = 64};
	size_t take = len > max_payload ? max_payload : len, got;

	if (pcap_fd < 0)
		return;
	buf = kernel_record_buf(stack, hdrs, payload, niov, take, &got);
	if (buf == NULL)
		return;
	wire_put_eth(buf, &eth);
	ip.payload_len = (uint16_t)(UDP_HLEN + take);
	ip.saddr = saddr->s6_addr;
	ip.daddr = daddr->s6_addr;
	wire_put_ipv6(buf + ETH_HLEN_BYTES, &ip);
	kernel_record_put(
	    buf, stack, hdrs, buf + ETH_HLEN_BYTES + IPV6_HLEN, sport, dport, take, got,
	    csum_pseudo_ipv6(saddr->s6_addr, daddr->s6_addr, 17, (uint32_t)(UDP_HLEN + take)), why);
}

/* After fork the child shares the parent's O_APPEND fd (one open file description), so its records
 * go to the same file, each still one write. Nothing else is per process. */
