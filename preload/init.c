/* init: one-time set-up of libshim.so — real libc symbols, configuration, trace output. */
#include "guard.h"
#include "real.h"

#include "shim/shim_fmt.h"
#include "shim/shim_alloc.h"
#include "shim/coalesce.h"
#include "shim/config.h"
#include "shim/selfcheck.h"
#include "shim/packet_ring.h"
#include "shim/dev.h"
#include "shim/dev_fault.h"
#include "shim/netdev.h"
#include "shim/fault.h"
#include "shim/fdtable.h"
#include "shim/ident_learn.h"
#include "shim/neigh_queue.h"
#include "shim/path_trace.h"
#include "shim/pcap.h"
#include "shim/rawsys.h"
#include "shim/route.h"
#include "shim/send_fast.h"
#include "shim/shim_proc.h"
#include "shim/sockevents.h"
#include "shim/sandbox.h"
#include "shim/stats.h"
#include "shim/summary.h"
#include "shim/trace.h"
#include "shim/umem.h"
#include "shim/xdp_xmit.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <string.h>

struct real_libc real;
bool shim_bypass;
bool shim_send_fast_ready;

int shim_init_state = SHIM_INIT_NONE;

#define SHIM_RESOLVE(kind, ret, name, params, args, nr)                                            \
	*(void **)&real.name = dlsym(RTLD_NEXT, #name);

static void resolve_real(void)
{
	SHIM_CALLS(SHIM_RESOLVE)
	if (real.fcntl64 == NULL)
		real.fcntl64 = real.fcntl;
}

static void report_problem(const char *line, void *ctx)
{
	(void)ctx;
	shim_notice(line);
}

static bool socket_is(int fd, int domain, int type)
{
	int d = -1, t = -1;
	socklen_t len = sizeof(int);

	if (fd < 0 || rawsys5(SYS_getsockopt, fd, SOL_SOCKET, SO_DOMAIN, &d, &len) != 0)
		return false;
	len = sizeof(int);
	return rawsys5(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, &t, &len) == 0 && d == domain &&
	       t == type;
}

/* SHIM_PRIV_FDS=packet:N,icmp:N,tap:N — sockets a privileged launcher opened for a program that
 * holds no capability itself (shim-run --unprivileged; parsed by src/core/shim_config.c). Missing
 * entries are -1. */
static void inherited_fds(int *packet, int *icmp, int *icmp6, int *tap)
{
	*packet = shim_config.priv_packet_fd;
	*icmp = shim_config.priv_icmp_fd;
	*icmp6 = shim_config.priv_icmp6_fd;
	*tap = shim_config.priv_tap_fd;
	/* only what they claim to be; and not for the programs this one runs later */
	if (!socket_is(*packet, AF_PACKET, SOCK_RAW))
		*packet = -1;
	if (!socket_is(*icmp, AF_INET, SOCK_RAW))
		*icmp = -1;
	if (!socket_is(*icmp6, AF_INET6, SOCK_RAW))
		*icmp6 = -1;
	if (!socket_is(*tap, AF_PACKET, SOCK_RAW))
		*tap = -1;
	unsetenv("SHIM_PRIV_FDS");
}

/* Open what needs privilege now, while the process may still hold CAP_NET_RAW. */
static void start_bypass(void)
{
	int packet, icmp, icmp6, tap, err;
	bool use_xdp;

	inherited_fds(&packet, &icmp, &icmp6, &tap);
	if (shim_config.coalesce)
		coalesce_prepare(); /* before the ring is opened: its slot size */
	err = dev_xmit_open(packet);
	if (err < 0) {
		char line[200];

		shim_snprintf(
		    line, sizeof(line),
		    "libshim: cannot open an AF_PACKET socket (%s%s); every call goes to the "
		    "kernel",
		    strerrordesc_np(-err), err == -EPERM ? ": CAP_NET_RAW is needed" : "");
		shim_notice(line);
		return;
	}
	/* SHIM_DEV=af_xdp: its first socket now, while CAP_NET_RAW may still be held */
	use_xdp = shim_config.dev == SHIM_DEV_AF_XDP;
	if (use_xdp && (err = xdp_xmit_prepare()) < 0) {
		char line[200];

		shim_snprintf(
		    line, sizeof(line),
		    "libshim: SHIM_DEV=af_xdp: cannot open an AF_XDP socket (%s%s); frames "
		    "go through AF_PACKET",
		    strerrordesc_np(-err), err == -EPERM ? ": CAP_NET_RAW is needed" : "");
		shim_notice(line);
		use_xdp = false;
	}
	route_open_now();
	route_watch_icmp(icmp);
	route_watch_icmp6(icmp6);
	ident_learn_open(tap);
	route_listener_start(); /* here, not on the first send: that may be in a signal handler */
	if (shim_config.coalesce) {
		err = coalesce_start(shim_config.coalesce_frames,
				     (unsigned)shim_config.coalesce_usec);
		if (err < 0) {
			char line[160];

			shim_snprintf(
			    line, sizeof(line),
			    "libshim: SHIM_COALESCE: cannot set up the transmit ring (%s); "
			    "not coalescing",
			    strerrordesc_np(-err));
			shim_notice(line);
		}
	}
	/* the device stack: the packet socket (and the ring for batches, unless coalescing uses
	 * it), coalescing, the frame counters, the capture, the fault injector
	 * (include/shim/netdev.h) */
	if (shim_config.fault.n > 0)
		dev_fault_configure(&shim_config.fault);
	netdev_stack_build(
	    &(struct netdev_stack_conf){.bottom = use_xdp ? &netdev_xdp : &netdev_packet,
					.ring = packet_ring_ready() && !coalesce_mode && !use_xdp,
					.coalesce = coalesce_mode != 0,
					.pcap = pcap_enabled,
					.fault = shim_config.fault.n > 0});
	shim_bypass = true;
}

static void init_once_body(void)
{
	int saved = errno;

	resolve_real();
	internal_fd_load_begin(); /* the shim's fds placed above the program's range */
	/* problems with the settings go to standard error (no sink is open yet) */
	shim_config_parse(&shim_config, shim_config_getenv, NULL, report_problem, NULL);
	/* from here on a bad pointer in the program's memory is an EFAULT answer (umem); only
	 * where the shim reads that memory at all (passthrough without a trace or capture leaves
	 * the program's signals alone) */
	if ((shim_config.mode == SHIM_MODE_BYPASS || shim_config.trace != SHIM_TRACE_OFF ||
	     shim_config.pcap_file[0] != '\0') &&
	    fault_handler_install() < 0)
		shim_notice("libshim: cannot install the SIGSEGV/SIGBUS handler; the program's "
			    "memory is read through process_vm_readv");
	if (shim_config.trace_file[0] != '\0') {
		int err = trace_sink_open(shim_config.trace_file);

		if (err < 0)
			shim_notice(
			    "libshim: cannot open SHIM_TRACE_FILE; tracing to standard error");
	} else if (shim_config.trace != SHIM_TRACE_OFF || shim_config.stats) {
		/* standard error as it is now, kept for the trace whatever the program does with
		 * fd 2 later; without a trace, the few notices go to fd 2 as it is then (one fd
		 * less of the shim's) */
		trace_sink_open(NULL);
	}
	if (shim_config.pcap_file[0] != '\0') {
		int err = pcap_open(shim_config.pcap_file);

		if (err < 0) {
			char line[200];

			shim_snprintf(line, sizeof(line),
				      "libshim: cannot open SHIM_PCAP=%.100s (%s); not capturing",
				      shim_config.pcap_file, strerrordesc_np(-err));
			shim_notice(line);
		}
	}
	trace_calls_enabled = shim_config.trace >= SHIM_TRACE_CALLS;
	trace_path_enabled = shim_config.trace == SHIM_TRACE_PATH;
	summary_enabled = shim_config.summary;
	trace_epilogue_enabled = trace_calls_enabled || summary_enabled;
	if (shim_config.mode == SHIM_MODE_BYPASS) {
		/* shim-run --selfcheck's verdict: what differs on this kernel goes to the kernel */
		if ((selfcheck_load(shim_config.selfcheck_file) & SC_BIT(SC_COALESCE)) &&
		    shim_config.coalesce) {
			shim_config.coalesce = 0;
			shim_notice(
			    "libshim: SHIM_COALESCE: shim-run --selfcheck found the coalescing "
			    "mode different on this kernel (SHIM_SELFCHECK_FILE); not "
			    "coalescing");
		}
		stats_init();
		start_bypass();
	}
	/* sendto and send may go straight to the fast path (include/shim/send_fast.h) */
	__atomic_store_n(&shim_send_fast_ready,
			 shim_bypass && !trace_calls_enabled && !trace_path_enabled &&
			     !summary_enabled,
			 __ATOMIC_RELEASE);
	internal_fd_load_done(); /* from now on no fd of the shim's takes a number of the program's
				  */
	errno = saved;
}

/* The prologue of every interposer's body (which runs inside the shim, once set up): a child of
 * fork, _Fork or clone becomes a new process here. */
void shim_init(void)
{
	shim_proc_check();
}

static void seccomp_at_load(void);

/* Once per process, from the constructor, inside the shim. Until it is done every interposed call
 * goes straight to the kernel (preload/guard.h); so does every call that arrives while it runs, on
 * this thread (from the allocator it calls, say) or on another: nothing waits for it. */
static void shim_setup(void)
{
	int expected = SHIM_INIT_NONE;

	if (!__atomic_compare_exchange_n(&shim_init_state, &expected, SHIM_INIT_RUNNING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;
	shim_enter();
	/* first, before any call of the shim's own but this read of /proc/thread-self/status (an
	 * openat, read and close such as the dynamic loader made to load the shim) */
	if (shim_sandboxed()) {
		seccomp_at_load();
	} else {
		shim_proc_check();
		init_once_body();
	}
	shim_leave();
	expected = SHIM_INIT_RUNNING; /* unless a filter came meanwhile: shim_seccomp_begin */
	__atomic_compare_exchange_n(&shim_init_state, &expected,
				    shim_seccomp_active() ? SHIM_INIT_SECCOMP : SHIM_INIT_DONE,
				    false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* The notice, on the trace output when there is one (opened before any filter: a call the program
 * asked for with SHIM_TRACE_FILE), else on standard error. */
static void seccomp_notice(void)
{
	if (shim_config.trace != SHIM_TRACE_OFF)
		shim_notice(
		    "libshim: the process is under a seccomp filter: every call goes to the "
		    "kernel as the program makes it from now on (reason seccomp)");
}

/* Under a filter from the start (installed before exec): the shim steps aside at once, before it
 * opens or maps anything. Only the libc functions and the configuration (for the trace) are read.
 */
static void seccomp_at_load(void)
{
	__atomic_store_n(&shim_seccomp_seen, true, __ATOMIC_RELEASE);
	resolve_real();
	shim_config_parse(&shim_config, shim_config_getenv, NULL, report_problem, NULL);
	if (shim_config.trace != SHIM_TRACE_OFF && shim_config.trace_file[0] != '\0' &&
	    trace_sink_open(shim_config.trace_file) < 0)
		return;
	seccomp_notice();
}

/* The program is about to install a seccomp filter (prctl(PR_SET_SECCOMP), syscall(SYS_seccomp)),
 * on this thread or, with SECCOMP_FILTER_FLAG_TSYNC, on all: the shim cannot emulate under it, as
 * the filter would judge the shim's calls (an AF_PACKET sendmsg for the program's sendto) instead
 * of the program's. Called before the filter is in place: frames the coalescing mode holds go out
 * now, then every interposed call goes to the kernel as the program makes it (preload/guard.h),
 * and the shim's threads park in the call they were making. Called also when the installation then
 * fails: the shim stays aside (a datagram through the kernel socket is the kernel's own). */
void shim_seccomp_begin(void)
{
	int expected = SHIM_INIT_DONE;

	if (shim_seccomp_active())
		return;
	shim_enter();
	if (__atomic_load_n(&shim_init_state, __ATOMIC_ACQUIRE) == SHIM_INIT_DONE)
		coalesce_before_wait();
	__atomic_store_n(&shim_send_fast_ready, false, __ATOMIC_RELEASE);
	__atomic_store_n(&shim_seccomp_seen, true, __ATOMIC_RELEASE);
	__atomic_compare_exchange_n(&shim_init_state, &expected, SHIM_INIT_SECCOMP, false,
				    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	seccomp_notice();
	shim_leave();
}

__attribute__((constructor)) static void shim_constructor(void)
{
	shim_setup();
}

/* SHIM_STATS=1: the counters as one block on the trace output. A process that sent nothing
 * through the shim says nothing (a shell script or a launcher such as a pyenv shim would otherwise
 * add an empty block for every command it runs). */
static void report_stats(void)
{
	const struct stats_shared *s = stats_block();
	char mem[4096], *buf = mem;
	size_t n;
	bool any = false;

	for (int i = 0; i < STAT_COUNT; i++)
		any |= stats_get((enum shim_stat)i) != 0;
	if (!any)
		return;
	n = stats_format(s, mem, sizeof(mem));
	if (n >= sizeof(mem)) {
		buf = shim_alloc(n + 1);
		if (buf == NULL)
			return;
		stats_format(s, buf, n + 1);
	}
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	shim_notice(buf);
	if (buf != mem)
		shim_free(buf);
}

/* SHIM_SUMMARY=1: the table of the intercepted calls, as one block on the trace output. */
static void report_summary(void)
{
	char mem[4096], *buf = mem;
	size_t n = summary_format(mem, sizeof(mem));

	if (n == 0)
		return;
	if (n >= sizeof(mem)) {
		buf = shim_alloc(n + 1);
		if (buf == NULL)
			return;
		summary_format(buf, n + 1);
	}
	if (buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	shim_notice(buf);
	if (buf != mem)
		shim_free(buf);
}

/* At exit, datagrams still waiting for ARP go out first, if the answer to the first request comes
 * within 0.5 s (a neighbour on the link answers in well under a millisecond). The kernel's own
 * queue would outlive the process; the shim's cannot, and an unanswered neighbour must not hold the
 * program for the kernel's whole 3 s resolution time. */
__attribute__((destructor)) static void shim_destructor(void)
{
	if (__atomic_load_n(&shim_init_state, __ATOMIC_ACQUIRE) != SHIM_INIT_DONE)
		return;
	shim_enter();
	if (shim_bypass)
		neigh_queue_drain(500);
	coalesce_before_wait();
	if (shim_config.summary)
		report_summary();
	if (shim_config.stats) {
		char line[256];

		report_stats();
		if (coalesce_report(line, sizeof(line)) > 0)
			shim_notice(line);
	}
	shim_leave();
}
