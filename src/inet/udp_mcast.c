/* udp_mcast: multicast datagrams the shim sends itself (see include/shim/mcast.h).
 *
 * The kernel (net/ipv4/route.c __mkroute_output) gives a multicast route the output ip_mc_output
 * only when a socket of this host is a member of the group on the output device (RTCF_LOCAL) or
 * when multicast routing forwards on it; otherwise the route's output is ip_output, which sends the
 * frames like any unicast datagram, TTL 0 included. ip_mc_output loops a copy back to the host
 * when IP_MULTICAST_LOOP is on, and drops a TTL-0 datagram instead of transmitting it. A local copy
 * is the kernel's to make, so those datagrams go through the kernel socket; everything else is
 * reproduced here. Membership is asked of the kernel at every such send (RTM_GETROUTE answers with
 * the RTCF flags): joining a group sends no rtnetlink notification, and a fresh answer is what the
 * kernel's own lookup in that call would see.
 *
 * Broadcast routes always get ip_mc_output's unconditional local copy (RTCF_BROADCAST, whatever
 * IP_MULTICAST_LOOP says), so broadcast datagrams stay with the kernel (udp_sendmsg.c). */
#include "shim/shim_alloc.h"
#include "shim/mcast.h"
#include "shim/rawsys.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

void ip_eth_mc_map(uint32_t addr, uint8_t mac[6])
{
	uint32_t a = ntohl(addr);

	mac[0] = 0x01;
	mac[1] = 0x00;
	mac[2] = 0x5e;
	mac[3] = (uint8_t)((a >> 16) & 0x7f);
	mac[4] = (uint8_t)(a >> 8);
	mac[5] = (uint8_t)a;
}

/* udp_sendmsg: "if (!ipc.oif) ipc.oif = mc_index; if (!saddr) saddr = mc_addr" */
int udp_mcast_flow(const struct sock_view *sv, int *oif, uint32_t *saddr)
{
	if (*oif == 0) {
		if (!sv->mc_index_known)
			return -1;
		*oif = sv->mc_index;
	}
	if (*saddr == 0)
		*saddr = sv->mc_addr;
	return 0;
}

bool udp_mcast_fresh_route(const struct sock_view *sv, int ttl)
{
	return sv->mc_loop || ttl == 0;
}

enum mc_out mc_output_decide(bool loop, bool local_member, bool mforward, int ttl)
{
	if (!local_member && !mforward)
		return MC_XMIT; /* ip_output */
	if (loop)
		return MC_KERNEL; /* ip_mc_output clones a copy for the host */
	return ttl == 0 ? MC_DROP : MC_XMIT;
}

/* IN_DEV_MFORWARD needs net.ipv4.conf.all.mc_forwarding (set while a multicast routing daemon
 * holds the MRT_INIT socket); read now. Unreadable counts as on: the kernel then decides. */
static bool mc_forwarding_possible(void)
{
	char c = '1';
	long fd = rawsys4(SYS_openat, AT_FDCWD, "/proc/sys/net/ipv4/conf/all/mc_forwarding",
			  O_RDONLY | O_CLOEXEC, 0);

	if (fd < 0)
		return true;
	if (rawsys3(SYS_read, fd, &c, 1) != 1)
		c = '1';
	rawsys1(SYS_close, fd);
	return c != '0';
}

enum mc_out udp_mcast_output(const struct sock_view *sv, const struct route_result *rt, int ttl,
			     const char **why)
{
	bool member = (rt->flags & SHIM_RTCF_LOCAL) != 0;
	bool mforward;
	enum mc_out out;

	/* An interface given by SO_BINDTODEVICE or IP_PKTINFO that routing left for another device
	 * is an L3 master (VRF): the kernel then takes IP_MULTICAST_IF's instead, which this
	 * lookup did not ask for. */
	if (rt->key.oif != 0 && rt->oif != rt->key.oif && rt->key.oif != sv->mc_index) {
		*why = "multicast: the interface given is an L3 master device";
		return MC_KERNEL;
	}

	if (!udp_mcast_fresh_route(sv, ttl))
		return MC_XMIT; /* loop off and TTL > 0: the same frames either way */
	mforward = !member && mc_forwarding_possible();
	out = mc_output_decide(sv->mc_loop, member, mforward, ttl);
	if (out == MC_KERNEL)
		*why = member ? "multicast loop: local copy for a member of the group"
			      : "multicast loop: multicast routing is on";
	return out;
}

bool udp_mcast_neigh(const struct route_result *rt, uint8_t mac[6])
{
	if (rt->nexthop.family != AF_INET || !IN_MULTICAST(ntohl(rt->nexthop.v4)))
		return false;
	ip_eth_mc_map(rt->nexthop.v4, mac);
	return true;
}

int udp_mcast_drop(const struct udp_datagram *d)
{
	struct frame_set fs;
	int r = ip_build_udp_frames(d, &fs);

	if (r < 0)
		return r;
	shim_free(fs.buf);
	return 0;
}
