/* Unit tests for the SHIM_* environment parser (src/core/config.c). */
#include "shim/config.h"

#include <check.h>
#include <string.h>

struct fake_env {
	const char *names[8];
	const char *values[8];
};

static const char *fake_lookup(const char *name, void *ctx)
{
	struct fake_env *env = ctx;

	for (int i = 0; i < 8 && env->names[i] != NULL; i++)
		if (strcmp(env->names[i], name) == 0)
			return env->values[i];
	return NULL;
}

struct reports {
	int count;
	char last[512];
};

static void collect(const char *line, void *ctx)
{
	struct reports *r = ctx;

	r->count++;
	strncpy(r->last, line, sizeof(r->last) - 1);
}

START_TEST(test_defaults)
{
	struct fake_env env = {{NULL}, {NULL}};
	struct reports rep = {0, ""};
	struct shim_config cfg;

	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &env, collect, &rep), 0);
	ck_assert_int_eq(cfg.mode, SHIM_MODE_BYPASS);
	ck_assert_int_eq(cfg.trace, SHIM_TRACE_OFF);
	ck_assert_str_eq(cfg.trace_file, "");
	ck_assert_str_eq(cfg.pcap_file, "");
	ck_assert_int_eq(cfg.stats, 0);
	ck_assert_int_eq(rep.count, 0);
}
END_TEST

START_TEST(test_valid_values)
{
	struct fake_env env = {{"SHIM_MODE", "SHIM_TRACE", "SHIM_TRACE_FILE", NULL},
			       {"passthrough", "calls", "/tmp/t.log", NULL}};
	struct fake_env env2 = {{"SHIM_MODE", "SHIM_TRACE", NULL}, {"bypass", "path", NULL}};
	struct reports rep = {0, ""};
	struct shim_config cfg;

	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &env, collect, &rep), 0);
	ck_assert_int_eq(cfg.trace, SHIM_TRACE_CALLS);
	ck_assert_str_eq(cfg.trace_file, "/tmp/t.log");
	ck_assert_str_eq(shim_trace_name(cfg.trace), "calls");
	ck_assert_int_eq(cfg.mode, SHIM_MODE_PASSTHROUGH);
	ck_assert_str_eq(shim_mode_name(cfg.mode), "passthrough");
	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &env2, collect, &rep), 0);
	ck_assert_int_eq(cfg.mode, SHIM_MODE_BYPASS);
	ck_assert_int_eq(cfg.trace, SHIM_TRACE_PATH);
	ck_assert_str_eq(shim_mode_name(cfg.mode), "bypass");
}
END_TEST

START_TEST(test_malformed_values_keep_defaults_and_say_so)
{
	struct fake_env env = {{"SHIM_MODE", "SHIM_TRACE", NULL}, {"turbo", "everything", NULL}};
	struct reports rep = {0, ""};
	struct shim_config cfg;

	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &env, collect, &rep), 2);
	ck_assert_int_eq(rep.count, 2);
	ck_assert_int_eq(cfg.mode, SHIM_MODE_BYPASS);
	ck_assert_int_eq(cfg.trace, SHIM_TRACE_OFF);
	ck_assert_str_eq(rep.last,
			 "libshim: SHIM_TRACE=everything is not a known value (one of: off, "
			 "0, calls, 1, path); using the default");
	ck_assert_ptr_null(strchr(rep.last, '\n')); /* one line */
}
END_TEST

START_TEST(test_pcap_and_stats)
{
	struct fake_env on = {{"SHIM_PCAP", "SHIM_STATS", NULL}, {"/tmp/c.pcapng", "1", NULL}};
	struct fake_env on2 = {{"SHIM_STATS", NULL}, {"on", NULL}};
	struct fake_env off = {{"SHIM_PCAP", "SHIM_STATS", NULL}, {"", "off", NULL}};
	struct fake_env bad = {{"SHIM_STATS", NULL}, {"yes", NULL}};
	struct reports rep = {0, ""};
	struct shim_config cfg;

	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &on, collect, &rep), 0);
	ck_assert_str_eq(cfg.pcap_file, "/tmp/c.pcapng");
	ck_assert_int_eq(cfg.stats, 1);
	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &on2, collect, &rep), 0);
	ck_assert_int_eq(cfg.stats, 1);
	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &off, collect, &rep), 0);
	ck_assert_str_eq(cfg.pcap_file, "");
	ck_assert_int_eq(cfg.stats, 0);
	ck_assert_int_eq(rep.count, 0);
	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &bad, collect, &rep), 1);
	ck_assert_int_eq(cfg.stats, 0);
	ck_assert_str_eq(rep.last, "libshim: SHIM_STATS=yes is not a known value (one of: off, 0, "
				   "on, 1); using the default");
}
END_TEST

START_TEST(test_overlong_pcap_file)
{
	static char longpath[SHIM_CONFIG_PATH_MAX + 10];
	struct fake_env env = {{"SHIM_PCAP", NULL}, {longpath, NULL}};
	struct reports rep = {0, ""};
	struct shim_config cfg;

	memset(longpath, 'a', sizeof(longpath) - 1);
	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &env, collect, &rep), 1);
	ck_assert_str_eq(cfg.pcap_file, "");
	ck_assert_str_eq(rep.last, "libshim: SHIM_PCAP is longer than PATH_MAX; not capturing");
}
END_TEST

START_TEST(test_coalesce)
{
	struct fake_env off = {{NULL}, {NULL}};
	struct fake_env on = {{"SHIM_COALESCE", "SHIM_COALESCE_FRAMES", "SHIM_COALESCE_USEC", NULL},
			      {"1", "16", "200", NULL}};
	struct fake_env bad = {
	    {"SHIM_COALESCE", "SHIM_COALESCE_FRAMES", "SHIM_COALESCE_USEC", NULL},
	    {"yes", "65", "12x", NULL}};
	struct reports rep = {0, ""};
	struct shim_config cfg;

	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &off, collect, &rep), 0);
	ck_assert_int_eq(cfg.coalesce, 0);
	ck_assert_int_eq(cfg.coalesce_frames, 0);
	ck_assert_int_eq(cfg.coalesce_usec, 0);
	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &on, collect, &rep), 0);
	ck_assert_int_eq(cfg.coalesce, 1);
	ck_assert_int_eq(cfg.coalesce_frames, 16);
	ck_assert_int_eq(cfg.coalesce_usec, 200);
	ck_assert_int_eq(rep.count, 0);
	/* each malformed value: one line, and the default */
	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &bad, collect, &rep), 3);
	ck_assert_int_eq(rep.count, 3);
	ck_assert_int_eq(cfg.coalesce, 0);
	ck_assert_int_eq(cfg.coalesce_frames, 0);
	ck_assert_int_eq(cfg.coalesce_usec, 0);
	ck_assert_str_eq(rep.last,
			 "libshim: SHIM_COALESCE_USEC=12x is not a number from 1 to 1000000; using "
			 "the default");
}
END_TEST

START_TEST(test_overlong_trace_file)
{
	static char longpath[SHIM_CONFIG_PATH_MAX + 10];
	struct fake_env env = {{"SHIM_TRACE_FILE", NULL}, {longpath, NULL}};
	struct reports rep = {0, ""};
	struct shim_config cfg;

	memset(longpath, 'a', sizeof(longpath) - 1);
	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &env, collect, &rep), 1);
	ck_assert_str_eq(cfg.trace_file, "");
}
END_TEST

START_TEST(test_summary)
{
	struct fake_env on = {{"SHIM_SUMMARY", NULL}, {"1", NULL}};
	struct fake_env on2 = {{"SHIM_SUMMARY", NULL}, {"on", NULL}};
	struct fake_env bad = {{"SHIM_SUMMARY", NULL}, {"table", NULL}};
	struct fake_env none = {{NULL}, {NULL}};
	struct reports rep = {0, ""};
	struct shim_config cfg;

	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &none, collect, &rep), 0);
	ck_assert_int_eq(cfg.summary, 0);
	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &on, collect, &rep), 0);
	ck_assert_int_eq(cfg.summary, 1);
	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &on2, collect, &rep), 0);
	ck_assert_int_eq(cfg.summary, 1);
	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &bad, collect, &rep), 1);
	ck_assert_int_eq(cfg.summary, 0);
	ck_assert_str_eq(rep.last, "libshim: SHIM_SUMMARY=table is not a known value (one of: off, "
				   "0, on, 1); using the default");
}
END_TEST

/* The switches and SHIM_PRIV_FDS, read here and nowhere else: on unless exactly "0"; the process's
 * shim_config holds the defaults before any parse (what the unit tests and a library that never
 * parsed see). */
START_TEST(test_switches_and_priv_fds)
{
	struct fake_env off = {{"SHIM_FASTPATH", "SHIM_TX_RING", "SHIM_UFO", "SHIM_ROUTE_BPF",
				"SHIM_COALESCE_GSO", "SHIM_PRIV_FDS", NULL},
			       {"0", "0", "0", "0", "0", "packet:5,bogus:9,tap:7,icmp6:8", NULL}};
	struct fake_env on = {{"SHIM_FASTPATH", "SHIM_TX_RING", "SHIM_UFO", NULL},
			      {"1", "", "no", NULL}};
	struct reports rep = {0, ""};
	struct shim_config cfg;

	ck_assert_int_eq(shim_config.fastpath, 1);
	ck_assert_int_eq(shim_config.tx_ring, 1);
	ck_assert_int_eq(shim_config.ufo, 1);
	ck_assert_int_eq(shim_config.route_bpf, 1);
	ck_assert_int_eq(shim_config.coalesce_gso, 1);
	ck_assert_int_eq(shim_config.priv_packet_fd, -1);
	ck_assert_int_eq(shim_config.mode, SHIM_MODE_BYPASS);

	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &off, collect, &rep), 0);
	ck_assert_int_eq(cfg.fastpath, 0);
	ck_assert_int_eq(cfg.tx_ring, 0);
	ck_assert_int_eq(cfg.ufo, 0);
	ck_assert_int_eq(cfg.route_bpf, 0);
	ck_assert_int_eq(cfg.coalesce_gso, 0);
	ck_assert_int_eq(cfg.priv_packet_fd, 5);
	ck_assert_int_eq(cfg.priv_icmp_fd, -1);
	ck_assert_int_eq(cfg.priv_tap_fd, 7);
	ck_assert_int_eq(cfg.priv_icmp6_fd, 8);

	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &on, collect, &rep), 0);
	ck_assert_int_eq(cfg.fastpath, 1);
	ck_assert_int_eq(cfg.tx_ring, 1);
	ck_assert_int_eq(cfg.ufo, 1);
	ck_assert_int_eq(cfg.route_bpf, 1);
	ck_assert_int_eq(cfg.priv_packet_fd, -1);
	ck_assert_int_eq(rep.count, 0);
}
END_TEST

/* SHIM_DEV: the bottom device, packet socket by default; an unknown value keeps it, reported. */
START_TEST(test_dev)
{
	struct fake_env xdp = {{"SHIM_DEV", NULL}, {"af_xdp", NULL}};
	struct fake_env pkt = {{"SHIM_DEV", NULL}, {"packet", NULL}};
	struct fake_env bad = {{"SHIM_DEV", NULL}, {"xdp", NULL}};
	struct reports rep = {0, ""};
	struct shim_config cfg;

	ck_assert_int_eq(shim_config.dev, SHIM_DEV_PACKET);
	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &xdp, collect, &rep), 0);
	ck_assert_int_eq(cfg.dev, SHIM_DEV_AF_XDP);
	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &pkt, collect, &rep), 0);
	ck_assert_int_eq(cfg.dev, SHIM_DEV_PACKET);
	ck_assert_int_eq(shim_config_parse(&cfg, fake_lookup, &bad, collect, &rep), 1);
	ck_assert_int_eq(cfg.dev, SHIM_DEV_PACKET);
	ck_assert_ptr_nonnull(strstr(rep.last, "SHIM_DEV=xdp is not a known value"));
}
END_TEST

int main(void)
{

	Suite *s = suite_create("config");
	TCase *tc = tcase_create("parse");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_valid_values);
	tcase_add_test(tc, test_malformed_values_keep_defaults_and_say_so);
	tcase_add_test(tc, test_overlong_trace_file);
	tcase_add_test(tc, test_pcap_and_stats);
	tcase_add_test(tc, test_overlong_pcap_file);
	tcase_add_test(tc, test_coalesce);
	tcase_add_test(tc, test_summary);
	tcase_add_test(tc, test_switches_and_priv_fds);
	tcase_add_test(tc, test_dev);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
