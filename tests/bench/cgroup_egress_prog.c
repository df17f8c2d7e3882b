/* cgroup_egress_prog: run a command in a new cgroup that has a cgroup_skb/egress BPF program
 * attached (one that lets every packet pass), for e2e.selfcheck_host: shim-run --selfcheck must
 * warn that the shim's frames would skip it.
 *
 *   cgroup_egress_prog CGROUP_DIR command [args...]
 *
 * CGROUP_DIR is made (a child of a cgroup v2 directory), the program is loaded and attached to it
 * (BPF_PROG_ATTACH, BPF_CGROUP_INET_EGRESS), this process moves into it and execs the command.
 * The caller removes CGROUP_DIR afterwards (rmdir: the attachment goes with it). */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static long bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

int main(int argc, char **argv)
{
	struct bpf_insn insns[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K,
	     .dst_reg = BPF_REG_0,
	     .imm = 1}, /* r0 = 1: pass */
	    {.code = BPF_JMP | BPF_EXIT},
	};
	union bpf_attr attr;
	char procs[4200];
	int cg, prog, fd;

	if (argc < 3) {
		fprintf(stderr, "usage: cgroup_egress_prog CGROUP_DIR command [args...]\n");
		return 2;
	}
	if (mkdir(argv[1], 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "cgroup_egress_prog: mkdir %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	cg = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (cg < 0) {
		fprintf(stderr, "cgroup_egress_prog: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_SKB;
	attr.expected_attach_type = BPF_CGROUP_INET_EGRESS;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	attr.license = (unsigned long)"GPL";
	prog = (int)bpf(BPF_PROG_LOAD, &attr);
	if (prog < 0) {
		fprintf(stderr, "cgroup_egress_prog: BPF_PROG_LOAD: %s\n", strerror(errno));
		return 1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (unsigned)cg;
	attr.attach_bpf_fd = (unsigned)prog;
	attr.attach_type = BPF_CGROUP_INET_EGRESS;
	if (bpf(BPF_PROG_ATTACH, &attr) < 0) {
		fprintf(stderr, "cgroup_egress_prog: BPF_PROG_ATTACH: %s\n", strerror(errno));
		return 1;
	}
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", argv[1]);
	fd = open(procs, O_WRONLY);
	if (fd < 0 || write(fd, "0", 1) != 1) {
		fprintf(stderr, "cgroup_egress_prog: %s: %s\n", procs, strerror(errno));
		return 1;
	}
	close(fd);
	close(prog);
	close(cg);
	execvp(argv[2], argv + 2);
	fprintf(stderr, "cgroup_egress_prog: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
