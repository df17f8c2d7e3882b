/* xlat_fcntl: fcntl commands and the flags and values fcntl and dup3 take, with the kernel's
 * (asm-generic) values, which strace uses rather than glibc's (O_LARGEFILE, F_GETLK64). */
#include "xlat.h"

XLAT_TABLE(xlat_fcntlcmds, XV(0, "F_DUPFD"), XV(1, "F_GETFD"), XV(2, "F_SETFD"), XV(3, "F_GETFL"),
	   XV(4, "F_SETFL"), XV(5, "F_GETLK"), XV(6, "F_SETLK"), XV(7, "F_SETLKW"),
	   XV(8, "F_SETOWN"), XV(9, "F_GETOWN"), XV(10, "F_SETSIG"), XV(11, "F_GETSIG"),
	   XV(12, "F_GETLK64"), XV(13, "F_SETLK64"), XV(14, "F_SETLKW64"), XV(15, "F_SETOWN_EX"),
	   XV(16, "F_GETOWN_EX"), XV(17, "F_GETOWNER_UIDS"), XV(36, "F_OFD_GETLK"),
	   XV(37, "F_OFD_SETLK"), XV(38, "F_OFD_SETLKW"), XV(1024, "F_SETLEASE"),
	   XV(1025, "F_GETLEASE"), XV(1026, "F_NOTIFY"), XV(1029, "F_CANCELLK"),
	   XV(1030, "F_DUPFD_CLOEXEC"), XV(1031, "F_SETPIPE_SZ"), XV(1032, "F_GETPIPE_SZ"),
	   XV(1033, "F_ADD_SEALS"), XV(1034, "F_GET_SEALS"));

XLAT_TABLE(xlat_fdflags, XV(1, "FD_CLOEXEC"));

XLAT_TABLE(xlat_open_access_modes, XV(0, "O_RDONLY"), XV(1, "O_WRONLY"), XV(2, "O_RDWR"),
	   XV(3, "O_ACCMODE"));

/* Order matters: O_SYNC before O_DSYNC and __O_SYNC, O_TMPFILE before O_DIRECTORY. */
XLAT_TABLE(xlat_open_mode_flags, XV(0100, "O_CREAT"), XV(0200, "O_EXCL"), XV(0400, "O_NOCTTY"),
	   XV(01000, "O_TRUNC"), XV(02000, "O_APPEND"), XV(04000, "O_NONBLOCK"),
	   XV(04010000, "O_SYNC"), XV(04000000, "__O_SYNC"), XV(010000, "O_DSYNC"),
	   XV(040000, "O_DIRECT"), XV(0100000, "O_LARGEFILE"), XV(0400000, "O_NOFOLLOW"),
	   XV(01000000, "O_NOATIME"), XV(02000000, "O_CLOEXEC"), XV(010000000, "O_PATH"),
	   XV(020200000, "O_TMPFILE"), XV(020000000, "__O_TMPFILE"), XV(0200000, "O_DIRECTORY"),
	   XV(020000, "FASYNC"));

XLAT_TABLE(xlat_lockfcmds, XV(0, "F_RDLCK"), XV(1, "F_WRLCK"), XV(2, "F_UNLCK"), XV(4, "F_EXLCK"),
	   XV(8, "F_SHLCK"));

XLAT_TABLE(xlat_whence_codes, XV(0, "SEEK_SET"), XV(1, "SEEK_CUR"), XV(2, "SEEK_END"),
	   XV(3, "SEEK_DATA"), XV(4, "SEEK_HOLE"));

XLAT_TABLE(xlat_f_owner_types, XV(0, "F_OWNER_TID"), XV(1, "F_OWNER_PID"), XV(2, "F_OWNER_PGRP"));

XLAT_TABLE(xlat_f_seals, XV(1, "F_SEAL_SEAL"), XV(2, "F_SEAL_SHRINK"), XV(4, "F_SEAL_GROW"),
	   XV(8, "F_SEAL_WRITE"), XV(0x10, "F_SEAL_FUTURE_WRITE"));

XLAT_TABLE(xlat_notifyflags, XV(0x1, "DN_ACCESS"), XV(0x2, "DN_MODIFY"), XV(0x4, "DN_CREATE"),
	   XV(0x8, "DN_DELETE"), XV(0x10, "DN_RENAME"), XV(0x20, "DN_ATTRIB"),
	   XV(0x80000000, "DN_MULTISHOT"));

XLAT_TABLE(xlat_close_range_flags, XV(2, "CLOSE_RANGE_UNSHARE"), XV(4, "CLOSE_RANGE_CLOEXEC"));
