/* dev_mem: the in-memory device, a bottom device for the unit tests (netdev_mem): each frame
 * handed to it is appended to one buffer, with its interface, its dev_meta and whether it was
 * sent non-blocking, and read back with dev_mem_frame. The payload parts are read with umem_read
 * (EFAULT for an unreadable one, as the packet socket answers); nothing else ever fails. */
#ifndef SHIM_DEV_MEM_H
#define SHIM_DEV_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shim/netdev.h"

/* Forget every frame (and the buffer). */
void dev_mem_reset(void);

/* Frames held. */
int dev_mem_count(void);

struct dev_mem_frame {
	const uint8_t *data; /* vnet header first */
	size_t len;
	int ifindex;
	bool dontwait;
	bool has_meta;
	struct dev_meta meta;
};

/* Frame i (0: the first handed over), or NULL. Valid until the next transmit or reset. */
const struct dev_mem_frame *dev_mem_frame(int i);

#endif
