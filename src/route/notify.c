/* notify: the route generation, moved by rtnetlink notifications.
 *
 * A thread of the shim's own listens to link, address, route, rule and neighbour changes and bumps
 * the generation on each; cached routes, links and neighbours are used only while the generation
 * they were made in is current. The thread starts on the first lookup (never in a process that
 * does not send), blocks every signal, and is started again in a child after fork. If it cannot
 * start, every lookup asks the kernel (generation always new). */
#include "notify.h"
#include "rtnl.h"

#include "shim/rawsys.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/syscall.h>

static _Atomic uint64_t generation = 1;
static _Atomic int listener_state; /* 0 not started, 1 running, -1 failed: no caching */
static long listener_pid;
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;

static void *listen_loop(void *arg)
{
	static char buf[32768];
	int fd = (int)(long)arg;

	for (;;) {
		long n = rawsys6(SYS_recvfrom, fd, (long)buf, sizeof(buf), 0, 0, 0);

		if (n == -EINTR)
			continue;
		/* Anything — a message, or an overrun (ENOBUFS: messages were lost) — may mean a
		 * change. */
		atomic_fetch_add(&generation, 1);
		if (n < 0 && n != -ENOBUFS) {
			atomic_store(&listener_state, -1);
			return NULL;
		}
	}
}

static void start_listener(void)
{
	unsigned groups = RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE |
			  RTMGRP_IPV4_RULE;
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t th;
	int fd = rtnl_open(groups), ok;

	if (fd < 0) {
		atomic_store(&listener_state, -1);
		return;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	ok = pthread_create(&th, &attr, listen_loop, (void *)(long)fd) == 0;
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!ok) {
		rawsys1(SYS_close, fd);
		atomic_store(&listener_state, -1);
		return;
	}
	listener_pid = rawsys0(SYS_getpid);
	atomic_fetch_add(&generation, 1); /* nothing cached before the listener counts */
	atomic_store(&listener_state, 1);
}

uint64_t notify_generation(void)
{
	int state = atomic_load_explicit(&listener_state, memory_order_acquire);

	if (state == 0) {
		pthread_mutex_lock(&start_lock);
		if (atomic_load(&listener_state) == 0)
			start_listener();
		pthread_mutex_unlock(&start_lock);
		state = atomic_load(&listener_state);
	}
	if (state < 0)
		return atomic_fetch_add(&generation, 1) + 1; /* no listener: never reuse */
	return atomic_load_explicit(&generation, memory_order_acquire);
}

uint64_t notify_generation_peek(void)
{
	return atomic_load_explicit(&generation, memory_order_acquire);
}

void notify_forget_after_fork(void)
{
	/* The listener thread did not survive fork: start a new one on the next lookup. */
	pthread_mutex_init(&start_lock, NULL);
	atomic_store(&listener_state, 0);
	atomic_fetch_add(&generation, 1);
}
