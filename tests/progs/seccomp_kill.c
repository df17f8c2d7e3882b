/* seccomp_kill: run a program under a seccomp filter that kills the process on one system call.
 *
 *   seccomp_kill SYSCALL PROGRAM ARGS...
 * Sets no_new_privs, installs a filter (x86-64 and aarch64 native calls only) whose action for
 * SYSCALL (a number, or "bpf") is SECCOMP_RET_KILL_PROCESS and ALLOW for every other call, then
 * execs PROGRAM: the filter is in force before any preloaded library runs. Exit 127 if it cannot.
 */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "seccomp_kill: unknown architecture"
#endif

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: seccomp_kill SYSCALL PROGRAM ARGS...\n");
		return 127;
	}
	unsigned nr = strcmp(argv[1], "bpf") == 0 ? SYS_bpf : (unsigned)atoi(argv[1]);
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
		perror("seccomp_kill");
		return 127;
	}
	execvp(argv[2], argv + 2);
	perror("seccomp_kill: exec");
	return 127;
}
