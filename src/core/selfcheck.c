/* selfcheck: the verdict of shim-run --selfcheck (include/shim/selfcheck.h). */
#include "shim/selfcheck.h"
#include "shim/rawsys.h"

#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/utsname.h>

uint32_t shim_selfcheck_differs;

static const char *const feature_names[SC_COUNT] = {
    [SC_ALL] = "all",
    [SC_GSO] = "gso",
    [SC_CORK] = "cork",
    [SC_UDPLITE] = "udplite",
    [SC_IP_OPTIONS] = "ip_options",
    [SC_MCAST] = "mcast",
    [SC_CMSG] = "cmsg",
    [SC_NOCHECK] = "nocheck",
    [SC_FRAG] = "frag",
    [SC_COALESCE] = "coalesce",
    [SC_IPV6] = "ipv6",
};

const char *selfcheck_feature_name(enum selfcheck_feature f)
{
	return (unsigned)f < SC_COUNT ? feature_names[f] : "?";
}

enum selfcheck_feature selfcheck_first(uint32_t bits)
{
	for (int f = 0; f < SC_COUNT; f++)
		if (bits & SC_BIT(f))
			return (enum selfcheck_feature)f;
	return SC_COUNT;
}

static bool word_is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(w, s, n) == 0;
}

/* The next word of [*p, end) on this line; its length, 0 at the end of the line. */
static size_t next_word(const char **p, const char *end, const char **w)
{
	const char *q = *p;
	size_t n = 0;

	while (q < end && (*q == ' ' || *q == '\t' || *q == '\r'))
		q++;
	*w = q;
	while (q + n < end && q[n] != ' ' && q[n] != '\t' && q[n] != '\r' && q[n] != '\n')
		n++;
	*p = q + n;
	return n;
}

uint32_t selfcheck_parse(const char *text, size_t len, const char *release)
{
	const char *p = text, *end = text + len;
	uint32_t bits = 0;
	bool kernel_ok = false;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *w;
		size_t n;

		if (eol == NULL)
			eol = end;
		n = next_word(&p, eol, &w);
		if (n > 0 && w[0] != '#') {
			if (word_is(w, n, "kernel")) {
				n = next_word(&p, eol, &w);
				kernel_ok = word_is(w, n, release);
			} else if (word_is(w, n, "differs")) {
				while ((n = next_word(&p, eol, &w)) > 0)
					for (int f = 0; f < SC_COUNT; f++)
						if (word_is(w, n, feature_names[f]))
							bits |= SC_BIT(f);
			}
		}
		p = eol + 1;
	}
	return kernel_ok ? bits : 0;
}

uint32_t selfcheck_load(const char *path)
{
	char buf[4096];
	struct utsname u;
	long fd, n, got = 0;

	shim_selfcheck_differs = 0;
	if (path == NULL || path[0] == '\0')
		return 0;
	fd = rawsys4(SYS_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		     0);
	if (fd < 0)
		return 0;
	while (got < (long)sizeof(buf) &&
	       (n = rawsys3(SYS_read, fd, (long)(buf + got), (long)sizeof(buf) - got)) > 0)
		got += n;
	rawsys1(SYS_close, fd);
	if (rawsys1(SYS_uname, (long)&u) < 0)
		return 0;
	shim_selfcheck_differs = selfcheck_parse(buf, (size_t)got, u.release);
	return shim_selfcheck_differs;
}
