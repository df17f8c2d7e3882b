/* raw_tx: the device's ceilings for scripts/bench. Senders that hand a prebuilt Ethernet frame
 * (IPv4/UDP, built once) to the device with as little work per frame as the kernel allows; what
 * they cost per frame is the floor under any user-space UDP sender on that device. */
#ifndef BENCH_RAW_TX_H
#define BENCH_RAW_TX_H

#include <stddef.h>
#include <sys/resource.h>
#include <time.h>

struct raw_run {
	const char *ifname;
	int ifindex;
	long count;		    /* frames to send */
	int batch;		    /* frames per kick (ring and AF_XDP senders) */
	const unsigned char *frame; /* the prebuilt frame */
	size_t frame_len;
	long sent;	/* frames the kernel took */
	long kicks;	/* system calls that sent */
	int budget;	/* AF_XDP: frames per kick the kernel allows (0: not raised) */
	int gso_size;	/* gso: bytes of payload per segment */
	int qdisc;	/* packet sockets: through the qdisc (no PACKET_QDISC_BYPASS) */
	int bind_waits; /* AF_XDP: 10 ms waits for the queue (EBUSY: a socket closed just before) */
	struct rusage ru0; /* at raw_start */
	struct timespec t0;
};

/* Called by each sender once its socket is set up (and warmed up by one batch): the measurement
 * starts here, so setting up rings and UMEM is not counted. Resets sent and kicks. */
void raw_start(struct raw_run *r);

/* Each returns 0, or -1 with a message on stderr when the socket cannot be set up. */
int raw_packet_send(struct raw_run *r); /* AF_PACKET, one send() per frame, qdisc bypass */
int raw_packet_ring(struct raw_run *r); /* AF_PACKET PACKET_TX_RING, BATCH frames per kick */
int raw_xdp(struct raw_run *r);		/* AF_XDP copy mode, TX only, BATCH frames per kick */
/* AF_PACKET with a virtio-net header: one GSO frame of BATCH segments per send() */
int raw_packet_gso(struct raw_run *r);
/* the same GSO frame from a PACKET_TX_RING slot (its pages taken as fragments), one kick each */
int raw_packet_gso_ring(struct raw_run *r);

#endif
