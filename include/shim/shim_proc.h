/* shim_proc: which process this is — fork detection that needs no atfork handler.
 *
 * One page mapped with MADV_WIPEONFORK holds the process's state: the kernel gives a child made
 * by fork, _Fork or a raw clone (anything without CLONE_VM) that page zeroed, so the first entry
 * of the child into the shim sees "not ready" and makes the child a new process for the shim: a
 * new lock generation (every lock a thread of the parent held is free), every SHIM_AFTER_FORK
 * function run (include/shim/shim_lock.h), and its own pid read. A vfork child shares the page
 * (and everything else) with its parent: it never reaches the shim at all
 * (preload/intercept_fork.c). The pid is read when it is first needed in a process, never carried
 * over from the parent. */
#ifndef SHIM_SHIM_PROC_H
#define SHIM_SHIM_PROC_H

#include <stdbool.h>
#include <stdint.h>

struct shim_proc_page {
	uint32_t ready; /* atomic: 2 when this process is set up; zeroed by the kernel in a child */
	uint32_t wipes; /* 1: MADV_WIPEONFORK took effect (kernels since 4.14) */
	long pid;
};

extern struct shim_proc_page *shim_proc_page;

void shim_proc_refresh(void);

/* At every entry into the shim: one load and a branch when nothing changed. */
static inline void shim_proc_check(void)
{
	if (__builtin_expect(__atomic_load_n(&shim_proc_page->ready, __ATOMIC_ACQUIRE) != 2, 0))
		shim_proc_refresh();
}

/* This process's pid (for process_vm_readv on itself), read in this process. */
static inline long shim_proc_pid(void)
{
	shim_proc_check();
	return shim_proc_page->pid;
}

/* In a child just made by fork or _Fork (preload/intercept_fork.c): become a new process now,
 * also where the kernel cannot wipe the page. libc_fork: made by libc's fork(), which leaves the
 * child's libc (malloc, thread creation) usable; after _Fork or a raw clone of a process with other
 * threads only async-signal-safe functions are (POSIX), so the shim then starts no thread there. */
void shim_proc_child(bool libc_fork);

/* Whether this process came from libc's fork() (or was never forked): for SHIM_AFTER_FORK
 * functions deciding whether they may start a thread again. */
bool shim_proc_libc_usable(void);

#endif
