/* config: the SHIM_* environment, read once per process.
 *
 *   SHIM_MODE        bypass (default): the shim sends UDP/IPv4 datagrams itself over AF_PACKET
 *                    passthrough: every call goes to libc unchanged
 *   SHIM_TRACE       off (default) | calls: one strace-format line per intercepted call
 *                    | path: the calls, and the way each datagram took through the shim
 *   SHIM_TRACE_FILE  where trace lines go (default: standard error); appended to, created 0644
 *   SHIM_PCAP        a pcapng file: what the shim transmits, and what it handed to the kernel
 *                    (appended to, created 0644; default: no capture)
 *   SHIM_STATS       off (default) | on: print the per-process counters at exit
 *   SHIM_SUMMARY     off (default) | on: print the strace -c style table of the intercepted calls
 *                    at exit (include/shim/summary.h)
 *   SHIM_COALESCE    off (default) | on: the opt-in coalescing mode (include/shim/coalesce.h):
 *                    single-frame datagrams are held and transmitted together
 *   SHIM_COALESCE_FRAMES  frames held at most before they go out (1..64, default 64)
 *   SHIM_COALESCE_USEC    microseconds a frame is held at most (1..1000000, default 50)
 *   SHIM_COALESCE_GSO  0: in the coalescing mode every held datagram is its own frame
 *   SHIM_FASTPATH    0: no per-flow fast path (src/inet/udp_fastpath.c)
 *   SHIM_TX_RING     0: no PACKET_TX_RING (src/dev/packet_xmit.c)
 *   SHIM_DEV         packet (default) | af_xdp: the device that puts frames on the wire
 *                    (include/shim/xdp_xmit.h)
 *   SHIM_UFO         0: fragments built by the shim, not one UFO frame (src/dev/packet_xmit.c)
 *   SHIM_ROUTE_BPF   0: no eBPF count of queued route notifications (src/route/notify_bpf.c)
 *   SHIM_ERR_RING    0: no io_uring error ring; pending errors from the listener only
 *                    (src/route/err_ring.c)
 *   SHIM_PRIV_FDS    packet:N,icmp:N,tap:N: sockets shim-netraw opened for the program
 *   SHIM_FAULT       the device's fault injector: RULE[,RULE...] (include/shim/xmit_fault.h)
 *   SHIM_SELFCHECK_FILE  the verdict of shim-run --selfcheck (include/shim/selfcheck.h), read at
 *                    load; default /var/lib/libshim/selfcheck, "off": none
 *
 * Every SHIM_* variable the library reads is read here, into shim_config (set once at load by
 * preload/init.c); the subsystems read their fields of it. Its initial value is the default of
 * every setting, so code run without the preload (unit tests) sees the defaults.
 *
 * A malformed value never stops the program: the parser keeps the default for that variable and
 * reports one line per problem. */
#ifndef SHIM_CONFIG_H
#define SHIM_CONFIG_H

#include <stddef.h>

#include "shim/xmit_fault.h"

enum shim_mode {
	SHIM_MODE_BYPASS = 0,
	SHIM_MODE_PASSTHROUGH,
};

enum shim_dev {
	SHIM_DEV_PACKET = 0,
	SHIM_DEV_AF_XDP,
};

enum shim_trace {
	SHIM_TRACE_OFF = 0,
	SHIM_TRACE_CALLS,
	SHIM_TRACE_PATH,
};

#define SHIM_CONFIG_PATH_MAX 4096

struct shim_config {
	enum shim_mode mode;
	enum shim_trace trace;
	char trace_file[SHIM_CONFIG_PATH_MAX];	   /* empty: standard error */
	char pcap_file[SHIM_CONFIG_PATH_MAX];	   /* empty: no capture */
	int stats;				   /* SHIM_STATS: report the counters at exit */
	int summary;				   /* SHIM_SUMMARY: the call table at exit */
	int coalesce;				   /* SHIM_COALESCE */
	int coalesce_frames;			   /* 0: default */
	int coalesce_usec;			   /* 0: default */
	struct xmit_fault_rules fault;		   /* SHIM_FAULT; n 0: none */
	char selfcheck_file[SHIM_CONFIG_PATH_MAX]; /* empty: no verdict read */
	int coalesce_gso;			   /* SHIM_COALESCE_GSO: GSO runs (1, default) */
	int fastpath;	    /* SHIM_FASTPATH: the fast path on (1, default) */
	int tx_ring;	    /* SHIM_TX_RING: PACKET_TX_RING on (1, default) */
	enum shim_dev dev;  /* SHIM_DEV: the bottom device (packet socket by default) */
	int ufo;	    /* SHIM_UFO: UFO frames (1, default) */
	int route_bpf;	    /* SHIM_ROUTE_BPF: the eBPF count (1, default) */
	int err_ring;	    /* SHIM_ERR_RING: the io_uring error ring (1, default) */
	int priv_packet_fd; /* SHIM_PRIV_FDS packet:N, or -1 */
	int priv_icmp_fd;   /* SHIM_PRIV_FDS icmp:N, or -1 */
	int priv_icmp6_fd;  /* SHIM_PRIV_FDS icmp6:N, or -1 */
	int priv_tap_fd;    /* SHIM_PRIV_FDS tap:N, or -1 */
};

/* Every setting at its default. */
#define SHIM_CONFIG_DEFAULTS                                                                       \
	{                                                                                          \
		.mode = SHIM_MODE_BYPASS, .trace = SHIM_TRACE_OFF, .coalesce_gso = 1,              \
		.fastpath = 1, .tx_ring = 1, .ufo = 1, .route_bpf = 1, .priv_packet_fd = -1,       \
		.priv_icmp_fd = -1, .priv_icmp6_fd = -1, .priv_tap_fd = -1, .err_ring = 1,         \
	}

/* The process's settings: the defaults until preload/init.c parses the environment into it. */
extern struct shim_config shim_config;

/* Looks a variable up; getenv() in the library (shim_config_getenv), a table in the tests. */
typedef const char *(*shim_env_lookup)(const char *name, void *ctx);
const char *shim_config_getenv(const char *name, void *ctx);

/* Fill cfg from the environment. Returns the number of problems found; each one is described by a
 * line (without newline) passed to report(). */
int shim_config_parse(struct shim_config *cfg, shim_env_lookup lookup, void *lookup_ctx,
		      void (*report)(const char *line, void *ctx), void *report_ctx);

const char *shim_mode_name(enum shim_mode mode);
const char *shim_trace_name(enum shim_trace trace);

#endif
