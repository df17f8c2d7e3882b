/* xlat_errno: errno names as strace 6.1 prints them (Linux generic numbering). */
#include "xlat.h"

#include <errno.h>

#define E(name) [name] = #name

/* clang-format off */
static const char *const errno_names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG), E(ENOEXEC), E(EBADF),
	E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(ENOTBLK), E(EBUSY), E(EEXIST),
	E(EXDEV), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
	E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK), E(EPIPE), E(EDOM),
	E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK), E(ENOSYS), E(ENOTEMPTY), E(ELOOP),
	E(ENOMSG), E(EIDRM), E(ECHRNG), E(EL2NSYNC), E(EL3HLT), E(EL3RST), E(ELNRNG), E(EUNATCH),
	E(ENOCSI), E(EL2HLT), E(EBADE), E(EBADR), E(EXFULL), E(ENOANO), E(EBADRQC), E(EBADSLT),
	E(EBFONT), E(ENOSTR), E(ENODATA), E(ETIME), E(ENOSR), E(ENONET), E(ENOPKG), E(EREMOTE),
	E(ENOLINK), E(EADV), E(ESRMNT), E(ECOMM), E(EPROTO), E(EMULTIHOP), E(EDOTDOT), E(EBADMSG),
	E(EOVERFLOW), E(ENOTUNIQ), E(EBADFD), E(EREMCHG), E(ELIBACC), E(ELIBBAD), E(ELIBSCN),
	E(ELIBMAX), E(ELIBEXEC), E(EILSEQ), E(ERESTART), E(ESTRPIPE), E(EUSERS), E(ENOTSOCK),
	E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT), E(EPROTONOSUPPORT),
	E(ESOCKTNOSUPPORT), E(EOPNOTSUPP), E(EPFNOSUPPORT), E(EAFNOSUPPORT), E(EADDRINUSE),
	E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH), E(ENETRESET), E(ECONNABORTED),
	E(ECONNRESET), E(ENOBUFS), E(EISCONN), E(ENOTCONN), E(ESHUTDOWN), E(ETOOMANYREFS),
	E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTDOWN), E(EHOSTUNREACH), E(EALREADY), E(EINPROGRESS),
	E(ESTALE), E(EUCLEAN), E(ENOTNAM), E(ENAVAIL), E(EISNAM), E(EREMOTEIO), E(EDQUOT),
	E(ENOMEDIUM), E(EMEDIUMTYPE), E(ECANCELED), E(ENOKEY), E(EKEYEXPIRED), E(EKEYREVOKED),
	E(EKEYREJECTED), E(EOWNERDEAD), E(ENOTRECOVERABLE), E(ERFKILL), E(EHWPOISON),
};
/* clang-format on */

/* Kernel-internal codes (include/linux/errno.h), numbered from 512. */
static const struct xlat_pair kernel_errno_pairs[] = {XV(512, "ERESTARTSYS"),
						      XV(513, "ERESTARTNOINTR"),
						      XV(514, "ERESTARTNOHAND"),
						      XV(515, "ENOIOCTLCMD"),
						      XV(516, "ERESTART_RESTARTBLOCK"),
						      XV(517, "EPROBE_DEFER"),
						      XV(518, "EOPENSTALE"),
						      XV(521, "EBADHANDLE"),
						      XV(522, "ENOTSYNC"),
						      XV(523, "EBADCOOKIE"),
						      XV(524, "ENOTSUPP"),
						      XV(525, "ETOOSMALL"),
						      XV(526, "ESERVERFAULT"),
						      XV(527, "EBADTYPE"),
						      XV(528, "EJUKEBOX"),
						      XV(529, "EIOCBQUEUED"),
						      XV(530, "ERECALLCONFLICT")};

static const struct xlat kernel_errnos = {kernel_errno_pairs, sizeof(kernel_errno_pairs) /
								  sizeof(kernel_errno_pairs[0])};

const char *xlat_errno_name(uint64_t err)
{
	if (err < sizeof(errno_names) / sizeof(errno_names[0]))
		return errno_names[err];
	return xlat_name(&kernel_errnos, err);
}
