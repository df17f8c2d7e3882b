/* shim_thread: the shim's own threads, started with all signals blocked. See
 * include/shim/shim_thread.h. */
#include "shim/shim_thread.h"
#include "shim/fault.h"

#include <pthread.h>
#include <signal.h>

/* The calling thread's mask as the program's pthread_sigmask would set it: 0 or -errno. */
static int thread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	if (fault_owns(SIGSEGV))
		return fault_sigmask(how, set, old);
	return fault_raw_sigmask(how, set, old);
}

int shim_thread_start(void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	pthread_t th;
	sigset_t all, old;
	int err;

	sigfillset(&all);
	thread_sigmask(SIG_SETMASK, &all, &old); /* the new thread inherits it */
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	err = pthread_create(&th, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	thread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}
