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

#include <errno.h>
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

void ipv6_eth_mc_map(const uint8_t group[16], uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, group + 12, 4);
}

/* Whether the line of /proc/net/igmp6 ("idx dev group users flags timer", the group in 32 hex
 * digits) names group on ifindex. */
static bool igmp6_line_matches(const char *line, size_t len, int ifindex, const char hex[33])
{
	size_t i = 0, start;
	long idx = 0;

	while (i < len && line[i] == ' ')
		i++;
	if (i == len || line[i] < '0' || line[i] > '9')
		return false;
	while (i < len && line[i] >= '0' && line[i] <= '9')
		idx = idx * 10 + (line[i++] - '0');
	if (idx != ifindex)
		return false;
	while (i < len && line[i] == ' ') /* the device's name */
		i++;
	while (i < len && line[i] != ' ')
		i++;
	while (i < len && line[i] == ' ')
		i++;
	start = i;
	return len - start >= 32 && memcmp(line + start, hex, 32) == 0 &&
	       (len - start == 32 || line[start + 32] == ' ');
}

/* ipv6_chk_mcast_addr without its source filter: whether ifindex has joined group (read now).
 * Unreadable counts as a member: the kernel then decides. */
static bool mc6_member(int ifindex, const uint8_t group[16])
{
	static const char digits[] = "0123456789abcdef";
	char hex[33], buf[4096];
	size_t have = 0;
	bool found = false;
	long fd = rawsys4(SYS_openat, AT_FDCWD, "/proc/net/igmp6", O_RDONLY | O_CLOEXEC, 0);

	if (fd < 0)
		return true;
	for (int i = 0; i < 16; i++) {
		hex[2 * i] = digits[group[i] >> 4];
		hex[2 * i + 1] = digits[group[i] & 15];
	}
	hex[32] = 0;
	for (int rounds = 0; !found && rounds < 4096; rounds++) {
		long n = rawsys3(SYS_read, fd, buf + have, sizeof(buf) - have);
		size_t off = 0;

		if (n < 0) {
			found = true;
			break;
		}
		have += (size_t)n;
		for (;;) {
			char *nl = memchr(buf + off, '\n', have - off);

			if (nl == NULL)
				break;
			if (igmp6_line_matches(buf + off, (size_t)(nl - (buf + off)), ifindex,
					       hex)) {
				found = true;
				break;
			}
			off = (size_t)(nl - buf) + 1;
		}
		if (n == 0) {
			found = found || (have > off &&
					  igmp6_line_matches(buf + off, have - off, ifindex, hex));
			break;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
		if (have ==
		    sizeof(buf)) { /* a line longer than the buffer: not the file's format */
			found = true;
			break;
		}
	}
	rawsys1(SYS_close, fd);
	return found;
}

/* mroute6_is_socket: net.ipv6.conf.all.mc_forwarding counts the MRT6_INIT sockets; a kernel
 * without IPv6 multicast routing (CONFIG_IPV6_MROUTE) has no such file. */
static bool mc6_forwarding_possible(void)
{
	char c = '1';
	long fd = rawsys4(SYS_openat, AT_FDCWD, "/proc/sys/net/ipv6/conf/all/mc_forwarding",
			  O_RDONLY | O_CLOEXEC, 0);

	if (fd < 0)
		return fd != -ENOENT;
	if (rawsys3(SYS_read, fd, &c, 1) != 1)
		c = '1';
	rawsys1(SYS_close, fd);
	return c != '0';
}

enum mc_out udpv6_mcast_output(bool mc_loop, int oif, const uint8_t group[16], const char **why)
{
	if (mc_loop && mc6_forwarding_possible()) {
		*why = "multicast loop: multicast routing is on";
		return MC_KERNEL;
	}
	if (mc_loop && mc6_member(oif, group)) {
		*why = "multicast loop: local copy for a member of the group";
		return MC_KERNEL;
	}
	if ((group[1] & 0x0f) <= 1) { /* IPV6_ADDR_MC_SCOPE <= IPV6_ADDR_SCOPE_NODELOCAL */
		*why = "interface-local multicast: dropped on a non-loopback device";
		return MC_KERNEL;
	}
	return MC_XMIT;
}
