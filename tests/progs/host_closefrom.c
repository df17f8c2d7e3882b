/* host_closefrom: closefrom() with negative, zero, ordinary and huge bounds, each in a child
 * that opens four more fds first, reports which of fds 0..6 are still open, and then sends a
 * datagram "closefrom <bound>" to ADDR:PORT on a new socket (the shim must still work after
 * the program closed every fd it has). 6 datagrams. Prints "closefrom(<bound>): open <mask> send
 * <ret> <errno>".
 *
 *   host_closefrom ADDR PORT */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static const int bounds[] = {-1, -5, INT_MIN, 0, 4, INT_MAX};
	struct sockaddr_in dst = {.sin_family = AF_INET};
	/* the child's report: shared memory, as the child closes its fds */
	long *res = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (argc < 3 || inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1 || res == MAP_FAILED)
		return 2;
	dst.sin_port = htons((unsigned short)atoi(argv[2]));
	for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		pid_t pid;

		memset(res, 0, 3 * sizeof(*res)); /* open mask, send return, errno */
		res[0] = -1;
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			char msg[32];
			int s, n;

			for (int k = 0; k < 4; k++)
				open("/dev/null", O_RDONLY);
			closefrom(bounds[i]);
			res[0] = 0;
			for (int fd = 0; fd < 7; fd++)
				if (fcntl(fd, F_GETFD) >= 0)
					res[0] |= 1L << fd;
			s = socket(AF_INET, SOCK_DGRAM, 0);
			n = snprintf(msg, sizeof(msg), "closefrom %d", bounds[i]);
			errno = 0;
			res[1] = sendto(s, msg, (size_t)n, 0, (struct sockaddr *)&dst, sizeof(dst));
			res[2] = res[1] < 0 ? errno : 0;
			_exit(0);
		}
		waitpid(pid, NULL, 0);
		printf("closefrom(%d): open %#lx send %ld %ld\n", bounds[i], res[0], res[1],
		       res[2]);
	}
	return 0;
}
