/* fmt_str: strings, addresses and single values read from the program's memory. */
#include "fmt.h"

#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "shim/rawsys.h"
#include "shim/sandbox.h"
#include "shim/umem.h"
#include "xlat.h"

void fmt_addr(struct sbuf *b, uint64_t addr)
{
	if (addr)
		sbuf_printf(b, "%#" PRIx64, addr);
	else
		sbuf_puts(b, "NULL");
}

static bool is_octal_digit(unsigned char c)
{
	return c >= '0' && c <= '7';
}

static void quote_byte(struct sbuf *b, unsigned char c, bool octal_digit_follows)
{
	char esc = 0;

	switch (c) {
	case '"':
	case '\\':
		esc = (char)c;
		break;
	case '\f':
		esc = 'f';
		break;
	case '\n':
		esc = 'n';
		break;
	case '\r':
		esc = 'r';
		break;
	case '\t':
		esc = 't';
		break;
	case '\v':
		esc = 'v';
		break;
	}
	if (esc) {
		sbuf_putc(b, '\\');
		sbuf_putc(b, esc);
	} else if (c >= ' ' && c < 0x7f) {
		sbuf_putc(b, (char)c);
	} else if (octal_digit_follows) {
		sbuf_printf(b, "\\%03o", c);
	} else {
		sbuf_printf(b, "\\%o", c);
	}
}

void fmt_quote(struct sbuf *b, const void *s, size_t n, unsigned style)
{
	const unsigned char *p = s;

	sbuf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if ((style & QUOTE_NUL_TERMINATED) && p[i] == '\0')
			break;
		if (style & QUOTE_FORCE_HEX)
			sbuf_printf(b, "\\x%02x", p[i]);
		else
			quote_byte(b, p[i], i + 1 < n && is_octal_digit(p[i + 1]));
	}
	sbuf_putc(b, '"');
}

/* Chunk size for walking larger regions of the program's memory. */
#define MEM_CHUNK 1024

void fmt_quote_mem(struct sbuf *b, uint64_t addr, uint64_t n)
{
	/* One byte past each chunk decides the octal form of the chunk's last byte. */
	unsigned char chunk[MEM_CHUNK + 1];

	sbuf_putc(b, '"');
	while (n) {
		size_t len = n < MEM_CHUNK ? (size_t)n : MEM_CHUNK;
		size_t with_next = n > len ? len + 1 : len;
		if (umem_read(chunk, (const void *)(uintptr_t)addr, with_next) < 0)
			break;
		for (size_t i = 0; i < len; i++)
			quote_byte(b, chunk[i], i + 1 < with_next && is_octal_digit(chunk[i + 1]));
		addr += len;
		n -= len;
	}
	sbuf_putc(b, '"');
}

bool fmt_mem_readable(uint64_t addr, uint64_t len)
{
	unsigned char chunk[MEM_CHUNK];

	while (len) {
		size_t n = len < MEM_CHUNK ? (size_t)len : MEM_CHUNK;
		if (umem_read(chunk, (const void *)(uintptr_t)addr, n) < 0)
			return false;
		addr += n;
		len -= n;
	}
	return true;
}

void fmt_mem_str(struct sbuf *b, uint64_t addr, uint64_t len, unsigned style)
{
	/* One byte more than shown, as strace reads it: an unreadable 33rd byte shows the address.
	 */
	unsigned char buf[FMT_MAX_STRLEN + 1];
	size_t size = len < sizeof(buf) ? (size_t)len : sizeof(buf);

	if (!addr) {
		sbuf_puts(b, "NULL");
		return;
	}
	if (umem_read(buf, (const void *)(uintptr_t)addr, size) < 0) {
		fmt_addr(b, addr);
		return;
	}
	if (size > FMT_MAX_STRLEN)
		size = FMT_MAX_STRLEN;
	fmt_quote(b, buf, size, style);
	if (len > FMT_MAX_STRLEN)
		sbuf_puts(b, "...");
}

bool fmt_fetch(struct sbuf *b, uint64_t addr, size_t len, void *dst)
{
	if (addr && umem_read(dst, (const void *)(uintptr_t)addr, len) == 0)
		return true;
	fmt_addr(b, addr);
	return false;
}

void fmt_mem_int(struct sbuf *b, uint64_t addr)
{
	int val;

	if (fmt_fetch(b, addr, sizeof(val), &val))
		sbuf_printf(b, "[%d]", val);
}

/* The socket the call being formatted was made on (its first argument), -1 outside a call. */
static __thread int ifindex_socket __attribute__((tls_model("initial-exec"))) = -1;

void fmt_ifindex_socket(int fd)
{
	ifindex_socket = fd;
}

/* if_indextoname without libc's socket of its own: SIOCGIFNAME on the call's socket (in that
 * socket's namespace), when that fd is still a socket. No call under a seccomp filter. */
static bool ifindex_name(unsigned ifindex, struct ifreq *ifr)
{
	struct stat st;
	const int fd = ifindex_socket;

	if (fd < 0 || ifindex == 0 || ifindex > INT_MAX || shim_seccomp_active())
		return false;
	if (rawsys2(SYS_fstat, fd, (long)&st) != 0 || !S_ISSOCK(st.st_mode))
		return false;
	memset(ifr, 0, sizeof(*ifr));
	ifr->ifr_ifindex = (int)ifindex;
	return rawsys3(SYS_ioctl, fd, SIOCGIFNAME, (long)ifr) == 0;
}

void fmt_ifindex(struct sbuf *b, unsigned ifindex)
{
	struct ifreq ifr;

	if (!ifindex_name(ifindex, &ifr)) {
		sbuf_printf(b, "%u", ifindex);
		return;
	}
	sbuf_puts(b, "if_nametoindex(");
	fmt_quote(b, ifr.ifr_name, sizeof(ifr.ifr_name), QUOTE_NUL_TERMINATED);
	sbuf_putc(b, ')');
}

void fmt_errno_value(struct sbuf *b, uint64_t err)
{
	const char *name = xlat_errno_name(err);

	if (name)
		sbuf_puts(b, name);
	else
		sbuf_printf(b, "%" PRIu64, err);
}
