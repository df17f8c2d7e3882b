/*
 * scenario_runner: execute one scenario file (tests/bench/README.md describes the language) and
 * print one result line per call:
 *
 *     <step> <call> ret=<n> errno=<NAME|0> [fd=<name>] [local=<addr>] [peer=<addr>|none] [extra]
 *
 * The whole file is parsed and checked before the first call runs: an unknown word, key or name,
 * a malformed value or a reference to an undefined socket name ends the runner with exit status 2
 * and nothing executed. Exit status 0 means every step ran (whatever the calls returned), 1 an
 * internal failure (out of memory).
 *
 * Runs natively or under LD_PRELOAD; it only uses ordinary libc calls, so what a preloaded library
 * intercepts is exactly what an application would call.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/udp.h>
#include <net/if.h>
#include <poll.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_TOKENS   4096
#define MAX_NAMES    256
#define MAX_NAME_LEN 31
#define MAX_SEGS     4096	 /* iovecs per message */
#define MAX_MSGS     4096	 /* messages per sendmmsg */
#define MAX_BUF	     (16u << 20) /* largest payload buffer the runner allocates */
#define ARENA_LEN    (1u << 20)	 /* accessible bytes in front of the guard page */
#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#define KERNEL_PTR    0xffff888000000000ull
#define MSG_LEN_UNSET 0xfffffffeu /* msg_len sentinel: "not written by the call" */

/* ---------------------------------------------------------------------------------------------
 * Errors
 */

static const char *scn_path = "-";
static int cur_line;
static jmp_buf *syntax_jmp; /* --serve: a syntax error ends the sequence, not the runner */

static void __attribute__((noreturn, format(printf, 1, 2))) syntax(const char *fmt, ...)
{
	va_list ap;

	fprintf(syntax_jmp ? stdout : stderr,
		"%sscenario_runner: %s:%d: ", syntax_jmp ? "%% error " : "", scn_path, cur_line);
	va_start(ap, fmt);
	vfprintf(syntax_jmp ? stdout : stderr, fmt, ap);
	va_end(ap);
	fputc('\n', syntax_jmp ? stdout : stderr);
	if (syntax_jmp)
		longjmp(*syntax_jmp, 1);
	exit(2);
}

static void __attribute__((noreturn)) oom(void)
{
	fprintf(stderr, "scenario_runner: out of memory\n");
	exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

/* ---------------------------------------------------------------------------------------------
 * Name tables
 */

struct sym {
	const char *name;
	long long value;
};

static const struct sym domains[] = {
    {"unspec", AF_UNSPEC},   {"unix", AF_UNIX},	    {"inet", AF_INET}, {"inet6", AF_INET6},
    {"netlink", AF_NETLINK}, {"packet", AF_PACKET}, {NULL, 0},
};

static const struct sym types[] = {
    {"stream", SOCK_STREAM},	 {"dgram", SOCK_DGRAM},		{"raw", SOCK_RAW},
    {"rdm", SOCK_RDM},		 {"seqpacket", SOCK_SEQPACKET}, {"packet", SOCK_PACKET},
    {"nonblock", SOCK_NONBLOCK}, {"cloexec", SOCK_CLOEXEC},	{NULL, 0},
};

static const struct sym protos[] = {
    {"ip", 0},	      {"icmp", IPPROTO_ICMP}, {"tcp", IPPROTO_TCP},	  {"udp", IPPROTO_UDP},
    {"udplite", 136}, {"raw", IPPROTO_RAW},   {"icmpv6", IPPROTO_ICMPV6}, {NULL, 0},
};

static const struct sym levels[] = {
    {"socket", SOL_SOCKET}, {"ip", SOL_IP},	  {"ipv6", SOL_IPV6}, {"udp", SOL_UDP},
    {"udplite", 136},	    {"tcp", IPPROTO_TCP}, {"raw", SOL_RAW},   {NULL, 0},
};

/* Socket options and, for control messages, the SCM_* types of SOL_SOCKET. */
static const struct sym sol_socket_names[] = {
    {"debug", SO_DEBUG},
    {"reuseaddr", SO_REUSEADDR},
    {"type", SO_TYPE},
    {"error", SO_ERROR},
    {"dontroute", SO_DONTROUTE},
    {"broadcast", SO_BROADCAST},
    {"sndbuf", SO_SNDBUF},
    {"rcvbuf", SO_RCVBUF},
    {"sndbufforce", SO_SNDBUFFORCE},
    {"rcvbufforce", SO_RCVBUFFORCE},
    {"keepalive", SO_KEEPALIVE},
    {"oobinline", SO_OOBINLINE},
    {"no_check", SO_NO_CHECK},
    {"priority", SO_PRIORITY},
    {"linger", SO_LINGER},
    {"reuseport", SO_REUSEPORT},
    {"passcred", SO_PASSCRED},
    {"rcvlowat", SO_RCVLOWAT},
    {"sndlowat", SO_SNDLOWAT},
    {"rcvtimeo", SO_RCVTIMEO},
    {"sndtimeo", SO_SNDTIMEO},
    {"bindtodevice", SO_BINDTODEVICE},
    {"timestamp", SO_TIMESTAMP},
    {"timestampns", SO_TIMESTAMPNS},
    {"timestamping", SO_TIMESTAMPING},
    {"mark", SO_MARK},
    {"rxq_ovfl", SO_RXQ_OVFL},
    {"peek_off", SO_PEEK_OFF},
    {"nofcs", SO_NOFCS},
    {"select_err_queue", SO_SELECT_ERR_QUEUE},
    {"busy_poll", SO_BUSY_POLL},
    {"max_pacing_rate", SO_MAX_PACING_RATE},
    {"incoming_cpu", SO_INCOMING_CPU},
    {"zerocopy", 60},
    {"txtime", 61},
    {"bindtoifindex", 62},
    {"domain", SO_DOMAIN},
    {"protocol", SO_PROTOCOL},
    {"rights", SCM_RIGHTS},
    {"credentials", SCM_CREDENTIALS},
    {"ts_opt_id", 81},
    {NULL, 0},
};

static const struct sym sol_ip_names[] = {
    {"tos", IP_TOS},
    {"ttl", IP_TTL},
    {"hdrincl", IP_HDRINCL},
    {"options", IP_OPTIONS},
    {"pktinfo", IP_PKTINFO},
    {"recvopts", IP_RECVOPTS},
    {"retopts", IP_RETOPTS},
    {"recvretopts", IP_RETOPTS},
    {"pmtudisc", IP_MTU_DISCOVER},
    {"mtu_discover", IP_MTU_DISCOVER},
    {"recverr", IP_RECVERR},
    {"recvttl", IP_RECVTTL},
    {"recvtos", IP_RECVTOS},
    {"mtu", IP_MTU},
    {"freebind", IP_FREEBIND},
    {"passsec", IP_PASSSEC},
    {"transparent", IP_TRANSPARENT},
    {"origdstaddr", IP_ORIGDSTADDR},
    {"minttl", IP_MINTTL},
    {"nodefrag", IP_NODEFRAG},
    {"checksum", IP_CHECKSUM},
    {"bind_address_no_port", IP_BIND_ADDRESS_NO_PORT},
    {"recvfragsize", IP_RECVFRAGSIZE},
    {"recverr_rfc4884", 26},
    {"multicast_if", IP_MULTICAST_IF},
    {"multicast_ttl", IP_MULTICAST_TTL},
    {"multicast_loop", IP_MULTICAST_LOOP},
    {"add_membership", IP_ADD_MEMBERSHIP},
    {"drop_membership", IP_DROP_MEMBERSHIP},
    {"unicast_if", IP_UNICAST_IF},
    {"multicast_all", IP_MULTICAST_ALL},
    {"local_port_range", 51},
    {"protocol", 52},
    {NULL, 0},
};

/* SOL_IPV6 option names, also the IPV6_* control message types (linux/in6.h numbers). */
static const struct sym sol_ipv6_names[] = {
    {"addrform", 1},
    {"2292pktinfo", 2},
    {"2292hopopts", 3},
    {"2292dstopts", 4},
    {"2292rthdr", 5},
    {"2292pktoptions", 6},
    {"checksum", 7},
    {"2292hoplimit", 8},
    {"nexthop", 9},
    {"flowinfo", 11},
    {"unicast_hops", IPV6_UNICAST_HOPS},
    {"multicast_if", IPV6_MULTICAST_IF},
    {"multicast_hops", IPV6_MULTICAST_HOPS},
    {"multicast_loop", IPV6_MULTICAST_LOOP},
    {"add_membership", 20},
    {"join_group", 20},
    {"drop_membership", 21},
    {"leave_group", 21},
    {"router_alert", 22},
    {"mtu_discover", IPV6_MTU_DISCOVER},
    {"mtu", IPV6_MTU},
    {"recverr", IPV6_RECVERR},
    {"v6only", IPV6_V6ONLY},
    {"join_anycast", 27},
    {"leave_anycast", 28},
    {"multicast_all", 29},
    {"recverr_rfc4884", 31},
    {"flowlabel_mgr", 32},
    {"flowinfo_send", 33},
    {"hdrincl", 36},
    {"mcast_join_group", 42},
    {"mcast_leave_group", 45},
    {"recvpktinfo", 49},
    {"pktinfo", 50},
    {"recvhoplimit", 51},
    {"hoplimit", 52},
    {"recvhopopts", 53},
    {"hopopts", 54},
    {"rthdrdstopts", 55},
    {"recvrthdr", 56},
    {"rthdr", 57},
    {"recvdstopts", 58},
    {"dstopts", 59},
    {"recvpathmtu", 60},
    {"pathmtu", 61},
    {"dontfrag", 62},
    {"recvtclass", 66},
    {"tclass", 67},
    {"autoflowlabel", 70},
    {"addr_preferences", 72},
    {"minhopcount", 73},
    {"recvorigdstaddr", 74},
    {"transparent", 75},
    {"unicast_if", 76},
    {"recvfragsize", 77},
    {"freebind", 78},
    {NULL, 0},
};

static const struct sym sol_udp_names[] = {
    {"cork", UDP_CORK},	   {"encap", UDP_ENCAP}, {"no_check6_tx", 101},
    {"no_check6_rx", 102}, {"segment", 103},	 {"gro", 104},
    {"send_cscov", 10},	   {"recv_cscov", 11},	 {NULL, 0},
};

static const struct sym msg_flag_names[] = {
    {"oob", MSG_OOB},
    {"peek", MSG_PEEK},
    {"dontroute", MSG_DONTROUTE},
    {"ctrunc", MSG_CTRUNC},
    {"probe", 0x10},
    {"trunc", MSG_TRUNC},
    {"dontwait", MSG_DONTWAIT},
    {"eor", MSG_EOR},
    {"waitall", MSG_WAITALL},
    {"fin", MSG_FIN},
    {"syn", MSG_SYN},
    {"confirm", MSG_CONFIRM},
    {"rst", MSG_RST},
    {"errqueue", MSG_ERRQUEUE},
    {"nosignal", MSG_NOSIGNAL},
    {"more", MSG_MORE},
    {"waitforone", MSG_WAITFORONE},
    {"batch", 0x40000},
    {"zerocopy", 0x4000000},
    {"fastopen", MSG_FASTOPEN},
    {"cmsg_cloexec", MSG_CMSG_CLOEXEC},
    {"cmsg_compat", (long long)0x80000000u},
    {NULL, 0},
};

static const struct sym shut_names[] = {
    {"rd", SHUT_RD},
    {"wr", SHUT_WR},
    {"rdwr", SHUT_RDWR},
    {NULL, 0},
};

static int parse_number(const char *s, long long *out)
{
	char *end;
	long long v;
	unsigned long long u;

	if (*s == '\0')
		return -1;
	errno = 0;
	if (s[0] == '-') {
		v = strtoll(s, &end, 0);
	} else {
		/* Accept the full unsigned 64-bit range (e.g. lengths like 0xffffffffffffffff). */
		u = strtoull(s, &end, 0);
		v = (long long)u;
	}
	if (errno || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

static long long number(const char *key, const char *s, long long min, long long max)
{
	long long v;

	if (parse_number(s, &v) < 0 || v < min || v > max)
		syntax("%s: bad number '%s' (allowed %lld..%lld)", key, s, min, max);
	return v;
}

static int sym_lookup(const struct sym *t, const char *name, long long *out)
{
	for (; t->name; t++) {
		if (strcmp(t->name, name) == 0) {
			*out = t->value;
			return 0;
		}
	}
	return -1;
}

/* A name from the table or a number. */
static long long sym_or_number(const char *key, const struct sym *t, const char *s)
{
	long long v;

	if (sym_lookup(t, s, &v) == 0)
		return v;
	if (parse_number(s, &v) == 0)
		return v;
	syntax("%s: unknown name '%s'", key, s);
}

/* A comma- or '|'-separated list of names/numbers OR-ed together ("dontwait,more", "0x40"). */
static long long sym_bits(const char *key, const struct sym *t, const char *s)
{
	char *copy = xstrdup(s), *save = NULL, *tok;
	long long v = 0;

	for (tok = strtok_r(copy, ",|", &save); tok; tok = strtok_r(NULL, ",|", &save))
		v |= sym_or_number(key, t, tok);
	free(copy);
	return v;
}

static const struct sym *optnames_for_level(long long level)
{
	switch (level) {
	case SOL_SOCKET:
		return sol_socket_names;
	case SOL_IP:
		return sol_ip_names;
	case SOL_IPV6:
		return sol_ipv6_names;
	case SOL_UDP:
	case 136:
		return sol_udp_names;
	default:
		return NULL;
	}
}

static long long optname_number(const char *key, long long level, const char *s)
{
	const struct sym *t = optnames_for_level(level);
	long long v;

	if (t && sym_lookup(t, s, &v) == 0)
		return v;
	if (parse_number(s, &v) == 0)
		return v;
	syntax("%s: unknown option name '%s' for level %lld", key, s, level);
}

static size_t parse_hex(const char *key, const char *s, unsigned char **out)
{
	size_t n = strlen(s), i;
	unsigned char *b;

	if (n % 2)
		syntax("%s: odd number of hex digits", key);
	b = xcalloc(n / 2 + 1, 1);
	for (i = 0; i < n / 2; i++) {
		unsigned int byte;

		if (!isxdigit((unsigned char)s[2 * i]) || !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &byte) != 1)
			syntax("%s: bad hex '%s'", key, s);
		b[i] = (unsigned char)byte;
	}
	*out = b;
	return n / 2;
}

/* ---------------------------------------------------------------------------------------------
 * Special pointers
 */

enum ptrkind { P_OK, P_NULL, P_BAD, P_KERNEL, P_PARTIAL };

static unsigned char *arena; /* ARENA_LEN accessible bytes, then one PROT_NONE page */
static unsigned char *guard; /* the PROT_NONE page: "bad" */

static void setup_arena(void)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *p;

	p = mmap(NULL, ARENA_LEN + (size_t)page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		oom();
	guard = p + ARENA_LEN;
	if (mprotect(guard, (size_t)page, PROT_NONE) < 0)
		oom();
	arena = p;
}

static int ptrkind_parse(const char *s, enum ptrkind *k)
{
	if (strcmp(s, "ok") == 0)
		*k = P_OK;
	else if (strcmp(s, "null") == 0)
		*k = P_NULL;
	else if (strcmp(s, "bad") == 0)
		*k = P_BAD;
	else if (strcmp(s, "kernel") == 0)
		*k = P_KERNEL;
	else if (strcmp(s, "partial") == 0)
		*k = P_PARTIAL;
	else
		return -1;
	return 0;
}

static void *special_ptr(enum ptrkind k)
{
	switch (k) {
	case P_NULL:
		return NULL;
	case P_BAD:
		return guard;
	case P_KERNEL:
		return (void *)(uintptr_t)KERNEL_PTR;
	default:
		return NULL;
	}
}

/* ---------------------------------------------------------------------------------------------
 * Specifications parsed from a line
 */

enum fill { F_SEQ, F_ZERO, F_BYTE, F_RAND };

struct seg {
	enum ptrkind kind;
	size_t len;
};

struct data_spec {
	struct seg *segs;
	size_t nsegs;
	int have_len, have_iov, have_buf;
	size_t len;
	enum ptrkind buf;
	enum fill fill;
	unsigned char fill_byte;
	uint64_t seed;
	unsigned char *hex;
	size_t hexlen;
	int have_hex;
};

struct addr_spec {
	int present;
	enum ptrkind kind; /* P_OK: bytes below */
	unsigned char bytes[128];
	size_t blen;
	int len_set;
	long long len;
	char
	    scope_dev[IF_NAMESIZE]; /* [ADDR%DEV]: sin6_scope_id = DEV's index, found at run time */
};

struct cmsg_spec {
	int level, type;
	unsigned char *data;
	size_t len;
};

struct msg_spec {
	struct data_spec data;
	struct addr_spec to;
	struct cmsg_spec *cmsgs;
	size_t ncmsgs;
	int have_control_raw;
	enum ptrkind control_kind;
	unsigned char *control_raw;
	size_t control_rawlen;
	int controllen_set;
	long long controllen;
	int msg_flags;
	int iovlen_set;
	long long iovlen;
	enum ptrkind iovp;
};

enum call {
	C_SOCKET,
	C_SETSOCKOPT,
	C_GETSOCKOPT,
	C_BIND,
	C_CONNECT,
	C_SEND,
	C_SENDTO,
	C_SENDMSG,
	C_SENDMMSG,
	C_WRITE,
	C_WRITEV,
	C_CLOSE,
	C_DUP,
	C_FCNTL,
	C_SHUTDOWN,
	C_SLEEP,
	C_RECV,
	C_DROPCAPS,
};

static const struct {
	const char *word;
	enum call call;
} call_words[] = {
    {"socket", C_SOCKET},
    {"setsockopt", C_SETSOCKOPT},
    {"getsockopt", C_GETSOCKOPT},
    {"bind", C_BIND},
    {"connect", C_CONNECT},
    {"send", C_SEND},
    {"sendto", C_SENDTO},
    {"sendmsg", C_SENDMSG},
    {"sendmmsg", C_SENDMMSG},
    {"write", C_WRITE},
    {"writev", C_WRITEV},
    {"close", C_CLOSE},
    {"dup", C_DUP},
    {"fcntl", C_FCNTL},
    {"shutdown", C_SHUTDOWN},
    {"sleep-ms", C_SLEEP},
    {"recv", C_RECV},
    {"drop-caps", C_DROPCAPS},
};

struct fdref {
	int name; /* index into names[], or -1 for a literal */
	int literal;
};

struct step {
	int line;
	int forked; /* "fork CALL ...": the call runs in a child process (fork), its line printed */
	enum call call;
	const char *word;
	struct fdref fd;
	int newname; /* socket/dup: the name defined */
	/* socket */
	int domain, type, proto;
	/* setsockopt/getsockopt */
	int level, optname;
	unsigned char *optval;
	size_t optvallen;
	enum ptrkind optkind;
	int optlen_set;
	long long optlen;
	/* bind/connect */
	struct addr_spec addr;
	/* send family */
	int flags;
	struct msg_spec *msgs;
	size_t nmsgs;
	int vlen_set;
	long long vlen;
	enum ptrkind vec_kind; /* sendmmsg: the mmsghdr array; sendmsg: the msghdr */
	/* fcntl */
	int nonblock;
	/* shutdown */
	int how;
	/* sleep-ms; recv: wait-ms (-1: no poll) */
	long long ms;
	/* recv: buffer size */
	long long rlen;
	/* drop-caps: capability bits to clear from the effective set */
	unsigned long long caps;
};

static char names[MAX_NAMES][MAX_NAME_LEN + 1];
static int name_fd[MAX_NAMES];
static int nnames;

static int is_name(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
		return 0;
	for (i = 1; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return i <= MAX_NAME_LEN;
}

static int find_name(const char *s)
{
	int i;

	for (i = 0; i < nnames; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static int define_name(const char *s)
{
	int i;

	if (!is_name(s))
		syntax("'%s' is not a valid socket name (letter or _, then letters, digits, _; at "
		       "most %d)",
		       s, MAX_NAME_LEN);
	i = find_name(s);
	if (i >= 0)
		return i; /* redefinition: the name now refers to the new fd */
	if (nnames == MAX_NAMES)
		syntax("too many socket names");
	snprintf(names[nnames], sizeof(names[nnames]), "%s", s);
	name_fd[nnames] = -1;
	return nnames++;
}

static struct fdref fd_ref(const char *s)
{
	struct fdref r = {.name = -1, .literal = -1};

	if (is_name(s)) {
		r.name = find_name(s);
		if (r.name < 0)
			syntax("undefined socket name '%s'", s);
		return r;
	}
	r.literal = (int)number("fd", s, INT_MIN, INT_MAX);
	return r;
}

/* ---------------------------------------------------------------------------------------------
 * Parsing of values
 */

static void parse_addr(const char *key, const char *s, struct addr_spec *a)
{
	memset(a, 0, sizeof(*a));
	a->present = 1;
	a->kind = P_OK;
	if (strcmp(s, "null") == 0 || strcmp(s, "bad") == 0 || strcmp(s, "kernel") == 0) {
		ptrkind_parse(s, &a->kind);
		a->blen = a->kind == P_NULL ? 0 : sizeof(struct sockaddr_in);
		return;
	}
	if (strcmp(s, "unspec") == 0) {
		struct sockaddr sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_family = AF_UNSPEC;
		memcpy(a->bytes, &sa, sizeof(sa));
		a->blen = sizeof(sa);
		return;
	}
	if (strncmp(s, "hex:", 4) == 0) {
		unsigned char *b;
		size_t n = parse_hex(key, s + 4, &b);

		if (n > sizeof(a->bytes))
			syntax("%s: at most %zu address bytes", key, sizeof(a->bytes));
		memcpy(a->bytes, b, n);
		a->blen = n;
		free(b);
		return;
	}
	if (s[0] == '[') {
		/* [IPV6]:PORT, [IPV6%SCOPE]:PORT (a number or a device name of namespace A),
		 * [IPV6]:PORT@FLOWINFO (sin6_flowinfo, host-order number stored big-endian) */
		struct sockaddr_in6 sin6;
		const char *close = strchr(s, ']');
		char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2], port[32], *pct, *at;
		size_t hl;

		if (!close || close[1] != ':' || (hl = (size_t)(close - s - 1)) >= sizeof(host) ||
		    strlen(close + 2) >= sizeof(port))
			syntax("%s: expected [IPV6]:PORT, got '%s'", key, s);
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		snprintf(port, sizeof(port), "%s", close + 2);
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		at = strchr(port, '@');
		if (at) {
			*at = '\0';
			sin6.sin6_flowinfo = htonl((uint32_t)number(key, at + 1, 0, UINT32_MAX));
		}
		pct = strchr(host, '%');
		if (pct) {
			*pct++ = '\0';
			if (isdigit((unsigned char)*pct))
				sin6.sin6_scope_id = (uint32_t)number(key, pct, 0, UINT32_MAX);
			else if (strlen(pct) < sizeof(a->scope_dev) && *pct)
				snprintf(a->scope_dev, sizeof(a->scope_dev), "%s", pct);
			else
				syntax("%s: bad scope '%s'", key, pct);
		}
		if (inet_pton(AF_INET6, host, &sin6.sin6_addr) != 1)
			syntax("%s: bad IPv6 address '%s'", key, host);
		sin6.sin6_port = htons((uint16_t)number(key, port, 0, 65535));
		memcpy(a->bytes, &sin6, sizeof(sin6));
		a->blen = sizeof(sin6);
		return;
	}
	{
		struct sockaddr_in sin;
		const char *colon = strrchr(s, ':');
		char host[INET_ADDRSTRLEN + 1];
		size_t hl;

		if (!colon || (hl = (size_t)(colon - s)) >= sizeof(host))
			syntax("%s: expected A.B.C.D:PORT, unspec, null, bad or hex:..., got '%s'",
			       key, s);
		memcpy(host, s, hl);
		host[hl] = '\0';
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
			syntax("%s: bad IPv4 address '%s'", key, host);
		sin.sin_port = htons((uint16_t)number(key, colon + 1, 0, 65535));
		memcpy(a->bytes, &sin, sizeof(sin));
		a->blen = sizeof(sin);
	}
}

static void parse_fill(const char *s, struct data_spec *d)
{
	if (strcmp(s, "seq") == 0) {
		d->fill = F_SEQ;
	} else if (strcmp(s, "zero") == 0) {
		d->fill = F_ZERO;
	} else if (strncmp(s, "byte:", 5) == 0) {
		d->fill = F_BYTE;
		d->fill_byte = (unsigned char)number("fill", s + 5, 0, 255);
	} else if (strncmp(s, "rand:", 5) == 0) {
		d->fill = F_RAND;
		d->seed = (uint64_t)number("fill", s + 5, 0, LLONG_MAX);
	} else {
		syntax("fill: expected seq, zero, byte:N or rand:SEED, got '%s'", s);
	}
}

/* iov=SPEC: comma-separated items N, COUNTxN, KIND:N, COUNTxKIND:N (KIND: ok bad null kernel
 * partial). */
static void parse_iov(const char *s, struct data_spec *d)
{
	char *copy = xstrdup(s), *save = NULL, *tok;

	free(d->segs);
	d->segs = xcalloc(MAX_SEGS, sizeof(*d->segs));
	d->nsegs = 0;
	if (*s == '\0' || strcmp(s, "none") == 0) {
		free(copy);
		d->have_iov = 1;
		return;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long long count = 1, i;
		enum ptrkind kind = P_OK;
		size_t len, dl = strspn(tok, "0123456789");
		char *colon;

		/* COUNTxLEN; "0x.." alone is a hex number */
		if (dl > 0 && tok[dl] == 'x' && !(dl == 1 && tok[0] == '0')) {
			tok[dl] = '\0';
			count = number("iov", tok, 1, MAX_SEGS);
			tok += dl + 1;
		}
		colon = strchr(tok, ':');
		if (colon) {
			*colon = '\0';
			if (ptrkind_parse(tok, &kind) < 0)
				syntax("iov: unknown buffer kind '%s'", tok);
			tok = colon + 1;
		}
		len = (size_t)number("iov", tok, LLONG_MIN, LLONG_MAX);
		if (kind == P_OK && len > MAX_BUF)
			syntax("iov: segment of %zu bytes is larger than %u", len, MAX_BUF);
		if (kind == P_PARTIAL && (len < 1 || len > ARENA_LEN))
			syntax("iov: partial segment needs 1..%u bytes", ARENA_LEN);
		for (i = 0; i < count; i++) {
			if (d->nsegs == MAX_SEGS)
				syntax("iov: more than %d segments", MAX_SEGS);
			d->segs[d->nsegs].kind = kind;
			d->segs[d->nsegs].len = len;
			d->nsegs++;
		}
	}
	free(copy);
	d->have_iov = 1;
}

/* A key of the payload family; returns 0 if the key is not one. */
static int data_key(const char *key, const char *val, struct data_spec *d, int iov_allowed)
{
	if (strcmp(key, "len") == 0) {
		d->len = (size_t)number(key, val, LLONG_MIN, LLONG_MAX);
		d->have_len = 1;
	} else if (strcmp(key, "fill") == 0) {
		parse_fill(val, d);
	} else if (strcmp(key, "hex") == 0) {
		free(d->hex);
		d->hexlen = parse_hex(key, val, &d->hex);
		d->have_hex = 1;
	} else if (strcmp(key, "buf") == 0) {
		if (ptrkind_parse(val, &d->buf) < 0)
			syntax("buf: expected ok, null, bad, kernel or partial, got '%s'", val);
		d->have_buf = 1;
	} else if (strcmp(key, "iov") == 0 && iov_allowed) {
		parse_iov(val, d);
	} else {
		return 0;
	}
	return 1;
}

/* Completes a payload spec: one segment from len/buf/hex unless iov= gave the segments. */
static void data_finish(struct data_spec *d)
{
	size_t i, valid = 0;
	int partial = 0;

	if (d->have_iov) {
		if (d->have_len || d->have_buf)
			syntax("iov= cannot be combined with len= or buf=");
	} else {
		d->segs = xcalloc(1, sizeof(*d->segs));
		d->nsegs = 1;
		d->segs[0].kind = d->have_buf ? d->buf : P_OK;
		d->segs[0].len = d->have_len ? d->len : d->have_hex ? d->hexlen : 0;
		if (d->segs[0].kind == P_OK && d->segs[0].len > MAX_BUF)
			syntax(
			    "len: %zu is larger than %u (use buf=bad/null/kernel for huge lengths)",
			    d->segs[0].len, MAX_BUF);
		if (d->segs[0].kind == P_PARTIAL &&
		    (d->segs[0].len < 1 || d->segs[0].len > ARENA_LEN))
			syntax("buf=partial needs len 1..%u", ARENA_LEN);
	}
	for (i = 0; i < d->nsegs; i++) {
		if (d->segs[i].kind == P_OK)
			valid += d->segs[i].len;
		else if (d->segs[i].kind == P_PARTIAL)
			valid += d->segs[i].len - 1, partial++;
	}
	if (partial > 1)
		syntax("at most one partial buffer per message");
	if (d->have_hex && d->hexlen != valid)
		syntax("hex= gives %zu bytes, the buffers hold %zu", d->hexlen, valid);
}

static void parse_cmsg(const char *val, struct msg_spec *m)
{
	char *copy = xstrdup(val), *lv, *ty, *rest, *p;
	struct cmsg_spec *c;
	long long level;

	lv = copy;
	ty = strchr(lv, ':');
	if (!ty)
		syntax("cmsg: expected LEVEL:TYPE:DATA, got '%s'", val);
	*ty++ = '\0';
	rest = strchr(ty, ':');
	if (!rest)
		syntax("cmsg: expected LEVEL:TYPE:DATA, got '%s'", val);
	*rest++ = '\0';
	m->cmsgs = realloc(m->cmsgs, (m->ncmsgs + 1) * sizeof(*m->cmsgs));
	if (!m->cmsgs)
		oom();
	c = &m->cmsgs[m->ncmsgs++];
	memset(c, 0, sizeof(*c));
	level = sym_or_number("cmsg level", levels, lv);
	c->level = (int)level;
	c->type = (int)optname_number("cmsg type", level, ty);
	if (strncmp(rest, "in6pktinfo:", 11) == 0) {
		/* struct in6_pktinfo: ADDR,IFINDEX (an empty ADDR is ::) */
		char *comma = strchr(rest + 11, ',');
		struct in6_pktinfo pi;

		if (!comma)
			syntax("cmsg: expected in6pktinfo:ADDR,IFINDEX, got '%s'", rest);
		*comma = '\0';
		memset(&pi, 0, sizeof(pi));
		if (rest[11] && inet_pton(AF_INET6, rest + 11, &pi.ipi6_addr) != 1)
			syntax("cmsg: bad IPv6 address '%s'", rest + 11);
		pi.ipi6_ifindex = (int)number("cmsg", comma + 1, INT_MIN, INT_MAX);
		c->data = xcalloc(sizeof(pi), 1);
		memcpy(c->data, &pi, sizeof(pi));
		c->len = sizeof(pi);
		free(copy);
		return;
	}
	p = strchr(rest, ':');
	if (p && (strncmp(rest, "int:", 4) == 0 || strncmp(rest, "u16:", 4) == 0 ||
		  strncmp(rest, "u8:", 3) == 0)) {
		long long v = number("cmsg", p + 1, INT_MIN, UINT_MAX);

		c->data = xcalloc(4, 1);
		if (rest[0] == 'i') {
			int iv = (int)v;

			memcpy(c->data, &iv, 4);
			c->len = 4;
		} else if (rest[1] == '1') {
			uint16_t sv = (uint16_t)v;

			memcpy(c->data, &sv, 2);
			c->len = 2;
		} else {
			c->data[0] = (unsigned char)v;
			c->len = 1;
		}
	} else {
		c->len =
		    parse_hex("cmsg", strncmp(rest, "hex:", 4) == 0 ? rest + 4 : rest, &c->data);
	}
	free(copy);
}

/* A key of a message (sendmsg/sendmmsg entries); returns 0 if the key is not one. */
static int msg_key(const char *key, const char *val, struct msg_spec *m)
{
	if (data_key(key, val, &m->data, 1))
		return 1;
	if (strcmp(key, "to") == 0) {
		long long keep = m->to.len;
		int keep_set = m->to.len_set;

		parse_addr(key, val, &m->to);
		m->to.len = keep;
		m->to.len_set = keep_set;
	} else if (strcmp(key, "tolen") == 0) {
		m->to.len = number(key, val, INT_MIN, UINT_MAX);
		m->to.len_set = 1;
	} else if (strcmp(key, "cmsg") == 0) {
		parse_cmsg(val, m);
	} else if (strcmp(key, "control") == 0) {
		m->have_control_raw = 1;
		free(m->control_raw);
		m->control_raw = NULL;
		m->control_rawlen = 0;
		if (ptrkind_parse(val, &m->control_kind) == 0) {
			if (m->control_kind == P_OK || m->control_kind == P_PARTIAL)
				syntax("control: expected null, bad, kernel or hex");
		} else {
			m->control_kind = P_OK;
			m->control_rawlen = parse_hex(key, val, &m->control_raw);
		}
	} else if (strcmp(key, "controllen") == 0) {
		m->controllen = number(key, val, 0, LLONG_MAX);
		m->controllen_set = 1;
	} else if (strcmp(key, "msg_flags") == 0) {
		m->msg_flags = (int)sym_bits(key, msg_flag_names, val);
	} else if (strcmp(key, "iovlen") == 0) {
		m->iovlen = number(key, val, LLONG_MIN, LLONG_MAX);
		m->iovlen_set = 1;
	} else if (strcmp(key, "iovp") == 0) {
		if (ptrkind_parse(val, &m->iovp) < 0 || m->iovp == P_PARTIAL)
			syntax("iovp: expected ok, null, bad or kernel");
	} else {
		return 0;
	}
	return 1;
}

static void msg_finish(struct msg_spec *m)
{
	data_finish(&m->data);
	if (m->have_control_raw && m->ncmsgs)
		syntax("control= cannot be combined with cmsg=");
}

/* ---------------------------------------------------------------------------------------------
 * Parsing of lines
 */

struct kv {
	char *key;
	char *val;
};

static void split_kv(char *tok, struct kv *kv)
{
	char *eq = strchr(tok, '=');

	if (!eq || eq == tok)
		syntax("expected key=value, got '%s'", tok);
	*eq = '\0';
	kv->key = tok;
	kv->val = eq + 1;
}

static void __attribute__((noreturn)) unknown_key(const struct step *st, const char *key)
{
	syntax("%s: unknown key '%s'", st->word, key);
}

/* Positional arguments of a call: tokens [1, 1 + npos). */
static void need_positional(const struct step *st, int ntok, char **tok, int npos)
{
	int i;

	if (ntok < 1 + npos)
		syntax("%s: expected %d argument%s before the keys", st->word, npos,
		       npos == 1 ? "" : "s");
	for (i = 1; i < 1 + npos; i++)
		if (strchr(tok[i], '=') || strcmp(tok[i], "|") == 0)
			syntax("%s: expected %d argument%s before the keys", st->word, npos,
			       npos == 1 ? "" : "s");
}

static void free_msg(struct msg_spec *m);

static void parse_sendmmsg(struct step *st, int ntok, char **tok)
{
	int i, first_bar = -1, nbars = 0, seg_start;
	long long n = -1;
	size_t k;

	for (i = 2; i < ntok; i++) {
		if (strcmp(tok[i], "|") == 0) {
			if (first_bar < 0)
				first_bar = i;
			nbars++;
		}
	}
	if (first_bar < 0)
		first_bar = ntok;
	/* Call-level keys come first; message keys before the first '|' are defaults for all. */
	for (i = 2; i < first_bar; i++) {
		struct kv kv;
		char *t = xstrdup(tok[i]);

		split_kv(t, &kv);
		if (strcmp(kv.key, "flags") == 0)
			st->flags = (int)sym_bits(kv.key, msg_flag_names, kv.val);
		else if (strcmp(kv.key, "vlen") == 0)
			st->vlen = number(kv.key, kv.val, 0, UINT_MAX), st->vlen_set = 1;
		else if (strcmp(kv.key, "vec") == 0) {
			if (ptrkind_parse(kv.val, &st->vec_kind) < 0 || st->vec_kind == P_PARTIAL)
				syntax("vec: expected null, bad or kernel");
		} else if (strcmp(kv.key, "n") == 0)
			n = number(kv.key, kv.val, 0, MAX_MSGS);
		else {
			struct msg_spec probe;

			memset(&probe, 0, sizeof(probe));
			if (!msg_key(kv.key, kv.val, &probe))
				unknown_key(st, kv.key);
			free_msg(&probe);
		}
		free(t);
	}
	if (nbars && n >= 0)
		syntax("sendmmsg: n= cannot be combined with '|' messages");
	st->nmsgs = nbars ? (size_t)nbars : (size_t)(n >= 0 ? n : 1);
	st->msgs = xcalloc(st->nmsgs, sizeof(*st->msgs));
	seg_start = first_bar;
	for (k = 0; k < st->nmsgs; k++) {
		struct msg_spec *m = &st->msgs[k];
		int seg_end = seg_start + 1;

		if (nbars)
			while (seg_end < ntok && strcmp(tok[seg_end], "|") != 0)
				seg_end++;
		/* defaults, then this message's own keys */
		for (i = 2; i < first_bar; i++) {
			struct kv kv;
			char *t = xstrdup(tok[i]);

			split_kv(t, &kv);
			if (strcmp(kv.key, "flags") && strcmp(kv.key, "vlen") &&
			    strcmp(kv.key, "vec") && strcmp(kv.key, "n"))
				msg_key(kv.key, kv.val, m);
			free(t);
		}
		if (nbars) {
			for (i = seg_start + 1; i < seg_end; i++) {
				struct kv kv;
				char *t = xstrdup(tok[i]);

				split_kv(t, &kv);
				if (!msg_key(kv.key, kv.val, m))
					syntax("sendmmsg: unknown message key '%s' (call keys go "
					       "before the first '|')",
					       kv.key);
				free(t);
			}
			seg_start = seg_end;
		}
		msg_finish(m);
	}
}

static void parse_line(struct step *st, int ntok, char **tok)
{
	const char *optname_str = NULL;
	size_t c;
	int i, first_key = 1, have_level = 0;

	for (c = 0; c < sizeof(call_words) / sizeof(call_words[0]); c++)
		if (strcmp(tok[0], call_words[c].word) == 0)
			break;
	if (c == sizeof(call_words) / sizeof(call_words[0]))
		syntax("unknown word '%s'", tok[0]);
	st->call = call_words[c].call;
	st->word = call_words[c].word;
	st->newname = -1;
	st->fd.name = -1;
	st->vec_kind = P_OK;

	switch (st->call) {
	case C_DROPCAPS: {
		char *list, *save = NULL;

		need_positional(st, ntok, tok, 1);
		if (ntok != 2)
			syntax("drop-caps takes one list (net_admin,net_raw)");
		list = strdup(tok[1]);
		for (char *w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
			if (strcmp(w, "net_admin") == 0)
				st->caps |= 1ull << 12; /* CAP_NET_ADMIN */
			else if (strcmp(w, "net_raw") == 0)
				st->caps |= 1ull << 13; /* CAP_NET_RAW */
			else
				syntax("drop-caps: unknown capability (net_admin, net_raw)");
		}
		free(list);
		return;
	}
	case C_SLEEP:
		need_positional(st, ntok, tok, 1);
		if (ntok != 2)
			syntax("sleep-ms takes one number");
		st->ms = number("sleep-ms", tok[1], 0, 60000);
		return;
	case C_SOCKET:
		need_positional(st, ntok, tok, 1);
		st->domain = AF_INET;
		st->type = SOCK_DGRAM;
		st->proto = 0;
		first_key = 2;
		break;
	case C_DUP:
		need_positional(st, ntok, tok, 2);
		if (ntok != 3)
			syntax("dup takes NEW OLD");
		st->fd = fd_ref(tok[2]);
		st->newname = define_name(tok[1]);
		return;
	case C_SENDMMSG:
		need_positional(st, ntok, tok, 1);
		st->fd = fd_ref(tok[1]);
		parse_sendmmsg(st, ntok, tok);
		return;
	case C_RECV:
		st->rlen = 65536;
		st->ms = -1;
		/* fall through */
	default:
		need_positional(st, ntok, tok, 1);
		st->fd = fd_ref(tok[1]);
		first_key = 2;
		break;
	}
	if (st->call == C_SEND || st->call == C_SENDTO || st->call == C_SENDMSG ||
	    st->call == C_WRITE || st->call == C_WRITEV) {
		st->msgs = xcalloc(1, sizeof(*st->msgs));
		st->nmsgs = 1;
	}
	for (i = first_key; i < ntok; i++) {
		struct kv kv;
		const char *key;

		split_kv(tok[i], &kv);
		key = kv.key;
		switch (st->call) {
		case C_SOCKET:
			if (strcmp(key, "domain") == 0)
				st->domain = (int)sym_or_number(key, domains, kv.val);
			else if (strcmp(key, "type") == 0)
				st->type = (int)sym_bits(key, types, kv.val);
			else if (strcmp(key, "proto") == 0)
				st->proto = (int)sym_or_number(key, protos, kv.val);
			else
				unknown_key(st, key);
			break;
		case C_SETSOCKOPT:
		case C_GETSOCKOPT:
			if (strcmp(key, "level") == 0) {
				st->level = (int)sym_or_number(key, levels, kv.val);
				have_level = 1;
			} else if (strcmp(key, "name") == 0) {
				optname_str = kv.val; /* resolved below, once the level is known */
			} else if (strcmp(key, "int") == 0 && st->call == C_SETSOCKOPT) {
				int v = (int)number(key, kv.val, INT_MIN, UINT_MAX);

				free(st->optval);
				st->optval = xcalloc(sizeof(v), 1);
				memcpy(st->optval, &v, sizeof(v));
				st->optvallen = sizeof(v);
			} else if (strcmp(key, "hex") == 0 && st->call == C_SETSOCKOPT) {
				free(st->optval);
				st->optvallen = parse_hex(key, kv.val, &st->optval);
			} else if (strcmp(key, "str") == 0 && st->call == C_SETSOCKOPT) {
				free(st->optval);
				st->optval = (unsigned char *)xstrdup(kv.val);
				st->optvallen = strlen(kv.val) + 1;
			} else if (strcmp(key, "val") == 0) {
				if (ptrkind_parse(kv.val, &st->optkind) < 0 ||
				    st->optkind == P_PARTIAL || st->optkind == P_OK)
					syntax("val: expected null, bad or kernel");
			} else if (strcmp(key, "optlen") == 0) {
				st->optlen = number(key, kv.val, INT_MIN, UINT_MAX);
				st->optlen_set = 1;
			} else {
				unknown_key(st, key);
			}
			break;
		case C_BIND:
		case C_CONNECT:
			if (strcmp(key, "addr") == 0) {
				long long keep = st->addr.len;
				int keep_set = st->addr.len_set;

				parse_addr(key, kv.val, &st->addr);
				st->addr.len = keep;
				st->addr.len_set = keep_set;
			} else if (strcmp(key, "addrlen") == 0) {
				st->addr.len = number(key, kv.val, INT_MIN, UINT_MAX);
				st->addr.len_set = 1;
			} else {
				unknown_key(st, key);
			}
			break;
		case C_SEND:
		case C_WRITE:
			if (strcmp(key, "flags") == 0 && st->call == C_SEND)
				st->flags = (int)sym_bits(key, msg_flag_names, kv.val);
			else if (!data_key(key, kv.val, &st->msgs[0].data, 0))
				unknown_key(st, key);
			break;
		case C_SENDTO:
			if (strcmp(key, "flags") == 0)
				st->flags = (int)sym_bits(key, msg_flag_names, kv.val);
			else if (strcmp(key, "to") == 0 || strcmp(key, "tolen") == 0)
				msg_key(key, kv.val, &st->msgs[0]);
			else if (!data_key(key, kv.val, &st->msgs[0].data, 0))
				unknown_key(st, key);
			break;
		case C_SENDMSG:
			if (strcmp(key, "flags") == 0)
				st->flags = (int)sym_bits(key, msg_flag_names, kv.val);
			else if (strcmp(key, "msg") == 0) {
				if (ptrkind_parse(kv.val, &st->vec_kind) < 0 ||
				    st->vec_kind == P_PARTIAL)
					syntax("msg: expected null, bad or kernel");
			} else if (!msg_key(key, kv.val, &st->msgs[0]))
				unknown_key(st, key);
			break;
		case C_WRITEV:
			if (strcmp(key, "iovcnt") == 0)
				st->msgs[0].iovlen = number(key, kv.val, INT_MIN, INT_MAX),
				st->msgs[0].iovlen_set = 1;
			else if (strcmp(key, "iovp") == 0)
				msg_key(key, kv.val, &st->msgs[0]);
			else if (!data_key(key, kv.val, &st->msgs[0].data, 1))
				unknown_key(st, key);
			break;
		case C_FCNTL:
			if (strcmp(key, "nonblock") == 0)
				st->nonblock = (int)number(key, kv.val, 0, 1);
			else
				unknown_key(st, key);
			break;
		case C_SHUTDOWN:
			if (strcmp(key, "how") == 0)
				st->how = (int)sym_or_number(key, shut_names, kv.val);
			else
				unknown_key(st, key);
			break;
		case C_RECV:
			if (strcmp(key, "flags") == 0)
				st->flags = (int)sym_bits(key, msg_flag_names, kv.val);
			else if (strcmp(key, "len") == 0)
				st->rlen = number(key, kv.val, 0, 65536);
			else if (strcmp(key, "wait-ms") == 0)
				st->ms = number(key, kv.val, 0, 60000);
			else
				unknown_key(st, key);
			break;
		case C_CLOSE:
		default:
			unknown_key(st, key);
		}
	}
	/* Second pass for option names: they depend on the level, wherever it was given. */
	if (st->call == C_SETSOCKOPT || st->call == C_GETSOCKOPT) {
		if (!have_level || !optname_str)
			syntax("%s needs level= and name=", st->word);
		st->optname = (int)optname_number("name", st->level, optname_str);
		if (st->call == C_SETSOCKOPT && !st->optval && st->optkind == P_OK)
			syntax("setsockopt needs int=, hex=, str= or val=");
		if (st->call == C_GETSOCKOPT && st->optkind == P_OK && st->optlen_set &&
		    (st->optlen < 0 || st->optlen > 512))
			syntax("getsockopt: optlen outside 0..512 needs val=bad/null/kernel");
	}
	if (st->call == C_SOCKET)
		st->newname = define_name(tok[1]);
	if ((st->call == C_BIND || st->call == C_CONNECT) && !st->addr.present)
		syntax("%s needs addr=", st->word);
	if (st->msgs)
		msg_finish(&st->msgs[0]);
}

static int tokenize(char *line, char **tok)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '\0' || *p == '#')
			break;
		if (n == MAX_TOKENS)
			syntax("more than %d words on a line", MAX_TOKENS);
		tok[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

/* The steps being parsed: kept here so that --serve can free them after a syntax error. */
static struct step *parse_steps;
static size_t parse_nsteps;

/* Parses lines of f until its end or, with block_end, until a line equal to block_end (returns 1
 * then, 0 at the end of f). */
static int parse_block(FILE *f, const char *block_end)
{
	size_t cap = 0;
	char *line = NULL;
	size_t linecap = 0;
	static char *tok[MAX_TOKENS];
	int ended = 0;

	parse_steps = NULL;
	parse_nsteps = 0;
	cur_line = 0;
	while (getline(&line, &linecap, f) >= 0) {
		struct step *st;
		int ntok;

		cur_line++;
		if (block_end && strncmp(line, block_end, strlen(block_end)) == 0 &&
		    (line[strlen(block_end)] == '\n' || line[strlen(block_end)] == '\0')) {
			ended = 1;
			break;
		}
		ntok = tokenize(line, tok);
		if (ntok == 0)
			continue;
		if (parse_nsteps == cap) {
			cap = cap ? cap * 2 : 64;
			parse_steps = realloc(parse_steps, cap * sizeof(*parse_steps));
			if (!parse_steps)
				oom();
		}
		st = &parse_steps[parse_nsteps++]; /* counted first: free_steps sees it */
		memset(st, 0, sizeof(*st));
		st->line = cur_line;
		if (strcmp(tok[0], "fork") == 0) {
			if (ntok < 2)
				syntax("fork needs a call (fork send s len=1)");
			st->forked = 1;
			parse_line(st, ntok - 1, tok + 1);
			if (st->call == C_SOCKET || st->call == C_DUP || st->call == C_DROPCAPS ||
			    st->call == C_SLEEP)
				syntax(
				    "fork: %s cannot run in the child (its effect would be lost)",
				    st->word);
		} else {
			parse_line(st, ntok, tok);
		}
	}
	free(line);
	return ended;
}

static void free_msg(struct msg_spec *m)
{
	size_t i;

	free(m->data.segs);
	free(m->data.hex);
	for (i = 0; i < m->ncmsgs; i++)
		free(m->cmsgs[i].data);
	free(m->cmsgs);
	free(m->control_raw);
}

/* Frees what parse_block allocated (--serve runs many sequences in one process). */
static void free_steps(void)
{
	size_t i, k;

	for (i = 0; i < parse_nsteps; i++) {
		struct step *st = &parse_steps[i];

		free(st->optval);
		for (k = 0; st->msgs && k < st->nmsgs; k++)
			free_msg(&st->msgs[k]);
		free(st->msgs);
	}
	free(parse_steps);
	parse_steps = NULL;
	parse_nsteps = 0;
}

/* ---------------------------------------------------------------------------------------------
 * Building the call arguments
 */

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64* */
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* The payload stream of message number k: valid bytes in segment order. */
static unsigned char *payload_stream(const struct data_spec *d, size_t total, size_t k)
{
	unsigned char *b = xcalloc(total + 1, 1);
	uint64_t s = d->seed * 0x9E3779B97F4A7C15ull + k + 1;
	size_t i;

	if (d->have_hex) {
		memcpy(b, d->hex, total);
		return b;
	}
	for (i = 0; i < total; i++) {
		switch (d->fill) {
		case F_SEQ:
			b[i] = (unsigned char)((i + k) & 0xff);
			break;
		case F_ZERO:
			b[i] = 0;
			break;
		case F_BYTE:
			b[i] = d->fill_byte;
			break;
		case F_RAND:
			b[i] = (unsigned char)(rng_next(&s) >> 56);
			break;
		}
	}
	return b;
}

struct built {
	struct iovec *iov;
	size_t niov;
	void **allocs;
	size_t nallocs;
	unsigned char *name;
	socklen_t namelen;
	void *control;
	size_t controllen;
};

static void *track(struct built *b, void *p)
{
	b->allocs[b->nallocs++] = p;
	return p;
}

static void build_addr(const struct addr_spec *a, unsigned char **ptr, socklen_t *len)
{
	if (!a->present) {
		*ptr = NULL;
		*len = a->len_set ? (socklen_t)a->len : 0;
		return;
	}
	*ptr = a->kind == P_OK ? (unsigned char *)(uintptr_t)a->bytes : special_ptr(a->kind);
	*len = a->len_set ? (socklen_t)a->len : (socklen_t)a->blen;
	if (a->kind == P_OK && a->scope_dev[0]) {
		/* a device name: its index in this namespace (0 if there is no such device) */
		uint32_t idx = if_nametoindex(a->scope_dev);

		memcpy(*ptr + offsetof(struct sockaddr_in6, sin6_scope_id), &idx, sizeof(idx));
	}
}

static void build_msg(const struct msg_spec *m, size_t k, struct built *b)
{
	const struct data_spec *d = &m->data;
	size_t i, total = 0, off = 0, niov_alloc;
	unsigned char *stream;

	memset(b, 0, sizeof(*b));
	niov_alloc = d->nsegs;
	if (m->iovlen_set && m->iovlen > 0 && (size_t)m->iovlen > niov_alloc &&
	    m->iovlen <= MAX_SEGS)
		niov_alloc = (size_t)m->iovlen; /* extra entries stay zero: empty segments */
	b->iov = xcalloc(niov_alloc, sizeof(*b->iov));
	b->niov = d->nsegs;
	b->allocs = xcalloc(d->nsegs + 2, sizeof(void *));
	for (i = 0; i < d->nsegs; i++) {
		if (d->segs[i].kind == P_OK)
			total += d->segs[i].len;
		else if (d->segs[i].kind == P_PARTIAL)
			total += d->segs[i].len - 1;
	}
	stream = payload_stream(d, total, k);
	for (i = 0; i < d->nsegs; i++) {
		const struct seg *s = &d->segs[i];
		unsigned char *p;

		switch (s->kind) {
		case P_OK:
			p = track(b, xcalloc(s->len, 1));
			memcpy(p, stream + off, s->len);
			off += s->len;
			break;
		case P_PARTIAL:
			p = guard - (s->len - 1);
			memcpy(p, stream + off, s->len - 1);
			off += s->len - 1;
			break;
		default:
			p = special_ptr(s->kind);
			break;
		}
		b->iov[i].iov_base = p;
		b->iov[i].iov_len = s->len;
	}
	free(stream);
	build_addr(&m->to, &b->name, &b->namelen);

	if (m->have_control_raw && m->control_kind != P_OK) {
		b->control = special_ptr(m->control_kind);
		b->controllen = m->controllen_set ? (size_t)m->controllen : 16;
	} else {
		size_t need = 0, alloc;
		unsigned char *cbuf;

		if (m->have_control_raw)
			need = m->control_rawlen;
		for (i = 0; i < m->ncmsgs; i++)
			need += CMSG_SPACE(m->cmsgs[i].len);
		alloc = need;
		if (m->controllen_set && (size_t)m->controllen > alloc &&
		    (size_t)m->controllen <= ARENA_LEN)
			alloc = (size_t)m->controllen;
		if (alloc == 0 && !m->controllen_set) {
			b->control = NULL;
			b->controllen = 0;
			return;
		}
		cbuf = track(b, xcalloc(alloc + 1, 1));
		if (m->have_control_raw) {
			memcpy(cbuf, m->control_raw, m->control_rawlen);
		} else {
			size_t pos = 0;

			for (i = 0; i < m->ncmsgs; i++) {
				struct cmsghdr *c = (struct cmsghdr *)(void *)(cbuf + pos);

				c->cmsg_level = m->cmsgs[i].level;
				c->cmsg_type = m->cmsgs[i].type;
				c->cmsg_len = CMSG_LEN(m->cmsgs[i].len);
				memcpy(CMSG_DATA(c), m->cmsgs[i].data, m->cmsgs[i].len);
				pos += CMSG_SPACE(m->cmsgs[i].len);
			}
		}
		b->control = cbuf;
		b->controllen = m->controllen_set ? (size_t)m->controllen : need;
	}
}

static void free_built(struct built *b)
{
	size_t i;

	for (i = 0; i < b->nallocs; i++)
		free(b->allocs[i]);
	free(b->allocs);
	free(b->iov);
}

static void fill_msghdr(const struct msg_spec *m, struct built *b, struct msghdr *mh)
{
	memset(mh, 0, sizeof(*mh));
	mh->msg_name = b->name;
	mh->msg_namelen = b->namelen;
	mh->msg_iov = m->iovp == P_OK ? b->iov : special_ptr(m->iovp);
	mh->msg_iovlen = m->iovlen_set ? (size_t)m->iovlen : b->niov;
	mh->msg_control = b->control;
	mh->msg_controllen = b->controllen;
	mh->msg_flags = m->msg_flags;
}

/* ---------------------------------------------------------------------------------------------
 * Execution
 */

static int resolve_fd(const struct fdref *r)
{
	return r->name >= 0 ? name_fd[r->name] : r->literal;
}

static void print_sockaddr(const char *label, const struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		printf(" %s=%s:%u", label, host, ntohs(sin->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		if (sin6->sin6_scope_id)
			printf(" %s=[%s%%%u]:%u", label, host, sin6->sin6_scope_id,
			       ntohs(sin6->sin6_port));
		else
			printf(" %s=[%s]:%u", label, host, ntohs(sin6->sin6_port));
	} else {
		printf(" %s=family%u", label, ss->ss_family);
	}
}

/* local= and peer= of an fd, if it is an IP socket; nothing otherwise. Keeps errno. */
static void print_endpoints(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int saved = errno;

	memset(&ss, 0, sizeof(ss));
	if (fd >= 0 && getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)) {
		print_sockaddr("local", &ss);
		len = sizeof(ss);
		memset(&ss, 0, sizeof(ss));
		if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
			print_sockaddr("peer", &ss);
		else
			printf(" peer=none");
	}
	errno = saved;
}

static void print_hex(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
}

/* What a recv step got: the sender's address, a digest of the bytes, the control messages. */
struct recv_out {
	struct sockaddr_storage from;
	socklen_t fromlen;
	size_t got; /* bytes in buf */
	unsigned char *buf;
	unsigned char control[512];
	size_t controllen;
	int msg_flags;
};

/* recvmsg after waiting up to wait-ms for the socket to become readable (poll; a timeout leaves
 * the call to answer EAGAIN with MSG_DONTWAIT, or to block without it). */
static long long do_recv(int fd, const struct step *st, struct recv_out *o)
{
	struct iovec iov;
	struct msghdr mh;
	long long ret;

	memset(o, 0, sizeof(*o));
	o->buf = xcalloc(st->rlen ? (size_t)st->rlen : 1, 1);
	if (st->ms >= 0) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		while (poll(&p, 1, (int)st->ms) < 0 && errno == EINTR)
			;
	}
	iov.iov_base = o->buf;
	iov.iov_len = (size_t)st->rlen;
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &o->from;
	mh.msg_namelen = sizeof(o->from);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = o->control;
	mh.msg_controllen = sizeof(o->control);
	errno = 0;
	ret = recvmsg(fd, &mh, st->flags);
	if (ret >= 0) {
		o->fromlen = mh.msg_namelen;
		o->got = (size_t)ret < (size_t)st->rlen ? (size_t)ret : (size_t)st->rlen;
		o->controllen = mh.msg_controllen;
		o->msg_flags = mh.msg_flags;
	}
	return ret;
}

/* from=ADDR:PORT len= sum=FNV-1a-32 of the bytes received [msg_flags=] [rcmsg=LEVEL:TYPE:HEX]...
 * Nothing in it is random: the sender's port is masked by compare.py like local=/peer=. */
static void print_recv(const struct recv_out *o)
{
	uint32_t h = 2166136261u;
	struct msghdr mh;
	struct cmsghdr *c;

	if (o->fromlen >= sizeof(sa_family_t))
		print_sockaddr("from", &o->from);
	for (size_t i = 0; i < o->got; i++)
		h = (h ^ o->buf[i]) * 16777619u;
	printf(" got=%zu sum=%08x", o->got, h);
	if (o->msg_flags)
		printf(" msg_flags=0x%x", (unsigned)o->msg_flags);
	memset(&mh, 0, sizeof(mh));
	mh.msg_control = (void *)o->control;
	mh.msg_controllen = o->controllen;
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		printf(" rcmsg=%d:%d:", c->cmsg_level, c->cmsg_type);
		print_hex(CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0));
	}
}

/* --serve: the fds the current sequence opened (socket, dup) and has not closed; closed at its end
 */
static unsigned char *owned_fds;
#define OWNED_MAX 4096
static int in_child; /* this process is the child of a "fork CALL" step */

static void own_fd(long long fd, int owned)
{
	if (owned_fds && fd >= 0 && fd < OWNED_MAX)
		owned_fds[fd] = (unsigned char)owned;
}

static void run_step(const struct step *st, size_t stepno);

/* "fork CALL ...": the call runs in a forked child (which then ends with _exit), on the fds it
 * shares with the parent; its result line is printed by the parent with " forked" appended, and
 * " child=exit:N" or " child=signal:N" when the child did not end with status 0. */
static void run_forked(const struct step *st, size_t stepno)
{
	char buf[16384];
	size_t n = 0;
	int pfd[2], status = 0;
	pid_t pid;

	fflush(stdout);
	if (pipe(pfd) < 0) {
		printf("%zu %s forked child=pipe-failed\n", stepno, st->word);
		return;
	}
	pid = fork();
	if (pid == 0) {
		in_child = 1;
		close(pfd[0]);
		dup2(pfd[1], 1);
		close(pfd[1]);
		alarm(10);
		run_step(st, stepno);
		fflush(stdout);
		_exit(0);
	}
	close(pfd[1]);
	if (pid > 0) {
		for (;;) {
			ssize_t r = read(pfd[0], buf + n, sizeof(buf) - 1 - n);

			if (r > 0)
				n += (size_t)r;
			else if (r == 0 || errno != EINTR || n == sizeof(buf) - 1)
				break;
		}
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	close(pfd[0]);
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n > 0)
		printf("%s forked", buf);
	else
		printf("%zu %s forked", stepno, st->word);
	if (pid < 0)
		printf(" child=fork-failed");
	else if (WIFSIGNALED(status))
		printf(" child=signal:%d", WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		printf(" child=exit:%d", WEXITSTATUS(status));
	putchar('\n');
	fflush(stdout);
}

static void run_step(const struct step *st, size_t stepno)
{
	struct recv_out ro = {0};
	int fd = resolve_fd(&st->fd);
	long long ret = 0;
	int err = 0, show_fd = 1;
	struct built b;
	struct msghdr mh;
	unsigned char optbuf[512];
	socklen_t optlen = 0;
	unsigned int *lens = NULL;
	size_t nlens = 0, i;

	cur_line = st->line;
	if (st->forked && !in_child) {
		run_forked(st, stepno);
		return;
	}
	errno = 0;
	switch (st->call) {
	case C_DROPCAPS: {
		/* clear the bits from the effective set (capget/capset, version 3) */
		struct {
			uint32_t version;
			int pid;
		} hdr = {0x20080522, 0};
		struct {
			uint32_t effective, permitted, inheritable;
		} data[2];

		memset(data, 0, sizeof(data));
		ret = syscall(SYS_capget, &hdr, data);
		if (ret == 0) {
			data[0].effective &= ~(uint32_t)st->caps;
			data[1].effective &= ~(uint32_t)(st->caps >> 32);
			ret = syscall(SYS_capset, &hdr, data);
		}
		err = ret < 0 ? errno : 0;
		show_fd = 0;
		break;
	}
	case C_SLEEP: {
		struct timespec ts = {.tv_sec = st->ms / 1000,
				      .tv_nsec = (st->ms % 1000) * 1000000};

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		ret = 0;
		errno = 0;
		show_fd = 0;
		break;
	}
	case C_SOCKET:
		ret = socket(st->domain, st->type, st->proto);
		err = errno;
		own_fd(ret, 1);
		if (ret >= 0)
			name_fd[st->newname] = (int)ret;
		fd = (int)ret;
		break;
	case C_DUP:
		ret = dup(fd);
		err = errno;
		own_fd(ret, 1);
		if (ret >= 0)
			name_fd[st->newname] = (int)ret;
		fd = (int)ret;
		break;
	case C_CLOSE:
		ret = close(fd);
		err = errno;
		if (ret == 0 && !in_child)
			own_fd(fd, 0);
		break;
	case C_SETSOCKOPT: {
		const void *val = st->optkind == P_OK ? st->optval : special_ptr(st->optkind);

		optlen = st->optlen_set ? (socklen_t)st->optlen : (socklen_t)st->optvallen;
		ret = setsockopt(fd, st->level, st->optname, val, optlen);
		err = errno;
		break;
	}
	case C_GETSOCKOPT: {
		void *val = st->optkind == P_OK ? optbuf : special_ptr(st->optkind);

		memset(optbuf, 0, sizeof(optbuf));
		optlen = st->optlen_set ? (socklen_t)st->optlen : 4;
		ret = getsockopt(fd, st->level, st->optname, val, &optlen);
		err = errno;
		break;
	}
	case C_BIND:
	case C_CONNECT: {
		unsigned char *p;
		socklen_t len;

		build_addr(&st->addr, &p, &len);
		if (st->call == C_BIND)
			ret = bind(fd, (struct sockaddr *)p, len);
		else
			ret = connect(fd, (struct sockaddr *)p, len);
		err = errno;
		break;
	}
	case C_SEND:
	case C_SENDTO:
	case C_WRITE:
		build_msg(&st->msgs[0], 0, &b);
		errno = 0;
		if (st->call == C_SEND)
			ret = send(fd, b.iov[0].iov_base, b.iov[0].iov_len, st->flags);
		else if (st->call == C_SENDTO)
			ret = sendto(fd, b.iov[0].iov_base, b.iov[0].iov_len, st->flags,
				     (struct sockaddr *)b.name, b.namelen);
		else
			ret = write(fd, b.iov[0].iov_base, b.iov[0].iov_len);
		err = errno;
		free_built(&b);
		break;
	case C_WRITEV: {
		const struct msg_spec *m = &st->msgs[0];

		build_msg(m, 0, &b);
		errno = 0;
		ret = writev(fd, m->iovp == P_OK ? b.iov : special_ptr(m->iovp),
			     m->iovlen_set ? (int)m->iovlen : (int)b.niov);
		err = errno;
		free_built(&b);
		break;
	}
	case C_SENDMSG:
		build_msg(&st->msgs[0], 0, &b);
		fill_msghdr(&st->msgs[0], &b, &mh);
		errno = 0;
		ret =
		    sendmsg(fd, st->vec_kind == P_OK ? &mh : special_ptr(st->vec_kind), st->flags);
		err = errno;
		free_built(&b);
		break;
	case C_SENDMMSG: {
		size_t nvec = st->nmsgs, k;
		struct mmsghdr *vec;
		struct built *bs;
		unsigned int vlen;

		vlen = st->vlen_set ? (unsigned int)st->vlen : (unsigned int)st->nmsgs;
		/* Entries beyond the given messages stay zero (empty datagrams without a name);
		 * vlen above MAX_MSGS is passed as given (the kernel clamps it to 1024). */
		if (st->vlen_set && (size_t)st->vlen > nvec)
			nvec = st->vlen < MAX_MSGS ? (size_t)st->vlen : MAX_MSGS;
		vec = xcalloc(nvec, sizeof(*vec));
		bs = xcalloc(st->nmsgs, sizeof(*bs));
		for (k = 0; k < nvec; k++)
			vec[k].msg_len = MSG_LEN_UNSET;
		for (k = 0; k < st->nmsgs; k++) {
			build_msg(&st->msgs[k], k, &bs[k]);
			fill_msghdr(&st->msgs[k], &bs[k], &vec[k].msg_hdr);
		}
		errno = 0;
		ret = sendmmsg(fd, st->vec_kind == P_OK ? vec : special_ptr(st->vec_kind), vlen,
			       st->flags);
		err = errno;
		nlens = vlen < nvec ? vlen : nvec;
		lens = xcalloc(nlens, sizeof(*lens));
		for (k = 0; k < nlens; k++)
			lens[k] = vec[k].msg_len;
		for (k = 0; k < st->nmsgs; k++)
			free_built(&bs[k]);
		free(bs);
		free(vec);
		break;
	}
	case C_FCNTL: {
		int fl = fcntl(fd, F_GETFL);

		if (fl < 0) {
			ret = -1;
			err = errno;
			break;
		}
		fl = st->nonblock ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
		ret = fcntl(fd, F_SETFL, fl);
		err = errno;
		break;
	}
	case C_SHUTDOWN:
		ret = shutdown(fd, st->how);
		err = errno;
		break;
	case C_RECV:
		ret = do_recv(fd, st, &ro);
		err = errno;
		break;
	}

	if (ret >= 0)
		err = 0;
	printf("%zu %s ret=%lld errno=", stepno, st->word, ret);
	if (err) {
		const char *en = strerrorname_np(err);

		if (en)
			printf("%s", en);
		else
			printf("%d", err);
	} else {
		printf("0");
	}
	if (st->call == C_SOCKET || st->call == C_DUP) {
		printf(" fd=%s", names[st->newname]);
	} else if (st->fd.name >= 0 && show_fd) {
		printf(" fd=%s", names[st->fd.name]);
	}
	if (show_fd && st->call != C_CLOSE)
		print_endpoints(fd);
	if (st->call == C_GETSOCKOPT && ret == 0 && st->optkind == P_OK) {
		printf(" optlen=%u val=", optlen);
		print_hex(optbuf, optlen < sizeof(optbuf) ? optlen : sizeof(optbuf));
	}
	if (st->call == C_RECV && ret >= 0)
		print_recv(&ro);
	free(ro.buf);
	if (st->call == C_SENDMMSG && nlens) {
		printf(" msg_len=");
		for (i = 0; i < nlens; i++) {
			if (i)
				putchar(',');
			if (lens[i] == MSG_LEN_UNSET)
				putchar('-');
			else
				printf("%u", lens[i]);
		}
	}
	free(lens);
	putchar('\n');
	fflush(stdout);
}

/* A system call the preload library cannot see (it interposes libc's functions and syscall()):
 * the marker datagrams of --serve must not depend on the library under test. */
static long raw_syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
#if defined(__x86_64__)
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
#else
	return syscall(n, a1, a2, a3, a4, a5, a6);
#endif
}

/*
 * --serve MARK_ADDR:PORT: run many sequences in one process (the differential fuzzer,
 * tests/fuzz). Standard input holds scenario blocks, each ended by a line "%% end". For each:
 * parse it (a syntax error prints "%% error MESSAGE" and skips the block), run its steps
 * (numbered from 1), close every fd the block opened and did not close, send one marker datagram
 * "FUZZ-MARK <k>" to MARK_ADDR:PORT with raw system calls from a socket of the kernel's own (so
 * the capture on the peer can cut its frames per sequence), and print "%% done <k>". A block that
 * runs longer than --seq-timeout seconds (default 10) ends the runner (SIGALRM).
 *
 * The blocks are read from a copy of standard input at fd 200 or above, and fd 0 is /dev/null,
 * set again after each block: a block's "close 0" or "fcntl 0 nonblock=1" (a bad socket number)
 * would otherwise end the stream of blocks (a runner restart, 0.6 s under the shim), and a later
 * block's socket could become fd 0.
 */
static int serve(const char *mark, unsigned int seq_timeout)
{
	struct sockaddr_in to = {.sin_family = AF_INET};
	char host[64], *colon;
	unsigned long k;
	long mfd;
	int in_fd, null_fd;
	FILE *in;

	snprintf(host, sizeof(host), "%s", mark);
	colon = strrchr(host, ':');
	if (!colon) {
		fprintf(stderr, "scenario_runner: --serve needs ADDR:PORT\n");
		return 2;
	}
	*colon = '\0';
	to.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &to.sin_addr) != 1) {
		fprintf(stderr, "scenario_runner: --serve: bad address '%s'\n", host);
		return 2;
	}
	mfd = raw_syscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0, 0, 0, 0);
	if (mfd < 0) {
		fprintf(stderr, "scenario_runner: marker socket: %s\n", strerror(errno));
		return 1;
	}
	in_fd = fcntl(0, F_DUPFD_CLOEXEC, 200);
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (in_fd < 0 || null_fd < 0 || (in = fdopen(in_fd, "r")) == NULL || dup2(null_fd, 0) < 0) {
		fprintf(stderr, "scenario_runner: --serve: stdin: %s\n", strerror(errno));
		return 1;
	}
	owned_fds = xcalloc(OWNED_MAX, 1);
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	for (k = 1;; k++) {
		jmp_buf jb;
		char msg[64];
		int ended, fd, n;
		size_t i;

		syntax_jmp = &jb;
		nnames = 0;
		if (setjmp(jb) == 0) {
			ended = parse_block(in, "%% end");
			syntax_jmp = NULL;
			if (!ended && parse_nsteps == 0) {
				free_steps();
				break;
			}
			alarm(seq_timeout);
			for (i = 0; i < parse_nsteps; i++)
				run_step(&parse_steps[i], i + 1);
			alarm(0);
		} else {
			/* syntax error: skip to the end of the block */
			char *line = NULL;
			size_t cap = 0;

			syntax_jmp = NULL;
			ended = 0;
			while (getline(&line, &cap, in) >= 0)
				if (strncmp(line, "%% end", 6) == 0) {
					ended = 1;
					break;
				}
			free(line);
		}
		free_steps();
		for (fd = 0; fd < OWNED_MAX; fd++)
			if (owned_fds[fd]) {
				close(fd);
				owned_fds[fd] = 0;
			}
		(void)dup2(null_fd, 0);
		n = snprintf(msg, sizeof(msg), "FUZZ-MARK %lu", k);
		if (raw_syscall(SYS_sendto, mfd, (long)msg, n, 0, (long)&to, sizeof(to)) < 0)
			printf("%%%% marker-error %s\n", strerrorname_np(errno));
		printf("%%%% done %lu\n", k);
		fflush(stdout);
		if (!ended)
			break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct step *steps;
	size_t nsteps, i;
	FILE *f;

	if ((argc == 3 || argc == 5) && strcmp(argv[1], "--serve") == 0) {
		unsigned int t = 10;

		if (argc == 5 && strcmp(argv[3], "--seq-timeout") == 0)
			t = (unsigned int)atoi(argv[4]);
		scn_path = "stdin";
		setup_arena();
		return serve(argv[2], t ? t : 10);
	}
	if (argc == 3 && strcmp(argv[1], "--check") == 0) {
		scn_path = argv[2];
	} else if (argc == 2 && argv[1][0] != '-') {
		scn_path = argv[1];
	} else {
		fprintf(stderr,
			"usage: scenario_runner [--check] FILE.scn\n"
			"       scenario_runner --serve MARK_ADDR:PORT [--seq-timeout S]\n"
			"  --check: parse only (exit 0 if the file is valid, 2 if not)\n"
			"  --serve: run blocks ended by \"%%%% end\" from stdin (tests/fuzz)\n");
		return 2;
	}
	f = fopen(scn_path, "r");
	if (!f) {
		fprintf(stderr, "scenario_runner: %s: %s\n", scn_path, strerror(errno));
		return 2;
	}
	setup_arena();
	parse_block(f, NULL);
	steps = parse_steps;
	nsteps = parse_nsteps;
	fclose(f);
	if (argc == 3)
		return 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < nsteps; i++)
		run_step(&steps[i], i + 1);
	return 0;
}
