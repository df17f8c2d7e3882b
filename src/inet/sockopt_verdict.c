/* sockopt_verdict: the kernel's setsockopt rules for the TX-relevant options of a UDP/UDP-Lite
 * IPv4 socket, as a pure function (see include/shim/sockopt_verdict.h). Linux 6.18. */
#include "shim/sockopt_verdict.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#define SOCK_MIN_SNDBUF	  4608 /* 2 * SKB_TRUESIZE(256) on this kernel build (x86-64) */
#define TC_PRIO_MAX_FREE  6    /* TC_PRIO_BESTEFFORT..TC_PRIO_INTERACTIVE need no capability */
#define TXTIME_FLAGS_MASK 3    /* SOF_TXTIME_DEADLINE_MODE | SOF_TXTIME_REPORT_ERRORS */
#define TS_OPT_ID	  (1 << 7)
#define TS_OPT_TSONLY	  (1 << 11)
#define TS_OPT_STATS	  (1 << 12)
#define TS_BIND_PHC	  (1 << 15)
#define TS_OPT_ID_TCP	  (1 << 16)
#define TS_MASK		  ((1 << 19) - 1) /* up to SOF_TIMESTAMPING_TX_COMPLETION */
#define CLOCKID_REALTIME  0
#define CLOCKID_MONOTONIC 1
#define CLOCKID_TAI	  11
#define IPOPT_END	  0
#define IPOPT_NOOP	  1
#define PMTUDISC_MAX	  5 /* IP_PMTUDISC_OMIT */

static void predict(struct sov_verdict *v, int err)
{
	v->kind = SOV_PREDICTED;
	v->err = err;
}

static void kernel_decides(struct sov_verdict *v, const char *why)
{
	v->kind = SOV_KERNEL_DECIDES;
	v->err = 0;
	v->stores = false;
	v->why = why;
}

/* Success, storing val as getsockopt of the same option reads it back. */
static void store(struct sov_verdict *v, int val)
{
	predict(v, 0);
	v->stores = true;
	v->rb_len = 4;
	v->value = val;
}

/* 1: the process has capability c, 0: not, -1: not known (the verdict is then the kernel's). */
static int capable_(const struct sov_env *e, int c, struct sov_verdict *v)
{
	if (!e->caps_known) {
		kernel_decides(v, "capabilities unknown");
		return -1;
	}
	return (e->cap_eff >> c) & 1;
}

/* CAP_NET_RAW or CAP_NET_ADMIN: 1, 0, or -1 (unknown, verdict set). */
static int raw_or_admin(const struct sov_env *e, struct sov_verdict *v)
{
	int raw = capable_(e, SOV_CAP_NET_RAW, v);

	if (raw != 0)
		return raw;
	return capable_(e, SOV_CAP_NET_ADMIN, v);
}

static int get_int(const unsigned char *b)
{
	int val;

	memcpy(&val, b, sizeof(val));
	return val;
}

/* sock_bindtoindex_locked: a bound socket needs CAP_NET_RAW to change its binding. */
static void bindtoindex(const struct sov_env *e, int ifindex, struct sov_verdict *v)
{
	v->rb_level = SOL_SOCKET;
	v->rb_name = SOV_SO_BINDTOIFINDEX;
	if (e->bound_dev_if != 0) {
		int raw = capable_(e, SOV_CAP_NET_RAW, v);

		if (raw < 0)
			return;
		if (!raw) {
			predict(v, -EPERM);
			return;
		}
	}
	if (ifindex < 0) {
		predict(v, -EINVAL);
		return;
	}
	store(v, ifindex);
}

/* sock_setbindtodevice: at most IFNAMSIZ-1 bytes of name, "" or optlen 0 unbinds. */
static void bindtodevice(const struct sov_env *e, const unsigned char *b, size_t rd, int optlen,
			 struct sov_verdict *v)
{
	char name[16];
	size_t n = optlen > 15 ? 15 : (size_t)optlen;
	int index = 0;

	if (rd < n) {
		predict(v, -EFAULT);
		return;
	}
	memset(name, 0, sizeof(name));
	memcpy(name, b, n);
	if (name[0] != '\0') {
		/* no device name contains ':' (dev_valid_name); the look-up by ioctl would drop an
		 * alias suffix, so the answer is given here */
		if (strchr(name, ':') != NULL) {
			predict(v, -ENODEV);
			return;
		}
		if (e->dev_by_name == NULL) {
			kernel_decides(v, "device names cannot be looked up");
			return;
		}
		index = e->dev_by_name(e->dev_arg, name);
		if (index == -ENODEV) {
			predict(v, -ENODEV);
			return;
		}
		if (index <= 0) {
			kernel_decides(v, "device look-up failed");
			return;
		}
	}
	bindtoindex(e, index, v);
}

/* sock_set_timestamping */
static void timestamping(const struct sov_env *e, int flags, struct sov_verdict *v)
{
	if ((flags & ~TS_MASK) || ((flags & TS_OPT_ID_TCP) && !(flags & TS_OPT_ID)) ||
	    ((flags & TS_OPT_STATS) && !(flags & TS_OPT_TSONLY))) {
		predict(v, -EINVAL);
		return;
	}
	if (flags & TS_BIND_PHC) {
		if (e->bound_dev_if == 0) {
			predict(v, -EOPNOTSUPP); /* sock_timestamping_bind_phc: no device */
			return;
		}
		kernel_decides(v, "PHC virtual clocks of the bound device");
		return;
	}
	store(v, flags);
}

/* SO_SNDBUF / SO_SNDBUFFORCE: twice the value, at least SOCK_MIN_SNDBUF. */
static int sndbuf_stored(int val)
{
	if (val > INT_MAX / 2)
		val = INT_MAX / 2;
	return val * 2 > SOCK_MIN_SNDBUF ? val * 2 : SOCK_MIN_SNDBUF;
}

/* sk_setsockopt */
static void sol_socket(const struct sov_env *e, int name, const unsigned char *b, size_t rd,
		       int optlen, struct sov_verdict *v)
{
	int val, ok;

	v->fn = "sk_setsockopt";
	if (name == SO_BINDTODEVICE) {
		bindtodevice(e, b, rd, optlen, v);
		return;
	}
	if (optlen < (int)sizeof(int)) {
		predict(v, -EINVAL);
		return;
	}
	if (rd < sizeof(int)) {
		predict(v, -EFAULT);
		return;
	}
	val = get_int(b);
	switch (name) {
	case SO_PRIORITY: /* sk_set_prio_allowed */
		if (val < 0 || val > TC_PRIO_MAX_FREE) {
			if ((ok = raw_or_admin(e, v)) < 0)
				return;
			if (!ok) {
				predict(v, -EPERM);
				return;
			}
		}
		store(v, val);
		return;
	case SO_BROADCAST:
	case SO_DONTROUTE:
	case SO_NO_CHECK:
		store(v, val != 0);
		return;
	case SO_SNDBUF:
		if (e->wmem_max < 0) {
			kernel_decides(v, "net.core.wmem_max unknown");
			return;
		}
		/* the value as unsigned, capped by wmem_max */
		store(v, sndbuf_stored(
			     (unsigned)val < (unsigned long)e->wmem_max ? val : (int)e->wmem_max));
		return;
	case SO_SNDBUFFORCE:
		if ((ok = capable_(e, SOV_CAP_NET_ADMIN, v)) < 0)
			return;
		if (!ok) {
			predict(v, -EPERM);
			return;
		}
		store(v, sndbuf_stored(val < 0 ? 0 : val));
		v->rb_name = SO_SNDBUF;
		return;
	case SO_MARK:
		if ((ok = raw_or_admin(e, v)) < 0)
			return;
		if (!ok) {
			predict(v, -EPERM);
			return;
		}
		store(v, val);
		return;
	case SOV_SO_BINDTOIFINDEX:
		bindtoindex(e, val, v);
		return;
	case SOV_SO_ZEROCOPY:
		if (e->protocol != IPPROTO_UDP) {
			predict(v, -EOPNOTSUPP); /* only TCP and plain UDP */
			return;
		}
		if (val < 0 || val > 1) {
			predict(v, -EINVAL);
			return;
		}
		store(v, val);
		return;
	case SOV_SO_TXTIME: {
		int clockid, flags;

		if (optlen != 8) {
			predict(v, -EINVAL);
			return;
		}
		if (rd < 8) {
			predict(v, -EFAULT);
			return;
		}
		clockid = val;
		flags = get_int(b + 4);
		if (flags & ~TXTIME_FLAGS_MASK) {
			predict(v, -EINVAL);
			return;
		}
		if (clockid != CLOCKID_MONOTONIC) {
			if ((ok = capable_(e, SOV_CAP_NET_ADMIN, v)) < 0)
				return;
			if (!ok) {
				predict(v, -EPERM);
				return;
			}
		}
		if (clockid != CLOCKID_REALTIME && clockid != CLOCKID_MONOTONIC &&
		    clockid != CLOCKID_TAI) {
			predict(v, -EINVAL); /* sockopt_validate_clockid */
			return;
		}
		store(v, clockid);
		v->rb_len = 8;
		v->value2 = flags;
		return;
	}
	case SOV_SO_TIMESTAMPING_OLD:
	case SOV_SO_TIMESTAMPING_NEW:
		/* a struct so_timestamping when optlen is exactly its size, else the flags int */
		if (optlen == 8 && rd < 8) {
			predict(v, -EFAULT);
			return;
		}
		timestamping(e, val, v);
		return;
	default:
		/* every other option of the level has passed the same two checks */
		if (name <= 0 || name >= 128)
			predict(v, -ENOPROTOOPT);
		else
			kernel_decides(v, "option not modelled");
		return;
	}
}

/* The options do_ip_setsockopt reads as "an int, or one unsigned byte when optlen < 4". */
static bool ip_int_or_char(int name)
{
	switch (name) {
	case IP_PKTINFO:
	case IP_RECVTTL:
	case IP_RECVOPTS:
	case IP_RECVTOS:
	case IP_RETOPTS:
	case IP_TOS:
	case IP_TTL:
	case IP_HDRINCL:
	case IP_MTU_DISCOVER:
	case IP_RECVERR:
	case IP_ROUTER_ALERT:
	case IP_FREEBIND:
	case IP_PASSSEC:
	case IP_TRANSPARENT:
	case IP_MINTTL:
	case IP_NODEFRAG:
	case SOV_IP_BIND_ADDRESS_NO_PORT:
	case SOV_IP_UNICAST_IF:
	case IP_MULTICAST_TTL:
	case SOV_IP_MULTICAST_ALL:
	case IP_MULTICAST_LOOP:
	case IP_RECVORIGDSTADDR:
	case 23: /* IP_CHECKSUM */
	case 25: /* IP_RECVFRAGSIZE */
	case 26: /* IP_RECVERR_RFC4884 */
	case 51: /* IP_LOCAL_PORT_RANGE */
		return true;
	}
	return false;
}

/* No SOL_IP handler takes these names: do_ip_setsockopt's default, and no netfilter or
 * multicast-routing range (64..99, 200..255, 1024.. are left to the kernel). */
static bool ip_unknown(int name)
{
	return name <= 0 || (name >= 53 && name <= 63) || (name >= 100 && name < 200) ||
	       (name >= 256 && name < 1024);
}

/* IP_OPTIONS: only what needs no option compiler (ip_options_get with nothing but NOP/END). */
static void ip_options(const unsigned char *b, size_t rd, int optlen, struct sov_verdict *v)
{
	if (optlen > 40) {
		predict(v, -EINVAL);
		return;
	}
	if (rd < (size_t)optlen) {
		predict(v, -EFAULT);
		return;
	}
	for (int i = 0; i < optlen; i++) {
		if (b[i] == IPOPT_END)
			break; /* the rest becomes END */
		if (b[i] != IPOPT_NOOP) {
			kernel_decides(v, "IP options compiled by ip_options_compile");
			return;
		}
	}
	predict(v, 0);
}

/* IP_MULTICAST_IF: struct ip_mreqn (12 bytes or more), struct ip_mreq (8..11: the interface
 * address is its second field) or struct in_addr (4..7). */
static void ip_multicast_if(const struct sov_env *e, const unsigned char *b, size_t rd, int optlen,
			    struct sov_verdict *v)
{
	uint32_t addr;
	int ifindex = 0, exists;
	size_t need = optlen >= 12 ? 12 : optlen >= 8 ? 8 : 4;

	if (optlen < 4) {
		predict(v, -EINVAL);
		return;
	}
	if (rd < need) {
		predict(v, -EFAULT);
		return;
	}
	memcpy(&addr, need == 4 ? b : b + 4, sizeof(addr));
	if (need == 12)
		ifindex = get_int(b + 8);
	if (ifindex == 0) {
		if (addr != 0) {
			kernel_decides(v, "the interface owning an address (ip_dev_find)");
			return;
		}
		store(v, 0); /* reset: no interface, no address */
		return;
	}
	if (e->dev_by_index == NULL || (exists = e->dev_by_index(e->dev_arg, ifindex)) < 0) {
		kernel_decides(v, "device look-up failed");
		return;
	}
	if (!exists) {
		predict(v, -EADDRNOTAVAIL);
		return;
	}
	if (e->bound_dev_if != 0 && e->bound_dev_if != ifindex) {
		kernel_decides(v, "bound to another device (an l3mdev master may allow it)");
		return;
	}
	store(v, (int)addr); /* getsockopt shows the address */
}

/* do_ip_setsockopt */
static void sol_ip(const struct sov_env *e, int name, const unsigned char *b, size_t rd, int optlen,
		   struct sov_verdict *v)
{
	int val = 0, ok;

	v->fn = "do_ip_setsockopt";
	if (ip_int_or_char(name)) {
		if (optlen >= (int)sizeof(int)) {
			if (rd < sizeof(int)) {
				predict(v, -EFAULT);
				return;
			}
			val = get_int(b);
		} else if (optlen >= 1) {
			if (rd < 1) {
				predict(v, -EFAULT);
				return;
			}
			val = b[0];
		}
		/* optlen 0: val 0 */
	}
	switch (name) {
	case IP_TTL:
		if (optlen < 1 || (val != -1 && (val < 1 || val > 255))) {
			predict(v, -EINVAL);
			return;
		}
		store(v, val); /* getsockopt shows ip_default_ttl for -1 */
		return;
	case IP_TOS: /* __ip_sock_set_tos: the whole byte for a datagram socket */
		store(v, val & 0xff);
		return;
	case IP_MTU_DISCOVER: /* ip_sock_set_mtu_discover */
		if (val < 0 || val > PMTUDISC_MAX) {
			predict(v, -EINVAL);
			return;
		}
		store(v, val);
		return;
	case IP_MULTICAST_TTL:
		if (optlen < 1) {
			predict(v, -EINVAL);
			return;
		}
		if (val == -1)
			val = 1;
		if (val < 0 || val > 255) {
			predict(v, -EINVAL);
			return;
		}
		store(v, val);
		return;
	case IP_MULTICAST_LOOP:
	case IP_FREEBIND:
		if (optlen < 1) {
			predict(v, -EINVAL);
			return;
		}
		store(v, val != 0);
		return;
	case SOV_IP_MULTICAST_ALL:
		if (optlen < 1 || (val != 0 && val != 1)) {
			predict(v, -EINVAL);
			return;
		}
		store(v, val);
		return;
	case IP_PKTINFO:
	case IP_RECVERR:
	case SOV_IP_BIND_ADDRESS_NO_PORT:
		store(v, val != 0);
		return;
	case IP_TRANSPARENT:
		if (val != 0) {
			if ((ok = raw_or_admin(e, v)) < 0)
				return;
			if (!ok) {
				predict(v, -EPERM);
				return;
			}
		}
		if (optlen < 1) {
			predict(v, -EINVAL);
			return;
		}
		store(v, val != 0);
		return;
	case SOV_IP_UNICAST_IF: {
		int ifindex, exists;

		if (optlen != (int)sizeof(int)) {
			predict(v, -EINVAL);
			return;
		}
		ifindex = (int)ntohl((uint32_t)val);
		if (ifindex == 0) {
			store(v, 0);
			return;
		}
		if (ifindex < 0)
			exists = 0;
		else if (e->dev_by_index == NULL ||
			 (exists = e->dev_by_index(e->dev_arg, ifindex)) < 0) {
			kernel_decides(v, "device look-up failed");
			return;
		}
		if (!exists) {
			predict(v, -EADDRNOTAVAIL);
			return;
		}
		if (e->bound_dev_if != 0) {
			kernel_decides(v, "bound to a device (an l3mdev master may allow it)");
			return;
		}
		store(v, val); /* getsockopt shows it in network order, as given */
		return;
	}
	case IP_OPTIONS:
		ip_options(b, rd, optlen, v);
		return;
	case IP_MULTICAST_IF:
		ip_multicast_if(e, b, rd, optlen, v);
		return;
	default:
		if (ip_unknown(name))
			predict(v, -ENOPROTOOPT);
		else if (ip_int_or_char(name) || name < 64)
			kernel_decides(v, "option not modelled");
		else
			kernel_decides(v, "netfilter or multicast routing option");
		return;
	}
}

/* udp_lib_setsockopt */
static void sol_udp(const struct sov_env *e, int name, const unsigned char *b, size_t rd,
		    int optlen, struct sov_verdict *v)
{
	int val;

	v->fn = "udp_lib_setsockopt";
	if (optlen < (int)sizeof(int)) {
		predict(v, -EINVAL);
		return;
	}
	if (rd < sizeof(int)) {
		predict(v, -EFAULT);
		return;
	}
	val = get_int(b);
	switch (name) {
	case 1: /* UDP_CORK */
	case SOV_UDP_NO_CHECK6_TX:
	case SOV_UDP_NO_CHECK6_RX:
	case SOV_UDP_GRO:
		store(v, val != 0);
		return;
	case SOV_UDP_SEGMENT:
		if (val < 0 || val > 65535) {
			predict(v, -EINVAL);
			return;
		}
		store(v, val);
		return;
	case SOV_UDPLITE_SEND_CSCOV:
	case SOV_UDPLITE_RECV_CSCOV:
		if (e->protocol != IPPROTO_UDPLITE) {
			predict(v, -ENOPROTOOPT);
			return;
		}
		if (val != 0 && val < 8)
			val = 8; /* below the header: the header */
		else if (val > 65535)
			val = 65535;
		store(v, val);
		return;
	case SOV_UDP_ENCAP:
		kernel_decides(v, "option not modelled");
		return;
	default:
		predict(v, -ENOPROTOOPT);
		return;
	}
}

static const struct {
	int level, name;
	const char *str;
} names[] = {
    {SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST"},
    {SOL_SOCKET, SO_PRIORITY, "SO_PRIORITY"},
    {SOL_SOCKET, SO_MARK, "SO_MARK"},
    {SOL_SOCKET, SO_BINDTODEVICE, "SO_BINDTODEVICE"},
    {SOL_SOCKET, SOV_SO_BINDTOIFINDEX, "SO_BINDTOIFINDEX"},
    {SOL_SOCKET, SO_DONTROUTE, "SO_DONTROUTE"},
    {SOL_SOCKET, SO_NO_CHECK, "SO_NO_CHECK"},
    {SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF"},
    {SOL_SOCKET, SO_SNDBUFFORCE, "SO_SNDBUFFORCE"},
    {SOL_SOCKET, SOV_SO_ZEROCOPY, "SO_ZEROCOPY"},
    {SOL_SOCKET, SOV_SO_TXTIME, "SO_TXTIME"},
    {SOL_SOCKET, SOV_SO_TIMESTAMPING_OLD, "SO_TIMESTAMPING_OLD"},
    {SOL_SOCKET, SOV_SO_TIMESTAMPING_NEW, "SO_TIMESTAMPING_NEW"},
    {SOL_IP, IP_TTL, "IP_TTL"},
    {SOL_IP, IP_TOS, "IP_TOS"},
    {SOL_IP, IP_OPTIONS, "IP_OPTIONS"},
    {SOL_IP, IP_MTU_DISCOVER, "IP_MTU_DISCOVER"},
    {SOL_IP, IP_MULTICAST_TTL, "IP_MULTICAST_TTL"},
    {SOL_IP, IP_MULTICAST_IF, "IP_MULTICAST_IF"},
    {SOL_IP, IP_MULTICAST_LOOP, "IP_MULTICAST_LOOP"},
    {SOL_IP, SOV_IP_MULTICAST_ALL, "IP_MULTICAST_ALL"},
    {SOL_IP, IP_PKTINFO, "IP_PKTINFO"},
    {SOL_IP, IP_FREEBIND, "IP_FREEBIND"},
    {SOL_IP, IP_TRANSPARENT, "IP_TRANSPARENT"},
    {SOL_IP, SOV_IP_BIND_ADDRESS_NO_PORT, "IP_BIND_ADDRESS_NO_PORT"},
    {SOL_IP, IP_RECVERR, "IP_RECVERR"},
    {SOL_IP, SOV_IP_UNICAST_IF, "IP_UNICAST_IF"},
    {SOV_SOL_UDP, 1, "UDP_CORK"},
    {SOV_SOL_UDP, SOV_UDP_SEGMENT, "UDP_SEGMENT"},
    {SOV_SOL_UDP, SOV_UDP_NO_CHECK6_TX, "UDP_NO_CHECK6_TX"},
    {SOV_SOL_UDP, SOV_UDP_NO_CHECK6_RX, "UDP_NO_CHECK6_RX"},
    {SOV_SOL_UDP, SOV_UDP_GRO, "UDP_GRO"},
    {SOV_SOL_UDP, SOV_UDPLITE_SEND_CSCOV, "UDPLITE_SEND_CSCOV"},
    {SOV_SOL_UDP, SOV_UDPLITE_RECV_CSCOV, "UDPLITE_RECV_CSCOV"},
};

static const char *option_name(int level, int name)
{
	if (level == SOV_SOL_UDPLITE)
		level = SOV_SOL_UDP;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].level == level && names[i].name == name)
			return names[i].str;
	return NULL;
}

bool sockopt_verdict_models(int level, int name)
{
	return option_name(level, name) != NULL;
}

bool sockopt_verdict_needs_caps(int level, int name)
{
	if (level == SOL_SOCKET)
		return name == SO_PRIORITY || name == SO_MARK || name == SO_SNDBUFFORCE ||
		       name == SOV_SO_TXTIME || name == SO_BINDTODEVICE ||
		       name == SOV_SO_BINDTOIFINDEX;
	return level == SOL_IP && name == IP_TRANSPARENT;
}

void sockopt_verdict(const struct sov_env *env, int level, int name, const void *bytes,
		     size_t readable, int optlen, struct sov_verdict *v)
{
	const unsigned char *b = bytes;

	memset(v, 0, sizeof(*v));
	v->rb_level = level;
	v->rb_name = name;
	v->name = option_name(level, name);
	if (readable > SOV_READ_MAX)
		readable = SOV_READ_MAX;
	if (optlen < 0) { /* do_sock_setsockopt */
		v->fn = "__sys_setsockopt";
		predict(v, -EINVAL);
		return;
	}
	if (level == SOL_SOCKET)
		sol_socket(env, name, b, readable, optlen, v);
	else if (level == SOV_SOL_UDP || level == SOV_SOL_UDPLITE)
		sol_udp(env, name, b, readable, optlen, v);
	else if (level == SOL_IP)
		sol_ip(env, name, b, readable, optlen, v);
	else { /* udp_setsockopt → ip_setsockopt: any other level */
		v->fn = "ip_setsockopt";
		predict(v, -ENOPROTOOPT);
	}
	if (v->kind != SOV_PREDICTED || v->err != 0)
		v->stores = false;
}
