/* pcap: a capture file of what the shim transmitted (SHIM_PCAP=FILE).
 *
 * Every frame the shim hands to the device is recorded as it leaves (Ethernet link type, the UDP
 * checksum completed where the frame left it to the device, nanosecond timestamps); datagrams the
 * shim handed to the kernel socket instead are recorded too and marked as such. Each record is
 * one write(2), so the file is complete whenever the program stops. */
#ifndef SHIM_PCAP_H
#define SHIM_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/uio.h>

#include "shim/stats.h"

/* Open (create or append) the capture file. Returns 0 or -errno. */
int pcap_open(const char *path);

/* Whether frames are being recorded (cheap check for the send path). */
extern bool pcap_enabled;

/* One frame as handed to the device: parts[0] starts with the virtio_net_hdr (DEV_VNET_HDR_LEN
 * bytes, which the writer reads for the checksum request and leaves out of the record), then the
 * Ethernet frame; later parts may be the program's buffers. */
void pcap_frame(const struct iovec *parts, int nparts);

/* A datagram handed to the kernel socket (why): recorded as a UDP/IPv4 frame with what is known
 * (addresses, ports, payload), marked as not sent by the shim. */
void pcap_kernel_datagram(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
			  const struct iovec *payload, int niov, size_t len,
			  enum shim_kernel_reason why);

/* The same for an IPv6 datagram of an AF_INET6 socket: a UDP/IPv6 frame (hop limit 64, flow label
 * 0: the kernel's are not known here). */
void pcap_kernel_datagram6(const struct in6_addr *saddr, const struct in6_addr *daddr,
			   uint16_t sport, uint16_t dport, const struct iovec *payload, int niov,
			   size_t len, enum shim_kernel_reason why);

#endif
