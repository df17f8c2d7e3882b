/* shim-netraw: open the sockets libshim needs, drop every privilege, run a program under the shim.
 *
 *   shim-netraw [--preload LIST] [--env NAME=VALUE]... [--no-icmp] [--no-tap] [--] PROGRAM [ARG...]
 *
 * Installed with the file capability cap_net_raw (setcap cap_net_raw+ep shim-netraw), it lets a
 * user who holds no capability run a program under libshim: it opens
 *   packet  AF_PACKET SOCK_RAW, protocol 0: the shim's transmit socket. It gets a locked socket
 *           filter that accepts nothing, so it can never be made to receive;
 *   icmp    AF_INET SOCK_RAW IPPROTO_ICMP: the shim's watch for ICMP errors (learnt path MTUs,
 *           redirects), with a locked filter that accepts only destination-unreachable and
 *           redirect messages;
 *   tap     AF_PACKET SOCK_RAW, protocol 0: the shim's tap for the kernel's IP IDs (it attaches
 *           its own per-flow filters, so this one cannot be locked; --no-tap leaves it out);
 *   icmp6   AF_INET6 SOCK_RAW IPPROTO_ICMPV6: the same watch for IPv6 (packet too big,
 *           router advertisements, redirects), with a locked filter that accepts those only
 *           (--no-icmp leaves both ICMP sockets out);
 * then drops every capability (ambient set cleared, bounding set emptied where it may be,
 * effective, permitted and inheritable sets emptied, PR_SET_NO_NEW_PRIVS set, so neither this
 * program nor anything it runs can gain privileges again), checks that none is left, and execs
 * PROGRAM with those sockets inherited, SHIM_PRIV_FDS=packet:N,icmp:N,tap:N,icmp6:N, and LD_PRELOAD
 * set to LIST. The loader runs a program with file capabilities in secure-execution mode and
 * removes LD_PRELOAD, LD_LIBRARY_PATH and similar variables from its environment; so the library
 * list comes as --preload, and --env puts back whatever else the caller wants PROGRAM to see
 * (shim-run
 * --unprivileged passes the ones the loader removed). */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SO_LOCK_FILTER
#define SO_LOCK_FILTER 44
#endif

static const char usage_text[] =
    "usage: shim-netraw [--preload LIST] [--env NAME=VALUE]... [--no-icmp] [--no-tap] [--]\n"
    "                   PROGRAM [ARG...]\n"
    "\n"
    "Opens the sockets libshim needs (CAP_NET_RAW, which this helper holds as a file\n"
    "capability), drops every capability and sets no_new_privs, then runs PROGRAM with the\n"
    "sockets inherited (SHIM_PRIV_FDS) and LD_PRELOAD=LIST. shim-run --unprivileged uses it;\n"
    "it is rarely run by hand.\n"
    "\n"
    /* gen-doc: options { */
    "  --preload LIST        LD_PRELOAD for PROGRAM (space-separated libraries)\n"
    "  --env NAME=VALUE      set NAME in PROGRAM's environment (repeatable): the loader removes\n"
    "                        LD_* and similar variables for a program with file capabilities\n"
    "  --no-icmp             do not open the ICMP sockets (no learnt path MTUs or redirects)\n"
    "  --no-tap              do not open the ID tap (no IP IDs learnt from the kernel's own\n"
    "                        datagrams); the tap is the socket through which PROGRAM could read\n"
    "                        every frame of its network namespace\n"
    "  -h, --help            this text\n"
    /* gen-doc } */
    "\n"
    "Install: setcap cap_net_raw+ep shim-netraw (from libcap2-bin), and consider restricting\n"
    "who may run it (e.g. chgrp a group; chmod 0750): a user who can run it can put any frame\n"
    "on any interface of their network namespace (see the README, Least privilege).\n";

struct sock_spec {
	const char *name;
	int domain, type, protocol;
	const struct sock_filter *filter;
	unsigned short filter_len;
	bool wanted;
	int fd;
};

/* Accept nothing: the transmit socket never receives. */
static const struct sock_filter drop_all[] = {
    BPF_STMT(BPF_RET | BPF_K, 0),
};

/* A raw IPv4 socket's filter sees the IP header first: accept ICMP types 3 (destination
 * unreachable) and 5 (redirect) only, as the shim's ICMP_FILTER asks. */
static const struct sock_filter icmp_errors[] = {
    BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
    BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 3, 2, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 5, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, 0),
    BPF_STMT(BPF_RET | BPF_K, 0xffff),
};

/* A raw IPv6 socket's filter sees the ICMPv6 header first: accept types 2 (packet too big), 134
 * (router advertisement) and 137 (redirect) only, as the shim's ICMPV6_FILTER asks. */
static const struct sock_filter icmp6_route_changes[] = {
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 2, 3, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 134, 2, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 137, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, 0),
    BPF_STMT(BPF_RET | BPF_K, 0xffff),
};

static const char *self_path(void)
{
	static char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return "shim-netraw";
	buf[n] = '\0';
	return buf;
}

static int open_socket(struct sock_spec *s)
{
	int fd =
	    socket(s->domain, s->type, s->protocol); /* not close-on-exec: PROGRAM inherits it */

	if (fd < 0) {
		int err = errno;

		fprintf(stderr, "shim-netraw: cannot open the %s socket: %s", s->name,
			strerror(err));
		if (err == EPERM || err == EACCES)
			fprintf(stderr,
				"; this helper needs the cap_net_raw file capability (as root: "
				"setcap cap_net_raw+ep %s)",
				self_path());
		fputc('\n', stderr);
		return -1;
	}
	if (s->filter != NULL) {
		struct sock_fprog prog = {s->filter_len, (struct sock_filter *)s->filter};
		int one = 1;

		if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_LOCK_FILTER, &one, sizeof(one)) < 0) {
			fprintf(stderr, "shim-netraw: cannot lock a filter on the %s socket: %s\n",
				s->name, strerror(errno));
			close(fd);
			return -1;
		}
	}
	s->fd = fd;
	return 0;
}

/* Every capability gone for good; returns 0, or -1 with a message. */
static int drop_privileges(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	/* ambient: cleared (no privilege needed) */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		perror("shim-netraw: PR_CAP_AMBIENT_CLEAR_ALL");
		return -1;
	}
	/* bounding set: emptied when this process may (CAP_SETPCAP, e.g. run by root); for
	 * anyone else no_new_privs below already keeps exec from granting anything */
	for (int cap = 0; cap <= 63; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL) /* past the last capability */
				break;
			if (errno == EPERM) /* no CAP_SETPCAP */
				break;
			perror("shim-netraw: PR_CAPBSET_DROP");
			return -1;
		}
	}
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d) < 0) {
		perror("shim-netraw: capset");
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		perror("shim-netraw: PR_SET_NO_NEW_PRIVS");
		return -1;
	}
	/* check */
	memset(d, 0xff, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0 || d[0].effective || d[0].permitted ||
	    d[0].inheritable || d[1].effective || d[1].permitted || d[1].inheritable ||
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
		fprintf(stderr, "shim-netraw: capabilities are still held after dropping them\n");
		return -1;
	}
	return 0;
}

/* fds 0, 1, 2 open (on /dev/null if closed), so no socket lands on one of them. */
static int std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			int n = open("/dev/null", O_RDWR);

			if (n != fd)
				return -1;
		}
	}
	return 0;
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "shim-netraw: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (shim-netraw --help lists the options)\n");
	return -2;
}

/* The options before PROGRAM; with apply, set the --env variables. Returns the index of PROGRAM,
 * or -1 after --help, or -2 after a usage error. */
static int parse(int argc, char **argv, struct sock_spec *socks, const char **preload, bool apply)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-')
			break;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage_text, stdout);
			return -1;
		} else if (strcmp(a, "--preload") == 0 || strcmp(a, "--env") == 0) {
			if (i + 1 >= argc)
				return usage_error("%s needs a value", a);
			if (a[2] == 'p') {
				*preload = argv[++i];
			} else {
				char *v = argv[++i], *eq = strchr(v, '=');

				if (eq == NULL || eq == v)
					return usage_error("--env wants NAME=VALUE, not '%s'", v);
				if (apply) {
					*eq = '\0';
					if (setenv(v, eq + 1, 1) < 0) {
						perror("shim-netraw: setenv");
						return -2;
					}
					*eq = '=';
				}
			}
		} else if (strncmp(a, "--preload=", 10) == 0) {
			*preload = a + 10;
		} else if (strcmp(a, "--no-icmp") == 0) {
			socks[1].wanted = false;
			socks[3].wanted = false;
		} else if (strcmp(a, "--no-tap") == 0) {
			socks[2].wanted = false;
		} else {
			return usage_error("unknown option '%s'", a);
		}
	}
	if (i >= argc)
		return usage_error("%s", "no program given");
	return i;
}

int main(int argc, char **argv)
{
	struct sock_spec socks[] = {
	    {"packet", AF_PACKET, SOCK_RAW, 0, drop_all, 1, true, -1},
	    {"icmp", AF_INET, SOCK_RAW, IPPROTO_ICMP, icmp_errors,
	     sizeof(icmp_errors) / sizeof(icmp_errors[0]), true, -1},
	    {"tap", AF_PACKET, SOCK_RAW, 0, NULL, 0, true, -1},
	    {"icmp6", AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, icmp6_route_changes,
	     sizeof(icmp6_route_changes) / sizeof(icmp6_route_changes[0]), true, -1},
	};
	const int nsocks = sizeof(socks) / sizeof(socks[0]);
	const char *preload = NULL;
	char fds[128];
	size_t used = 0;
	int prog = parse(argc, argv, socks, &preload, false);

	if (prog == -1)
		return 0;
	if (prog < 0)
		return 2;
	if (std_fds() < 0) {
		fprintf(stderr, "shim-netraw: cannot open /dev/null\n");
		return 1;
	}
	for (int s = 0; s < nsocks; s++)
		if (socks[s].wanted && open_socket(&socks[s]) < 0)
			return 1;
	if (drop_privileges() < 0)
		return 1;

	/* from here on nothing is privileged: the environment PROGRAM gets */
	if (parse(argc, argv, socks, &preload, true) < 0)
		return 1;
	for (int s = 0; s < nsocks; s++) {
		if (socks[s].fd < 0)
			continue;
		used += (size_t)snprintf(fds + used, sizeof(fds) - used, "%s%s:%d", used ? "," : "",
					 socks[s].name, socks[s].fd);
	}
	if (setenv("SHIM_PRIV_FDS", fds, 1) < 0 ||
	    (preload != NULL && setenv("LD_PRELOAD", preload, 1) < 0)) {
		perror("shim-netraw: setenv");
		return 1;
	}
	execvp(argv[prog], argv + prog);
	fprintf(stderr, "shim-netraw: cannot run '%s': %s\n", argv[prog], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
