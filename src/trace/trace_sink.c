/* trace_sink: the trace and notice output of the shim (see include/shim/trace.h). */
#include "shim/trace.h"
#include "shim/internal_fd.h"
#include "shim/rawsys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>

bool trace_calls_enabled;
bool trace_epilogue_enabled;

static int sink_fd = -1; /* atomic */

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
	old = __atomic_exchange_n(&sink_fd, fd, __ATOMIC_ACQ_REL);
	internal_fd_track(&sink_fd);
	if (old >= 0) {
		internal_fd_close(old);
	}
	return err;
}

int trace_sink_fd(void)
{
	return __atomic_load_n(&sink_fd, __ATOMIC_ACQUIRE);
}

static void sink_write(const char *p, size_t len)
{
	int fd = __atomic_load_n(&sink_fd, __ATOMIC_ACQUIRE);

	if (fd < 0)
		fd = 2;
	while (len > 0) {
		long n = rawsys3(SYS_write, fd, p, len);

		if (n == -EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

void trace_call(const struct strace_call *c)
{
	char mem[1024];
	struct sbuf b;

	sbuf_init(&b, mem, sizeof(mem));
	strace_format_call(&b, c);
	sink_write(b.p, b.len);
	sbuf_release(&b);
}

void shim_notice(const char *line)
{
	char mem[600];
	struct sbuf b;

	sbuf_init(&b, mem, sizeof(mem));
	sbuf_puts(&b, line);
	sbuf_putc(&b, '\n');
	sink_write(b.p, b.len);
	sbuf_release(&b);
}
