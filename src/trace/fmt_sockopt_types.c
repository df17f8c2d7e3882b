/* fmt_sockopt_types: the structures socket options take, as strace shows them. */
#include "sockopt.h"

#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/filter.h>
#include <linux/icmp.h>
#include <linux/if_packet.h>

#include "fmt.h"
#include "xlat.h"

/* Fields of a structure the kernel returned only len bytes of: a field cut short shows its
 * bytes in hex, a field past the end is left out (strace MAYBE_PRINT_FIELD_LEN). */
struct partial {
	struct sbuf *b;
	const unsigned char *base;
	unsigned len;
	bool first;
};

static bool partial_field(struct partial *p, const char *name, size_t offset, size_t size)
{
	if (p->len <= offset)
		return false;
	sbuf_puts(p->b, p->first ? "{" : ", ");
	p->first = false;
	sbuf_printf(p->b, "%s=", name);
	if (p->len >= offset + size)
		return true;
	fmt_quote(p->b, p->base + offset, p->len - offset, QUOTE_FORCE_HEX);
	return false;
}

static void print_id(struct sbuf *b, unsigned id)
{
	if (id == (unsigned)-1)
		sbuf_puts(b, "-1");
	else
		sbuf_printf(b, "%u", id);
}

void fmt_set_linger(struct sbuf *b, uint64_t addr, int len)
{
	struct linger l;

	if (len < (int)sizeof(l)) {
		fmt_addr(b, addr);
		return;
	}
	if (fmt_fetch(b, addr, sizeof(l), &l))
		sbuf_printf(b, "{l_onoff=%d, l_linger=%d}", l.l_onoff, l.l_linger);
}

void fmt_get_linger(struct sbuf *b, uint64_t addr, unsigned len)
{
	struct linger l;

	if (len > sizeof(l))
		len = sizeof(l);
	if (!fmt_fetch(b, addr, len, &l))
		return;
	struct partial p = {b, (const unsigned char *)&l, len, true};
	if (partial_field(&p, "l_onoff", offsetof(struct linger, l_onoff), sizeof(l.l_onoff)))
		sbuf_printf(b, "%d", l.l_onoff);
	if (partial_field(&p, "l_linger", offsetof(struct linger, l_linger), sizeof(l.l_linger)))
		sbuf_printf(b, "%d", l.l_linger);
	sbuf_putc(b, '}');
}

void fmt_get_ucred(struct sbuf *b, uint64_t addr, unsigned len)
{
	struct ucred uc;

	if (len > sizeof(uc))
		len = sizeof(uc);
	if (!fmt_fetch(b, addr, len, &uc))
		return;
	struct partial p = {b, (const unsigned char *)&uc, len, true};
	if (partial_field(&p, "pid", offsetof(struct ucred, pid), sizeof(uc.pid)))
		sbuf_printf(b, "%d", uc.pid);
	if (partial_field(&p, "uid", offsetof(struct ucred, uid), sizeof(uc.uid)))
		print_id(b, uc.uid);
	if (partial_field(&p, "gid", offsetof(struct ucred, gid), sizeof(uc.gid)))
		print_id(b, uc.gid);
	sbuf_putc(b, '}');
}

void fmt_ip_mreq(struct sbuf *b, uint64_t addr, int len)
{
	struct ip_mreq m;

	if (len < (int)sizeof(m)) {
		fmt_addr(b, addr);
		return;
	}
	if (!fmt_fetch(b, addr, sizeof(m), &m))
		return;
	sbuf_putc(b, '{');
	fmt_inet_addr(b, AF_INET, &m.imr_multiaddr, "imr_multiaddr");
	sbuf_puts(b, ", ");
	fmt_inet_addr(b, AF_INET, &m.imr_interface, "imr_interface");
	sbuf_putc(b, '}');
}

void fmt_ipv6_mreq(struct sbuf *b, uint64_t addr, int len)
{
	struct ipv6_mreq m;

	if (len < (int)sizeof(m)) {
		fmt_addr(b, addr);
		return;
	}
	if (!fmt_fetch(b, addr, sizeof(m), &m))
		return;
	sbuf_putc(b, '{');
	fmt_inet_addr(b, AF_INET6, &m.ipv6mr_multiaddr, "ipv6mr_multiaddr");
	sbuf_puts(b, ", ipv6mr_interface=");
	fmt_ifindex(b, m.ipv6mr_interface);
	sbuf_putc(b, '}');
}

void fmt_group_req(struct sbuf *b, uint64_t addr, int len)
{
	struct group_req g;

	if (len < (int)sizeof(g)) {
		fmt_addr(b, addr);
		return;
	}
	if (!fmt_fetch(b, addr, sizeof(g), &g))
		return;
	sbuf_puts(b, "{gr_interface=");
	fmt_ifindex(b, g.gr_interface);
	sbuf_puts(b, ", gr_group=");
	fmt_sockaddr(b, &g.gr_group, sizeof(g.gr_group));
	sbuf_putc(b, '}');
}

void fmt_tpacket_req(struct sbuf *b, uint64_t addr, int len)
{
	struct tpacket_req r;

	if (len != (int)sizeof(r) || !addr || !fmt_mem_readable(addr, sizeof(r))) {
		fmt_addr(b, addr);
		return;
	}
	fmt_fetch(b, addr, sizeof(r), &r);
	sbuf_printf(b, "{tp_block_size=%u, tp_block_nr=%u, tp_frame_size=%u, tp_frame_nr=%u}",
		    r.tp_block_size, r.tp_block_nr, r.tp_frame_size, r.tp_frame_nr);
}

void fmt_packet_mreq(struct sbuf *b, uint64_t addr, int len)
{
	struct packet_mreq m;

	if (len != (int)sizeof(m) || !addr || !fmt_mem_readable(addr, sizeof(m))) {
		fmt_addr(b, addr);
		return;
	}
	fmt_fetch(b, addr, sizeof(m), &m);
	sbuf_puts(b, "{mr_ifindex=");
	fmt_ifindex(b, (unsigned)m.mr_ifindex);
	sbuf_puts(b, ", mr_type=");
	xlat_print(b, &xlat_packet_mreq_type, m.mr_type, "PACKET_MR_???");
	sbuf_printf(b, ", mr_alen=%u, mr_address=", m.mr_alen);
	size_t n = m.mr_alen < sizeof(m.mr_address) ? m.mr_alen : sizeof(m.mr_address);
	for (size_t i = 0; i < n; i++)
		sbuf_printf(b, "%s%02x", i ? ":" : "", m.mr_address[i]);
	sbuf_putc(b, '}');
}

void fmt_tpacket_stats(struct sbuf *b, uint64_t addr, unsigned len)
{
	struct tpacket_stats_v3 st;

	if (len > 3 * sizeof(unsigned))
		len = 3 * sizeof(unsigned);
	if (!fmt_fetch(b, addr, len, &st))
		return;
	struct partial p = {b, (const unsigned char *)&st, len, true};
	if (partial_field(&p, "tp_packets", 0, sizeof(unsigned)))
		sbuf_printf(b, "%u", st.tp_packets);
	if (partial_field(&p, "tp_drops", sizeof(unsigned), sizeof(unsigned)))
		sbuf_printf(b, "%u", st.tp_drops);
	if (partial_field(&p, "tp_freeze_q_cnt", 2 * sizeof(unsigned), sizeof(unsigned)))
		sbuf_printf(b, "%u", st.tp_freeze_q_cnt);
	sbuf_putc(b, '}');
}

void fmt_icmp_filter(struct sbuf *b, uint64_t addr, int len)
{
	struct icmp_filter f = {~0U};

	if (len > (int)sizeof(f))
		len = (int)sizeof(f);
	else if (len <= 0) {
		fmt_addr(b, addr);
		return;
	}
	if (!fmt_fetch(b, addr, (size_t)len, &f))
		return;
	uint32_t bits = f.data;
	if (__builtin_popcount(bits) > 16) {
		bits = ~bits;
		sbuf_putc(b, '~');
	}
	sbuf_putc(b, '[');
	bool next = false;
	for (unsigned i = 0; i < 32; i++) {
		if (!(bits & (1U << i)))
			continue;
		if (next)
			sbuf_putc(b, ' ');
		next = true;
		xlat_print(b, &xlat_icmp_filter_flags, i, "ICMP_???");
	}
	sbuf_putc(b, ']');
}

/* A classic BPF program: its length and, as strace shows it without -v, the address of the
 * instructions. */
void fmt_sock_fprog(struct sbuf *b, uint64_t addr, int len)
{
	struct sock_fprog prog;

	if (len != (int)sizeof(prog)) {
		fmt_addr(b, addr);
		return;
	}
	if (!fmt_fetch(b, addr, sizeof(prog), &prog))
		return;
	sbuf_printf(b, "{len=%u, filter=", prog.len);
	fmt_addr(b, (uintptr_t)prog.filter);
	sbuf_putc(b, '}');
}
