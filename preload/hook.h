/* hook: what every interposed entry point shares — export, init, trace, internal-fd guard. */
#ifndef SHIM_PRELOAD_HOOK_H
#define SHIM_PRELOAD_HOOK_H

#include "real.h"

#include "shim/coalesce.h"
#include "shim/fdtable.h"
#include "shim/ident_watch.h"
#include "shim/summary.h"
#include "shim/sys_send.h"
#include "shim/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "export.h"

#define A(x) ((unsigned long)(x))

/* The epilogue of an interposer: print the strace line for system call nr with arguments a (as the
 * kernel sees them) and result. */
#define TRACE_SYSCALL(nr, ret, err, ...)                                                           \
	do {                                                                                       \
		if (__builtin_expect(trace_calls_enabled, 0)) {                                    \
			struct strace_call c_ = {(nr), {__VA_ARGS__}, (long)(ret), (err)};         \
			trace_call(&c_);                                                           \
		}                                                                                  \
	} while (0)

/* The epilogue of a send call, with r the shim's answer (src/sys/sys_send.c): the strace line, and
 * for SHIM_SUMMARY how the call was answered (the shim's own, handed to the kernel socket, or not
 * its socket: libc's); one test when neither is on. */
#define TRACE_SEND(nr, r, ret, err, ...)                                                             \
	do {                                                                                         \
		if (__builtin_expect(trace_epilogue_enabled, 0)) {                                   \
			if (summary_enabled)                                                         \
				summary_note_route((r) == SHIM_NOT_OWNED   ? SUMMARY_ROUTE_NOT_OWNED \
						   : (r) == SHIM_TO_KERNEL ? SUMMARY_ROUTE_KERNEL    \
									   : SUMMARY_ROUTE_SHIM);    \
			TRACE_SYSCALL(nr, ret, err, __VA_ARGS__);                                    \
		}                                                                                    \
	} while (0)

/* The program may not touch the shim's own fds: to it they do not exist. */
static inline int fd_is_internal(int fd)
{
	return internal_fd_is(fd);
}

/* ret = call, err = its errno; or -1/EBADF without calling when fd is one of the shim's own. */
#define CALL_UNLESS_INTERNAL(fd, ret, err, call)                                                   \
	do {                                                                                       \
		if (fd_is_internal(fd)) {                                                          \
			(ret) = -1;                                                                \
			(err) = EBADF;                                                             \
		} else {                                                                           \
			(ret) = (call);                                                            \
			(err) = errno;                                                             \
		}                                                                                  \
	} while (0)

/* r is the shim's answer (src/sys/sys_send.c): whether it must go to libc instead. */
#define SHIM_PASSES(r) ((r) == SHIM_NOT_OWNED || (r) == SHIM_TO_KERNEL)

/* The call goes to libc: ret = call with err its errno (EBADF for the shim's own fds). When the
 * shim handed it over (r == SHIM_TO_KERNEL), the ID the kernel gives a connected socket's datagram
 * is learnt on the way (src/ipv4/ident_learn.c). */
#define CALL_KERNEL(fd, r, ret, err, call)                                                         \
	do {                                                                                       \
		struct ident_watch w_ = {false, -1, 0, false};                                     \
		if ((r) == SHIM_TO_KERNEL) {                                                       \
			coalesce_before_wait(); /* the order on the wire is the calls' order */    \
			ident_watch_begin((fd), &w_);                                              \
		}                                                                                  \
		if (w_.active) { /* the tap lock is held: the call may not end the thread */       \
			int cs_;                                                                   \
			pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cs_);                      \
			CALL_UNLESS_INTERNAL(fd, ret, err, call);                                  \
			pthread_setcancelstate(cs_, NULL);                                         \
			ident_watch_end(&w_, (long)(ret));                                         \
			pthread_testcancel(); /* one that came meanwhile: nothing is held now */   \
		} else {                                                                           \
			CALL_UNLESS_INTERNAL(fd, ret, err, call);                                  \
			if (w_.cork)                                                               \
				ident_watch_end(&w_, (long)(ret));                                 \
		}                                                                                  \
	} while (0)

/* Take the shim's answer r: ret and err as libc would set them; on success errno stays as the
 * program had it (saved). */
#define SHIM_RESULT(r, ret, err, saved)                                                            \
	do {                                                                                       \
		(ret) = (r) < 0 ? -1 : (r);                                                        \
		(err) = (r) < 0 ? (int)-(r) : (saved);                                             \
	} while (0)

#endif
