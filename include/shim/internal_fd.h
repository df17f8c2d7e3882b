/* internal_fd: the registry of the shim's own fds (trace output, capture, packet, netlink, ICMP
 * and statistics sockets), src/core/internal_fd.c. Each subsystem that opens one registers it here
 * (adopt, track); the fd table (src/sys/fdtable.c) answers FD_INTERNAL for the numbers recorded
 * here, and the interposers hide them from the program. */
#ifndef SHIM_INTERNAL_FD_H
#define SHIM_INTERNAL_FD_H

#include <stdbool.h>

/* Highest fd number the registry can hold (plus one): the fd table's range. */
#define INTERNAL_FD_MAX (1 << 22)

/* Make fd one of the shim's own: a close-on-exec copy placed above the program's soft
 * RLIMIT_NOFILE (outside its budget), recorded as internal. With close_original the original is
 * closed. Where no number above the limit can be had: at load, the copy goes as high in the
 * program's range as it can (or the original is kept, marked); after load (internal_fd_load_done),
 * -EMFILE, the original closed if close_original, so nothing is taken from the program. Returns
 * the fd to use, or -errno. */
int internal_fd_adopt(int fd, bool close_original);

/* internal_fd_adopt for fd, a new fd that takes the place of old (an fd of the shim's inherited
 * across fork, which the child replaces with its own): fd goes to old's number, so the child takes
 * no number it did not hold; where it cannot (old is above the soft limit), old is closed and fd
 * placed as internal_fd_adopt does. old < 0: internal_fd_adopt(fd, true). Returns the fd to use,
 * or -errno. */
int internal_fd_replace(int old, int fd);

/* The library starts and finishes loading: the fds adopted in between are placed with one raise
 * of the soft limit for all (set back at load_done); from load_done on internal_fd_adopt takes no
 * number of the program's. */
void internal_fd_load_begin(void);
void internal_fd_load_done(void);

/* Remember where an internal fd is kept (the variable the shim reads it from). */
void internal_fd_track(int *slot);

/* The program wants internal fd's number (dup2/dup3 onto it, or a close of it): move the shim's fd
 * to another number, update the variable that holds it, and forget the old number (the
 * program's now). Returns the new number, or -errno (then nothing changed). */
int internal_fd_relocate(int fd);

/* Close the shim's own fd, forgetting its number first (the number is free). */
void internal_fd_close(int fd);

/* Whether fd is one of the shim's own (a bitmap read: two loads, no lock). */
bool internal_fd_is(int fd);

/* Lowest internal fd in [first, last], or -1 (close_range around them). */
int internal_fd_next(unsigned first, unsigned last);

#endif
