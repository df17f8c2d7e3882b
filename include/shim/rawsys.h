/* rawsys: system calls made by the shim for itself.
 *
 * libshim.so exports write, close, fcntl, syscall ... so a plain call to any of them from inside
 * the library would come back into the interposer. The shim's own I/O (trace output, probes of
 * inherited fds, later netlink and packet sockets) therefore enters the kernel directly. Each call
 * returns the kernel's raw result: a value >= 0, or -errno. errno is never touched. */
#ifndef SHIM_RAWSYS_H
#define SHIM_RAWSYS_H

#include <sys/socket.h>
#include <sys/syscall.h>

#if !defined(__x86_64__)
#error "libshim: raw system calls are implemented for x86-64 only"
#endif

static inline long rawsys6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	long ret;
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define rawsys0(nr)		rawsys6((nr), 0, 0, 0, 0, 0, 0)
#define rawsys1(nr, a)		rawsys6((nr), (long)(a), 0, 0, 0, 0, 0)
#define rawsys2(nr, a, b)	rawsys6((nr), (long)(a), (long)(b), 0, 0, 0, 0)
#define rawsys3(nr, a, b, c)	rawsys6((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define rawsys4(nr, a, b, c, d) rawsys6((nr), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define rawsys5(nr, a, b, c, d, e)                                                                 \
	rawsys6((nr), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

/* getsockopt of an int option on the kernel socket: 0 or -errno; *val is 0 when it fails. */
static inline int rawsys_getsockopt_int(int fd, int level, int name, int *val)
{
	socklen_t len = sizeof(*val);

	*val = 0;
	return (int)rawsys5(SYS_getsockopt, fd, level, name, val, &len);
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* The cookie of the network namespace socket fd belongs to (SO_NETNS_COOKIE, Linux 5.14), or 0
 * when the kernel cannot tell. */
static inline unsigned long long rawsys_netns_cookie(int fd)
{
	unsigned long long cookie = 0;
	socklen_t len = sizeof(cookie);

	if (rawsys5(SYS_getsockopt, fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) != 0 ||
	    len != sizeof(cookie))
		return 0;
	return cookie;
}

#endif
