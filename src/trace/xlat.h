/* xlat: tables that name constants, and the ways strace prints a value through them. */
#ifndef SHIM_TRACE_XLAT_H
#define SHIM_TRACE_XLAT_H

#include <stddef.h>
#include <stdint.h>

#include "shim/sbuf.h"

struct xlat_pair {
	uint64_t val;
	const char *name;
};

struct xlat {
	const struct xlat_pair *pairs;
	size_t n;
};

#define XLAT_TABLE(ident, ...)                                                                     \
	static const struct xlat_pair ident##_pairs[] = {__VA_ARGS__};                             \
	const struct xlat ident = {ident##_pairs, sizeof(ident##_pairs) / sizeof(ident##_pairs[0])}

/* clang-format off */
/* A pair named after the header's constant of the same name. */
#define XC(name) {(uint64_t)(name), #name}
/* A pair whose value is given literally (the constant is missing or differs in libc headers). */
#define XV(val, name) {(uint64_t)(val), name}
/* clang-format on */

/* How a number without a name is printed. */
enum xlat_num { XLAT_HEX, XLAT_UNSIGNED, XLAT_SIGNED };

/* The first name of val in x, or NULL. */
const char *xlat_name(const struct xlat *x, uint64_t val);

/* A single value: its name, else the number followed by the default as a comment. */
void xlat_print(struct sbuf *b, const struct xlat *x, uint64_t val, const char *dflt);
void xlat_print_num(struct sbuf *b, const struct xlat *x, uint64_t val, const char *dflt,
		    enum xlat_num num);
/* Like xlat_print, but the number is always shown and the name follows it as a comment. */
void xlat_print_verbose(struct sbuf *b, const struct xlat *x, uint64_t val, const char *dflt);

/* Flags: names joined with |, unknown bits in hex; "0" when val is 0 and no name has value 0. */
void xlat_print_flags(struct sbuf *b, const struct xlat *x, uint64_t val, const char *dflt);

/* Flags as in the text after a return value: prefix then names joined with sep (none when sep is
 * 0), unknown bits in hex; appends nothing and returns 0 when val is 0. */
int xlat_sprint_flags(struct sbuf *b, const char *prefix, const struct xlat *x, uint64_t val,
		      char sep);

/* "%#llx": 0, 0x1f, ... */
void xlat_print_hex(struct sbuf *b, uint64_t val);

/* Tables (xlat_net.c) */
extern const struct xlat xlat_addrfams;
extern const struct xlat xlat_socktypes;
extern const struct xlat xlat_sock_type_flags;
extern const struct xlat xlat_inet_protocols;
extern const struct xlat xlat_netlink_protocols;
extern const struct xlat xlat_ethernet_protocols;
extern const struct xlat xlat_ax25_protocols;
extern const struct xlat xlat_can_protocols;
extern const struct xlat xlat_bt_protocols;
extern const struct xlat xlat_isdn_protocols;
extern const struct xlat xlat_phonet_protocols;
extern const struct xlat xlat_caif_protocols;
extern const struct xlat xlat_nfc_protocols;
extern const struct xlat xlat_kcm_protocols;
extern const struct xlat xlat_smc_protocols;
extern const struct xlat xlat_msg_flags;
extern const struct xlat xlat_shutdown_modes;
extern const struct xlat xlat_arp_hardware_types;
extern const struct xlat xlat_af_packet_types;

/* Tables (xlat_cmsg.c) */
extern const struct xlat xlat_scmvals;
extern const struct xlat xlat_ip_cmsg_types;

/* Tables (xlat_sockopt.c) */
extern const struct xlat xlat_socketlayers;
extern const struct xlat xlat_sock_options;
extern const struct xlat xlat_getsock_options;
extern const struct xlat xlat_setsock_options;
extern const struct xlat xlat_sock_ip_options;
extern const struct xlat xlat_getsock_ip_options;
extern const struct xlat xlat_setsock_ip_options;
extern const struct xlat xlat_sock_ipv6_options;
extern const struct xlat xlat_getsock_ipv6_options;
extern const struct xlat xlat_setsock_ipv6_options;
extern const struct xlat xlat_sock_tcp_options;
extern const struct xlat xlat_sock_udp_options;
extern const struct xlat xlat_sock_raw_options;
extern const struct xlat xlat_sock_netlink_options;
extern const struct xlat xlat_sock_packet_options;
extern const struct xlat xlat_sockopt_txrehash_vals;
extern const struct xlat xlat_packet_mreq_type;
extern const struct xlat xlat_icmp_filter_flags;

/* Tables for the less common socket levels (xlat_sockopt_more.c) */
extern const struct xlat xlat_sock_vsock_options;
extern const struct xlat xlat_sock_ipx_options;
extern const struct xlat xlat_sock_ax25_options;
extern const struct xlat xlat_sock_can_raw_options;
extern const struct xlat xlat_sock_sctp_options;
extern const struct xlat xlat_sock_irda_options;
extern const struct xlat xlat_sock_llc_options;
extern const struct xlat xlat_sock_dccp_options;
extern const struct xlat xlat_sock_tipc_options;
extern const struct xlat xlat_sock_rxrpc_options;
extern const struct xlat xlat_sock_pppol2tp_options;
extern const struct xlat xlat_sock_bluetooth_options;
extern const struct xlat xlat_sock_pnp_options;
extern const struct xlat xlat_sock_rds_options;
extern const struct xlat xlat_sock_iucv_options;
extern const struct xlat xlat_sock_caif_options;
extern const struct xlat xlat_sock_alg_options;
extern const struct xlat xlat_sock_nfcllcp_options;
extern const struct xlat xlat_sock_kcm_options;
extern const struct xlat xlat_sock_tls_options;
extern const struct xlat xlat_sock_xdp_options;

/* Tables (xlat_fcntl.c) */
extern const struct xlat xlat_fcntlcmds;
extern const struct xlat xlat_fdflags;
extern const struct xlat xlat_open_access_modes;
extern const struct xlat xlat_open_mode_flags;
extern const struct xlat xlat_lockfcmds;
extern const struct xlat xlat_whence_codes;
extern const struct xlat xlat_f_owner_types;
extern const struct xlat xlat_f_seals;
extern const struct xlat xlat_notifyflags;
extern const struct xlat xlat_close_range_flags;

/* Names of errno values and signals (xlat_errno.c, xlat_signal.c); NULL when strace has none. */
const char *xlat_errno_name(uint64_t err);
/* Writes the signal's name to buf (at least 16 bytes) and returns buf, or returns NULL. */
const char *xlat_signal_name(int sig, char *buf, size_t size);

#endif
