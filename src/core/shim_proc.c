/* shim_proc: the MADV_WIPEONFORK page. See include/shim/shim_proc.h. */
#include "shim/shim_proc.h"
#include "shim/rawsys.h"
#include "shim/shim_lock.h"

#include <sys/mman.h>
#include <sys/syscall.h>

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif

/* Until the page is mapped (the first entry, normally the library constructor): never "ready". */
static struct shim_proc_page boot;
struct shim_proc_page *shim_proc_page = &boot;

/* false in a child not known to come from libc's fork() (shim_proc.h) */
static bool libc_usable = true;

/* The thread that is making this process a new one: its own calls must not wait for itself. */
static __thread int refreshing __attribute__((tls_model("initial-exec")));

static void become_new_process(struct shim_proc_page *pg)
{
	refreshing = 1;
	pg->pid = rawsys0(SYS_getpid);
	shim_lock_new_generation(__atomic_load_n(&shim_lock_gen, __ATOMIC_RELAXED) + 4u);
	refreshing = 0;
}

static void map_page(void)
{
	struct shim_proc_page *expected = &boot;
	long p =
	    rawsys6(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct shim_proc_page *pg = (struct shim_proc_page *)p;

	if ((unsigned long)p > -4096ul)
		return; /* stays on boot: detection only through the fork interposers */
	pg->wipes = rawsys3(SYS_madvise, pg, 4096, MADV_WIPEONFORK) == 0;
	pg->pid = rawsys0(SYS_getpid);
	__atomic_store_n(&pg->ready, 2, __ATOMIC_RELEASE);
	if (!__atomic_compare_exchange_n(&shim_proc_page, &expected, pg, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		rawsys2(SYS_munmap, pg, 4096);
}

void shim_proc_refresh(void)
{
	struct shim_proc_page *pg = __atomic_load_n(&shim_proc_page, __ATOMIC_ACQUIRE);
	uint32_t state = 0;

	if (refreshing)
		return;
	if (pg == &boot) {
		map_page();
		if (__atomic_load_n(&shim_proc_page, __ATOMIC_ACQUIRE) == &boot)
			boot.pid =
			    rawsys0(SYS_getpid); /* no page: the pid at least is this one's */
		return;
	}
	/* the page came back zeroed: this is a child. One thread makes it a new process, any other
	 * that arrives meanwhile waits for that (a child has one thread until it makes more) */
	if (__atomic_compare_exchange_n(&pg->ready, &state, 1, false, __ATOMIC_ACQUIRE,
					__ATOMIC_ACQUIRE)) {
		pg->wipes = 1;
		libc_usable = false; /* not known to come from libc's fork() */
		become_new_process(pg);
		__atomic_store_n(&pg->ready, 2, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&pg->ready, __ATOMIC_ACQUIRE) != 2)
		rawsys0(SYS_sched_yield);
}

bool shim_proc_libc_usable(void)
{
	return libc_usable;
}

void shim_proc_child(bool libc_fork)
{
	struct shim_proc_page *pg = __atomic_load_n(&shim_proc_page, __ATOMIC_ACQUIRE);

	if (pg == &boot) {
		map_page();
		pg = __atomic_load_n(&shim_proc_page, __ATOMIC_ACQUIRE);
	} else if (pg->wipes && __atomic_load_n(&pg->ready, __ATOMIC_ACQUIRE) == 2) {
		return; /* already done by an entry (the page was wiped and seen) */
	}
	libc_usable = libc_fork;
	__atomic_store_n(&pg->ready, 1, __ATOMIC_RELAXED);
	become_new_process(pg);
	__atomic_store_n(&pg->ready, 2, __ATOMIC_RELEASE);
}

/* Mapped when the library loads, before the program (or a test) unmaps and reuses addresses. */
__attribute__((constructor)) static void shim_proc_load(void)
{
	shim_proc_check();
}
