/* shim_fmt: snprintf on the stack. See include/shim/shim_fmt.h. */
#include "shim/shim_fmt.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_n(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_s(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
}

struct spec {
	bool left, zero, alt, plus, space;
	int width, prec; /* prec -1: none */
};

/* digits of v in base into the end of tmp; returns where they start */
static char *digits(char *end, uintmax_t v, unsigned base, bool upper)
{
	const char *d = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	do {
		*--end = d[v % base];
		v /= base;
	} while (v != 0);
	return end;
}

/* sign or prefix, zeros to the precision, digits, padded to the width */
static void put_number(struct out *o, const struct spec *sp, const char *prefix, const char *ds,
		       size_t nd)
{
	size_t np = strlen(prefix);
	int zeros = sp->prec > (int)nd ? sp->prec - (int)nd : 0;
	int body = (int)(np + nd) + zeros, pad = sp->width > body ? sp->width - body : 0;

	if (!sp->left && !(sp->zero && sp->prec < 0))
		put_n(o, ' ', pad);
	put_s(o, prefix, np);
	if (!sp->left && sp->zero && sp->prec < 0)
		put_n(o, '0', pad);
	put_n(o, '0', zeros);
	put_s(o, ds, nd);
	if (sp->left)
		put_n(o, ' ', pad);
}

static void put_int(struct out *o, const struct spec *sp, uintmax_t v, bool neg, unsigned base,
		    char conv)
{
	char tmp[72], *end = tmp + sizeof(tmp), *s;
	const char *prefix = neg ? "-" : sp->plus ? "+" : sp->space ? " " : "";
	size_t nd;

	if (base != 10)
		prefix = "";
	s = digits(end, v, base, conv == 'X');
	nd = (size_t)(end - s);
	if (v == 0 && sp->prec == 0)
		nd = 0; /* "%.0d" of 0 prints nothing */
	if (sp->alt && base == 16 && v != 0)
		prefix = conv == 'X' ? "0X" : "0x";
	if (sp->alt && base == 8 && (sp->prec <= (int)nd) && !(nd > 0 && s[0] == '0')) {
		struct spec one = *sp;

		one.prec = (int)nd + 1; /* "#o": a leading zero */
		put_number(o, &one, "", s, nd);
		return;
	}
	put_number(o, sp, prefix, s, nd);
}

static void put_double(struct out *o, const struct spec *sp, double v)
{
	char tmp[80], *end = tmp + sizeof(tmp), *s;
	int prec = sp->prec < 0 ? 6 : sp->prec > 17 ? 17 : sp->prec;
	bool neg = v < 0;
	uintmax_t scale = 1, whole, frac;
	double r;

	if (v != v) {
		put_number(o, sp, "", "nan", 3);
		return;
	}
	if (neg)
		v = -v;
	if (v > 1e18) {
		put_number(o, sp, neg ? "-" : "", "inf", 3);
		return;
	}
	for (int i = 0; i < prec; i++)
		scale *= 10;
	whole = (uintmax_t)v;
	r = (v - (double)whole) * (double)scale;
	frac = (uintmax_t)r;
	r -= (double)frac;
	/* to nearest, a tie to even (as libc rounds a value that is exactly halfway) */
	if (r > 0.5 || (r == 0.5 && ((prec == 0 ? whole : frac) & 1)))
		frac++;
	if (frac >= scale) {
		whole++;
		frac -= scale;
	}
	s = end;
	if (prec > 0) {
		char *f = digits(end, frac, 10, false);

		while (end - f < prec)
			*--f = '0';
		s = f;
		*--s = '.';
	}
	s = digits(s, whole, 10, false);
	{
		struct spec n = *sp;

		n.prec = -1;
		put_number(o, &n,
			   neg	       ? "-"
			   : sp->plus  ? "+"
			   : sp->space ? " "
				       : "",
			   s, (size_t)(end - s));
	}
}

int shim_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {buf, size, 0};

	for (const char *p = fmt; *p; p++) {
		struct spec sp = {.prec = -1};
		int len =
		    0; /* 0 int, 1 char, 2 short, 3 long, 4 long long, 5 size_t/intmax/ptrdiff */
		uintmax_t u;
		intmax_t i;

		if (*p != '%') {
			put(&o, *p);
			continue;
		}
		for (p++;; p++) {
			if (*p == '-')
				sp.left = true;
			else if (*p == '0')
				sp.zero = true;
			else if (*p == '#')
				sp.alt = true;
			else if (*p == '+')
				sp.plus = true;
			else if (*p == ' ')
				sp.space = true;
			else
				break;
		}
		if (*p == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			p++;
		} else {
			while (*p >= '0' && *p <= '9')
				sp.width = sp.width * 10 + (*p++ - '0');
		}
		if (*p == '.') {
			p++;
			sp.prec = 0;
			if (*p == '*') {
				sp.prec = va_arg(ap, int);
				if (sp.prec < 0)
					sp.prec = -1;
				p++;
			} else {
				while (*p >= '0' && *p <= '9')
					sp.prec = sp.prec * 10 + (*p++ - '0');
			}
		}
		if (*p == 'h') {
			len = p[1] == 'h' ? 1 : 2;
			p += len == 1 ? 2 : 1;
		} else if (*p == 'l') {
			len = p[1] == 'l' ? 4 : 3;
			p += len == 4 ? 2 : 1;
		} else if (*p == 'z' || *p == 'j' || *p == 't') {
			len = 5;
			p++;
		}
		switch (*p) {
		case 'd':
		case 'i':
			i = len == 3   ? va_arg(ap, long)
			    : len == 4 ? va_arg(ap, long long)
			    : len == 5 ? (intmax_t)va_arg(ap, ptrdiff_t)
				       : va_arg(ap, int);
			if (len == 1)
				i = (signed char)i;
			else if (len == 2)
				i = (short)i;
			put_int(&o, &sp, i < 0 ? -(uintmax_t)i : (uintmax_t)i, i < 0, 10, 'd');
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			u = len == 3   ? va_arg(ap, unsigned long)
			    : len == 4 ? va_arg(ap, unsigned long long)
			    : len == 5 ? (uintmax_t)va_arg(ap, size_t)
				       : va_arg(ap, unsigned);
			if (len == 1)
				u = (unsigned char)u;
			else if (len == 2)
				u = (unsigned short)u;
			put_int(&o, &sp, u, false, *p == 'u' ? 10 : *p == 'o' ? 8 : 16, *p);
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			if (u == 0) {
				put_number(&o, &sp, "", "(nil)", 5);
			} else {
				sp.alt = true;
				put_int(&o, &sp, u, false, 16, 'x');
			}
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);

			sp.prec = -1;
			put_number(&o, &sp, "", &c, 1);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n;

			if (s == NULL)
				s = "(null)";
			n = sp.prec >= 0 ? strnlen(s, (size_t)sp.prec) : strlen(s);
			sp.prec = -1;
			sp.zero = false;
			put_number(&o, &sp, "", s, n);
			break;
		}
		case 'f':
		case 'F':
			put_double(&o, &sp, va_arg(ap, double));
			break;
		case '%':
			put(&o, '%');
			break;
		default: /* not a conversion the shim uses: shown as written */
			put(&o, '%');
			if (*p == '\0')
				p--;
			else
				put(&o, *p);
			break;
		}
	}
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int shim_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = shim_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void shim_text_put(struct shim_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = shim_vsnprintf(t->len < t->cap ? t->buf + t->len : NULL,
			   t->len < t->cap ? t->cap - t->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n;
}
