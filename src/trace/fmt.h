/* fmt: the building blocks of a trace line, shared by the decoders of src/trace. */
#ifndef SHIM_TRACE_FMT_H
#define SHIM_TRACE_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shim/sbuf.h"

/* strace's default -s 32: string bytes shown, and array elements shown before "...". */
#define FMT_MAX_STRLEN 32

/* Styles of fmt_quote. */
#define QUOTE_NUL_TERMINATED 0x1 /* stop at the first NUL byte */
#define QUOTE_FORCE_HEX	     0x2 /* every byte as \xNN */

/* An address: NULL or 0x... */
void fmt_addr(struct sbuf *b, uint64_t addr);

/* Quotes n bytes of s the way strace does (with QUOTE_NUL_TERMINATED, up to the first NUL). */
void fmt_quote(struct sbuf *b, const void *s, size_t n, unsigned style);

/* A buffer of the program's memory shown as a string (strace printstr_ex with length len):
 * NULL, the address when unreadable, else at most FMT_MAX_STRLEN bytes quoted with "..." after
 * the closing quote when len is longer. */
void fmt_mem_str(struct sbuf *b, uint64_t addr, uint64_t len, unsigned style);

/* Quotes all n bytes at addr in the program's memory, which the caller knows to be readable. */
void fmt_quote_mem(struct sbuf *b, uint64_t addr, uint64_t n);

/* Whether all len bytes at addr can be read. */
bool fmt_mem_readable(uint64_t addr, uint64_t len);

/* Reads len bytes at addr into dst; else prints NULL or the address and returns false. */
bool fmt_fetch(struct sbuf *b, uint64_t addr, size_t len, void *dst);

/* "[%d]" of the int at addr, or the address. */
void fmt_mem_int(struct sbuf *b, uint64_t addr);

/* An interface index as strace's print_ifindex shows it: if_nametoindex("name") where the index
 * names a device (asked of the socket set by fmt_ifindex_socket), else the number. */
void fmt_ifindex(struct sbuf *b, unsigned ifindex);
/* The fd interface indexes are resolved on while a call is formatted; -1: none (numbers). */
void fmt_ifindex_socket(int fd);

/* An errno value as strace names it, the number when it has no name. */
void fmt_errno_value(struct sbuf *b, uint64_t err);

/* Arrays (fmt_array.c).
 *
 * An element printer returns false to stop the array there (it printed its own marker). */
typedef bool (*fmt_elem_fn)(struct sbuf *b, const void *elem, void *ctx);

/* Array of nmemb elements at addr in the program's memory, fetched one at a time into elem_buf:
 * NULL, the address if the first one is unreadable, "[]" when empty, at most FMT_MAX_STRLEN
 * elements then "...", and "..." with the address in a comment when a later one is unreadable. */
void fmt_remote_array(struct sbuf *b, uint64_t addr, uint64_t nmemb, size_t elem_size,
		      void *elem_buf, fmt_elem_fn print, void *ctx);

/* The same for an array already in local memory. */
void fmt_local_array(struct sbuf *b, const void *base, size_t nmemb, size_t elem_size,
		     fmt_elem_fn print, void *ctx);

/* Element printers for fmt_local_array. */
bool fmt_elem_int(struct sbuf *b, const void *elem, void *ctx);
bool fmt_elem_uint(struct sbuf *b, const void *elem, void *ctx);
bool fmt_elem_hex8(struct sbuf *b, const void *elem, void *ctx);

/* Socket addresses (fmt_sockaddr.c). */

/* The sockaddr at addr of addrlen bytes, NULL or the address when it cannot be shown.
 * Returns the family, or -1 when no sockaddr was shown. */
int fmt_sockaddr_mem(struct sbuf *b, uint64_t addr, int addrlen);
/* A sockaddr in local memory; buf is addrlen bytes followed by zeros up to its full size. */
void fmt_sockaddr(struct sbuf *b, const void *buf, int addrlen);
/* An IPv4/IPv6 address as a named field: name=inet_addr("...") or inet_pton(AF_INET6, ...). */
void fmt_inet_addr(struct sbuf *b, int af, const void *addr, const char *name);

/* Messages (fmt_msghdr.c, fmt_cmsg.c). */

/* The struct msghdr at addr, or the address. */
void fmt_msghdr_mem(struct sbuf *b, uint64_t addr);
/* The array of vlen struct mmsghdr at addr; the first msg_len_count show msg_len. */
void fmt_mmsghdr_array(struct sbuf *b, uint64_t addr, unsigned vlen, unsigned msg_len_count);
/* The control messages of a msghdr, shown as ", msg_control=[...]" unless controllen is 0. */
void fmt_msg_control(struct sbuf *b, uint64_t addr, uint64_t controllen);
/* An iovec array of n elements at addr (writev, msg_iov). */
void fmt_iov_array(struct sbuf *b, uint64_t addr, uint64_t n);

#endif
