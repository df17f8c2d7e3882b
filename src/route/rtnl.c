/* rtnl: one rtnetlink request socket per process, used under a lock (see rtnl.h). */
#include "rtnl.h"

#include "shim/fdtable.h"
#include "shim/rawsys.h"

#include <errno.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>

static pthread_mutex_t rtnl_lock = PTHREAD_MUTEX_INITIALIZER;
static int req_fd = -1;
static long req_owner; /* pid that opened req_fd */
static unsigned req_seq;

int rtnl_make_internal(int fd)
{
	return internal_fd_adopt(fd, true);
}

int rtnl_open(unsigned groups)
{
	struct sockaddr_nl sa;
	struct timeval tv = {.tv_sec = 2, .tv_usec = 0};
	long fd = rawsys3(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	long r;

	if (fd < 0)
		return (int)fd;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = groups;
	r = rawsys3(SYS_bind, fd, &sa, sizeof(sa));
	if (r < 0) {
		rawsys1(SYS_close, fd);
		return (int)r;
	}
	if (groups == 0) /* a request must never hang the program */
		rawsys5(SYS_setsockopt, fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return rtnl_make_internal((int)fd);
}

static int request_fd_locked(void)
{
	long pid = rawsys0(SYS_getpid);

	if (req_fd >= 0 && req_owner != pid) {
		/* inherited from the parent: replies would go to either process */
		rawsys1(SYS_close, req_fd);
		fdtable_forget(req_fd);
		req_fd = -1;
	}
	if (req_fd < 0) {
		int fd = rtnl_open(0);

		if (fd < 0)
			return fd;
		req_fd = fd;
		internal_fd_track(&req_fd);
		req_owner = pid;
	}
	return req_fd;
}

int rtnl_request(struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	static char buf[16384];
	int saved = errno, ret = 0, fd;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};

	pthread_mutex_lock(&rtnl_lock);
	fd = request_fd_locked();
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nlmsg_seq = ++req_seq;
	if (rawsys6(SYS_sendto, fd, (long)req, req->nlmsg_len, 0, (long)&kernel, sizeof(kernel)) <
	    0) {
		ret = -EIO;
		goto out;
	}
	for (int rounds = 0; rounds < 64; rounds++) {
		long n = rawsys6(SYS_recvfrom, fd, (long)buf, sizeof(buf), 0, 0, 0);
		int r;

		if (n == -EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? (int)n : -EIO;
			break;
		}
		errno = 0;
		r = mnl_cb_run(buf, (size_t)n, req->nlmsg_seq, 0, cb, data);
		if (r == MNL_CB_STOP)
			break;
		if (r < 0) {
			ret = errno ? -errno : -EIO;
			break;
		}
	}
out:
	pthread_mutex_unlock(&rtnl_lock);
	errno = saved;
	return ret;
}

void rtnl_forget_after_fork(void)
{
	pthread_mutex_init(&rtnl_lock, NULL);
	/* req_fd is left for request_fd_locked to notice by pid: closing it here would race
	 * nothing, but the check there also covers a child made by a raw clone(). */
}
