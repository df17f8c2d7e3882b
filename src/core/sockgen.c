/* sockgen: the shared per-socket generations (see include/shim/sockgen.h). */
#include "shim/sockgen.h"
#include "shim/rawsys.h"
#include "shim/sandbox.h"

#include <fcntl.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define SOCKGEN_BYTES ((long)SOCKGEN_CELLS * (long)sizeof(unsigned))

static unsigned *cells;	    /* atomic: the mapping, once made */
static int backing;	    /* atomic: see sockgen_backing */
static unsigned local_cell; /* a socket of unknown cookie: bumped by this process only */

/* "/dev/shm/libshim-sockgen-" and the decimal euid */
static void sockgen_path(char *buf, size_t size)
{
	static const char prefix[] = "/dev/shm/libshim-sockgen-";
	char digits[12];
	unsigned uid = (unsigned)rawsys0(SYS_geteuid);
	size_t n = 0, i = 0;

	do {
		digits[n++] = (char)('0' + uid % 10);
		uid /= 10;
	} while (uid != 0);
	for (; prefix[i] != '\0' && i + 1 < size; i++)
		buf[i] = prefix[i];
	while (n > 0 && i + 1 < size)
		buf[i++] = digits[--n];
	buf[i] = '\0';
}

/* The per-user file, mapped; NULL if it cannot be used. Raw calls only: this runs wherever the
 * first socket of a process is seen (another library's constructor, a signal handler). */
static unsigned *map_user_file(void)
{
	char path[64];
	struct stat st;
	long fd, p = -1;

	sockgen_path(path, sizeof(path));
	fd = rawsys4(SYS_openat, AT_FDCWD, path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	if (rawsys2(SYS_fstat, fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_uid == (uid_t)rawsys0(SYS_geteuid) && (st.st_mode & 077) == 0 &&
	    (st.st_size >= SOCKGEN_BYTES || rawsys2(SYS_ftruncate, fd, SOCKGEN_BYTES) == 0))
		p = rawsys6(SYS_mmap, 0, SOCKGEN_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	rawsys1(SYS_close, fd);
	return p < 0 && p > -4096 ? NULL : (unsigned *)p;
}

static unsigned *map_cells(void)
{
	unsigned *c = __atomic_load_n(&cells, __ATOMIC_ACQUIRE), *expected = NULL;
	int kind = 2;
	long p;

	if (c != NULL)
		return c;
	/* under a seccomp filter, no file is opened for the shim's own sake (sandbox.h) */
	c = shim_sandboxed() ? NULL : map_user_file();
	if (c == NULL) {
		kind = 1;
		p = rawsys6(SYS_mmap, 0, SOCKGEN_BYTES, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (p < 0 && p > -4096)
			return NULL;
		c = (unsigned *)p;
	}
	if (!__atomic_compare_exchange_n(&cells, &expected, c, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		rawsys2(SYS_munmap, c, SOCKGEN_BYTES); /* another thread mapped it first */
		return expected;
	}
	__atomic_store_n(&backing, kind, __ATOMIC_RELEASE);
	return c;
}

unsigned *sockgen_cell(uint64_t cookie)
{
	unsigned *c;

	if (cookie == 0 || (c = map_cells()) == NULL)
		return &local_cell;
	/* Fibonacci hashing: cookies are consecutive numbers, spread them over the cells */
	return &c[(cookie * 0x9E3779B97F4A7C15ull) >> (64 - SOCKGEN_SHIFT)];
}

int sockgen_backing(void)
{
	return __atomic_load_n(&backing, __ATOMIC_ACQUIRE);
}
