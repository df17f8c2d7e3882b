/* raw_tx: the device's ceilings, measured the way udp_bench measures a UDP sender.
 *
 *   raw_tx packet|packet-qdisc|ring|xdp|gso|gso-ring IFNAME COUNT SIZE [BATCH]
 *
 * builds one Ethernet/IPv4/UDP frame with SIZE payload bytes (198.18.0.1:9 -> 198.18.0.2:9, valid
 * checksums) and sends it COUNT times through IFNAME:
 *   packet  AF_PACKET socket, PACKET_QDISC_BYPASS, one send() per frame
 *   packet-qdisc  the same through the device's qdisc (no bypass), as the shim's frames go
 *   ring    AF_PACKET PACKET_TX_RING (TPACKET_V2), PACKET_QDISC_BYPASS, BATCH prebuilt frames
 *           marked for sending, then one send() kick
 *   xdp     AF_XDP socket in copy mode, TX ring only (no XDP program), XDP_USE_NEED_WAKEUP,
 *           XDP_MAX_TX_SKB_BUDGET raised to BATCH where the kernel has it (Linux >= 6.17);
 *           BATCH descriptors of prebuilt UMEM frames, then one sendto() kick
 *   gso     AF_PACKET socket with PACKET_VNET_HDR, PACKET_QDISC_BYPASS: one send() per prebuilt
 *           GSO frame of BATCH segments of SIZE bytes (VIRTIO_NET_HDR_GSO_UDP_L4, the UDP
 *           checksum left to the device), what the shim's UDP_SEGMENT send hands the kernel;
 *           COUNT and the figures count segments
 *   gso-ring  the same GSO frame (with its virtio-net header) prebuilt in the slots of a
 *           PACKET_TX_RING (TPACKET_V2, PACKET_VNET_HDR, qdisc bypass), one kick (send() with
 *           MSG_DONTWAIT) per frame: the kernel takes the slot's pages as fragments, no copy
 * and prints one line in udp_bench's format:
 *   mode=ring size=64 count=200000 sent=200000 batch=32 kicks=6250 budget=0 bind_waits=0
 *   wall_s=0.05 dgrams_per_s=... user_ns=.. sys_ns=.. cpu_ns=.. rss_kb=..
 * (CPU nanoseconds per frame from getrusage). Exit status 0 when every frame was sent, 1 when
 * not, 3 when the socket could not be set up (e.g. no AF_XDP in this kernel). */
#include "raw_tx.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	return sum;
}

/* Ethernet (locally administered MACs), IPv4 (DF, TTL 64), UDP with its checksum, zero payload;
 * partial: the UDP checksum field holds the pseudo-header sum only, for the device to complete
 * (CHECKSUM_PARTIAL, as a GSO frame carries it). */
static unsigned char *build_frame(int size, int partial, size_t *len)
{
	size_t n = 14 + 20 + 8 + (size_t)size;
	unsigned char *f = calloc(1, n), *ip = f + 14, *udp = f + 34;
	unsigned ulen = 8 + (unsigned)size;
	uint32_t sum;

	if (f == NULL)
		return NULL;
	memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
	ip[0] = 0x45;
	ip[2] = (unsigned char)((20 + ulen) >> 8);
	ip[3] = (unsigned char)(20 + ulen);
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, "\xc6\x12\x00\x01\xc6\x12\x00\x02", 8);
	sum = csum_fold(csum_add(0, ip, 20));
	ip[10] = (unsigned char)(sum >> 8);
	ip[11] = (unsigned char)sum;
	udp[1] = 9;
	udp[3] = 9;
	udp[4] = (unsigned char)(ulen >> 8);
	udp[5] = (unsigned char)ulen;
	sum = csum_add(17 + ulen, ip + 12, 8); /* pseudo header: protocol, length, addresses */
	sum = partial ? (uint16_t)~csum_fold(sum) : csum_fold(csum_add(sum, udp, ulen));
	if (sum == 0)
		sum = 0xffff;
	udp[6] = (unsigned char)(sum >> 8);
	udp[7] = (unsigned char)sum;
	*len = n;
	return f;
}

static double tv_ns(struct timeval tv)
{
	return tv.tv_sec * 1e9 + tv.tv_usec * 1e3;
}

static long rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

void raw_start(struct raw_run *r)
{
	r->sent = 0;
	r->kicks = 0;
	getrusage(RUSAGE_SELF, &r->ru0);
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
}

int main(int argc, char **argv)
{
	struct raw_run r = {0};
	struct rusage r1;
	struct timespec t1;
	int size, rc;

	if (argc < 5) {
		fprintf(stderr, "usage: raw_tx packet|packet-qdisc|ring|xdp|gso|gso-ring IFNAME "
				"COUNT SIZE [BATCH]\n");
		return 2;
	}
	r.ifname = argv[2];
	r.ifindex = (int)if_nametoindex(argv[2]);
	r.count = atol(argv[3]);
	size = atoi(argv[4]);
	r.batch = argc > 5 ? atoi(argv[5]) : 32;
	if (r.ifindex == 0 || r.count < 1 || size < 1 || size > 1472 || r.batch < 1 ||
	    r.batch > 1024) {
		fprintf(stderr, "raw_tx: bad arguments\n");
		return 2;
	}
	r.gso_size = size;
	if (strcmp(argv[1], "gso") == 0 || strcmp(argv[1], "gso-ring") == 0) {
		while ((long)r.batch * size > 65000) /* as udp_bench's udp_segment */
			r.batch--;
		r.frame = build_frame(size * r.batch, 1, &r.frame_len);
	} else
		r.frame = build_frame(size, 0, &r.frame_len);
	if (r.frame == NULL)
		return 2;
	if (strcmp(argv[1], "packet") == 0)
		rc = raw_packet_send(&r);
	else if (strcmp(argv[1], "packet-qdisc") == 0) {
		r.qdisc = 1;
		rc = raw_packet_send(&r);
	} else if (strcmp(argv[1], "ring") == 0)
		rc = raw_packet_ring(&r);
	else if (strcmp(argv[1], "xdp") == 0)
		rc = raw_xdp(&r);
	else if (strcmp(argv[1], "gso") == 0)
		rc = raw_packet_gso(&r);
	else if (strcmp(argv[1], "gso-ring") == 0)
		rc = raw_packet_gso_ring(&r);
	else {
		fprintf(stderr, "raw_tx: unknown mode %s\n", argv[1]);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &r1);
	free((void *)r.frame);
	if (rc != 0)
		return 3;
	{
		double wall = (t1.tv_sec - r.t0.tv_sec) + (t1.tv_nsec - r.t0.tv_nsec) / 1e9;
		double user = (tv_ns(r1.ru_utime) - tv_ns(r.ru0.ru_utime)) / (double)r.count;
		double sys = (tv_ns(r1.ru_stime) - tv_ns(r.ru0.ru_stime)) / (double)r.count;

		printf(
		    "mode=%s size=%d count=%ld sent=%ld batch=%d kicks=%ld budget=%d bind_waits=%d "
		    "wall_s=%.3f dgrams_per_s=%.0f user_ns=%.0f sys_ns=%.0f cpu_ns=%.0f "
		    "rss_kb=%ld\n",
		    argv[1], size, r.count, r.sent, r.batch, r.kicks, r.budget, r.bind_waits, wall,
		    r.count / wall, user, sys, user + sys, rss_kb());
	}
	return r.sent == r.count ? 0 : 1;
}
