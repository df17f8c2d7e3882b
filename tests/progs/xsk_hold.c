/* xsk_hold: holds a device queue with an AF_XDP socket, for the e2e test of the shim's fallback
 * (SHIM_DEV=af_xdp finds the queue taken: EBUSY).
 *   xsk_hold IFNAME QUEUE MAX_S
 * Binds an AF_XDP socket (copy mode, a TX ring, a 64 KiB UMEM) to IFNAME's queue QUEUE, prints
 * "ready" (or "error ERRNO-NAME" and exits 1), then waits until standard input closes or MAX_S
 * seconds passed. */
#include <errno.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

static int fail(const char *what)
{
	printf("error %s %s\n", what, strerrorname_np(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct xdp_umem_reg reg;
	struct sockaddr_xdp sxdp;
	struct pollfd pfd = {.fd = 0, .events = POLLIN};
	uint32_t n = 64;
	size_t len = 64 * 1024;
	void *umem;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: xsk_hold IFNAME QUEUE MAX_S\n");
		return 2;
	}
	fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail("socket");
	umem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (umem == MAP_FAILED)
		return fail("mmap");
	memset(&reg, 0, sizeof(reg));
	reg.addr = (uint64_t)(uintptr_t)umem;
	reg.len = len;
	reg.chunk_size = 2048;
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) < 0)
		return fail("umem");
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &n, sizeof(n)) < 0 ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n, sizeof(n)) < 0 ||
	    setsockopt(fd, SOL_XDP, XDP_TX_RING, &n, sizeof(n)) < 0)
		return fail("rings");
	memset(&sxdp, 0, sizeof(sxdp));
	sxdp.sxdp_family = AF_XDP;
	sxdp.sxdp_flags = XDP_COPY;
	sxdp.sxdp_ifindex = if_nametoindex(argv[1]);
	sxdp.sxdp_queue_id = (uint32_t)atoi(argv[2]);
	if (bind(fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) < 0)
		return fail("bind");
	printf("ready\n");
	fflush(stdout);
	(void)poll(&pfd, 1, atoi(argv[3]) * 1000);
	close(fd);
	return 0;
}
