/* pcap_writer: the capture file of SHIM_PCAP (see include/shim/pcap.h). Being written: until then
 * pcap_open answers ENOSYS and nothing is recorded. */
#include "shim/pcap.h"

#include <errno.h>

bool pcap_enabled;

int pcap_open(const char *path)
{
	(void)path;
	return -ENOSYS;
}

void pcap_frame(const struct iovec *parts, int nparts)
{
	(void)parts;
	(void)nparts;
}

void pcap_kernel_datagram(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
			  const struct iovec *payload, int niov, size_t len,
			  enum shim_kernel_reason why)
{
	(void)saddr;
	(void)daddr;
	(void)sport;
	(void)dport;
	(void)payload;
	(void)niov;
	(void)len;
	(void)why;
}

void pcap_after_fork(void)
{
}
