/* sockopt: decoding of setsockopt/getsockopt levels, names and values (private to src/trace). */
#ifndef SHIM_TRACE_SOCKOPT_H
#define SHIM_TRACE_SOCKOPT_H

#include <stdbool.h>
#include <stdint.h>

#include "shim/sbuf.h"

/* "level, optname" as strace names them for getsockopt (get) or setsockopt. */
void fmt_sockopt_level_name(struct sbuf *b, unsigned level, unsigned name, bool get);
/* The optval of a setsockopt call of optlen len. */
void fmt_setsockopt_value(struct sbuf *b, unsigned level, unsigned name, uint64_t addr, int len);
/* The optval of a successful getsockopt call; ulen is the optlen before the call, rlen after. */
void fmt_getsockopt_value(struct sbuf *b, unsigned level, unsigned name, uint64_t addr, int ulen,
			  int rlen);

/* Structures of the option values (fmt_sockopt_types.c). */
void fmt_set_linger(struct sbuf *b, uint64_t addr, int len);
void fmt_get_linger(struct sbuf *b, uint64_t addr, unsigned len);
void fmt_get_ucred(struct sbuf *b, uint64_t addr, unsigned len);
void fmt_ip_mreq(struct sbuf *b, uint64_t addr, int len);
void fmt_ipv6_mreq(struct sbuf *b, uint64_t addr, int len);
void fmt_group_req(struct sbuf *b, uint64_t addr, int len);
void fmt_tpacket_req(struct sbuf *b, uint64_t addr, int len);
void fmt_packet_mreq(struct sbuf *b, uint64_t addr, int len);
void fmt_tpacket_stats(struct sbuf *b, uint64_t addr, unsigned len);
void fmt_icmp_filter(struct sbuf *b, uint64_t addr, int len);
void fmt_sock_fprog(struct sbuf *b, uint64_t addr, int len);

#endif
