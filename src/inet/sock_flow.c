/* sock_flow: IP_UNICAST_IF, IP_TRANSPARENT and IP_BIND_ADDRESS_NO_PORT on the send path (see
 * include/shim/sock_flow.h). */
#include "shim/sock_flow.h"
#include "shim/net_compat.h"
#include "shim/rawsys.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>

/* do_ip_getsockopt IP_UNICAST_IF: the ifindex in network byte order, as it was set */
static int read_uc_index(int fd)
{
	int v;

	return rawsys_getsockopt_int(fd, SOL_IP, IP_UNICAST_IF, &v) == 0 ? (int)ntohl((uint32_t)v)
									 : 0;
}

static bool read_flag(int fd, int name)
{
	int v;

	return rawsys_getsockopt_int(fd, SOL_IP, name, &v) == 0 && v != 0;
}

void sock_flow_sync(struct sock_flow *f, int fd)
{
	f->uc_index = read_uc_index(fd);
	f->transparent = read_flag(fd, IP_TRANSPARENT);
	f->bind_no_port = read_flag(fd, IP_BIND_ADDRESS_NO_PORT);
	/* a socket connected before the shim saw it: the best knowledge is the current setting */
	f->conn_transparent = f->transparent;
}

bool sock_flow_after_setsockopt(struct sock_flow *f, int fd, int level, int name)
{
	if (level != SOL_IP)
		return false;
	switch (name) {
	case IP_UNICAST_IF: /* no sk_dst_reset: a connected socket keeps its route */
		f->uc_index = read_uc_index(fd);
		return true;
	case IP_TRANSPARENT:
		f->transparent = read_flag(fd, IP_TRANSPARENT);
		return true;
	case IP_BIND_ADDRESS_NO_PORT:
		f->bind_no_port = read_flag(fd, IP_BIND_ADDRESS_NO_PORT);
		return true;
	case IP_FREEBIND: /* bind only (inet_addr_valid_or_nonlocal): the kernel socket binds */
		return true;
	default:
		return false;
	}
}

void sock_flow_after_connect(struct sock_flow *f)
{
	f->conn_transparent = f->transparent; /* ip_route_connect: inet_sk_flowi_flags */
}

int sock_flow_unicast_oif(const struct sock_flow *f, uint32_t daddr, int oif)
{
	/* udp_sendmsg: without a device from IP_PKTINFO or SO_BINDTODEVICE, IP_UNICAST_IF's */
	if (oif == 0)
		return f->uc_index;
	/* a limited broadcast takes uc_index instead when oif is uc_index's L3 master
	 * (l3mdev_master_ifindex_by_index): not known here */
	if (daddr == INADDR_BROADCAST && f->uc_index != 0 && oif != f->uc_index)
		return -1;
	return oif;
}

bool sock_flow_anysrc_failed(const struct sock_flow *f, bool fastpath, int err, uint32_t saddr)
{
	/* ip_route_output_key_hash_rcu: a source that no device owns is ENETUNREACH unless
	 * FLOWI_FLAG_ANYSRC */
	return err == -ENETUNREACH && saddr != 0 &&
	       (f->transparent || (fastpath && f->conn_transparent));
}
