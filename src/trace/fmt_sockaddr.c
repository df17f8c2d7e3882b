/* fmt_sockaddr: socket addresses (AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, AF_PACKET; the raw
 * sa_data bytes for other families and for addresses too short for their family). */
#include "fmt.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "xlat.h"

#define FAMILY_SIZE ((int)sizeof(sa_family_t))

/* Room for the largest address strace reads plus a NUL, zero padded past the address. */
union sockaddr_buf {
	struct sockaddr sa;
	struct sockaddr_storage storage;
	char bytes[sizeof(struct sockaddr_storage) + 1];
};

void fmt_inet_addr(struct sbuf *b, int af, const void *addr, const char *name)
{
	char text[INET6_ADDRSTRLEN];

	if (!inet_ntop(af, addr, text, sizeof(text))) {
		sbuf_printf(b, "%s=", name);
		fmt_quote(b, addr, af == AF_INET6 ? 16 : 4, QUOTE_FORCE_HEX);
		return;
	}
	if (af == AF_INET6)
		sbuf_printf(b, "inet_pton(AF_INET6, \"%s\", &%s)", text, name);
	else
		sbuf_printf(b, "%s=inet_addr(\"%s\")", name, text);
}

static void print_un(struct sbuf *b, const union sockaddr_buf *u, int addrlen)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)u;
	const int un_len = addrlen > (int)sizeof(*sun) ? (int)sizeof(*sun) : addrlen;
	const int path_len = un_len - FAMILY_SIZE;

	sbuf_puts(b, "sun_path=");
	if (sun->sun_path[0]) {
		fmt_quote(b, sun->sun_path, (size_t)path_len, QUOTE_NUL_TERMINATED);
	} else {
		sbuf_putc(b, '@');
		fmt_quote(b, sun->sun_path + 1, (size_t)(path_len - 1), 0);
	}
}

static void print_in(struct sbuf *b, const union sockaddr_buf *u)
{
	struct sockaddr_in sin;

	memcpy(&sin, u, sizeof(sin));
	sbuf_printf(b, "sin_port=htons(%u), ", ntohs(sin.sin_port));
	fmt_inet_addr(b, AF_INET, &sin.sin_addr, "sin_addr");
}

/* Without sin6_scope_id: what AF_INET6 needs at least to be decoded. */
#define SIN6_MIN_LEN ((int)offsetof(struct sockaddr_in6, sin6_scope_id))

static void print_in6(struct sbuf *b, const union sockaddr_buf *u, int addrlen)
{
	struct sockaddr_in6 sin6;

	memcpy(&sin6, u, sizeof(sin6));
	sbuf_printf(b, "sin6_port=htons(%u), sin6_flowinfo=htonl(%u), ", ntohs(sin6.sin6_port),
		    ntohl(sin6.sin6_flowinfo));
	fmt_inet_addr(b, AF_INET6, &sin6.sin6_addr, "sin6_addr");
	if (addrlen <= SIN6_MIN_LEN)
		return;
	sbuf_puts(b, ", sin6_scope_id=");
	if (IN6_IS_ADDR_LINKLOCAL(&sin6.sin6_addr) || IN6_IS_ADDR_MC_LINKLOCAL(&sin6.sin6_addr))
		fmt_ifindex(b, sin6.sin6_scope_id);
	else
		sbuf_printf(b, "%u", sin6.sin6_scope_id);
}

static void print_nl(struct sbuf *b, const union sockaddr_buf *u)
{
	struct sockaddr_nl nl;

	memcpy(&nl, u, sizeof(nl));
	if (nl.nl_pad)
		sbuf_printf(b, "nl_pad=%#x, ", nl.nl_pad);
	sbuf_printf(b, "nl_pid=%d, nl_groups=%#0*x", (int)nl.nl_pid, 8, nl.nl_groups);
}

static void print_ll(struct sbuf *b, const union sockaddr_buf *u, int addrlen)
{
	struct sockaddr_ll ll;
	const unsigned char *hwaddr =
	    (const unsigned char *)u + offsetof(struct sockaddr_ll, sll_addr);
	const unsigned oob_halen =
	    (unsigned)(addrlen - (int)offsetof(struct sockaddr_ll, sll_addr));

	memcpy(&ll, u, sizeof(ll));
	sbuf_puts(b, "sll_protocol=htons(");
	xlat_print(b, &xlat_ethernet_protocols, ntohs(ll.sll_protocol), "ETH_P_???");
	sbuf_puts(b, "), sll_ifindex=");
	fmt_ifindex(b, (unsigned)ll.sll_ifindex);
	sbuf_puts(b, ", sll_hatype=");
	xlat_print(b, &xlat_arp_hardware_types, ll.sll_hatype, "ARPHRD_???");
	sbuf_puts(b, ", sll_pkttype=");
	xlat_print(b, &xlat_af_packet_types, ll.sll_pkttype, "PACKET_???");
	sbuf_printf(b, ", sll_halen=%u", ll.sll_halen);
	if (!ll.sll_halen)
		return;
	sbuf_puts(b, ", sll_addr=[");
	for (unsigned i = 0; i < ll.sll_halen; i++) {
		if (i)
			sbuf_puts(b, ", ");
		if (i >= oob_halen) {
			sbuf_puts(b, "...");
			break;
		}
		sbuf_printf(b, "%#0*x", 2, hwaddr[i]);
	}
	sbuf_putc(b, ']');
}

static void print_raw(struct sbuf *b, const union sockaddr_buf *u, int addrlen)
{
	sbuf_puts(b, "sa_data=");
	fmt_quote(b, u->bytes + FAMILY_SIZE, (size_t)(addrlen - FAMILY_SIZE), 0);
}

/* The least length each decoded family needs; shorter addresses show sa_data. */
static int min_len(int family)
{
	switch (family) {
	case AF_UNIX:
		return FAMILY_SIZE + 1;
	case AF_INET:
		return (int)sizeof(struct sockaddr_in);
	case AF_INET6:
		return SIN6_MIN_LEN;
	case AF_NETLINK:
		return (int)sizeof(struct sockaddr_nl);
	case AF_PACKET:
		return (int)sizeof(struct sockaddr_ll);
	}
	return -1;
}

static void print_sockaddr_buf(struct sbuf *b, const union sockaddr_buf *u, int addrlen)
{
	const int family = u->sa.sa_family;

	sbuf_puts(b, "{sa_family=");
	xlat_print(b, &xlat_addrfams, (unsigned)family, "AF_???");
	if (addrlen > FAMILY_SIZE) {
		sbuf_puts(b, ", ");
		const int need = min_len(family);
		if (need < 0 || addrlen < need)
			print_raw(b, u, addrlen);
		else if (family == AF_UNIX)
			print_un(b, u, addrlen);
		else if (family == AF_INET)
			print_in(b, u);
		else if (family == AF_INET6)
			print_in6(b, u, addrlen);
		else if (family == AF_NETLINK)
			print_nl(b, u);
		else
			print_ll(b, u, addrlen);
	}
	sbuf_putc(b, '}');
}

void fmt_sockaddr(struct sbuf *b, const void *buf, int addrlen)
{
	union sockaddr_buf u;

	if (addrlen < 0)
		addrlen = 0;
	if (addrlen > (int)sizeof(u.storage))
		addrlen = (int)sizeof(u.storage);
	memset(&u, 0, sizeof(u));
	memcpy(&u, buf, (size_t)addrlen);
	print_sockaddr_buf(b, &u, addrlen);
}

int fmt_sockaddr_mem(struct sbuf *b, uint64_t addr, int addrlen)
{
	union sockaddr_buf u;

	if (addrlen < FAMILY_SIZE) {
		fmt_addr(b, addr);
		return -1;
	}
	if ((unsigned)addrlen > sizeof(u.storage))
		addrlen = (int)sizeof(u.storage);
	memset(&u, 0, sizeof(u));
	if (!fmt_fetch(b, addr, (size_t)addrlen, &u))
		return -1;
	print_sockaddr_buf(b, &u, addrlen);
	return u.sa.sa_family;
}
