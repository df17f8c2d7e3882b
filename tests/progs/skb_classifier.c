/* skb_classifier: loads a tc classifier that sorts frames by their skb priority and mark, and pins
 * it at PATH (a bpf file system) for `tc filter add ... bpf object-pinned PATH`.
 *
 * The class of a UDP frame (IPv4 or IPv6) is 1:1PM (hex): P the low 4 bits of skb->priority, M
 * the low 4 bits of skb->mark (priority 5, mark 2: class 1:125); any other frame's is 1:2. The
 * kernel this project runs on has neither the prio qdisc nor the fw classifier; an eBPF classifier
 * reads the same two skb fields they do.
 *
 *   skb_classifier PATH */
#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define INSN(c, d, s, o, i)                                                                        \
	(struct bpf_insn)                                                                          \
	{                                                                                          \
		.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)                \
	}

int main(int argc, char **argv)
{
	struct bpf_insn prog[] = {
	    /* r6: the skb; r7: where its transport protocol byte is (IPv4 23, IPv6 20) */
	    INSN(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0),
	    INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 6, offsetof(struct __sk_buff, protocol), 0),
	    INSN(BPF_ALU64 | BPF_MOV | BPF_K, 7, 0, 0, 14 + 9),
	    INSN(BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 2, 0x0008), /* htons(ETH_P_IP) */
	    INSN(BPF_ALU64 | BPF_MOV | BPF_K, 7, 0, 0, 14 + 6),
	    INSN(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 17, 0xdd86), /* not htons(ETH_P_IPV6) */
	    /* bpf_skb_load_bytes(skb, r7, fp - 8, 1): the protocol byte; not UDP: 1:2 */
	    INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 6, 0, 0),
	    INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, 7, 0, 0),
	    INSN(BPF_ALU64 | BPF_MOV | BPF_X, 3, 10, 0, 0),
	    INSN(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, -8),
	    INSN(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 1),
	    INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_skb_load_bytes),
	    INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 10, 0),
	    INSN(BPF_LDX | BPF_MEM | BPF_B, 0, 10, -8, 0),
	    INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 8, 17 /* IPPROTO_UDP */),
	    /* r0 = skb->priority & 0xf | (skb->mark & 0xf) << 4 | 0x10100: the class id */
	    INSN(BPF_LDX | BPF_MEM | BPF_W, 0, 6, offsetof(struct __sk_buff, priority), 0),
	    INSN(BPF_ALU64 | BPF_AND | BPF_K, 0, 0, 0, 0xf),
	    INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 6, offsetof(struct __sk_buff, mark), 0),
	    INSN(BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, 0xf),
	    INSN(BPF_ALU64 | BPF_LSH | BPF_K, 2, 0, 0, 4),
	    INSN(BPF_ALU64 | BPF_OR | BPF_X, 0, 2, 0, 0),
	    INSN(BPF_ALU64 | BPF_OR | BPF_K, 0, 0, 0, 0x10100),
	    INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	    /* anything but UDP over IPv4 or IPv6 (neighbour discovery, MLD): 1:2 */
	    INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0x10002),
	    INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	static char log[4096];
	union bpf_attr a;
	long fd;

	if (argc != 2) {
		fprintf(stderr, "usage: skb_classifier PATH\n");
		return 2;
	}
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SCHED_CLS;
	a.insn_cnt = sizeof(prog) / sizeof(prog[0]);
	a.insns = (uint64_t)(uintptr_t)prog;
	a.license = (uint64_t)(uintptr_t) "GPL";
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	fd = syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (fd < 0) {
		perror("BPF_PROG_LOAD");
		fprintf(stderr, "%s\n", log);
		return 1;
	}
	memset(&a, 0, sizeof(a));
	a.pathname = (uint64_t)(uintptr_t)argv[1];
	a.bpf_fd = (uint32_t)fd;
	if (syscall(SYS_bpf, BPF_OBJ_PIN, &a, sizeof(a)) < 0) {
		perror("BPF_OBJ_PIN");
		return 1;
	}
	return 0;
}
