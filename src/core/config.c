/* config: parse the SHIM_* environment (see include/shim/config.h). */
#include "shim/shim_fmt.h"
#include "shim/config.h"
#include "shim/selfcheck.h"

#include <stdlib.h>
#include <string.h>

struct name_value {
	const char *name;
	int value;
};

static const struct name_value mode_names[] = {
    {"bypass", SHIM_MODE_BYPASS},
    {"passthrough", SHIM_MODE_PASSTHROUGH},
};

static const struct name_value trace_names[] = {
    {"off", SHIM_TRACE_OFF}, {"0", SHIM_TRACE_OFF},	{"calls", SHIM_TRACE_CALLS},
    {"1", SHIM_TRACE_CALLS}, {"path", SHIM_TRACE_PATH},
};

static const struct name_value dev_names[] = {
    {"packet", SHIM_DEV_PACKET},
    {"af_packet", SHIM_DEV_PACKET},
    {"af_xdp", SHIM_DEV_AF_XDP},
};

static const struct name_value stats_names[] = {
    {"off", 0},
    {"0", 0},
    {"on", 1},
    {"1", 1},
};

static int lookup_name(const struct name_value *tab, size_t n, const char *s, int *out)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(tab[i].name, s) == 0) {
			*out = tab[i].value;
			return 0;
		}
	}
	return -1;
}

static void list_names(char *buf, size_t cap, const struct name_value *tab, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < cap; i++) {
		int w = shim_snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", tab[i].name);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static int parse_enum(const char *var, const char *val, const struct name_value *tab, size_t n,
		      int *out, void (*report)(const char *, void *), void *report_ctx)
{
	char line[512], names[256];

	if (val == NULL || val[0] == '\0')
		return 0;
	if (lookup_name(tab, n, val, out) == 0)
		return 0;
	list_names(names, sizeof(names), tab, n);
	shim_snprintf(line, sizeof(line),
		      "libshim: %s=%.64s is not a known value (one of: %s); using the default", var,
		      val, names);
	report(line, report_ctx);
	return 1;
}

/* A decimal count in [lo, hi]; *out stays 0 (the default) when unset or malformed. */
static int parse_count(const char *var, const char *val, long lo, long hi, int *out,
		       void (*report)(const char *, void *), void *report_ctx)
{
	char line[200], *end;
	long n;

	*out = 0;
	if (val == NULL || val[0] == '\0')
		return 0;
	n = strtol(val, &end, 10);
	if (*end == '\0' && n >= lo && n <= hi) {
		*out = (int)n;
		return 0;
	}
	shim_snprintf(line, sizeof(line),
		      "libshim: %s=%.32s is not a number from %ld to %ld; using the default", var,
		      val, lo, hi);
	report(line, report_ctx);
	return 1;
}

struct shim_config shim_config = SHIM_CONFIG_DEFAULTS;

const char *shim_config_getenv(const char *name, void *ctx)
{
	(void)ctx;
	return getenv(name);
}

/* A switch that is on unless the variable is exactly "0". */
static int on_unless_zero(const char *val)
{
	return val == NULL || strcmp(val, "0") != 0;
}

/* SHIM_PRIV_FDS=packet:N,icmp:N,icmp6:N,tap:N: the numbers as given (preload/init.c checks that
 * each is the socket it claims to be); missing entries stay -1. */
static void parse_priv_fds(const char *v, struct shim_config *cfg)
{
	while (v != NULL && *v) {
		int *slot = strncmp(v, "packet:", 7) == 0  ? &cfg->priv_packet_fd
			    : strncmp(v, "icmp:", 5) == 0  ? &cfg->priv_icmp_fd
			    : strncmp(v, "icmp6:", 6) == 0 ? &cfg->priv_icmp6_fd
			    : strncmp(v, "tap:", 4) == 0   ? &cfg->priv_tap_fd
							   : NULL;
		const char *colon = strchr(v, ':'), *comma = strchr(v, ',');

		if (slot != NULL && colon != NULL)
			*slot = atoi(colon + 1);
		v = comma != NULL ? comma + 1 : NULL;
	}
}

int shim_config_parse(struct shim_config *cfg, shim_env_lookup lookup, void *lookup_ctx,
		      void (*report)(const char *line, void *ctx), void *report_ctx)
{
	static const struct shim_config defaults = SHIM_CONFIG_DEFAULTS;
	int problems = 0, v;
	const char *file;

	*cfg = defaults;

	v = SHIM_MODE_BYPASS;
	problems += parse_enum("SHIM_MODE", lookup("SHIM_MODE", lookup_ctx), mode_names,
			       sizeof(mode_names) / sizeof(mode_names[0]), &v, report, report_ctx);
	cfg->mode = (enum shim_mode)v;

	v = SHIM_TRACE_OFF;
	problems +=
	    parse_enum("SHIM_TRACE", lookup("SHIM_TRACE", lookup_ctx), trace_names,
		       sizeof(trace_names) / sizeof(trace_names[0]), &v, report, report_ctx);
	cfg->trace = (enum shim_trace)v;

	file = lookup("SHIM_TRACE_FILE", lookup_ctx);
	if (file != NULL && file[0] != '\0') {
		if (strlen(file) >= sizeof(cfg->trace_file)) {
			report("libshim: SHIM_TRACE_FILE is longer than PATH_MAX; tracing to "
			       "standard error",
			       report_ctx);
			problems++;
		} else {
			strcpy(cfg->trace_file, file);
		}
	}

	file = lookup("SHIM_PCAP", lookup_ctx);
	if (file != NULL && file[0] != '\0') {
		if (strlen(file) >= sizeof(cfg->pcap_file)) {
			report("libshim: SHIM_PCAP is longer than PATH_MAX; not capturing",
			       report_ctx);
			problems++;
		} else {
			strcpy(cfg->pcap_file, file);
		}
	}

	v = 0;
	problems +=
	    parse_enum("SHIM_STATS", lookup("SHIM_STATS", lookup_ctx), stats_names,
		       sizeof(stats_names) / sizeof(stats_names[0]), &v, report, report_ctx);
	cfg->stats = v;

	v = 0;
	problems +=
	    parse_enum("SHIM_SUMMARY", lookup("SHIM_SUMMARY", lookup_ctx), stats_names,
		       sizeof(stats_names) / sizeof(stats_names[0]), &v, report, report_ctx);
	cfg->summary = v;

	/* SHIM_COALESCE (off by default), SHIM_COALESCE_FRAMES, SHIM_COALESCE_USEC */
	v = 0;
	problems +=
	    parse_enum("SHIM_COALESCE", lookup("SHIM_COALESCE", lookup_ctx), stats_names,
		       sizeof(stats_names) / sizeof(stats_names[0]), &v, report, report_ctx);
	cfg->coalesce = v;
	problems += parse_count("SHIM_COALESCE_FRAMES", lookup("SHIM_COALESCE_FRAMES", lookup_ctx),
				1, 64, &cfg->coalesce_frames, report, report_ctx);
	problems += parse_count("SHIM_COALESCE_USEC", lookup("SHIM_COALESCE_USEC", lookup_ctx), 1,
				1000000, &cfg->coalesce_usec, report, report_ctx);

	/* SHIM_DEV: the bottom device (include/shim/xdp_xmit.h) */
	v = SHIM_DEV_PACKET;
	problems += parse_enum("SHIM_DEV", lookup("SHIM_DEV", lookup_ctx), dev_names,
			       sizeof(dev_names) / sizeof(dev_names[0]), &v, report, report_ctx);
	cfg->dev = (enum shim_dev)v;

	/* SHIM_FAULT: the device's fault injector (include/shim/xmit_fault.h) */
	file = lookup("SHIM_FAULT", lookup_ctx);
	if (file != NULL && file[0] != '\0') {
		char why[160], line[240];

		if (xmit_fault_parse(file, &cfg->fault, why, sizeof(why)) < 0) {
			shim_snprintf(line, sizeof(line),
				      "libshim: SHIM_FAULT: %s; no faults injected", why);
			report(line, report_ctx);
			problems++;
		}
	}

	/* SHIM_SELFCHECK_FILE: the verdict of shim-run --selfcheck ("off": none) */
	file = lookup("SHIM_SELFCHECK_FILE", lookup_ctx);
	if (file == NULL || file[0] == '\0')
		file = SHIM_SELFCHECK_DEFAULT;
	if (strcmp(file, "off") == 0) {
		cfg->selfcheck_file[0] = '\0';
	} else if (strlen(file) >= sizeof(cfg->selfcheck_file)) {
		report("libshim: SHIM_SELFCHECK_FILE is longer than PATH_MAX; no verdict read",
		       report_ctx);
		problems++;
	} else {
		strcpy(cfg->selfcheck_file, file);
	}

	/* switches for measuring and ruling a part out: off with "0" only */
	cfg->coalesce_gso = on_unless_zero(lookup("SHIM_COALESCE_GSO", lookup_ctx));
	cfg->fastpath = on_unless_zero(lookup("SHIM_FASTPATH", lookup_ctx));
	cfg->tx_ring = on_unless_zero(lookup("SHIM_TX_RING", lookup_ctx));
	cfg->ufo = on_unless_zero(lookup("SHIM_UFO", lookup_ctx));
	cfg->route_bpf = on_unless_zero(lookup("SHIM_ROUTE_BPF", lookup_ctx));
	cfg->err_ring = on_unless_zero(lookup("SHIM_ERR_RING", lookup_ctx));
	parse_priv_fds(lookup("SHIM_PRIV_FDS", lookup_ctx), cfg);
	return problems;
}

const char *shim_mode_name(enum shim_mode mode)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (mode_names[i].value == (int)mode)
			return mode_names[i].name;
	return "?";
}

const char *shim_trace_name(enum shim_trace trace)
{
	for (size_t i = 0; i < sizeof(trace_names) / sizeof(trace_names[0]); i++)
		if (trace_names[i].value == (int)trace)
			return trace_names[i].name;
	return "?";
}
