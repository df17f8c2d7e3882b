/* ip6_flowlabel: the automatic IPv6 flow label (ip6_make_flowlabel with auto_flowlabels).
 *
 * The kernel derives it from the flow hash: for a socket that was ever connected, its random
 * sk_txhash (every datagram of the socket, whatever its destination); otherwise a hash of
 * (addresses, ports, protocol) keyed by a secret of the boot. Neither can be read, so the shim
 * learns the kernel's label: the first datagram of such a flow goes through the kernel socket, the
 * tap (src/sys/ident_watch.c) reads the label off the frame that leaves, and the shim's datagrams
 * of the flow carry the same label afterwards — as a peer or an ECMP hash on the label sees it
 * from the kernel. Without the tap the shim makes a label of its own (the same for a flow,
 * different between flows). */
#ifndef SHIM_IP6_FLOWLABEL_H
#define SHIM_IP6_FLOWLABEL_H

#include <stdbool.h>
#include <stdint.h>

/* The label the kernel gave the unconnected flow (saddr, daddr: 16 bytes; ports network order),
 * learnt from its frame. */
void ip6_flowlabel_learnt(const uint8_t *saddr, const uint8_t *daddr, uint16_t sport,
			  uint16_t dport, uint32_t label);

/* The kernel's label of that flow, if learnt: true and *label (host order, 20 bits). */
bool ip6_flowlabel_lookup(const uint8_t *saddr, const uint8_t *daddr, uint16_t sport,
			  uint16_t dport, uint32_t *label);

/* A label of the shim's own, when the kernel's cannot be learnt: 20 bits from txhash (the
 * socket's, once connected) or else from a hash of the flow keyed by a secret of the process.
 * Never 0. */
uint32_t ip6_own_flowlabel(const uint8_t *saddr, const uint8_t *daddr, uint16_t sport,
			   uint16_t dport, uint32_t txhash);

#endif
