/* trace_sink: where the trace lines go (see include/shim/trace.h); the notice channel itself is
 * src/core/notice.c. */
#include "shim/trace.h"
#include "shim/notice.h"
#include "shim/internal_fd.h"
#include "shim/rawsys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>

bool trace_calls_enabled;
bool trace_epilogue_enabled;

int trace_sink_open(const char *path)
{
	int fd, old, err = 0;

	if (path != NULL && path[0] != '\0') {
		long f = rawsys4(SYS_openat, AT_FDCWD, path,
				 O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0644);
		if (f >= 0) {
			fd = internal_fd_adopt((int)f, true);
		} else {
			err = (int)f;
			fd = internal_fd_adopt(2, false);
		}
	} else {
		fd = internal_fd_adopt(2, false);
	}
	old = __atomic_exchange_n(&shim_out_fd, fd, __ATOMIC_ACQ_REL);
	internal_fd_track(&shim_out_fd);
	if (old >= 0) {
		internal_fd_close(old);
	}
	return err;
}

int trace_sink_fd(void)
{
	return __atomic_load_n(&shim_out_fd, __ATOMIC_ACQUIRE);
}

void trace_call(const struct strace_call *c)
{
	char mem[1024];
	struct sbuf b;

	sbuf_init(&b, mem, sizeof(mem));
	strace_format_call(&b, c);
	shim_out_write(b.p, b.len);
	sbuf_release(&b);
}
