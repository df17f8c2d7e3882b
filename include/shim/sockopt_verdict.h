/* sockopt_verdict: the shim's own copy of setsockopt for the TX-relevant options of an AF_INET
 * UDP or UDP-Lite socket — sk_setsockopt (net/core/sock.c), do_ip_setsockopt
 * (net/ipv4/ip_sockglue.c) and udp_lib_setsockopt (net/ipv4/udp.c) of Linux 6.18.
 *
 * sockopt_verdict() is a pure function: from the arguments as the kernel reads them (the optval
 * bytes the program's memory gave, how many could be read, optlen as the system call sees it), the
 * socket's protocol and device binding, the process's effective capabilities and the sysctls it
 * needs, it gives the answer the kernel will give (0 or -errno) and, on success, the value the
 * kernel stores and getsockopt reads back. Where the answer depends on something the function is
 * not given exactly (IP options compiled, an interface owning an address, a VRF), it says "kernel
 * decides" and why, rather than guessing.
 *
 * The preload always gives the call to the kernel socket as well (so getsockopt and receive-side
 * effects stay the kernel's); src/inet/sockopt_check.c compares the two answers. */
#ifndef SHIM_SOCKOPT_VERDICT_H
#define SHIM_SOCKOPT_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most bytes of optval any option modelled here reads (IP_OPTIONS: 40). A caller reads
 * min(optlen, SOV_READ_MAX) bytes, stopping at the first unreadable byte. */
#define SOV_READ_MAX 40

/* Option numbers that older libc headers lack (the kernel's values). */
#define SOV_SO_ZEROCOPY		    60
#define SOV_SO_TXTIME		    61
#define SOV_SO_BINDTOIFINDEX	    62
#define SOV_SO_TIMESTAMPING_OLD	    37
#define SOV_SO_TIMESTAMPING_NEW	    65
#define SOV_IP_BIND_ADDRESS_NO_PORT 24
#define SOV_IP_MULTICAST_ALL	    49
#define SOV_IP_UNICAST_IF	    50
#define SOV_UDP_ENCAP		    100
#define SOV_UDP_NO_CHECK6_TX	    101
#define SOV_UDP_NO_CHECK6_RX	    102
#define SOV_UDP_SEGMENT		    103
#define SOV_UDP_GRO		    104
#define SOV_UDPLITE_SEND_CSCOV	    10
#define SOV_UDPLITE_RECV_CSCOV	    11
#define SOV_SOL_UDP		    17
#define SOV_SOL_UDPLITE		    136

#define SOV_CAP_NET_ADMIN 12
#define SOV_CAP_NET_RAW	  13

/* What the verdict depends on besides the call's arguments. */
struct sov_env {
	int protocol;	  /* IPPROTO_UDP or IPPROTO_UDPLITE */
	int bound_dev_if; /* the socket's device binding before the call (0: none) */
	/* Effective capabilities as capable() and ns_capable() see them (the process is in the
	 * initial user namespace). When caps_known is false, options that need a capability check
	 * are left to the kernel. */
	bool caps_known;
	uint64_t cap_eff;
	long wmem_max; /* net.core.wmem_max; < 0: unknown (SO_SNDBUF is left to the kernel) */
	/* Device look-ups in the socket's network namespace; NULL: left to the kernel.
	 * dev_by_name: the ifindex of the device called name (at most 15 characters), -ENODEV when
	 * there is none, another negative value when it cannot tell.
	 * dev_by_index: 1 when ifindex exists, 0 when not, negative when it cannot tell. */
	int (*dev_by_name)(void *arg, const char *name);
	int (*dev_by_index)(void *arg, int ifindex);
	void *dev_arg;
};

enum sov_kind {
	SOV_PREDICTED,	    /* err is the kernel's answer */
	SOV_KERNEL_DECIDES, /* the shim cannot tell exactly: why says what is missing */
};

struct sov_verdict {
	enum sov_kind kind;
	int err; /* 0 or -errno */
	/* On success, what the kernel stores as getsockopt(rb_level, rb_name) reads it back with
	 * rb_len bytes (4 or 8): value, and value2 for the second int of an 8-byte read. */
	bool stores;
	int rb_level, rb_name, rb_len;
	int value, value2;
	const char *name; /* "SO_MARK" …, or NULL for an option not modelled */
	const char *fn;	  /* the kernel function that decides: "sk_setsockopt" … */
	const char *why;  /* SOV_KERNEL_DECIDES: what the shim cannot know */
};

/* The kernel's answer to setsockopt(level, name, optval, optlen) on the socket env describes.
 * bytes holds the first `readable` bytes of optval (readable <= SOV_READ_MAX; fewer than
 * min(optlen, SOV_READ_MAX) when reading stopped at a fault); optlen is the int the system call
 * receives (a socklen_t of 2^31 or more is negative). */
void sockopt_verdict(const struct sov_env *env, int level, int name, const void *bytes,
		     size_t readable, int optlen, struct sov_verdict *v);

/* Whether the verdict for (level, name) may need env->cap_eff (so a caller reads the
 * capabilities only then). */
bool sockopt_verdict_needs_caps(int level, int name);

/* Whether (level, name) is one of the options modelled here (the rest of each level gets the
 * level's generic rules: optlen and fault checks, ENOPROTOOPT for unknown names). */
bool sockopt_verdict_models(int level, int name);

#endif
