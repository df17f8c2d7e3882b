/* intercept_cancel: pthread_cancel — from the first call on, the interposers of cancellation
 * points check for a pending cancel at entry and exit (preload/interpose.c); until then that costs
 * them a load and a branch instead of two calls into libc. */
#include "guard.h"
#include "real.h"

#include <errno.h>
#include <pthread.h>

bool shim_cancel_used;

__attribute__((visibility("default"))) int pthread_cancel(pthread_t thread)
{
	__atomic_store_n(&shim_cancel_used, true, __ATOMIC_SEQ_CST);
	if (REAL(pthread_cancel) == NULL)
		return ENOSYS;
	return REAL(pthread_cancel)(thread);
}
