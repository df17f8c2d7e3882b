/* udp_ext: SO_NO_CHECK, UDP-Lite's UDPLITE_SEND_CSCOV and IP_OPTIONS as the shim keeps them (see
 * include/shim/udp_ext.h). Each is read back from the kernel socket after the kernel accepted a
 * change, so the shim holds exactly what the kernel stored: the boolean, the coverage after
 * udp_lib_setsockopt's rules (1..7 → 8, > 65535 → 65535), and the options in the form
 * getsockopt(IP_OPTIONS) returns, compiled again by ip_options.c. */
#include "shim/udp_ext.h"
#include "shim/net_compat.h"
#include "shim/inet.h"
#include "shim/rawsys.h"
#include "shim/sock.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/syscall.h>

#define UDPLITE_SEND_CSCOV 10

static void read_no_check(struct shim_sock *sk, int fd)
{
	int v;

	sk->ext.no_check = rawsys_getsockopt_int(fd, SOL_SOCKET, SO_NO_CHECK, &v) == 0 && v != 0;
}

/* do_ip_getsockopt(IP_OPTIONS): the options as set (ip_options_undo), or length 0 for none. */
static void read_options(struct shim_sock *sk, int fd)
{
	uint8_t buf[IP_OPTS_MAX];
	socklen_t len = sizeof(buf);

	memset(&sk->ext.opt, 0, sizeof(sk->ext.opt));
	sk->ext.opt_kernel = NULL;
	if (rawsys5(SYS_getsockopt, fd, SOL_IP, IP_OPTIONS, buf, &len) != 0)
		sk->ext.opt_kernel = "IP_OPTIONS (not readable)";
	else if (len > 0)
		sk->ext.opt_kernel = ip_opts_from_socket(&sk->ext.opt, buf, len);
}

void udp_ext_sync(struct shim_sock *sk, int fd)
{
	/* read again (another process changed the socket): UDPLITE_SEND_CC cannot be cleared */
	const bool cscov_was_set = sk->synced && sk->ext.cscov_set;

	memset(&sk->ext, 0, sizeof(sk->ext));
	read_no_check(sk, fd);
	if (sk->protocol == IPPROTO_UDPLITE) {
		int v;

		if (rawsys_getsockopt_int(fd, SOL_UDPLITE, UDPLITE_SEND_CSCOV, &v) == 0) {
			sk->ext.cscov = (uint16_t)v;
			/* pcslen > 0 means the option was set; 0 is also what a socket that never
			 * set it reads. A socket whose setting this process saw keeps it (the flag
			 * stays on once set). For a socket created under the shim, every setsockopt
			 * was seen; one inherited or received, or read again after another process
			 * changed it, may have been set to 0 (length field 0 on the wire) or not
			 * (the full length): the kernel must send. */
			sk->ext.cscov_set = v != 0 || cscov_was_set;
			if (v == 0 && !cscov_was_set && (sk->discovered || sk->synced))
				sk->ext.cscov_kernel =
				    "UDP-Lite socket of unknown coverage setting";
		} else {
			sk->ext.cscov_kernel = "UDP-Lite socket (coverage not readable)";
		}
		if (sk->ext.cscov_kernel != NULL)
			sock_set_kernel_only(sk, sk->ext.cscov_kernel, KR_SOCKOPT);
	}
	read_options(sk, fd);
}

bool udp_ext_after_setsockopt(struct shim_sock *sk, int fd, int level, int name)
{
	int v;

	if (level == SOL_SOCKET && name == SO_NO_CHECK) {
		read_no_check(sk, fd);
		return true;
	}
	if ((level == SOL_UDP || level == SOL_UDPLITE) && name == UDPLITE_SEND_CSCOV) {
		/* accepted only on UDP-Lite sockets; any value turns UDPLITE_SEND_CC on */
		if (sk->protocol == IPPROTO_UDPLITE &&
		    rawsys_getsockopt_int(fd, SOL_UDPLITE, UDPLITE_SEND_CSCOV, &v) == 0) {
			sk->ext.cscov = (uint16_t)v;
			sk->ext.cscov_set = true;
			sk->ext.cscov_kernel = NULL;
		}
		return true;
	}
	if (level == SOL_IP && name == IP_OPTIONS) {
		read_options(sk, fd);
		return true;
	}
	return false;
}
