/* init: one-time set-up of libshim.so — real libc symbols, configuration, trace output. */
#include "real.h"

#include "shim/config.h"
#include "shim/dev.h"
#include "shim/ident_learn.h"
#include "shim/neigh_queue.h"
#include "shim/path_trace.h"
#include "shim/route.h"
#include "shim/sockevents.h"
#include "shim/trace.h"
#include "shim/umem.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct real_libc real;
bool shim_bypass;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static struct shim_config config;

#define RESOLVE(name) (*(void **)&real.name = dlsym(RTLD_NEXT, #name))

static void resolve_real(void)
{
	RESOLVE(socket);
	RESOLVE(connect);
	RESOLVE(bind);
	RESOLVE(close);
	RESOLVE(close_range);
	RESOLVE(closefrom);
	RESOLVE(dup);
	RESOLVE(dup2);
	RESOLVE(dup3);
	RESOLVE(fcntl);
	RESOLVE(fcntl64);
	RESOLVE(send);
	RESOLVE(sendto);
	RESOLVE(sendmsg);
	RESOLVE(sendmmsg);
	RESOLVE(write);
	RESOLVE(writev);
	RESOLVE(setsockopt);
	RESOLVE(getsockopt);
	RESOLVE(shutdown);
	RESOLVE(syscall);
	if (real.fcntl64 == NULL)
		real.fcntl64 = real.fcntl;
}

static const char *env_lookup(const char *name, void *ctx)
{
	(void)ctx;
	return getenv(name);
}

static void report_problem(const char *line, void *ctx)
{
	(void)ctx;
	shim_notice(line);
}

static void child_after_fork(void)
{
	umem_after_fork();
	if (shim_bypass)
		sockev_after_fork_child();
}

/* Open what needs privilege now, while the process may still hold CAP_NET_RAW. */
static void start_bypass(void)
{
	int err = dev_xmit_open();

	if (err < 0) {
		char line[200];

		snprintf(line, sizeof(line),
			 "libshim: cannot open an AF_PACKET socket (%s%s); every call goes to the "
			 "kernel",
			 strerrordesc_np(-err), err == -EPERM ? ": CAP_NET_RAW is needed" : "");
		shim_notice(line);
		return;
	}
	route_watch_icmp();
	ident_learn_open();
	shim_bypass = true;
}

static void init_once_body(void)
{
	int saved = errno;

	resolve_real();
	pthread_atfork(NULL, NULL, child_after_fork);
	trace_sink_open(NULL);
	shim_config_parse(&config, env_lookup, NULL, report_problem, NULL);
	if (config.trace_file[0] != '\0') {
		int err = trace_sink_open(config.trace_file);

		if (err < 0)
			shim_notice(
			    "libshim: cannot open SHIM_TRACE_FILE; tracing to standard error");
	}
	trace_calls_enabled = config.trace >= SHIM_TRACE_CALLS;
	trace_path_enabled = config.trace == SHIM_TRACE_PATH;
	if (config.mode == SHIM_MODE_BYPASS)
		start_bypass();
	errno = saved;
}

void shim_init(void)
{
	pthread_once(&init_once, init_once_body);
}

__attribute__((constructor)) static void shim_constructor(void)
{
	shim_init();
}

/* At exit, datagrams still waiting for ARP go out first, if the answer to the first request comes
 * within 0.5 s (a neighbour on the link answers in well under a millisecond). The kernel's own
 * queue would outlive the process; the shim's cannot, and an unanswered neighbour must not hold the
 * program for the kernel's whole 3 s resolution time. */
__attribute__((destructor)) static void shim_destructor(void)
{
	if (shim_bypass)
		neigh_queue_drain(500);
}
