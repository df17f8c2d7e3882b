/* fmt_cmsg: the control messages (msg_control) of a msghdr. */
#include "fmt.h"

#include <inttypes.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "shim/umem.h"
#include "xlat.h"

/* strace reads at most net.core.optmem_max bytes of control data; this is the kernel's default
 * since Linux 6.9 (strace reads the sysctl, the shim cannot without opening files). */
#define OPTMEM_MAX 131072

#define CMSG_HDR_SIZE sizeof(struct cmsghdr)

#ifndef SCM_SECURITY
#define SCM_SECURITY 3 /* include/linux/socket.h, not exported to user space */
#endif

/* Array-valued data: only the elements strace shows before "..." are read. */
static void print_data_array(struct sbuf *b, uint64_t addr, uint64_t data_len, size_t elem_size,
			     fmt_elem_fn print)
{
	unsigned char elems[(FMT_MAX_STRLEN + 1) * sizeof(int)];
	const uint64_t nmemb = data_len / elem_size;
	const size_t have = nmemb > FMT_MAX_STRLEN + 1 ? FMT_MAX_STRLEN + 1 : (size_t)nmemb;

	if (umem_read(elems, (const void *)(uintptr_t)addr, have * elem_size) < 0) {
		sbuf_puts(b, "???");
		return;
	}
	fmt_local_array(b, elems, (size_t)nmemb, elem_size, print, NULL);
}

static void print_ucred(struct sbuf *b, const struct ucred *uc)
{
	sbuf_printf(b, "{pid=%d, uid=", uc->pid);
	if (uc->uid == (uid_t)-1)
		sbuf_puts(b, "-1");
	else
		sbuf_printf(b, "%u", uc->uid);
	if (uc->gid == (gid_t)-1)
		sbuf_puts(b, ", gid=-1}");
	else
		sbuf_printf(b, ", gid=%u}", uc->gid);
}

/* Timestamps as x86-64 lays them out: two 64-bit fields. */
struct ts64 {
	int64_t sec;
	int64_t frac;
};

static void print_timestamps(struct sbuf *b, const void *data, uint64_t data_len, unsigned count,
			     const char *frac_name)
{
	struct ts64 ts[3];

	if (data_len < count * sizeof(ts[0])) {
		sbuf_puts(b, "???");
		return;
	}
	memcpy(ts, data, count * sizeof(ts[0]));
	if (count > 1)
		sbuf_putc(b, '[');
	for (unsigned i = 0; i < count; i++)
		sbuf_printf(b, "%s{tv_sec=%" PRId64 ", %s=%" PRIu64 "}", i ? ", " : "", ts[i].sec,
			    frac_name, (uint64_t)ts[i].frac);
	if (count > 1)
		sbuf_putc(b, ']');
}

/* Returns false when strace shows no data for this type and length. */
static bool print_socket_data(struct sbuf *b, int type, uint64_t addr, uint64_t data_len)
{
	unsigned char data[3 * sizeof(struct ts64)];

	switch (type) {
	case SCM_RIGHTS:
		if (data_len < sizeof(int))
			return false;
		sbuf_puts(b, ", cmsg_data=");
		print_data_array(b, addr, data_len, sizeof(int), fmt_elem_int);
		return true;
	case SCM_CREDENTIALS:
		if (data_len < sizeof(struct ucred))
			return false;
		sbuf_puts(b, ", cmsg_data=");
		struct ucred uc;
		if (umem_read(&uc, (const void *)(uintptr_t)addr, sizeof(uc)) == 0)
			print_ucred(b, &uc);
		return true;
	case SCM_SECURITY:
		if (data_len < 1)
			return false;
		sbuf_puts(b, ", cmsg_data=");
		fmt_quote_mem(b, addr, data_len);
		return true;
	case SO_TIMESTAMP_OLD:
	case SO_TIMESTAMPNS_OLD:
	case SO_TIMESTAMPING_OLD:
	case SO_TIMESTAMP_NEW:
	case SO_TIMESTAMPNS_NEW:
	case SO_TIMESTAMPING_NEW:
		break;
	default:
		return false;
	}
	if (data_len < 1)
		return false;
	size_t have = data_len < sizeof(data) ? (size_t)data_len : sizeof(data);
	if (umem_read(data, (const void *)(uintptr_t)addr, have) < 0)
		return false;
	sbuf_puts(b, ", cmsg_data=");
	switch (type) {
	case SO_TIMESTAMP_OLD:
	case SO_TIMESTAMP_NEW:
		print_timestamps(b, data, data_len, 1, "tv_usec");
		break;
	case SO_TIMESTAMPNS_OLD:
	case SO_TIMESTAMPNS_NEW:
		print_timestamps(b, data, data_len, 1, "tv_nsec");
		break;
	default:
		print_timestamps(b, data, data_len, 3, "tv_nsec");
		break;
	}
	return true;
}

/* struct sock_extended_err followed by the offender's address, as IP_RECVERR delivers them. */
struct sock_ee_with_addr {
	uint32_t ee_errno;
	uint8_t ee_origin;
	uint8_t ee_type;
	uint8_t ee_code;
	uint8_t ee_pad;
	uint32_t ee_info;
	uint32_t ee_data;
	struct sockaddr_in offender;
};

static void print_recverr(struct sbuf *b, const struct sock_ee_with_addr *ee)
{
	sbuf_printf(b,
		    "{ee_errno=%u, ee_origin=%u, ee_type=%u, ee_code=%u, ee_info=%u, ee_data=%u, "
		    "offender=",
		    ee->ee_errno, ee->ee_origin, ee->ee_type, ee->ee_code, ee->ee_info,
		    ee->ee_data);
	fmt_sockaddr(b, &ee->offender, sizeof(ee->offender));
	sbuf_putc(b, '}');
}

static bool print_ip_data(struct sbuf *b, int type, uint64_t addr, uint64_t data_len)
{
	union {
		struct in_pktinfo pktinfo;
		struct sock_ee_with_addr ee;
		struct sockaddr_storage ss;
	} u;
	size_t need;

	switch (type) {
	case IP_PKTINFO:
		need = sizeof(u.pktinfo);
		break;
	case IP_TTL:
	case IP_CHECKSUM:
		need = sizeof(unsigned);
		break;
	case IP_TOS:
	case IP_RECVOPTS:
	case IP_RETOPTS:
	case SCM_SECURITY:
		need = 1;
		break;
	case IP_RECVERR:
		need = sizeof(u.ee);
		break;
	case IP_ORIGDSTADDR:
		need = sizeof(struct sockaddr_in);
		break;
	default:
		return false;
	}
	if (data_len < need)
		return false;
	sbuf_puts(b, ", cmsg_data=");
	switch (type) {
	case IP_TTL:
	case IP_CHECKSUM:
		print_data_array(b, addr, data_len, sizeof(unsigned), fmt_elem_uint);
		return true;
	case IP_TOS:
	case IP_RECVOPTS:
	case IP_RETOPTS:
		print_data_array(b, addr, data_len, 1, fmt_elem_hex8);
		return true;
	case SCM_SECURITY:
		fmt_quote_mem(b, addr, data_len);
		return true;
	case IP_ORIGDSTADDR:
		need = data_len > sizeof(u.ss) ? sizeof(u.ss) : (size_t)data_len;
		break;
	}
	if (umem_read(&u, (const void *)(uintptr_t)addr, need) < 0)
		return true;
	if (type == IP_PKTINFO) {
		sbuf_puts(b, "{ipi_ifindex=");
		fmt_ifindex(b, (unsigned)u.pktinfo.ipi_ifindex);
		sbuf_puts(b, ", ");
		fmt_inet_addr(b, AF_INET, &u.pktinfo.ipi_spec_dst, "ipi_spec_dst");
		sbuf_puts(b, ", ");
		fmt_inet_addr(b, AF_INET, &u.pktinfo.ipi_addr, "ipi_addr");
		sbuf_putc(b, '}');
	} else if (type == IP_RECVERR) {
		print_recverr(b, &u.ee);
	} else {
		fmt_sockaddr(b, &u.ss, (int)need);
	}
	return true;
}

static void print_cmsg(struct sbuf *b, const struct cmsghdr *h, uint64_t data_addr,
		       uint64_t data_len)
{
	sbuf_printf(b, "{cmsg_len=%zu, cmsg_level=", h->cmsg_len);
	xlat_print(b, &xlat_socketlayers, (unsigned)h->cmsg_level, "SOL_???");
	sbuf_puts(b, ", cmsg_type=");
	switch (h->cmsg_level) {
	case SOL_SOCKET:
		xlat_print(b, &xlat_scmvals, (unsigned)h->cmsg_type, "SCM_???");
		print_socket_data(b, h->cmsg_type, data_addr, data_len);
		break;
	case SOL_IP:
		xlat_print(b, &xlat_ip_cmsg_types, (unsigned)h->cmsg_type, "IP_???");
		print_ip_data(b, h->cmsg_type, data_addr, data_len);
		break;
	default:
		xlat_print_hex(b, (unsigned)h->cmsg_type);
		break;
	}
	sbuf_putc(b, '}');
}

void fmt_msg_control(struct sbuf *b, uint64_t addr, uint64_t controllen)
{
	if (!controllen)
		return;
	sbuf_puts(b, ", msg_control=");

	const uint64_t control_len = controllen > OPTMEM_MAX ? OPTMEM_MAX : controllen;
	if (control_len < CMSG_HDR_SIZE || !addr || !fmt_mem_readable(addr, control_len)) {
		fmt_addr(b, addr);
		return;
	}

	uint64_t left = control_len;
	uint64_t off = 0;

	sbuf_putc(b, '[');
	while (left >= CMSG_HDR_SIZE) {
		struct cmsghdr h;
		if (umem_read(&h, (const void *)(uintptr_t)(addr + off), sizeof(h)) < 0)
			break;
		if (off)
			sbuf_puts(b, ", ");
		uint64_t len = h.cmsg_len > left ? left : h.cmsg_len;
		print_cmsg(b, &h, addr + off + CMSG_HDR_SIZE,
			   len > CMSG_HDR_SIZE ? len - CMSG_HDR_SIZE : 0);
		if (len < CMSG_HDR_SIZE) {
			left -= CMSG_HDR_SIZE;
			break;
		}
		len = (h.cmsg_len + sizeof(long) - 1) & ~(uint64_t)(sizeof(long) - 1);
		if (len >= left) {
			left = 0;
			break;
		}
		off += len;
		left -= len;
	}
	if (left)
		sbuf_printf(b, ", ... /* %#" PRIx64 " */", addr + (control_len - left));
	else if (control_len < controllen)
		sbuf_puts(b, ", ...");
	sbuf_putc(b, ']');
}
