/* selfcheck: the verdict of `shim-run --selfcheck` (tests/bench/selfcheck), read once at load.
 *
 * The verdict file names the kernel it was made on and the features whose scenarios differed
 * from that kernel:
 *
 *   kernel 6.18.44-fc-v1300
 *   differs gso cork
 *
 * While the same kernel runs, a datagram of such a feature is handed to the kernel socket
 * (udp_sendmsg: one load of shim_selfcheck_differs, 0 nearly always). `all` stands for every
 * datagram (a scenario without a feature of its own differed); `coalesce` turns the coalescing
 * mode off at load. Lines starting with '#' and unknown words are ignored. */
#ifndef SHIM_SELFCHECK_H
#define SHIM_SELFCHECK_H

#include <stddef.h>
#include <stdint.h>

enum selfcheck_feature {
	SC_ALL,	       /* every datagram */
	SC_GSO,	       /* UDP_SEGMENT (socket option or control message) */
	SC_CORK,       /* MSG_MORE, UDP_CORK */
	SC_UDPLITE,    /* a UDP-Lite socket */
	SC_IP_OPTIONS, /* IP options (IP_OPTIONS, IP_RETOPTS) */
	SC_MCAST,      /* a multicast destination */
	SC_CMSG,       /* any control message */
	SC_NOCHECK,    /* SO_NO_CHECK */
	SC_FRAG,       /* a datagram larger than the MTU (fragments) */
	SC_COALESCE,   /* the coalescing mode (SHIM_COALESCE) */
	SC_IPV6,       /* an IPv6 socket's datagrams (udpv6_sendmsg hands them all over) */
	SC_COUNT
};

#define SC_BIT(f) (1u << (f))

#define SHIM_SELFCHECK_DEFAULT "/var/lib/libshim/selfcheck"

/* The features found different on this kernel (bits SC_BIT); written once at load. */
extern uint32_t shim_selfcheck_differs;

/* The features of a verdict's text (len bytes), when it names the kernel release; else 0. */
uint32_t selfcheck_parse(const char *text, size_t len, const char *release);

/* Read the verdict file (raw system calls, no allocation) and set shim_selfcheck_differs.
 * Returns the features, 0 when there is no file, it is unreadable, or names another kernel. */
uint32_t selfcheck_load(const char *path);

/* "gso", "cork", ... ("?" out of range); the first feature of a set of bits (SC_COUNT if none) */
const char *selfcheck_feature_name(enum selfcheck_feature f);
enum selfcheck_feature selfcheck_first(uint32_t bits);

#endif
