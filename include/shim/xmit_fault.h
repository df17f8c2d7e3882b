/* xmit_fault: the rules of SHIM_FAULT, the device's fault injector (src/dev/dev_fault.c), parsed
 * by the configuration (src/core/config.c).
 *
 *   SHIM_FAULT=RULE[,RULE...]      RULE: WHAT@WHEN
 *   WHAT  enobufs   the frame is dropped by the queue (ENOBUFS)
 *         eagain    the send buffer is full (EAGAIN): only for a non-blocking transmit; a
 *                   blocking one would wait for room, and the frame goes out
 *         enetdown  the device is down (ENETDOWN)
 *         enxio     the device is gone (ENXIO)
 *         emsgsize  the frame is larger than the device takes (EMSGSIZE)
 *         down      the link goes down at that frame: it and every later one answer ENETDOWN
 *         short     a batch ends just before that frame (it returns the frames before it, with
 *                   no error); the frame goes out with the next transmit. No effect on the first
 *                   frame of a batch, or on a single frame
 *         slow      the transmit holding that frame takes XMIT_FAULT_SLOW_MS longer (the frame
 *                   goes out after the wait): for ordering against a slow transmit, such as the
 *                   listener thread's flush of frames that waited for a neighbour
 *   WHEN  N         the N-th frame handed to the device stack by this process (from 1)
 *         N-M       frames N to M
 *         N+        frame N and every later one
 *         *         every frame
 * A frame answered with an error is not sent (not counted, not captured) but uses its number; the
 * frames of a batch after it are not numbered, and are numbered when handed again. The first rule
 * that matches a frame decides. */
#ifndef SHIM_XMIT_FAULT_H
#define SHIM_XMIT_FAULT_H

#include <stddef.h>
#include <stdint.h>

#define XMIT_FAULT_RULES_MAX 8

enum xmit_fault_kind {
	XMIT_FAULT_ERRNO = 1, /* answer err */
	XMIT_FAULT_DOWN,      /* ENETDOWN from here on */
	XMIT_FAULT_SHORT,     /* a batch ends before it */
	XMIT_FAULT_SLOW,      /* its transmit waits XMIT_FAULT_SLOW_MS first */
};

#define XMIT_FAULT_SLOW_MS 20

struct xmit_fault_rule {
	uint8_t kind;	   /* enum xmit_fault_kind */
	int err;	   /* the errno answered (positive) */
	uint64_t from, to; /* frame numbers, inclusive; to UINT64_MAX: no end */
};

struct xmit_fault_rules {
	int n;
	struct xmit_fault_rule rule[XMIT_FAULT_RULES_MAX];
};

/* Parse a SHIM_FAULT value into r. Returns 0, or -EINVAL with a description of the first problem
 * in why (r is then empty). */
int xmit_fault_parse(const char *spec, struct xmit_fault_rules *r, char *why, size_t whycap);

/* The rule deciding frame number n (from 1), or NULL. */
const struct xmit_fault_rule *xmit_fault_match(const struct xmit_fault_rules *r, uint64_t n);

#endif
