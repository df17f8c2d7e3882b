/* fmt_fcntl: fcntl arguments per command, and how strace shows the value some commands return. */
#include "decode.h"

#include <inttypes.h>
#include <stdint.h>

#include "fmt.h"
#include "xlat.h"

/* Kernel (asm-generic) command numbers. */
enum fcntl_cmd {
	CMD_DUPFD = 0,
	CMD_GETFD = 1,
	CMD_SETFD = 2,
	CMD_GETFL = 3,
	CMD_SETFL = 4,
	CMD_GETLK = 5,
	CMD_SETLK = 6,
	CMD_SETLKW = 7,
	CMD_SETOWN = 8,
	CMD_GETOWN = 9,
	CMD_SETSIG = 10,
	CMD_GETSIG = 11,
	CMD_SETOWN_EX = 15,
	CMD_GETOWN_EX = 16,
	CMD_OFD_GETLK = 36,
	CMD_OFD_SETLK = 37,
	CMD_OFD_SETLKW = 38,
	CMD_SETLEASE = 1024,
	CMD_GETLEASE = 1025,
	CMD_NOTIFY = 1026,
	CMD_DUPFD_CLOEXEC = 1030,
	CMD_SETPIPE_SZ = 1031,
	CMD_GETPIPE_SZ = 1032,
	CMD_ADD_SEALS = 1033,
	CMD_GET_SEALS = 1034,
};

/* struct flock as the x86-64 kernel reads it. */
struct kernel_flock {
	short l_type;
	short l_whence;
	int64_t l_start;
	int64_t l_len;
	int l_pid;
};

static void print_flock(struct sbuf *b, uint64_t addr, int getlk)
{
	struct kernel_flock fl;

	if (!fmt_fetch(b, addr, sizeof(fl), &fl))
		return;
	sbuf_puts(b, "{l_type=");
	xlat_print(b, &xlat_lockfcmds, (unsigned short)fl.l_type, "F_???");
	sbuf_puts(b, ", l_whence=");
	xlat_print(b, &xlat_whence_codes, (unsigned short)fl.l_whence, "SEEK_???");
	sbuf_printf(b, ", l_start=%" PRId64 ", l_len=%" PRId64, fl.l_start, fl.l_len);
	if (getlk)
		sbuf_printf(b, ", l_pid=%d", fl.l_pid);
	sbuf_putc(b, '}');
}

static void print_owner_ex(struct sbuf *b, uint64_t addr)
{
	struct {
		int type, pid;
	} owner;

	if (!fmt_fetch(b, addr, sizeof(owner), &owner))
		return;
	sbuf_puts(b, "{type=");
	xlat_print(b, &xlat_f_owner_types, (unsigned)owner.type, "F_OWNER_???");
	sbuf_printf(b, ", pid=%d}", owner.pid);
}

static void print_signal(struct sbuf *b, int sig)
{
	char buf[16];
	const char *name = xlat_signal_name(sig, buf, sizeof(buf));

	if (name)
		sbuf_puts(b, name);
	else
		sbuf_printf(b, "%d", sig);
}

void fmt_open_flags(struct sbuf *b, unsigned flags)
{
	sbuf_puts(b, xlat_name(&xlat_open_access_modes, flags & 3));
	xlat_sprint_flags(b, "", &xlat_open_mode_flags, flags & ~3U, '|');
}

void fmt_fcntl_args(struct sbuf *b, const struct strace_call *c)
{
	const unsigned cmd = (unsigned)c->args[1];
	const uint64_t arg = c->args[2];

	sbuf_printf(b, "%d, ", (int)c->args[0]);
	xlat_print(b, &xlat_fcntlcmds, cmd, "F_???");
	switch (cmd) {
	case CMD_GETFD:
	case CMD_GETFL:
	case CMD_GETOWN:
	case CMD_GETSIG:
	case CMD_GETLEASE:
	case CMD_GETPIPE_SZ:
	case CMD_GET_SEALS:
		return;
	}
	sbuf_puts(b, ", ");
	switch (cmd) {
	case CMD_SETFD:
		xlat_print_flags(b, &xlat_fdflags, arg, "FD_???");
		break;
	case CMD_SETOWN:
		sbuf_printf(b, "%d", (int)arg);
		break;
	case CMD_DUPFD:
	case CMD_DUPFD_CLOEXEC:
	case CMD_SETPIPE_SZ:
		sbuf_printf(b, "%" PRId64, (int64_t)arg);
		break;
	case CMD_SETFL:
		fmt_open_flags(b, (unsigned)arg);
		break;
	case CMD_SETLK:
	case CMD_SETLKW:
	case CMD_OFD_SETLK:
	case CMD_OFD_SETLKW:
		print_flock(b, arg, 0);
		break;
	case CMD_GETLK:
	case CMD_OFD_GETLK:
		/* Shown on exit: a failed call leaves the structure unread. */
		if (strace_call_failed(c))
			fmt_addr(b, arg);
		else
			print_flock(b, arg, 1);
		break;
	case CMD_SETOWN_EX:
		print_owner_ex(b, arg);
		break;
	case CMD_GETOWN_EX:
		if (strace_call_failed(c))
			fmt_addr(b, arg);
		else
			print_owner_ex(b, arg);
		break;
	case CMD_NOTIFY:
		xlat_print_flags(b, &xlat_notifyflags, arg, "DN_???");
		break;
	case CMD_SETLEASE:
		xlat_print(b, &xlat_lockfcmds, arg, "F_???");
		break;
	case CMD_ADD_SEALS:
		xlat_print_flags(b, &xlat_f_seals, arg, "F_SEAL_???");
		break;
	case CMD_SETSIG:
		print_signal(b, (int)arg);
		break;
	default:
		xlat_print_hex(b, arg);
		break;
	}
}

void fmt_fcntl_result(struct sbuf *b, const struct strace_call *c)
{
	const unsigned cmd = (unsigned)c->args[1];
	const uint64_t rval = (uint64_t)c->ret;
	char buf[16];
	const char *name;

	switch (cmd) {
	case CMD_DUPFD:
	case CMD_DUPFD_CLOEXEC:
		if (rval <= INT32_MAX)
			sbuf_printf(b, "%d", (int)rval);
		else
			sbuf_printf(b, "%" PRId64, (int64_t)rval);
		return;
	case CMD_GETOWN:
		sbuf_printf(b, "%d", (int)rval);
		return;
	case CMD_GETFD:
		if (!rval)
			break;
		xlat_print_hex(b, rval);
		sbuf_puts(b, " (");
		xlat_sprint_flags(b, "flags ", &xlat_fdflags, rval, '\0');
		sbuf_putc(b, ')');
		return;
	case CMD_GETFL:
		xlat_print_hex(b, rval);
		sbuf_puts(b, " (flags ");
		fmt_open_flags(b, (unsigned)rval);
		sbuf_putc(b, ')');
		return;
	case CMD_GETLEASE:
		xlat_print_hex(b, rval);
		name = xlat_name(&xlat_lockfcmds, rval);
		if (name)
			sbuf_printf(b, " (%s)", name);
		return;
	case CMD_GET_SEALS:
		if (!rval)
			break;
		xlat_print_hex(b, rval);
		sbuf_puts(b, " (");
		xlat_sprint_flags(b, "seals ", &xlat_f_seals, rval, '\0');
		sbuf_putc(b, ')');
		return;
	case CMD_GETSIG:
		sbuf_printf(b, "%" PRIu64, rval);
		name = rval ? xlat_signal_name((int)rval, buf, sizeof(buf)) : NULL;
		if (name)
			sbuf_printf(b, " (%s)", name);
		return;
	}
	sbuf_printf(b, "%" PRIu64, rval);
}
