/* ident_learn: learn the IP ID the kernel gave a connected socket's datagram (see
 * include/shim/ident_learn.h). */
#include "shim/shim_lock.h"
#include "shim/ident_learn.h"
#include "shim/internal_fd.h"
#include "shim/rawsys.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>

static int tap_fd = -1;
SHIM_LOCK_DEFINE(tap_lock);

/* Between two watches the tap must receive nothing. On ETH_P_ALL, where outgoing frames reach
 * it, every frame the namespace sends is cloned to it (dev_queue_xmit_nit; a frame from a TX ring
 * is copied out of the ring for that), whoever sends it. Taking it off ETH_P_ALL is no cheaper: a
 * bind with protocol 0 keeps the protocol the socket has (packet_bind: sll_protocol, else
 * po->num), and a bind to another one waits for an RCU grace period (synchronize_net, milliseconds
 * twice per watch). So the tap stays on ETH_P_ALL from its first watch on and ignores outgoing
 * frames between watches (PACKET_IGNORE_OUTGOING, tested before the clone); what still reaches it
 * is the frames the namespace receives, which its filter (outgoing frames only) drops. Where the
 * option is missing (before 4.20) the tap is parked on an Ethernet type no frame carries (IEEE
 * 802 local experimental 1) instead. */
#define TAP_PARK_PROTO 0x88B5 /* ETH_P_802_EX1 */
static bool tap_on_all;	      /* bound to ETH_P_ALL */
static bool tap_can_ignore;   /* PACKET_IGNORE_OUTGOING works */

static int tap_ignore_outgoing(int on)
{
	return (int)rawsys5(SYS_setsockopt, tap_fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &on,
			    sizeof(on));
}

int ident_learn_open(int inherited_fd)
{
	long fd = inherited_fd >= 0 ? inherited_fd
				    : rawsys3(SYS_socket, AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return (int)fd;
	tap_fd = internal_fd_adopt((int)fd, true);
	internal_fd_track(&tap_fd);
	tap_can_ignore = tap_ignore_outgoing(1) == 0;
	return 0;
}

/* Outgoing IPv4 UDP or UDP-Lite first fragments from sport to dport (network order ports). */
static int attach_flow_filter(uint16_t sport, uint16_t dport)
{
	struct sock_filter code[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 12),
	    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 10),
	    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 17 /* UDP */, 1, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 136 /* UDP-Lite */, 0, 7),
	    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),
	    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 5, 0), /* a later fragment */
	    BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),
	    BPF_STMT(BPF_LD | BPF_H | BPF_IND, 14),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohs(sport), 0, 2),
	    BPF_STMT(BPF_LD | BPF_H | BPF_IND, 16),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohs(dport), 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, 0),
	    BPF_STMT(BPF_RET | BPF_K, 64),
	};
	struct sock_fprog prog = {sizeof(code) / sizeof(code[0]), code};

	return (int)rawsys5(SYS_setsockopt, tap_fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			    sizeof(prog));
}

/* Outgoing IPv6 UDP (or UDP-Lite) datagrams from sport (network order), unfragmented or a first
 * fragment (the UDP header right after the IPv6 header, its fragment header, or one hop-by-hop,
 * destination options or routing header): their flow label. */
static int attach_flow_filter6(uint16_t sport)
{
	struct sock_filter code[] = {
	    /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
	    /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 24),
	    /* 2 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
	    /* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 22),
	    /* 4 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 20),
	    /* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 17 /* UDP */, 5, 0),
	    /* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 136 /* UDP-Lite */, 4, 0),
	    /* 7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 44 /* fragment */, 5, 0),
	    /* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0 /* hop-by-hop */, 8, 0),
	    /* 9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 60 /* destination options */, 7, 0),
	    /* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 43 /* routing */, 6, 15),
	    /* 11: UDP right after the IPv6 header */
	    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 54),
	    /* 12 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohs(sport), 14, 13),
	    /* 13: a first fragment */
	    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 56),
	    /* 14 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0xfff8, 11, 0),
	    /* 15 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 62),
	    /* 16 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohs(sport), 10, 9),
	    /* 17: one extension header, then UDP or UDP-Lite */
	    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 54),
	    /* 18 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 17, 1, 0),
	    /* 19 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 136, 0, 6),
	    /* 20 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 55), /* its length: (hdrlen + 1) * 8 */
	    /* 21 */ BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1),
	    /* 22 */ BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 3),
	    /* 23 */ BPF_STMT(BPF_MISC | BPF_TAX, 0),
	    /* 24 */ BPF_STMT(BPF_LD | BPF_H | BPF_IND, 54),
	    /* 25 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohs(sport), 1, 0),
	    /* 26 */ BPF_STMT(BPF_RET | BPF_K, 0),
	    /* 27 */ BPF_STMT(BPF_RET | BPF_K, IDENT_TAP6_SNAP),
	};
	struct sock_fprog prog = {sizeof(code) / sizeof(code[0]), code};

	return (int)rawsys5(SYS_setsockopt, tap_fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			    sizeof(prog));
}

static void tap_bind(uint16_t protocol)
{
	struct sockaddr_ll sll;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = protocol;
	rawsys3(SYS_bind, tap_fd, &sll, sizeof(sll));
}

static void tap_drain(void)
{
	unsigned char buf[64];

	for (int i = 0; i < 64; i++)
		if (rawsys6(SYS_recvfrom, tap_fd, (long)buf, sizeof(buf), MSG_DONTWAIT, 0, 0) < 0)
			break;
}

bool ident_tap_available(void)
{
	return tap_fd >= 0;
}

/* A watch starts with the flow's filter in place: outgoing frames reach ETH_P_ALL taps only. */
static void tap_listen(void)
{
	if (!tap_on_all) {
		tap_bind(htons(ETH_P_ALL));
		tap_on_all = true;
	}
	if (tap_can_ignore)
		(void)tap_ignore_outgoing(0);
	tap_drain(); /* frames that matched before the filter was in place */
}

bool ident_tap_begin(uint16_t sport, uint16_t dport)
{
	shim_lock_acquire(&tap_lock);
	if (attach_flow_filter(sport, dport) == 0) {
		tap_listen();
		return true;
	}
	shim_lock_release(&tap_lock);
	return false;
}

bool ident_tap_begin6(uint16_t sport)
{
	shim_lock_acquire(&tap_lock);
	if (attach_flow_filter6(sport) == 0) {
		tap_listen();
		return true;
	}
	shim_lock_release(&tap_lock);
	return false;
}

int ident_tap_end_frame(long ret, uint8_t *frame, size_t len)
{
	long n = -1;

	if (ret >= 0)
		n = rawsys6(SYS_recvfrom, tap_fd, (long)frame, len, MSG_DONTWAIT, 0, 0);
	/* receive nothing again */
	if (!tap_can_ignore || tap_ignore_outgoing(1) != 0) {
		tap_bind(htons(TAP_PARK_PROTO));
		tap_on_all = false;
	}
	tap_drain();
	shim_lock_release(&tap_lock);
	return n < 0 ? -1 : (int)n;
}

int ident_tap_end(long ret)
{
	unsigned char frame[64];
	int n = ident_tap_end_frame(ret, frame, sizeof(frame));

	if (n < 14 + 20)
		return -1;
	return frame[18] << 8 | frame[19];
}
