/* xlat: naming constants through tables, printed the way strace prints them. */
#include "xlat.h"

#include <inttypes.h>

const char *xlat_name(const struct xlat *x, uint64_t val)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->pairs[i].val == val)
			return x->pairs[i].name;
	return NULL;
}

void xlat_print_hex(struct sbuf *b, uint64_t val)
{
	sbuf_printf(b, "%#" PRIx64, val);
}

static void print_number(struct sbuf *b, uint64_t val, enum xlat_num num)
{
	switch (num) {
	case XLAT_HEX:
		xlat_print_hex(b, val);
		break;
	case XLAT_UNSIGNED:
		sbuf_printf(b, "%" PRIu64, val);
		break;
	case XLAT_SIGNED:
		sbuf_printf(b, "%" PRId64, (int64_t)val);
		break;
	}
}

static void print_comment(struct sbuf *b, const char *text)
{
	if (text && *text)
		sbuf_printf(b, " /* %s */", text);
}

void xlat_print_num(struct sbuf *b, const struct xlat *x, uint64_t val, const char *dflt,
		    enum xlat_num num)
{
	const char *name = xlat_name(x, val);

	if (name) {
		sbuf_puts(b, name);
		return;
	}
	print_number(b, val, num);
	print_comment(b, dflt);
}

void xlat_print(struct sbuf *b, const struct xlat *x, uint64_t val, const char *dflt)
{
	xlat_print_num(b, x, val, dflt, XLAT_HEX);
}

void xlat_print_verbose(struct sbuf *b, const struct xlat *x, uint64_t val, const char *dflt)
{
	const char *name = xlat_name(x, val);

	xlat_print_hex(b, val);
	print_comment(b, name ? name : dflt);
}

void xlat_print_flags(struct sbuf *b, const struct xlat *x, uint64_t val, const char *dflt)
{
	unsigned found = 0;

	for (size_t i = 0; i < x->n && (val || !found); i++) {
		uint64_t v = x->pairs[i].val;
		if (val == v || (v && (val & v) == v)) {
			if (found++)
				sbuf_putc(b, '|');
			sbuf_puts(b, x->pairs[i].name);
			val &= ~v;
		}
		if (!val)
			break;
	}
	if (found) {
		if (val) {
			sbuf_putc(b, '|');
			xlat_print_hex(b, val);
		}
	} else if (val) {
		xlat_print_hex(b, val);
		print_comment(b, dflt);
	} else if (dflt) {
		sbuf_putc(b, '0');
	}
}

int xlat_sprint_flags(struct sbuf *b, const char *prefix, const struct xlat *x, uint64_t val,
		      char sep)
{
	if (!val)
		return 0;
	sbuf_puts(b, prefix);
	for (size_t i = 0; i < x->n && val; i++) {
		uint64_t v = x->pairs[i].val;
		if (v && (val & v) == v) {
			if (sep)
				sbuf_putc(b, sep);
			sbuf_puts(b, x->pairs[i].name);
			sep = '|';
			val &= ~v;
		}
	}
	if (val) {
		if (sep)
			sbuf_putc(b, sep);
		xlat_print_hex(b, val);
	}
	return 1;
}
