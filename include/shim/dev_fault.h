/* dev_fault: the fault injector, a device wrapper on top of the stack (SHIM_FAULT; the rules are
 * described in include/shim/xmit_fault.h). Frames it answers with an error are not handed to the
 * devices below, so they are neither sent, counted nor captured. */
#ifndef SHIM_DEV_FAULT_H
#define SHIM_DEV_FAULT_H

#include <stdint.h>

#include "shim/xmit_fault.h"

/* Use these rules from now on, and start numbering frames from 1 again. */
void dev_fault_configure(const struct xmit_fault_rules *r);

/* Frames numbered so far, and frames answered with an error or cut short. */
uint64_t dev_fault_frames(void);
uint64_t dev_fault_injected(void);

#endif
