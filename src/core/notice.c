/* notice: the shim's output channel (see include/shim/notice.h). */
#include "shim/notice.h"
#include "shim/rawsys.h"
#include "shim/sbuf.h"

#include <errno.h>
#include <sys/syscall.h>

int shim_out_fd = -1; /* atomic */

void shim_out_write(const char *p, size_t len)
{
	int fd = __atomic_load_n(&shim_out_fd, __ATOMIC_ACQUIRE);

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

void shim_notice(const char *line)
{
	char mem[600];
	struct sbuf b;

	sbuf_init(&b, mem, sizeof(mem));
	sbuf_puts(&b, line);
	sbuf_putc(&b, '\n');
	shim_out_write(b.p, b.len);
	sbuf_release(&b);
}
