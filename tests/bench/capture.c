/*
 * capture: record the frames a network device receives into a pcap file.
 *
 *   capture -i DEV -w FILE [-r READYFILE] [-t MAX_MS] [-c MAX_FRAMES] [-q QUIET_MS] [-u PORT]...
 * [-o]
 *
 * An AF_PACKET socket (ETH_P_ALL) bound to DEV records every frame the device receives; frames the
 * host itself sends on DEV (PACKET_OUTGOING) are skipped unless -o is given. The file is a classic
 * pcap with nanosecond timestamps (magic a1b23c4d) and link type Ethernet (1); each record is
 * flushed as it is written.
 *
 * -r READYFILE  created (containing "ready <pid>") once the socket is bound, the sinks are open
 *               and the pcap header is on disk; "ready" is also printed on stdout.
 * -t MAX_MS     stop after this many milliseconds (default 60000).
 * -c MAX_FRAMES stop after this many recorded frames (default 100000).
 * -q QUIET_MS   after SIGTERM/SIGINT, keep reading until no frame arrived for QUIET_MS
 *               (default 100), at most 2 s, so frames still in flight are not lost.
 * -u PORT       also open UDP sockets bound to 0.0.0.0:PORT and [::]:PORT (IPV6_V6ONLY) and
 *               discard what they receive (a "sink": datagrams to that port then cause no ICMP or
 *               ICMPv6 port unreachable). Repeatable. The IPv6 one is left out, silently, where
 *               IPv6 cannot bind (a namespace with IPv6 disabled).
 * -o            also record outgoing frames.
 *
 * At the end one line "capture: N frames, D dropped" goes to stderr (D from PACKET_STATISTICS);
 * exit status 0, or 3 when the kernel dropped frames, 1 on errors, 2 on usage errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SINKS   32 /* ports; each has an IPv4 and an IPv6 socket */
#define FRAME_BUF   (256 * 1024)
#define QUIET_LIMIT 2000 /* ms: the most the lingering after a stop signal may take */

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: capture -i DEV -w FILE [-r READYFILE] [-t MAX_MS] [-c MAX_FRAMES] "
			"[-q QUIET_MS] [-u PORT]... [-o]\n");
	exit(2);
}

static long parse_num(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "capture: bad number '%s'\n", s);
		usage();
	}
	return v;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct pcap_file_header {
	uint32_t magic;
	uint16_t version_major;
	uint16_t version_minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
};

struct pcap_record_header {
	uint32_t ts_sec;
	uint32_t ts_nsec;
	uint32_t incl_len;
	uint32_t orig_len;
};

static int write_pcap_header(FILE *f)
{
	struct pcap_file_header h = {
	    .magic = 0xa1b23c4d, /* nanosecond resolution */
	    .version_major = 2,
	    .version_minor = 4,
	    .thiszone = 0,
	    .sigfigs = 0,
	    .snaplen = FRAME_BUF,
	    .linktype = 1, /* Ethernet */
	};

	if (fwrite(&h, sizeof(h), 1, f) != 1 || fflush(f) != 0)
		return -1;
	return 0;
}

static int write_record(FILE *f, const struct timespec *ts, const void *data, size_t incl,
			size_t orig)
{
	struct pcap_record_header r = {
	    .ts_sec = (uint32_t)ts->tv_sec,
	    .ts_nsec = (uint32_t)ts->tv_nsec,
	    .incl_len = (uint32_t)incl,
	    .orig_len = (uint32_t)orig,
	};

	if (fwrite(&r, sizeof(r), 1, f) != 1 || fwrite(data, 1, incl, f) != incl || fflush(f) != 0)
		return -1;
	return 0;
}

static int open_packet_socket(const char *dev, int outgoing)
{
	struct sockaddr_ll sll;
	unsigned int ifindex;
	int one = 1, fd;
	int rcvbuf = 32 * 1024 * 1024;

	ifindex = if_nametoindex(dev);
	if (ifindex == 0) {
		fprintf(stderr, "capture: no device %s: %s\n", dev, strerror(errno));
		return -1;
	}
	/* Protocol 0: receive nothing until bound to the device, so no frame of another device
	 * slips in between socket() and bind(). */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("capture: socket(AF_PACKET)");
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0) {
		perror("capture: SO_TIMESTAMPNS");
		close(fd);
		return -1;
	}
	if (!outgoing)
		(void)setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("capture: bind(AF_PACKET)");
		close(fd);
		return -1;
	}
	return fd;
}

static int open_sink(int port)
{
	struct sockaddr_in sin;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		perror("capture: socket(AF_INET)");
		return -1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		fprintf(stderr, "capture: bind UDP sink port %d: %s\n", port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The IPv6 sink of a port: [::]:PORT, IPv6 only (the IPv4 sink has 0.0.0.0:PORT). -1 when IPv6 is
 * not usable here (disabled in the namespace): no error, the namespace then gets no IPv6 frames. */
static int open_sink6(int port)
{
	struct sockaddr_in6 sin6;
	int fd, one = 1;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons((uint16_t)port);
	sin6.sin6_addr = in6addr_any;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads at most one frame; returns 1 if a frame was recorded, 2 if one was skipped (outgoing), 0 if
 * none was waiting, -1 on error. */
static int read_frame(int fd, FILE *out, unsigned char *buf, int outgoing)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} control;
	struct sockaddr_ll from;
	struct iovec iov = {.iov_base = buf, .iov_len = FRAME_BUF};
	struct msghdr msg = {
	    .msg_name = &from,
	    .msg_namelen = sizeof(from),
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = control.buf,
	    .msg_controllen = sizeof(control.buf),
	};
	struct timespec ts;
	struct cmsghdr *c;
	ssize_t n;
	size_t incl;

	n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		perror("capture: recvmsg");
		return -1;
	}
	if (!outgoing && from.sll_pkttype == PACKET_OUTGOING)
		return 2;
	clock_gettime(CLOCK_REALTIME, &ts);
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS)
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
	incl = (size_t)n > FRAME_BUF ? FRAME_BUF : (size_t)n;
	if (write_record(out, &ts, buf, incl, (size_t)n) < 0) {
		perror("capture: write");
		return -1;
	}
	return 1;
}

static void drain_sink(int fd)
{
	char buf[2048];
	int i;

	/* Bounded: whatever is left is read at the next wakeup. */
	for (i = 0; i < 256; i++)
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) < 0)
			break;
}

static int write_ready(const char *path)
{
	char tmp[4096];
	FILE *f;

	/* Written under a temporary name and renamed, so a reader never sees a partial file. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "ready %ld\n", (long)getpid());
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *dev = NULL, *path = NULL, *ready = NULL;
	long max_ms = 60000, max_frames = 100000, quiet_ms = 100;
	int ports[MAX_SINKS], sinks[2 * MAX_SINKS], nports = 0, nsinks = 0, outgoing = 0;
	struct pollfd pfd[2 * MAX_SINKS + 1];
	struct tpacket_stats st;
	socklen_t stlen = sizeof(st);
	struct sigaction sa;
	unsigned char *buf;
	int64_t start, stop_at = 0, last_frame = 0;
	long frames = 0;
	int opt, fd, i, rc = 0;
	FILE *out;

	while ((opt = getopt(argc, argv, "i:w:r:t:c:q:u:o")) != -1) {
		switch (opt) {
		case 'i':
			dev = optarg;
			break;
		case 'w':
			path = optarg;
			break;
		case 'r':
			ready = optarg;
			break;
		case 't':
			max_ms = parse_num(optarg, 1, 24L * 3600 * 1000);
			break;
		case 'c':
			max_frames = parse_num(optarg, 1, 100000000);
			break;
		case 'q':
			quiet_ms = parse_num(optarg, 0, QUIET_LIMIT);
			break;
		case 'u':
			if (nports == MAX_SINKS) {
				fprintf(stderr, "capture: at most %d sinks\n", MAX_SINKS);
				usage();
			}
			ports[nports++] = (int)parse_num(optarg, 1, 65535);
			break;
		case 'o':
			outgoing = 1;
			break;
		default:
			usage();
		}
	}
	if (!dev || !path || optind != argc)
		usage();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	buf = malloc(FRAME_BUF);
	if (!buf) {
		perror("capture: malloc");
		return 1;
	}
	fd = open_packet_socket(dev, outgoing);
	if (fd < 0)
		return 1;
	for (i = 0; i < nports; i++) {
		int s6;

		sinks[nsinks] = open_sink(ports[i]);
		if (sinks[nsinks++] < 0)
			return 1;
		s6 = open_sink6(ports[i]);
		if (s6 >= 0)
			sinks[nsinks++] = s6;
	}
	out = fopen(path, "wb");
	if (!out || write_pcap_header(out) < 0) {
		fprintf(stderr, "capture: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (ready && write_ready(ready) < 0) {
		fprintf(stderr, "capture: ready file %s: %s\n", ready, strerror(errno));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);

	pfd[0].fd = fd;
	pfd[0].events = POLLIN;
	for (i = 0; i < nsinks; i++) {
		pfd[i + 1].fd = sinks[i];
		pfd[i + 1].events = POLLIN;
	}
	start = now_ms();
	for (;;) {
		int64_t t = now_ms();
		int got, n;

		if (t - start >= max_ms || frames >= max_frames)
			break;
		if (stop_requested && !stop_at) {
			stop_at = t;
			last_frame = t;
		}
		if (stop_at && (t - last_frame >= quiet_ms || t - stop_at >= QUIET_LIMIT))
			break;
		n = poll(pfd, (nfds_t)nsinks + 1, stop_at ? 10 : 100);
		if (n < 0 && errno != EINTR) {
			perror("capture: poll");
			rc = 1;
			break;
		}
		if (n <= 0)
			continue;
		for (i = 0; i < nsinks; i++)
			if (pfd[i + 1].revents)
				drain_sink(sinks[i]);
		if (!pfd[0].revents)
			continue;
		/* Bounded batch per wakeup. */
		for (i = 0; i < 1024 && frames < max_frames; i++) {
			got = read_frame(fd, out, buf, outgoing);
			if (got < 0) {
				rc = 1;
				goto out;
			}
			if (got == 0)
				break;
			if (got == 2)
				continue;
			frames++;
			last_frame = now_ms();
		}
	}
out:
	if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &stlen) < 0)
		memset(&st, 0, sizeof(st));
	if (fclose(out) != 0) {
		perror("capture: close");
		rc = 1;
	}
	fprintf(stderr, "capture: %ld frames, %u dropped\n", frames, st.tp_drops);
	if (rc == 0 && st.tp_drops > 0)
		rc = 3;
	free(buf);
	return rc;
}
