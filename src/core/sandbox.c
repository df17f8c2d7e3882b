/* sandbox: the calling thread's seccomp mode (see include/shim/sandbox.h). */
#include "shim/sandbox.h"
#include "shim/rawsys.h"

#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>

bool shim_seccomp_seen;

void shim_seccomp_park(void)
{
	for (;;)
		rawsys5(SYS_ppoll, 0, 0, 0, 0, 0);
}

static long read_status(const char *path, char *buf, size_t size)
{
	long fd = rawsys4(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0), n, got = 0;

	if (fd < 0)
		return fd;
	while ((size_t)got < size - 1 &&
	       (n = rawsys3(SYS_read, fd, buf + got, size - 1 - (size_t)got)) > 0)
		got += n;
	rawsys1(SYS_close, fd);
	buf[got] = 0;
	return got;
}

bool shim_sandboxed(void)
{
	char buf[4096];
	const char *f;

	if (read_status("/proc/thread-self/status", buf, sizeof(buf)) <= 0 &&
	    read_status("/proc/self/status", buf, sizeof(buf)) <= 0)
		return true;
	f = strstr(buf, "\nSeccomp:");
	if (f == NULL)
		return false; /* a kernel without seccomp */
	f += strlen("\nSeccomp:");
	while (*f == ' ' || *f == '\t')
		f++;
	return *f != '0';
}
