/* intercept_fork: fork and _Fork — the child becomes a new process for the shim at once.
 *
 * The child would find out by itself on its first entry into the shim (the MADV_WIPEONFORK page of
 * src/core/shim_proc.c comes back zeroed: new lock generation, every SHIM_AFTER_FORK function, its
 * own pid), also after a raw clone; doing it here makes it independent of whether the kernel can
 * wipe the page, and _Fork runs no atfork handler at all. */
#include "shim/shim_proc.h"

#include <dlfcn.h>
#include <sys/types.h>
#include <unistd.h>

#define SHIM_EXPORT __attribute__((visibility("default")))

extern pid_t _Fork(void);

/* libc's own function, looked up on first use (a race only looks it up twice) */
#define REAL(name)                                                                                 \
	({                                                                                         \
		static __typeof__(&name) p_;                                                       \
		if (__builtin_expect(p_ == NULL, 0))                                               \
			p_ = (__typeof__(&name))dlsym(RTLD_NEXT, #name);                           \
		p_;                                                                                \
	})

SHIM_EXPORT pid_t fork(void)
{
	pid_t pid = REAL(fork)();

	if (pid == 0)
		shim_proc_child(true);
	return pid;
}

SHIM_EXPORT pid_t _Fork(void)
{
	pid_t pid = REAL(_Fork)();

	if (pid == 0)
		shim_proc_child(false);
	return pid;
}
