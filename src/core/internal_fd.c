/* internal_fd: the registry of the shim's own fds (trace output, packet socket, netlink, ICMP and
 * statistics fds). They are placed above the program's soft RLIMIT_NOFILE, made close-on-exec,
 * and recorded here, so the program can neither use nor lose them (the fd table, src/sys/, answers
 * FD_INTERNAL for a number recorded here; the interposers refuse the program's calls on them).
 *
 * The kernel checks RLIMIT_NOFILE only when it allocates a number (alloc_fd, F_DUPFD, dup2): an fd
 * above the soft limit stays usable, counts against nothing the program can open, and is never a
 * number the program can be given. So the soft limit is raised for the one F_DUPFD_CLOEXEC that
 * places the fd, and set back at once: the program keeps its whole range [0, soft limit), and
 * F_DUPFD at its top finds the number free. Where the hard limit leaves no room (soft == hard), the
 * hard limit is raised for that moment too when the process may (CAP_SYS_RESOURCE) and set back
 * (lowering it is always allowed, and fds above it stay). Otherwise, at load, the fd goes as high
 * in the program's range as it can (the program loses that number; docs/conformance.md); after load
 * nothing is taken from the program: the subsystem does without (its datagrams go to the kernel).
 * Above a soft limit of PLACE_HIGH_MAX (4096) they go just below that number instead, in the range
 * (kernel memory: see there).
 */
#include "shim/internal_fd.h"
#include "shim/rawsys.h"
#include "shim/shim_alloc.h"
#include "shim/shim_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>

/* ---- which numbers are the shim's: a bitmap by fd, in chunks mapped on first use ---- */

#define CHUNK_SHIFT 12 /* 4096 fds, 512 bytes a chunk */
#define CHUNK_FDS   (1u << CHUNK_SHIFT)
#define WORD_BITS   64u

typedef _Atomic uint64_t word_t;
static _Atomic(word_t *) chunks[INTERNAL_FD_MAX >> CHUNK_SHIFT];

static word_t *word_of(int fd, bool create)
{
	unsigned u = (unsigned)fd, ci = u >> CHUNK_SHIFT;
	word_t *chunk;

	if (fd < 0 || u >= INTERNAL_FD_MAX)
		return NULL;
	chunk = atomic_load_explicit(&chunks[ci], memory_order_acquire);
	if (chunk == NULL) {
		if (!create)
			return NULL;
		chunk = shim_zalloc_publish((void *_Atomic *)&chunks[ci], CHUNK_FDS / 8);
		if (chunk == NULL)
			return NULL;
	}
	return &chunk[(u & (CHUNK_FDS - 1)) / WORD_BITS];
}

static uint64_t bit_of(int fd)
{
	return 1ull << ((unsigned)fd % WORD_BITS);
}

bool internal_fd_is(int fd)
{
	word_t *w = word_of(fd, false);

	return w != NULL && (atomic_load_explicit(w, memory_order_acquire) & bit_of(fd)) != 0;
}

static void mark(int fd)
{
	word_t *w = word_of(fd, true);

	if (w != NULL)
		atomic_fetch_or_explicit(w, bit_of(fd), memory_order_acq_rel);
}

/* The number is free (closed), or the program's now. */
static void unmark(int fd)
{
	word_t *w = word_of(fd, false);

	if (w != NULL)
		atomic_fetch_and_explicit(w, ~bit_of(fd), memory_order_acq_rel);
}

int internal_fd_next(unsigned first, unsigned last)
{
	if (last >= INTERNAL_FD_MAX)
		last = INTERNAL_FD_MAX - 1;
	for (unsigned fd = first; fd <= last;) {
		word_t *chunk =
		    atomic_load_explicit(&chunks[fd >> CHUNK_SHIFT], memory_order_acquire);
		unsigned chunk_end = fd | (CHUNK_FDS - 1);

		if (chunk_end > last)
			chunk_end = last;
		for (unsigned i = fd; chunk != NULL && i <= chunk_end; i++) {
			uint64_t w = atomic_load_explicit(&chunk[(i & (CHUNK_FDS - 1)) / WORD_BITS],
							  memory_order_acquire);

			if (w == 0) { /* none in this word: on to the next one */
				i |= WORD_BITS - 1;
				continue;
			}
			if (w & (1ull << (i % WORD_BITS)))
				return (int)i;
		}
		if (chunk_end == last)
			break;
		fd = chunk_end + 1;
	}
	return -1;
}

/* ---- placing them ---- */

/* Numbers above the soft limit the placing F_DUPFD may search (the shim holds about a dozen). */
#define ABOVE_WINDOW 64

/* Above a soft limit larger than this the fds go into the range, just below this number: the
 * kernel sizes a process's fd table by its highest fd (8 bytes a slot), so an fd near a limit of a
 * million (a container's usual) would cost 8 MiB of kernel memory per process, for nine numbers
 * out of a million the program will not miss. */
#define PLACE_HIGH_MAX 4096

static bool load_done;

static int set_nofile(const struct rlimit *rl)
{
	return (int)rawsys4(SYS_prlimit64, 0, RLIMIT_NOFILE, rl, NULL);
}

/* Raise the soft limit (and the hard one where it must and may) so that numbers from rl->rlim_cur
 * on can be had: 0 with *rl the limits before and *raised those set, -1 (no room), or -2 (*rl
 * read: a soft limit over PLACE_HIGH_MAX, nothing raised). */
static int open_window(struct rlimit *rl, struct rlimit *raised)
{
	long err;

	if (rawsys4(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, rl) != 0)
		return -1;
	if (rl->rlim_cur > PLACE_HIGH_MAX)
		return -2;
	raised->rlim_cur = rl->rlim_cur + ABOVE_WINDOW;
	raised->rlim_max = rl->rlim_max > raised->rlim_cur ? rl->rlim_max : raised->rlim_cur;
	err = set_nofile(raised);
	if (err != 0 && rl->rlim_cur < rl->rlim_max) { /* no CAP_SYS_RESOURCE: to the hard limit */
		raised->rlim_cur = rl->rlim_max;
		raised->rlim_max = rl->rlim_max;
		err = set_nofile(raised);
	}
	return err == 0 ? 0 : -1;
}

/* Set the limits back to rl, unless another thread of the program set limits of its own
 * meanwhile (the ones found are not those raised): those stay. */
static void close_window(const struct rlimit *rl, const struct rlimit *raised)
{
	struct rlimit now;

	if (rawsys4(SYS_prlimit64, 0, RLIMIT_NOFILE, rl, &now) == 0 &&
	    (now.rlim_cur != raised->rlim_cur || now.rlim_max != raised->rlim_max))
		set_nofile(&now);
}

/* At load one window serves every fd placed then (the library's initialisation, before the
 * program runs): 1 open, -1 no room (placements go straight into the range), 0 none. */
static int load_window;
static struct rlimit load_rl, load_raised;

void internal_fd_load_begin(void)
{
	int r = open_window(&load_rl, &load_raised);

	load_window = r == 0 ? 1 : -1;
	if (r == -1)
		load_rl.rlim_cur = 0; /* not read, or no room: dup_in_range reads it */
}

void internal_fd_load_done(void)
{
	if (load_window == 1)
		close_window(&load_rl, &load_raised);
	load_window = 0;
	__atomic_store_n(&load_done, true, __ATOMIC_RELEASE);
}

/* A close-on-exec copy of fd at or above the soft limit, or -errno (E2BIG: the limit is over
 * PLACE_HIGH_MAX, the fd goes into the range). */
static long dup_above_limit(int fd)
{
	struct rlimit rl, raised;
	long nfd;
	int r;

	if (!__atomic_load_n(&load_done, __ATOMIC_ACQUIRE) && load_window != 0)
		return load_window > 0 ? rawsys3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, load_rl.rlim_cur)
				       : -EMFILE;
	r = open_window(&rl, &raised);
	if (r != 0)
		return r == -2 ? -E2BIG : -EMFILE;
	nfd = rawsys3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, rl.rlim_cur);
	close_window(&rl, &raised);
	return nfd;
}

/* A close-on-exec copy of fd as high as the program's own range allows (the fallback at load). */
static long dup_in_range(int fd)
{
	struct rlimit rl;
	long lim = 1024, nfd;

	if (load_window < 0 && !__atomic_load_n(&load_done, __ATOMIC_ACQUIRE) &&
	    load_rl.rlim_cur > 0)
		lim = (long)load_rl.rlim_cur; /* read at load_begin */
	else if (rawsys4(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl) == 0 &&
		 rl.rlim_cur != RLIM_INFINITY)
		lim = (long)rl.rlim_cur;
	if (lim > PLACE_HIGH_MAX)
		lim = PLACE_HIGH_MAX;
	nfd = rawsys3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, lim > 64 ? lim - 32 : lim / 2);
	if (nfd < 0)
		nfd = rawsys3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 3);
	return nfd;
}

/* in_range: where no number above the limit can be had, one as high in the program's range as
 * can be (at load; and when an fd already there moves) */
static int adopt(int fd, bool close_original, bool in_range)
{
	long nfd = dup_above_limit(fd);

	if (nfd == -E2BIG) /* a range that large: a few numbers in it are nothing to the program */
		in_range = true;
	if (nfd < 0 && in_range)
		nfd = dup_in_range(fd);
	if (nfd < 0) {
		if (!close_original)
			return -EMFILE;
		if (!in_range) {
			rawsys1(SYS_close, fd); /* not out of the program's budget */
			return -EMFILE;
		}
		nfd = fd; /* keep the number it has; it was opened close-on-exec */
	} else if (close_original) {
		rawsys1(SYS_close, fd);
	}
	mark((int)nfd);
	return (int)nfd;
}

int internal_fd_adopt(int fd, bool close_original)
{
	return adopt(fd, close_original, !__atomic_load_n(&load_done, __ATOMIC_ACQUIRE));
}

int internal_fd_replace(int old, int fd)
{
	/* dup3 refuses a number at or above the soft limit (EBADF): then old goes, and fd is
	 * placed as any other */
	if (old >= 0 && rawsys3(SYS_dup3, fd, old, O_CLOEXEC) == old) {
		rawsys1(SYS_close, fd);
		mark(old);
		return old;
	}
	if (old >= 0) {
		unmark(old);
		rawsys1(SYS_close, old);
	}
	return internal_fd_adopt(fd, true);
}

/* Where each internal fd is kept, so it can be moved when the program wants its number: a list
 * that grows as subsystems register (never shrinks: the variables are static). */
struct tracked {
	int *slot;
	struct tracked *next;
};

static struct tracked *tracked;
SHIM_LOCK_DEFINE(tracked_lock);

void internal_fd_track(int *slot)
{
	struct tracked *t;

	shim_lock_acquire(&tracked_lock);
	for (t = tracked; t != NULL; t = t->next)
		if (t->slot == slot)
			goto out;
	t = shim_alloc(sizeof(*t));
	if (t != NULL) {
		t->slot = slot;
		t->next = tracked;
		tracked = t;
	}
out:
	shim_lock_release(&tracked_lock);
}

int internal_fd_relocate(int fd)
{
	int moved = -EBADF;

	shim_lock_acquire(&tracked_lock);
	for (struct tracked *t = tracked; t != NULL; t = t->next) {
		if (__atomic_load_n(t->slot, __ATOMIC_ACQUIRE) != fd)
			continue;
		/* the copy takes over; the old number is about to be replaced by the program's
		 * dup2/dup3, or closed. Where there was no room above the limit, fd is in the
		 * program's range already: its copy may be too */
		moved = adopt(fd, false, true);
		if (moved >= 0) {
			__atomic_store_n(t->slot, moved, __ATOMIC_RELEASE);
			unmark(fd); /* the number is the program's now */
		}
		break;
	}
	shim_lock_release(&tracked_lock);
	return moved;
}

void internal_fd_close(int fd)
{
	unmark(fd);
	rawsys1(SYS_close, fd);
}
