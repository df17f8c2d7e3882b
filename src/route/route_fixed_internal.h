/* route_fixed: the hooks route_output.c, neigh.c and notify.c ask (private header). */
#ifndef SHIM_ROUTE_FIXED_INTERNAL_H
#define SHIM_ROUTE_FIXED_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "shim/route.h"

/* Whether fixed answers are set (the library never sets them). */
extern bool route_fixed_on;

/* The fixed answer for k: 1 with r filled, 0 when k is not the fixed prefix's. */
int route_fixed_output(const struct shim_flowi *k, struct route_result *r);

/* The fixed next hop's MAC: 1 with mac filled, 0 when not the fixed prefix's. */
int route_fixed_neigh(int ifindex, const struct shim_addr *ip, uint8_t mac[6]);

/* notify.c: move the route generation (and the neighbour one with it). */
void notify_bump_route_generation(void);

#endif
