/* xmit_fault: SHIM_FAULT's rules (see include/shim/xmit_fault.h). */
#include "shim/xmit_fault.h"
#include "shim/shim_fmt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	uint8_t kind;
	int err;
} kinds[] = {
    {"enobufs", XMIT_FAULT_ERRNO, ENOBUFS},   {"eagain", XMIT_FAULT_ERRNO, EAGAIN},
    {"enetdown", XMIT_FAULT_ERRNO, ENETDOWN}, {"enxio", XMIT_FAULT_ERRNO, ENXIO},
    {"emsgsize", XMIT_FAULT_ERRNO, EMSGSIZE}, {"down", XMIT_FAULT_DOWN, ENETDOWN},
    {"short", XMIT_FAULT_SHORT, 0},	      {"slow", XMIT_FAULT_SLOW, 0},
};

/* A frame number from 1: digits only. Returns the end, or NULL. */
static const char *parse_number(const char *p, uint64_t *v)
{
	uint64_t n = 0;

	if (*p < '0' || *p > '9')
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - 9) / 10)
			return NULL;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	*v = n;
	return n == 0 ? NULL : p;
}

/* One rule, s .. end. Returns 0 or -EINVAL. */
static int parse_rule(const char *s, size_t len, struct xmit_fault_rule *r, char *why,
		      size_t whycap)
{
	const char *at = memchr(s, '@', len), *p, *end = s + len;
	size_t i;

	if (at == NULL) {
		shim_snprintf(why, whycap, "'%.*s': no @ (WHAT@WHEN)", (int)len, s);
		return -EINVAL;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i].name) == (size_t)(at - s) &&
		    strncmp(kinds[i].name, s, (size_t)(at - s)) == 0)
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0])) {
		shim_snprintf(why, whycap,
			      "'%.*s': unknown fault (enobufs, eagain, enetdown, enxio, emsgsize, "
			      "down, short, slow)",
			      (int)(at - s), s);
		return -EINVAL;
	}
	r->kind = kinds[i].kind;
	r->err = kinds[i].err;
	p = at + 1;
	if (end - p == 1 && *p == '*') {
		r->from = 1;
		r->to = UINT64_MAX;
		return 0;
	}
	p = parse_number(p, &r->from);
	if (p == NULL || p > end)
		goto bad;
	r->to = r->from;
	if (p < end && *p == '+' && p + 1 == end)
		r->to = UINT64_MAX;
	else if (p < end && *p == '-') {
		p = parse_number(p + 1, &r->to);
		if (p != end || r->to < r->from)
			goto bad;
	} else if (p != end) {
		goto bad;
	}
	if (r->kind == XMIT_FAULT_DOWN)
		r->to = UINT64_MAX;
	return 0;
bad:
	shim_snprintf(why, whycap, "'%.*s': bad frame number (N, N-M, N+ or *, from 1)", (int)len,
		      s);
	return -EINVAL;
}

int xmit_fault_parse(const char *spec, struct xmit_fault_rules *r, char *why, size_t whycap)
{
	const char *s = spec;

	r->n = 0;
	if (whycap)
		why[0] = '\0';
	while (*s != '\0') {
		const char *comma = strchr(s, ',');
		size_t len = comma != NULL ? (size_t)(comma - s) : strlen(s);

		if (len == 0 || (s[len] == ',' && s[len + 1] == '\0')) {
			shim_snprintf(why, whycap, "an empty rule");
			r->n = 0;
			return -EINVAL;
		}
		if (r->n == XMIT_FAULT_RULES_MAX) {
			shim_snprintf(why, whycap, "more than %d rules", XMIT_FAULT_RULES_MAX);
			r->n = 0;
			return -EINVAL;
		}
		if (parse_rule(s, len, &r->rule[r->n], why, whycap) < 0) {
			r->n = 0;
			return -EINVAL;
		}
		r->n++;
		s += len;
		if (*s == ',')
			s++;
	}
	return 0;
}

const struct xmit_fault_rule *xmit_fault_match(const struct xmit_fault_rules *r, uint64_t n)
{
	for (int i = 0; i < r->n; i++)
		if (n >= r->rule[i].from && n <= r->rule[i].to)
			return &r->rule[i];
	return NULL;
}
