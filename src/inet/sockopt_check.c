/* sockopt_check: the shim's setsockopt verdict against the kernel's answer (see
 * include/shim/sockopt_check.h). */
#include "shim/shim_fmt.h"
#include "shim/sockopt_check.h"
#include "shim/inet.h"
#include "shim/path_trace.h"
#include "shim/rawsys.h"
#include "shim/stats.h"
#include "shim/umem.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

/* A small /proc file, read whole with raw system calls; returns the length or -1. */
static long read_proc(const char *path, char *buf, size_t cap)
{
	long fd = rawsys4(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	long n;

	if (fd < 0)
		return -1;
	n = rawsys3(SYS_read, fd, buf, cap - 1);
	rawsys1(SYS_close, fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* net.core.wmem_max, read once (a global sysctl, not per namespace). */
static long wmem_max(void)
{
	static long cached = -2;
	char buf[32];
	long v = -1;

	if (__atomic_load_n(&cached, __ATOMIC_RELAXED) != -2)
		return cached;
	if (read_proc("/proc/sys/net/core/wmem_max", buf, sizeof(buf)) > 0) {
		v = 0;
		for (char *p = buf; *p >= '0' && *p <= '9' && v < (1L << 40); p++)
			v = v * 10 + (*p - '0');
	}
	__atomic_store_n(&cached, v, __ATOMIC_RELAXED);
	return v;
}

/* A decimal number after blanks; NULL when there is none. */
static const char *parse_ul(const char *p, unsigned long *v)
{
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (*p < '0' || *p > '9')
		return NULL;
	for (*v = 0; *p >= '0' && *p <= '9'; p++)
		*v = *v * 10 + (unsigned long)(*p - '0');
	return p;
}

/* Whether the process is in the initial user namespace (uid_map maps all of it onto itself), where
 * the effective set is what capable() and ns_capable() check. Read once. */
static bool in_initial_userns(void)
{
	static int cached; /* 0 unknown, 1 yes, -1 no */
	char buf[128];
	unsigned long a, b, c;
	const char *p = buf;

	if (__atomic_load_n(&cached, __ATOMIC_RELAXED) == 0) {
		bool yes = read_proc("/proc/self/uid_map", buf, sizeof(buf)) > 0 &&
			   (p = parse_ul(p, &a)) != NULL && (p = parse_ul(p, &b)) != NULL &&
			   (p = parse_ul(p, &c)) != NULL && a == 0 && b == 0 && c == 4294967295UL;

		while (yes && (*p == ' ' || *p == '\t' || *p == '\n'))
			p++;
		yes = yes && *p == '\0';

		__atomic_store_n(&cached, yes ? 1 : -1, __ATOMIC_RELAXED);
	}
	return __atomic_load_n(&cached, __ATOMIC_RELAXED) == 1;
}

/* The calling thread's effective capabilities; false when they cannot be read. */
static bool effective_caps(uint64_t *caps)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (rawsys2(SYS_capget, &hdr, data) != 0)
		return false;
	*caps = (uint64_t)data[0].effective | (uint64_t)data[1].effective << 32;
	return true;
}

int sock_net_capable(int cap)
{
	uint64_t caps;

	if (!in_initial_userns() || !effective_caps(&caps))
		return -1;
	return (int)((caps >> cap) & 1);
}

/* dev_get_by_name in the socket's namespace: SIOCGIFINDEX on the socket itself. */
static int dev_by_name(void *arg, const char *name)
{
	struct ifreq ifr;
	long r;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	r = rawsys3(SYS_ioctl, *(int *)arg, SIOCGIFINDEX, &ifr);
	if (r == -ENODEV)
		return -ENODEV;
	return r < 0 ? -EIO : ifr.ifr_ifindex;
}

/* dev_get_by_index: SIOCGIFNAME on the socket. */
static int dev_by_index(void *arg, int ifindex)
{
	struct ifreq ifr;
	long r;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = ifindex;
	r = rawsys3(SYS_ioctl, *(int *)arg, SIOCGIFNAME, &ifr);
	if (r == -ENODEV)
		return 0;
	return r < 0 ? -1 : 1;
}

void sockopt_env_for(struct sov_env *e, int protocol, int bound_dev_if, bool need_caps, int *fdp)
{
	memset(e, 0, sizeof(*e));
	e->protocol = protocol;
	e->bound_dev_if = bound_dev_if;
	e->caps_known = need_caps && in_initial_userns() && effective_caps(&e->cap_eff);
	e->wmem_max = wmem_max();
	e->dev_by_name = dev_by_name;
	e->dev_by_index = dev_by_index;
	e->dev_arg = fdp;
}

static const char *answer(int err, char *buf, size_t cap)
{
	const char *name;

	if (err == 0)
		return "0";
	name = strerrorname_np(-err);
	if (name != NULL)
		return name;
	shim_snprintf(buf, cap, "errno %d", -err);
	return buf;
}

bool sockopt_check(struct shim_sock *sk, int fd, int level, int name, const void *val,
		   socklen_t len, int ret, int err, struct sov_verdict *v)
{
	unsigned char bytes[SOV_READ_MAX];
	size_t want = (int)len < 0 ? 0 : len < SOV_READ_MAX ? len : SOV_READ_MAX, rd = want;
	int kernel = ret == 0 ? 0 : -err, fdv = fd;
	struct path_trace t;
	struct sov_env env;
	char b1[24], b2[24];
	bool agree;

	path_begin(&t, "setsockopt", fd);
	if (kernel == -EFAULT || umem_reads_directly()) {
		/* the kernel could not read the value: the shim does not read it either (nor where
		 * a bad pointer would fault here) */
		memset(v, 0, sizeof(*v));
		v->kind = SOV_KERNEL_DECIDES;
		v->fn = "setsockopt";
		v->why = kernel == -EFAULT ? "the kernel could not read the value"
					   : "the program's memory cannot be read safely";
	} else {
		if (want > 0 && umem_read(bytes, val, want) != 0)
			rd = umem_read_partial(bytes, val, want);
		sockopt_env_for(&env, sk->protocol, sk->bound_dev_if,
				sockopt_verdict_needs_caps(level, name), &fdv);
		sockopt_verdict(&env, level, name, bytes, rd, (int)len, v);
	}
	if (v->name != NULL)
		path_step(&t, "%s(%s)", v->fn, v->name);
	else
		path_step(&t, "%s(level %d, name %d)", v->fn, level, name);
	if (v->kind == SOV_KERNEL_DECIDES) {
		path_step(&t, "kernel decides (%s)", v->why);
		path_end(&t, kernel);
		return false;
	}
	agree = v->err == kernel;
	if (agree) {
		path_step(&t, "shim predicted %s, as the kernel", answer(v->err, b1, sizeof(b1)));
	} else {
		stats_add(STAT_SOCKOPT_DIFF, 1);
		path_step(
		    &t, "setsockopt: shim predicted %s, kernel said %s (kernel's answer returned)",
		    answer(v->err, b1, sizeof(b1)), answer(kernel, b2, sizeof(b2)));
	}
	path_end(&t, kernel);
	return agree;
}

bool sockopt_apply(struct shim_sock *sk, int level, int name, const struct sov_verdict *v)
{
	if (v->kind != SOV_PREDICTED || v->err != 0 || !v->stores || level != SOL_SOCKET)
		return false;
	switch (name) {
	case SO_BROADCAST:
		sk->broadcast = v->value != 0;
		return true;
	case SO_PRIORITY: /* sk_priority */
		sk->priority = (uint32_t)v->value;
		return true;
	case SO_MARK:
		if (sk->mark !=
		    (uint32_t)v->value) /* sock_set_mark: sk_dst_reset when it changed */
			sk->dst_cache_valid = false;
		sk->mark = (uint32_t)v->value;
		return true;
	case SO_BINDTODEVICE:
	case SOV_SO_BINDTOIFINDEX:
		sk->bound_dev_if = v->value;
		sk->dst_cache_valid = false;
		return true;
	case SOV_SO_TXTIME:
		/* SO_TXTIME stays on once set, whatever its clock (CLOCK_REALTIME is 0) */
		sock_set_kernel_only(sk, "SO_TXTIME", KR_SOCKOPT);
		return false;
	}
	return false;
}
