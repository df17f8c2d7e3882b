/* ip_options: IPv4 header options of an outgoing datagram — net/ipv4/ip_options.c
 * ip_options_get / ip_options_compile (the form kept at setsockopt or cmsg time), ip_options_build
 * (what the first frame carries) and ip_options_fragment (what later fragments carry). */
#ifndef SHIM_IP_OPTIONS_H
#define SHIM_IP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IP_OPTS_MAX 40

/* struct ip_options as compiled: the bytes with the record-route and timestamp pointers already
 * advanced past the slot the sender fills, and where those slots are. */
struct ip_optset {
	uint8_t optlen; /* a multiple of 4; 0 = no options */
	uint8_t data[IP_OPTS_MAX];
	uint8_t rr, ts; /* offset of the RR / timestamp option in data + 1; 0 = none */
	bool rr_needaddr, ts_needaddr, ts_needtime;
};

/* Compile options the kernel socket already holds, as getsockopt(IP_OPTIONS) returns them (the
 * user's form, ip_options_undo): the kernel validated them, the shim only lays them out. Returns
 * NULL (o filled, optlen 0 for none), or why the shim cannot build them itself (a source route,
 * a prespecified timestamp, CIPSO): datagrams using them must go through the kernel socket. */
const char *ip_opts_from_socket(struct ip_optset *o, const uint8_t *buf, size_t len);

/* Compile the data of an IP_RETOPTS control message (ip_cmsg_send → ip_options_get: at most 40
 * bytes, padded with END). Returns NULL (o filled), or why the call must go to the kernel: the
 * options are invalid (the kernel answers EINVAL), need its CAP_NET_RAW check, or are of a kind
 * the shim does not build (as for ip_opts_from_socket). */
const char *ip_opts_from_cmsg(struct ip_optset *o, const uint8_t *buf, size_t len);

/* ip_options_build: the option bytes of a datagram's first frame (o->optlen bytes to out): the
 * record-route slot and a timestamp's address slot get saddr, a timestamp slot the time in ms since
 * midnight UTC (inet_current_timestamp). */
void ip_opts_build(const struct ip_optset *o, uint32_t saddr, uint8_t *out);

/* ip_options_fragment: turn built options (len bytes, in place) into those of the fragments after
 * the first: options without the "copied" flag become NOPs. */
void ip_opts_fragment(uint8_t *p, size_t len);

#endif
