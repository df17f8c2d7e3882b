/* ident_watch: a connected socket's datagram handed to the kernel — watch it leave and take the IP
 * ID the kernel gave it as the socket's counter (the tap: include/shim/ident_learn.h). */
#ifndef SHIM_IDENT_WATCH_H
#define SHIM_IDENT_WATCH_H

#include <stdbool.h>

struct ident_watch {
	bool active;
	int fd;
	int family; /* AF_INET: the IP ID; AF_INET6: the automatic flow label */
	bool cork;  /* the call may begin the kernel socket's corked datagram: its answer is told
		     * (udp_cork_kernel_answer), also when nothing is watched */
};

/* The datagram this thread hands to the kernel next carries a flow label the program gave (an
 * IPV6_FLOWINFO control message): not the flow's automatic one, so not learnt from. */
void ident_watch_label_given(bool given);

/* Before the kernel sends for fd: start watching if fd is a connected socket the shim owns. */
void ident_watch_begin(int fd, struct ident_watch *w);

/* After the kernel's answer ret: learn the ID from the frame that left, and stop watching; tell
 * the cork the answer (w->cork). */
void ident_watch_end(struct ident_watch *w, long ret);

#endif
