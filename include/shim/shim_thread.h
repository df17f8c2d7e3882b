/* shim_thread: starting one of the shim's own threads (the route/neighbour listener, the
 * coalescing flusher), src/core/shim_thread.c.
 *
 * The thread is detached, has a 64 KiB stack and starts with every signal blocked that the
 * program's pthread_sigmask would block: it never runs the program's handlers. The mask is set
 * the way the program's own call sets it (SIGSEGV and SIGBUS stay unblocked in the kernel while
 * the shim's fault handler holds them, include/shim/fault.h), without going through the
 * interposed pthread_sigmask of preload/. Start it only where libc may make a thread (not in a
 * signal handler, not in a child of _Fork): pthread_create allocates with the program's calloc. */
#ifndef SHIM_SHIM_THREAD_H
#define SHIM_SHIM_THREAD_H

/* 0, or an error number of pthread_create (no thread). */
int shim_thread_start(void *(*fn)(void *), void *arg);

#endif
