/* sock: the state the shim keeps for a UDP/IPv4 socket it owns — the TX-relevant parts of the
 * kernel's struct sock, struct inet_sock and struct udp_sock.
 *
 * The fd stays a real kernel UDP socket (bound and connected through the kernel, so replies
 * arrive), and this object mirrors what the send path needs. Addresses and ports are in network
 * byte order.
 *
 * One kernel socket has one object in a process, whichever fd it is used through: dup, dup2, dup3
 * and F_DUPFD* share the slot's object, and an fd the table never saw (received with SCM_RIGHTS,
 * taken with pidfd_getfd, inherited across exec) finds the object of its socket by SO_COOKIE
 * (fdtable.c). Another process that shares the socket changes it behind this object's back; its
 * shared generation (sockgen.h) tells when. */
#ifndef SHIM_SOCK_H
#define SHIM_SOCK_H

#include "shim/shim_lock.h"
#include <stdbool.h>
#include <stdint.h>

#include "shim/route.h"
#include "shim/sock_flow.h"
#include "shim/udp_ext.h"

struct shim_sock {
	unsigned refs; /* atomic: one per fd slot plus one per lookup in progress */
	int family;    /* AF_INET */
	int type;      /* SOCK_DGRAM */
	int protocol;  /* IPPROTO_UDP or IPPROTO_UDPLITE */
	struct shim_sock *next_free;
	uint64_t cookie;	       /* SO_COOKIE of the kernel socket (0: unknown) */
	struct shim_sock *cookie_next; /* chain of the process's cookie map (fdtable.c) */
	unsigned *gen_cell;	       /* atomic: the socket's generation, shared (sockgen.h) */

	int err_hint; /* atomic: the listener saw EPOLLERR on this socket (notify.c) */

	struct shim_lock lock; /* guards everything below */
	bool synced;	       /* fields below were read from the kernel socket (inet_sock_sync) */
	unsigned gen_seen;     /* *gen_cell when they were last read, or changed here */

	/* inet_sock */
	uint32_t rcv_saddr; /* bound local address (inet_rcv_saddr) */
	uint32_t saddr;	    /* source for sending (inet_saddr): bound, or chosen at connect */
	uint16_t sport;	    /* local port; 0 = not bound yet (inet_num) */
	uint32_t daddr;	    /* peer (inet_daddr) */
	uint16_t dport;	    /* peer port (inet_dport) */
	bool connected;	    /* TCP_ESTABLISHED: connect() succeeded and no disconnect since */
	uint16_t ip_id;	    /* per-socket IP ID counter (inet_id), seeded at connect */
	bool ip_id_used;    /* the shim used ip_id since connect (see ident_learn.c) */
	int uc_ttl;	    /* IP_TTL, -1 = route metric or ip_default_ttl */
	uint8_t tos;	    /* IP_TOS */
	uint8_t pmtudisc;   /* IP_MTU_DISCOVER */
	bool broadcast;	    /* SO_BROADCAST */
	bool shut_wr;	    /* shutdown(SHUT_WR/SHUT_RDWR) recorded */
	bool nonblock;	    /* O_NONBLOCK on the file */
	bool err_watched;   /* the listener reports pending errors in err_hint (notify.c) */
	int bound_dev_if;   /* SO_BINDTODEVICE / SO_BINDTOIFINDEX */
	uint32_t mark;	    /* SO_MARK */
	uint32_t uid;	    /* sk_uid, for uid policy rules */
	uint16_t gso_size;  /* UDP_SEGMENT (udp_sock gso_size) */
	bool discovered;    /* first seen in use (inherited, received), not created here */
	struct udp_ext ext; /* SO_NO_CHECK, UDP-Lite coverage, IP_OPTIONS (udp_ext.c) */
	/* IP_UNICAST_IF, IP_TRANSPARENT, IP_BIND_ADDRESS_NO_PORT (sock_flow.c) */
	struct sock_flow flow;
	/* multicast (inet_sock mc_ttl, mc_loop, mc_index, mc_addr) */
	uint8_t mc_ttl;	     /* IP_MULTICAST_TTL */
	bool mc_loop;	     /* IP_MULTICAST_LOOP */
	int mc_index;	     /* IP_MULTICAST_IF interface */
	uint32_t mc_addr;    /* IP_MULTICAST_IF address */
	bool mc_index_known; /* false: set before the shim saw the socket (not readable back) */

	/* Datagrams go through the kernel socket instead of the shim's path, and why (a setting
	 * the shim does not reproduce yet was made on this socket). NULL: the shim sends. */
	const char *kernel_only;
	int kernel_only_reason; /* enum shim_kernel_reason (stats.h) */

	/* sk_dst_cache: the route found at connect(), reused by the connected fast path */
	struct route_result dst_cache;
	bool dst_cache_valid;

	/* corking (udp_cork.c): UDP_CORK is on; the kernel socket holds a corked datagram; the
	 * shim's pending datagram (NULL until first corked send) */
	bool cork_opt;
	bool cork_kernel;
	struct udp_cork *cork;
	/* atomic: renewed (from a process-wide counter, never 0 again) by every settings change;
	 * flows cached by udp_fastpath.c hold the stamp they were learnt under. 0: not synced. */
	uint64_t fp_stamp;
};

#endif
