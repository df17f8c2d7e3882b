/* drop_caps_send: drops every capability first thing in main (as chronyd does before it opens its
 * sockets), then sends COUNT datagrams to ADDR:PORT. Under the shim, whose packet socket was opened
 * when the library loaded, the datagrams still take the shim's path.
 *
 *   drop_caps_send ADDR PORT COUNT
 * Exits 0 when capabilities were dropped and every send returned its length. */
#include <arpa/inet.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	struct sockaddr_in dst;
	int fd, count, ok = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: drop_caps_send ADDR PORT COUNT\n");
		return 2;
	}
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) != 0) {
		perror("capset");
		return 1;
	}
	count = atoi(argv[3]);
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons((unsigned short)atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &dst.sin_addr);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	for (int i = 0; i < count; i++) {
		char msg[64];
		int n = snprintf(msg, sizeof(msg), "no capabilities %d", i);

		ok += sendto(fd, msg, (size_t)n, 0, (struct sockaddr *)&dst, sizeof(dst)) == n;
	}
	printf("sent %d of %d without capabilities\n", ok, count);
	return ok == count ? 0 : 1;
}
