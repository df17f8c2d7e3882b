/* ident_learn: keep a connected socket's IP ID counter in step with the kernel's when one of its
 * datagrams goes through the kernel socket.
 *
 * A connected socket has one ID counter (inet_id), seeded randomly at connect; the kernel's copy
 * cannot be read. When the shim hands a datagram of a connected socket to the kernel, it watches
 * the frame leave (an AF_PACKET tap opened at load, filtered to the socket's flow and to outgoing
 * frames) and takes the ID the kernel used as its own counter, so the next datagram it sends
 * carries the next ID, as it would from the kernel — as long as the shim has not used its own
 * counter since connect (the kernel's cannot be advanced without sending). */
#ifndef SHIM_IDENT_LEARN_H
#define SHIM_IDENT_LEARN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* At load, with CAP_NET_RAW: open the tap (it receives nothing until a watch begins), or adopt
 * inherited_fd (>= 0). */
int ident_learn_open(int inherited_fd);

/* Whether the tap is open (ident_learn_open succeeded). */
bool ident_tap_available(void);

/* Before the kernel sends a datagram of the flow sport -> dport (network order): start watching
 * its outgoing frames. true: watching, and the tap is this caller's until ident_tap_end. */
bool ident_tap_begin(uint16_t sport, uint16_t dport);

/* After the kernel's answer ret: stop watching; the IP ID of the frame that left, or -1 if none was
 * seen (or ret < 0). The socket's side: include/shim/ident_watch.h. */
int ident_tap_end(long ret);

/* The same tap for an IPv6 flow from sport (network order), to learn the automatic flow label the
 * kernel gave it (src/sys/ident_watch.c): outgoing UDP frames, unfragmented or first fragments.
 * ident_tap_end_frame ends either watch with the first bytes of the frame seen (its length, or -1
 * if none was seen or ret < 0). */
/* The bytes of an IPv6 frame the tap keeps: enough for one extension header of up to 96 bytes
 * before the UDP header. */
#define IDENT_TAP6_SNAP 160

bool ident_tap_begin6(uint16_t sport);
int ident_tap_end_frame(long ret, uint8_t *frame, size_t len);

#endif
