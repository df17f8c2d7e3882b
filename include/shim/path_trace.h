/* path_trace: SHIM_TRACE=path — the way one call took through the shim's layers.
 *
 * Each layer appends a step, named after the kernel function it mirrors, with the decision it made:
 *   libshim path: sendto(3) __sys_sendto → inet_sendmsg(autobind 0.0.0.0:41234) → udp_sendmsg(to
 *   192.0.2.2:9000) → ip_route_output_flow(unicast dev veth-a src 192.0.2.1 mtu 1500) → neigh(...)
 *   → ip_make_skb(len 28 id 0x1c2a DF ttl 64) → dev_queue_xmit(veth-a) = 20
 * or ends in "→ kernel(why)" when the datagram went through the kernel socket instead. */
#ifndef SHIM_PATH_TRACE_H
#define SHIM_PATH_TRACE_H

#include <stdbool.h>

#include "shim/sbuf.h"

extern bool trace_path_enabled;

struct path_trace {
	bool on;
	struct sbuf b;
	char mem[768];
};

/* Start a path line for call (e.g. "sendto") on fd; a no-op unless SHIM_TRACE=path. */
void path_begin(struct path_trace *t, const char *call, int fd);

/* Append " → " and the formatted step. */
void path_step_fmt(struct path_trace *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The arguments (which may format addresses) are evaluated only when the trace is on. */
#define path_step(t, ...)                                                                          \
	do {                                                                                       \
		struct path_trace *t_ = (t);                                                       \
		if (__builtin_expect(t_ != NULL && t_->on, 0))                                     \
			path_step_fmt(t_, __VA_ARGS__);                                            \
	} while (0)

/* Finish with the result and write the line (nothing if the trace is off). */
void path_end(struct path_trace *t, long result);

#endif
