/* fmt_net: the arguments of the socket system calls. */
#include "decode.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "shim/umem.h"
#include "fmt.h"
#include "sockopt.h"
#include "xlat.h"

#define SOCK_TYPE_MASK 0xf

static void print_sock_type(struct sbuf *b, unsigned type)
{
	const char *name = xlat_name(&xlat_socktypes, type & SOCK_TYPE_MASK);

	if (name) {
		sbuf_puts(b, name);
		type &= ~SOCK_TYPE_MASK;
		if (!type)
			return;
		sbuf_putc(b, '|');
	}
	xlat_print_flags(b, &xlat_sock_type_flags, type, "SOCK_???");
}

static void print_protocol(struct sbuf *b, unsigned family, uint64_t protocol)
{
	switch (family) {
	case AF_INET:
	case AF_INET6:
		xlat_print(b, &xlat_inet_protocols, (unsigned)protocol, "IPPROTO_???");
		break;
	case AF_AX25:
		xlat_print_verbose(b, &xlat_ax25_protocols, (unsigned)protocol, "AX25_P_???");
		break;
	case AF_NETLINK:
		xlat_print(b, &xlat_netlink_protocols, (unsigned)protocol, "NETLINK_???");
		break;
	case AF_PACKET:
		sbuf_puts(b, "htons(");
		xlat_print(b, &xlat_ethernet_protocols, ntohs((uint16_t)protocol), "ETH_P_???");
		sbuf_putc(b, ')');
		break;
	case AF_IRDA: /* strace 6.1 names IrDA protocols from the CAN table */
		xlat_print(b, &xlat_can_protocols, (unsigned)protocol, "IRDAPROTO_???");
		break;
	case AF_CAN:
		xlat_print(b, &xlat_can_protocols, (unsigned)protocol, "CAN_???");
		break;
	case AF_BLUETOOTH:
		xlat_print(b, &xlat_bt_protocols, (unsigned)protocol, "BTPROTO_???");
		break;
	case AF_RXRPC:
		xlat_print(b, &xlat_addrfams, (unsigned)protocol, "AF_???");
		break;
	case AF_ISDN:
		xlat_print(b, &xlat_isdn_protocols, (unsigned)protocol, "ISDN_P_???");
		break;
	case AF_PHONET:
		xlat_print(b, &xlat_phonet_protocols, (unsigned)protocol, "PN_PROTO_???");
		break;
	case AF_CAIF:
		xlat_print(b, &xlat_caif_protocols, (unsigned)protocol, "CAIFPROTO_???");
		break;
	case AF_NFC:
		xlat_print(b, &xlat_nfc_protocols, (unsigned)protocol, "NFC_SOCKPROTO_???");
		break;
	case AF_KCM:
		xlat_print(b, &xlat_kcm_protocols, (unsigned)protocol, "KCMPROTO_???");
		break;
	case AF_SMC:
		xlat_print(b, &xlat_smc_protocols, (unsigned)protocol, "SMCPROTO_???");
		break;
	default:
		sbuf_printf(b, "%" PRIu64, protocol);
		break;
	}
}

void fmt_socket_args(struct sbuf *b, const struct strace_call *c)
{
	xlat_print(b, &xlat_addrfams, (unsigned)c->args[0], "AF_???");
	sbuf_puts(b, ", ");
	print_sock_type(b, (unsigned)c->args[1]);
	sbuf_puts(b, ", ");
	print_protocol(b, (unsigned)c->args[0], c->args[2]);
}

/* connect and bind */
void fmt_sockaddr_args(struct sbuf *b, const struct strace_call *c)
{
	const int addrlen = (int)c->args[2];

	fmt_fd(b, c->args[0]);
	sbuf_puts(b, ", ");
	fmt_sockaddr_mem(b, c->args[1], addrlen);
	sbuf_printf(b, ", %d", addrlen);
}

void fmt_sendto_args(struct sbuf *b, const struct strace_call *c)
{
	const int addrlen = (int)c->args[5];

	fmt_fd(b, c->args[0]);
	sbuf_puts(b, ", ");
	fmt_mem_str(b, c->args[1], c->args[2], 0);
	sbuf_printf(b, ", %" PRIu64 ", ", (uint64_t)c->args[2]);
	xlat_print_flags(b, &xlat_msg_flags, (unsigned)c->args[3], "MSG_???");
	sbuf_puts(b, ", ");
	fmt_sockaddr_mem(b, c->args[4], addrlen);
	sbuf_printf(b, ", %d", addrlen);
}

void fmt_sendmsg_args(struct sbuf *b, const struct strace_call *c)
{
	fmt_fd(b, c->args[0]);
	sbuf_puts(b, ", ");
	fmt_msghdr_mem(b, c->args[1]);
	sbuf_puts(b, ", ");
	xlat_print_flags(b, &xlat_msg_flags, (unsigned)c->args[2], "MSG_???");
}

void fmt_sendmmsg_args(struct sbuf *b, const struct strace_call *c)
{
	const unsigned vlen = (unsigned)c->args[2];

	fmt_fd(b, c->args[0]);
	sbuf_puts(b, ", ");
	fmt_mmsghdr_array(b, c->args[1], vlen, strace_call_failed(c) ? 0 : (unsigned)c->ret);
	sbuf_printf(b, ", %u, ", vlen);
	xlat_print_flags(b, &xlat_msg_flags, (unsigned)c->args[3], "MSG_???");
}

void fmt_shutdown_args(struct sbuf *b, const struct strace_call *c)
{
	fmt_fd(b, c->args[0]);
	sbuf_puts(b, ", ");
	xlat_print(b, &xlat_shutdown_modes, (unsigned)c->args[1], "SHUT_???");
}

void fmt_setsockopt_args(struct sbuf *b, const struct strace_call *c)
{
	const unsigned level = (unsigned)c->args[1];
	const unsigned name = (unsigned)c->args[2];
	const int len = (int)c->args[4];

	fmt_fd(b, c->args[0]);
	sbuf_puts(b, ", ");
	fmt_sockopt_level_name(b, level, name, false);
	sbuf_puts(b, ", ");
	fmt_setsockopt_value(b, level, name, c->args[3], len);
	sbuf_printf(b, ", %d", len);
}

/* Shown on exit, with the optlen the program passed in and the one the kernel left: [in => out]
 * when they differ. The shim formats after the call, when only the second can be read; the caller
 * can pass the first in args[5] (unused by getsockopt) as GETSOCKOPT_OPTLEN_BEFORE | (uint32_t)len.
 * Without it the value after the call stands for both. */
void fmt_getsockopt_args(struct sbuf *b, const struct strace_call *c)
{
	const unsigned level = (unsigned)c->args[1];
	const unsigned name = (unsigned)c->args[2];
	const uint64_t optval = c->args[3];
	const uint64_t optlen = c->args[4];
	const bool have_before = (c->args[5] & GETSOCKOPT_OPTLEN_BEFORE) != 0;
	int ulen, rlen;
	const bool have_after =
	    optlen && umem_read(&rlen, (const void *)(uintptr_t)optlen, sizeof(rlen)) == 0;

	fmt_fd(b, c->args[0]);
	sbuf_puts(b, ", ");
	fmt_sockopt_level_name(b, level, name, true);
	sbuf_puts(b, ", ");
	if (have_before) {
		ulen = (int)(uint32_t)c->args[5];
	} else if (have_after) {
		ulen = rlen;
	} else {
		fmt_addr(b, optval);
		sbuf_puts(b, ", ");
		fmt_addr(b, optlen);
		return;
	}
	if (strace_call_failed(c) || !have_after) {
		fmt_addr(b, optval);
		sbuf_printf(b, ", [%d]", ulen);
		return;
	}
	fmt_getsockopt_value(b, level, name, optval, ulen, rlen);
	if (ulen != rlen)
		sbuf_printf(b, ", [%d => %d]", ulen, rlen);
	else
		sbuf_printf(b, ", [%d]", rlen);
}

/* getsockname, getpeername (strace's decode_sockname): the address shown on exit, at most the
 * length the kernel left, with [in => out] when the two lengths differ; args[3] may carry the
 * length before the call as for getsockopt (GETSOCKOPT_OPTLEN_BEFORE). */
void fmt_getname_args(struct sbuf *b, const struct strace_call *c)
{
	const uint64_t addr = c->args[1];
	const uint64_t len = c->args[2];
	const bool have_before = (c->args[3] & GETSOCKOPT_OPTLEN_BEFORE) != 0;
	int ulen, rlen;
	const bool have_after =
	    len && umem_read(&rlen, (const void *)(uintptr_t)len, sizeof(rlen)) == 0;

	fmt_fd(b, c->args[0]);
	sbuf_puts(b, ", ");
	if (addr == 0 || !(have_before || have_after)) {
		fmt_addr(b, addr);
		sbuf_puts(b, ", ");
		fmt_addr(b, len);
		return;
	}
	ulen = have_before ? (int)(uint32_t)c->args[3] : rlen;
	if (strace_call_failed(c) || !have_after) {
		fmt_addr(b, addr);
		sbuf_printf(b, ", [%d]", ulen);
		return;
	}
	fmt_sockaddr_mem(b, addr, ulen > rlen ? rlen : ulen);
	if (ulen != rlen)
		sbuf_printf(b, ", [%d => %d]", ulen, rlen);
	else
		sbuf_printf(b, ", [%d]", rlen);
}
