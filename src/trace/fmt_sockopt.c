/* fmt_sockopt: setsockopt/getsockopt option levels, names and values. */
#include "sockopt.h"

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

#include <linux/icmp.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>

#include "fmt.h"
#include "xlat.h"

/* Socket levels glibc's headers leave out. */
#define LEVEL_VSOCK 40 /* AF_VSOCK: vsock checks the family instead of a level */
#ifndef SOL_TCP
#define SOL_TCP 6
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef SOL_CAN_RAW
#define SOL_CAN_RAW 101
#endif
#ifndef SOL_SCTP
#define SOL_SCTP 132
#endif
#ifndef SOL_IPX
#define SOL_IPX 256
#endif
#ifndef SOL_AX25
#define SOL_AX25 257
#endif

struct level_names {
	unsigned level;
	const struct xlat *names;
	const struct xlat *get_names; /* names only getsockopt has */
	const struct xlat *set_names; /* names only setsockopt has */
	const char *dflt;
};

static const struct level_names levels[] = {
    {SOL_SOCKET, &xlat_sock_options, &xlat_getsock_options, &xlat_setsock_options, "SO_???"},
    {SOL_IP, &xlat_sock_ip_options, &xlat_getsock_ip_options, &xlat_setsock_ip_options, "IP_???"},
    {LEVEL_VSOCK, &xlat_sock_vsock_options, NULL, NULL, "SO_VM_???"},
    {SOL_IPV6, &xlat_sock_ipv6_options, &xlat_getsock_ipv6_options, &xlat_setsock_ipv6_options,
     "IPV6_???"},
    {SOL_IPX, &xlat_sock_ipx_options, NULL, NULL, "IPX_???"},
    {SOL_AX25, &xlat_sock_ax25_options, NULL, NULL, "AX25_???"},
    {SOL_PACKET, &xlat_sock_packet_options, NULL, NULL, "PACKET_???"},
    {SOL_TCP, &xlat_sock_tcp_options, NULL, NULL, "TCP_???"},
    {SOL_CAN_RAW, &xlat_sock_can_raw_options, NULL, NULL, "CAN_RAW_???"},
    {SOL_SCTP, &xlat_sock_sctp_options, NULL, NULL, "SCTP_???"},
    {SOL_RAW, &xlat_sock_raw_options, NULL, NULL, "RAW_???"},
    {SOL_NETLINK, &xlat_sock_netlink_options, NULL, NULL, "NETLINK_???"},
    {SOL_UDP, &xlat_sock_udp_options, NULL, NULL, "UDP_???"},
    {SOL_IRDA, &xlat_sock_irda_options, NULL, NULL, "IRLMP_???"},
    {SOL_LLC, &xlat_sock_llc_options, NULL, NULL, "LLC_OPT_???"},
    {SOL_DCCP, &xlat_sock_dccp_options, NULL, NULL, "DCCP_SOCKOPT_???"},
    {SOL_TIPC, &xlat_sock_tipc_options, NULL, NULL, "TIPC_???"},
    {SOL_RXRPC, &xlat_sock_rxrpc_options, NULL, NULL, "RXRPC_???"},
    {SOL_PPPOL2TP, &xlat_sock_pppol2tp_options, NULL, NULL, "PPPOL2TP_SO_???"},
    {SOL_BLUETOOTH, &xlat_sock_bluetooth_options, NULL, NULL, "BT_???"},
    {SOL_PNPIPE, &xlat_sock_pnp_options, NULL, NULL, "PNPIPE_???"},
    {SOL_RDS, &xlat_sock_rds_options, NULL, NULL, "RDS_???"},
    {SOL_IUCV, &xlat_sock_iucv_options, NULL, NULL, "SO_???"},
    {SOL_CAIF, &xlat_sock_caif_options, NULL, NULL, "CAIFSO_???"},
    {SOL_ALG, &xlat_sock_alg_options, NULL, NULL, "ALG_???"},
    {SOL_NFC, &xlat_sock_nfcllcp_options, NULL, NULL, "NFC_LLCP_???"},
    {SOL_KCM, &xlat_sock_kcm_options, NULL, NULL, "KCM_???"},
    {SOL_TLS, &xlat_sock_tls_options, NULL, NULL, "TLS_???"},
    {SOL_XDP, &xlat_sock_xdp_options, NULL, NULL, "XDP_???"},
};

void fmt_sockopt_level_name(struct sbuf *b, unsigned level, unsigned name, bool get)
{
	xlat_print(b, &xlat_socketlayers, level, "SOL_??");
	sbuf_puts(b, ", ");
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		const struct level_names *l = &levels[i];
		if (l->level != level)
			continue;
		const struct xlat *extra = get ? l->get_names : l->set_names;
		if (!xlat_name(l->names, name) && extra && xlat_name(extra, name))
			xlat_print(b, extra, name, l->dflt);
		else
			xlat_print(b, l->names, name, l->dflt);
		return;
	}
	sbuf_printf(b, "%u", name);
}

/* SOL_SOCKET options whose value strace shows as an int. */
static bool is_int_socket_option(unsigned name)
{
	switch (name) {
	case SO_DEBUG:
	case SO_REUSEADDR:
	case SO_DONTROUTE:
	case SO_BROADCAST:
	case SO_SNDBUF:
	case SO_RCVBUF:
	case SO_KEEPALIVE:
	case SO_OOBINLINE:
	case SO_NO_CHECK:
	case SO_PRIORITY:
	case SO_BSDCOMPAT:
	case SO_REUSEPORT:
	case SO_PASSCRED:
	case SO_RCVLOWAT:
	case SO_SNDLOWAT:
	case SO_DETACH_FILTER:
	case SO_TIMESTAMP_OLD:
	case SO_ACCEPTCONN:
	case SO_SNDBUFFORCE:
	case SO_RCVBUFFORCE:
	case SO_PASSSEC:
	case SO_TIMESTAMPNS_OLD:
	case SO_MARK:
	case SO_TIMESTAMPING_OLD:
	case SO_RXQ_OVFL:
	case SO_WIFI_STATUS:
	case SO_PEEK_OFF:
	case SO_NOFCS:
	case SO_LOCK_FILTER:
	case SO_SELECT_ERR_QUEUE:
	case SO_BUSY_POLL:
	case SO_INCOMING_CPU:
	case SO_CNX_ADVICE:
	case SO_INCOMING_NAPI_ID:
	case SO_ZEROCOPY:
	case SO_TIMESTAMP_NEW:
	case SO_TIMESTAMPNS_NEW:
	case SO_TIMESTAMPING_NEW:
	case SO_DETACH_REUSEPORT_BPF:
	case SO_PREFER_BUSY_POLL:
	case SO_BUSY_POLL_BUDGET:
	case SO_RESERVE_MEM:
	case SO_RCVMARK:
		return true;
	}
	return false;
}

/* SO_TXREHASH; a short value shows the address on set and its bytes on get. */
static void print_txrehash(struct sbuf *b, uint64_t addr, int len, bool get)
{
	int val;

	if (len < (int)sizeof(val)) {
		if (get)
			fmt_mem_str(b, addr, (uint64_t)(int64_t)len, QUOTE_FORCE_HEX);
		else
			fmt_addr(b, addr);
		return;
	}
	if (!fmt_fetch(b, addr, sizeof(val), &val))
		return;
	sbuf_putc(b, '[');
	xlat_print_num(b, &xlat_sockopt_txrehash_vals, (uint64_t)(int64_t)val, "SOCK_TXREHASH_???",
		       XLAT_SIGNED);
	sbuf_putc(b, ']');
}

/* What strace shows for options it has no decoder for: an int when the length is an int's,
 * else the bytes. */
static void print_default_value(struct sbuf *b, uint64_t addr, int len)
{
	if (len == (int)sizeof(int))
		fmt_mem_int(b, addr);
	else
		fmt_mem_str(b, addr, (uint64_t)(int64_t)len, 0);
}

/* Returns false when the option has no specific decoder. */
static bool print_set_specific(struct sbuf *b, unsigned level, unsigned name, uint64_t addr,
			       int len)
{
	switch (level) {
	case SOL_SOCKET:
		if (name == SO_LINGER) {
			fmt_set_linger(b, addr, len);
		} else if (name == SO_ATTACH_FILTER || name == SO_ATTACH_REUSEPORT_CBPF) {
			fmt_sock_fprog(b, addr, len);
		} else if (name == SO_TXREHASH) {
			print_txrehash(b, addr, len, false);
		} else if (is_int_socket_option(name)) {
			if (len < (int)sizeof(int))
				fmt_addr(b, addr);
			else
				fmt_mem_int(b, addr);
		} else {
			return false;
		}
		return true;
	case SOL_IP:
		if (name == IP_ADD_MEMBERSHIP || name == IP_DROP_MEMBERSHIP)
			fmt_ip_mreq(b, addr, len);
		else if (name == MCAST_JOIN_GROUP || name == MCAST_LEAVE_GROUP)
			fmt_group_req(b, addr, len);
		else
			return false;
		return true;
	case SOL_IPV6:
		if (name == IPV6_ADD_MEMBERSHIP || name == IPV6_DROP_MEMBERSHIP ||
		    name == IPV6_JOIN_ANYCAST || name == IPV6_LEAVE_ANYCAST)
			fmt_ipv6_mreq(b, addr, len);
		else if (name == MCAST_JOIN_GROUP || name == MCAST_LEAVE_GROUP)
			fmt_group_req(b, addr, len);
		else
			return false;
		return true;
	case SOL_PACKET:
		if (name == PACKET_RX_RING || name == PACKET_TX_RING)
			fmt_tpacket_req(b, addr, len);
		else if (name == PACKET_ADD_MEMBERSHIP || name == PACKET_DROP_MEMBERSHIP)
			fmt_packet_mreq(b, addr, len);
		else
			return false;
		return true;
	case SOL_RAW:
		if (name != ICMP_FILTER)
			return false;
		fmt_icmp_filter(b, addr, len);
		return true;
	case SOL_NETLINK:
		if (len < (int)sizeof(int))
			fmt_addr(b, addr);
		else
			fmt_mem_int(b, addr);
		return true;
	}
	return false;
}

void fmt_setsockopt_value(struct sbuf *b, unsigned level, unsigned name, uint64_t addr, int len)
{
	if (addr && print_set_specific(b, level, name, addr, len))
		return;
	print_default_value(b, addr, len);
}

static bool print_get_socket_level(struct sbuf *b, unsigned name, uint64_t addr, int rlen)
{
	if (name == SO_LINGER) {
		fmt_get_linger(b, addr, (unsigned)rlen);
	} else if (name == SO_PEERCRED) {
		fmt_get_ucred(b, addr, (unsigned)rlen);
	} else if (name == SO_GET_FILTER) {
		/* strace shows the instructions only with -v. */
		fmt_addr(b, addr);
	} else if (name == SO_ERROR) {
		unsigned err;
		if (rlen < (int)sizeof(err)) {
			fmt_mem_str(b, addr, (uint64_t)rlen, QUOTE_FORCE_HEX);
		} else if (fmt_fetch(b, addr, sizeof(err), &err)) {
			sbuf_putc(b, '[');
			fmt_errno_value(b, err);
			sbuf_putc(b, ']');
		}
	} else if (name == SO_TXREHASH) {
		print_txrehash(b, addr, rlen, true);
	} else if (is_int_socket_option(name)) {
		if (rlen >= (int)sizeof(int))
			fmt_mem_int(b, addr);
		else
			fmt_mem_str(b, addr, (uint64_t)rlen, QUOTE_FORCE_HEX);
	} else {
		return false;
	}
	return true;
}

static bool print_get_specific(struct sbuf *b, unsigned level, unsigned name, uint64_t addr,
			       int ulen, int rlen)
{
	switch (level) {
	case SOL_SOCKET:
		return print_get_socket_level(b, name, addr, rlen);
	case SOL_PACKET:
		if (name != PACKET_STATISTICS)
			return false;
		fmt_tpacket_stats(b, addr, (unsigned)rlen);
		return true;
	case SOL_RAW:
		if (name != ICMP_FILTER)
			return false;
		fmt_icmp_filter(b, addr, rlen);
		return true;
	case SOL_NETLINK:
		if (name == NETLINK_LIST_MEMBERSHIPS) {
			unsigned group;
			int n = ulen < rlen ? ulen : rlen;
			fmt_remote_array(b, addr, (unsigned)n / sizeof(group), sizeof(group),
					 &group, fmt_elem_uint, NULL);
		} else {
			fmt_mem_int(b, addr);
		}
		return true;
	}
	return false;
}

void fmt_getsockopt_value(struct sbuf *b, unsigned level, unsigned name, uint64_t addr, int ulen,
			  int rlen)
{
	if (ulen <= 0 || rlen <= 0) {
		fmt_addr(b, addr);
		return;
	}
	if (addr && print_get_specific(b, level, name, addr, ulen, rlen))
		return;
	print_default_value(b, addr, rlen);
}
