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

/* A socket's flow label leases (the kernel's inet_sk(sk)->ipv6_fl_list), as the shim saw its own
 * successful IPV6_FLOWLABEL_MGR requests make them (ipv6_flowlabel_opt_learn). The kernel's
 * lookup (fl6_sock_lookup) is made only while an exclusive lease (IPV6_FL_S_EXCL, _PROCESS,
 * _USER, or one with options) exists or existed in the namespace, which no socket can read; a
 * label the socket holds is found, one it does not hold is then refused (EINVAL). */
#define IP6_FL_SOCK_MAX 8
struct ip6_fl_socklist {
	uint32_t label[IP6_FL_SOCK_MAX]; /* network order, the 20 label bits */
	uint8_t
	    links[IP6_FL_SOCK_MAX];	   /* entries of the label in the kernel's list (a GET of a
					    * label the socket holds links it again, a PUT unlinks one) */
	bool opt_unknown[IP6_FL_SOCK_MAX]; /* the lease may carry options (fl->opt) the shim has
					    * not seen: made with some, or joined (another's) */
	uint8_t n;
	bool unknown; /* the list is not known whole (more labels than kept, a PUT of a label
		       * not seen taken, a socket changed where the shim could not see it) */
};

/* ipv6_flowlabel_opt after it succeeded on the socket: req is the 32-byte struct
 * in6_flowlabel_req as the program's buffer holds it after the call (a GET of label 0 finds
 * the kernel's label there), optlen the option's length (options after the request: the lease
 * carries them). A PUT of the connected flow's label clears it from *flow_label (np->flow_label,
 * network order). */
void ipv6_flowlabel_opt_learn(struct ip6_fl_socklist *l, const uint8_t req[32], unsigned optlen,
			      uint32_t *flow_label);

/* fl6_sock_lookup of label (network order, flow label bits not 0) on the socket, as far as the
 * shim knows: FL6_HELD, the socket holds a lease of it without options (found, or no lookup:
 * either way the datagram is sent with the label and no options); FL6_NOT_HELD, it does not
 * (refused with EINVAL if the namespace has exclusive leases, else not looked up); FL6_UNKNOWN,
 * the list or the lease's options are not known (*why says which). */
enum fl6_lookup { FL6_HELD, FL6_NOT_HELD, FL6_UNKNOWN };
enum fl6_lookup fl6_sock_lookup(const struct ip6_fl_socklist *l, uint32_t label, const char **why);

#endif
