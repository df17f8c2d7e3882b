/* notify_bpf: rtnetlink notifications counted as the kernel queues them (see notify.h).
 *
 * The kernel sends a route, address, link or rule notification (rtnl_notify → netlink_broadcast)
 * before it acknowledges the request that made the change, so by the time `ip route replace`
 * returns, the notification is on the listener's socket; the listener thread reads it some
 * microseconds later. A send in between would use a cached route the kernel no longer has. So a
 * socket filter on the listener's socket (an eBPF program, run by netlink_broadcast for each
 * message it delivers there, in the sender's context, before the acknowledgement) counts the
 * messages in an array map that the shim has mapped into its memory: the send path reads the
 * counts with plain loads (notify_bpf_counts) and treats a moved count as a changed generation.
 * Neighbour messages are counted apart from the others, as the listener counts them (they do not
 * change routes). notify.c folds the counts into its generations.
 *
 * Loading the program needs CAP_BPF (or CAP_SYS_ADMIN), so it is done when the listener's socket is
 * opened at load; never under a seccomp filter (bpf() is a call the program may not be allowed).
 * Without it the counts stay at zero and only the listener moves the generations. The program and
 * map fds are closed once the filter is attached and the map mapped (the socket and the mapping
 * keep them alive), so this costs the program no fd. */
#include "notify.h"

#include "shim/config.h"
#include "shim/rawsys.h"
#include "shim/route.h"
#include "shim/sandbox.h"

#include <errno.h>
#include <linux/bpf.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#ifndef SO_ATTACH_BPF
#define SO_ATTACH_BPF 50
#endif

#define INSN(c, d, s, o, i)                                                                        \
	(struct bpf_insn)                                                                          \
	{                                                                                          \
		.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)                \
	}

/* The filter: counts[0] += 1 for every message, counts[1] += 1 unless it is a neighbour message;
 * the message is kept whole. */
static int load_program(int map_fd)
{
	struct bpf_insn prog[] = {
	    /* r2..r4 = (4, fp - 8, 2): nlmsg_type into the stack */
	    INSN(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 4),
	    INSN(BPF_ALU64 | BPF_MOV | BPF_X, 3, 10, 0, 0),
	    INSN(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, -8),
	    INSN(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 2),
	    INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_skb_load_bytes),
	    INSN(BPF_ALU64 | BPF_MOV | BPF_K, 7, 0, 0, 0), /* r7: a neighbour message */
	    INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 5, 0),   /* unreadable: not one → count */
	    INSN(BPF_LDX | BPF_MEM | BPF_H, 0, 10, -8, 0),
	    INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2, RTM_NEWNEIGH),
	    INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1, RTM_DELNEIGH),
	    INSN(BPF_JMP | BPF_JA, 0, 0, 1, 0),
	    INSN(BPF_ALU64 | BPF_MOV | BPF_K, 7, 0, 0, 1),
	    /* count: r0 = map_lookup_elem(map, &(u32){0}) */
	    INSN(BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, 0),
	    INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, map_fd),
	    INSN(0, 0, 0, 0, 0),
	    INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0),
	    INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4),
	    INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
	    INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 4, 0),
	    INSN(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 1),
	    INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 0, 1, 0, BPF_ADD),
	    INSN(BPF_JMP | BPF_JNE | BPF_K, 7, 0, 1, 0),
	    INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 0, 1, 8, BPF_ADD),
	    /* keep the whole message */
	    INSN(BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, -1),
	    INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insn_cnt = sizeof(prog) / sizeof(prog[0]);
	a.insns = (uint64_t)(uintptr_t)prog;
	a.license = (uint64_t)(uintptr_t) "Dual MIT/GPL";
	return (int)rawsys3(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
}

static int create_map(void)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = NOTIFY_BPF_COUNTS * sizeof(uint64_t);
	a.max_entries = 1;
	a.map_flags = BPF_F_MMAPABLE;
	return (int)rawsys3(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
}

/* SHIM_ROUTE_BPF=0, or a seccomp filter that might kill the process for a bpf() call it never
 * makes itself */
static int disabled(void)
{
	return !shim_config.route_bpf || shim_sandboxed();
}

const volatile uint64_t *notify_bpf_attach(int fd, int *err)
{
	int map_fd, prog_fd;
	long r = 0;
	void *p;

	if (disabled()) {
		*err = -EPERM;
		return NULL;
	}
	map_fd = create_map();
	if (map_fd < 0) {
		*err = map_fd;
		return NULL;
	}
	p = (void *)rawsys6(SYS_mmap, 0, 4096, PROT_READ, MAP_SHARED, map_fd, 0);
	if ((long)p < 0 && (long)p > -4096) {
		rawsys1(SYS_close, map_fd);
		*err = (int)(long)p;
		return NULL;
	}
	prog_fd = load_program(map_fd);
	if (prog_fd < 0)
		r = prog_fd;
	else
		r = rawsys5(SYS_setsockopt, fd, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd,
			    sizeof(prog_fd));
	if (prog_fd >= 0)
		rawsys1(SYS_close, prog_fd);
	rawsys1(SYS_close, map_fd);
	if (r < 0) {
		rawsys2(SYS_munmap, p, 4096);
		*err = (int)r;
		return NULL;
	}
	return (const volatile uint64_t *)p;
}
