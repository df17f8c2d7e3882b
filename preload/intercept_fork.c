/* intercept_fork: fork and _Fork — the child becomes a new process for the shim at once; vfork —
 * the child never enters the shim.
 *
 * The child would find out by itself on its first entry into the shim (the MADV_WIPEONFORK page of
 * src/core/shim_proc.c comes back zeroed: new lock generation, every SHIM_AFTER_FORK function, its
 * own pid), also after a raw clone; doing it here makes it independent of whether the kernel can
 * wipe the page, and _Fork runs no atfork handler at all. */
#include "real.h"

#include "shim/guard.h"
#include "shim/route.h"
#include "shim/sandbox.h"
#include "shim/shim_proc.h"

#include <errno.h>
#include <sys/types.h>
#include <unistd.h>

#include "export.h"

/* libc's fork and _Fork: real.fork and real._Fork (preload/calls.h), resolved at set-up, before
 * any signal handler or child could call them (dlsym is not async-signal-safe, _Fork is). */
SHIM_EXPORT pid_t fork(void)
{
	pid_t pid = REAL(fork)();

	if (pid == 0 &&
	    !shim_seccomp_active()) { /* aside for a filter: nothing of the shim's runs */
		shim_proc_child(true);
		/* the listener thread, now that libc's fork() made a child where threads may be
		 * made: not on its first send, which may come from a signal handler */
		if (shim_bypass) {
			shim_enter();
			route_listener_start();
			shim_leave();
		}
	}
	return pid;
}

SHIM_EXPORT pid_t _Fork(void)
{
	pid_t pid = REAL(_Fork)();

	if (pid == 0 && !shim_seccomp_active())
		shim_proc_child(false);
	return pid;
}

/* vfork: the child shares the parent's memory (the fd table, the socket objects, every cache of
 * the shim) but not its fd table, until it execs or exits. So the child never enters the shim: it
 * runs one level "inside the shim" (include/shim/guard.h) for its whole life, and every call it
 * makes goes straight to the kernel; `dup2(sock, 1)` there changes the child's fd 1 only. The
 * parent, resumed, gets its own depth back. Written in assembly because the child returns on the
 * parent's stack: the return address is kept in a register (rdx, which the system call keeps), the
 * depth before the call in edi, the depth's TLS address in rsi; nothing else is touched. */
long shim_vfork_failed(int err) __attribute__((used, visibility("hidden")));
long shim_vfork_failed(int err)
{
	errno = err;
	return -1;
}

__asm__(".text\n"
	".globl vfork\n"
	".type vfork,@function\n"
	".p2align 4\n"
	"vfork:\n"
	"	pop %rdx\n"			       /* the return address */
	"	mov shim_depth@gottpoff(%rip), %rsi\n" /* this thread's depth */
	"	mov %fs:(%rsi), %edi\n"
	"	mov $58, %eax\n" /* SYS_vfork */
	"	syscall\n"
	"	push %rdx\n"
	"	test %rax, %rax\n"
	"	jz 1f\n"
	"	mov %edi, %fs:(%rsi)\n" /* the parent (the child is gone): its own depth */
	"	cmp $-4095, %rax\n"
	"	jae 2f\n"
	"	ret\n"
	"1:	add $1, %edi\n" /* the child: inside the shim until exec or exit */
	"	mov %edi, %fs:(%rsi)\n"
	"	ret\n"
	"2:	neg %eax\n"
	"	mov %eax, %edi\n"
	"	jmp shim_vfork_failed\n"
	".size vfork, .-vfork\n");
