/* rtnl: one rtnetlink request socket per process, used under a lock (see rtnl.h). */
#include "rtnl.h"

#include "shim/dev.h"
#include "shim/shim_proc.h"
#include "shim/shim_lock.h"
#include "shim/internal_fd.h"
#include "shim/rawsys.h"

#include <errno.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>

SHIM_LOCK_DEFINE(rtnl_lock);
static int req_fd = -1;
static long req_owner; /* pid that opened req_fd */
static unsigned req_seq;

int rtnl_make_internal(int fd)
{
	return internal_fd_adopt(fd, true);
}

int rtnl_socket(int replace)
{
	long fd = rawsys3(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	/* Routes are asked in the namespace of the thread that opens the socket, which the program
	 * may have switched (setns, unshare): they must be the packet socket's. */
	if (fd >= 0 && dev_netns_cookie() != 0 &&
	    rawsys_netns_cookie((int)fd) != dev_netns_cookie()) {
		rawsys1(SYS_close, fd);
		fd = -EXDEV;
	}
	if (fd < 0) {
		if (replace >= 0) {
			internal_fd_close(replace);
		}
		return (int)fd;
	}
	return internal_fd_replace(replace, (int)fd);
}

int rtnl_subscribe(int fd, unsigned groups)
{
	struct sockaddr_nl sa;

	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = groups;
	return (int)rawsys3(SYS_bind, fd, &sa, sizeof(sa));
}

/* A request socket: bound without groups, and a receive timeout (a request must never hang the
 * program). */
static int rtnl_open_request(int replace)
{
	struct timeval tv = {.tv_sec = 2, .tv_usec = 0};
	int fd = rtnl_socket(replace), r;

	if (fd < 0)
		return fd;
	r = rtnl_subscribe(fd, 0);
	if (r < 0) {
		internal_fd_close(fd);
		return r;
	}
	rawsys5(SYS_setsockopt, fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static int request_fd_locked(void)
{
	long pid = shim_proc_pid();
	int inherited = -1;

	if (req_fd >= 0 && req_owner != pid) {
		/* inherited from the parent: replies would go to either process; the child's own
		 * takes its number */
		inherited = req_fd;
		req_fd = -1;
	}
	if (req_fd < 0) {
		int fd = rtnl_open_request(inherited);

		if (fd < 0)
			return fd;
		req_fd = fd;
		internal_fd_track(&req_fd);
		req_owner = pid;
	}
	return req_fd;
}

int rtnl_open_now(void)
{
	int fd;

	shim_lock_acquire(&rtnl_lock);
	fd = request_fd_locked();
	shim_lock_release(&rtnl_lock);
	return fd < 0 ? fd : 0;
}

int rtnl_request(struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	static char buf[16384];
	int saved = errno, ret = 0, fd;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};

	shim_lock_acquire(&rtnl_lock);
	fd = request_fd_locked();
	if (fd < 0) { /* no socket (EMFILE, ENOMEM ...): nothing was asked */
		ret = RTNL_UNASKED;
		goto out;
	}
	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nlmsg_seq = ++req_seq;
	if (rawsys6(SYS_sendto, fd, (long)req, req->nlmsg_len, 0, (long)&kernel, sizeof(kernel)) <
	    0) {
		ret = RTNL_UNASKED;
		goto out;
	}
	for (int rounds = 0; rounds < 64; rounds++) {
		long n = rawsys6(SYS_recvfrom, fd, (long)buf, sizeof(buf), 0, 0, 0);
		int r;

		if (n == -EINTR)
			continue;
		if (n <= 0) { /* no answer (a receive timeout, an overrun): not the kernel's */
			ret = RTNL_UNASKED;
			break;
		}
		errno = 0;
		r = mnl_cb_run(buf, (size_t)n, req->nlmsg_seq, 0, cb, data);
		if (r == MNL_CB_STOP)
			break;
		if (r < 0) { /* the kernel's NLMSG_ERROR, or a reply that could not be read */
			ret = errno && errno != EPROTO && errno != ESRCH && errno != ENOBUFS &&
				      errno != ENOMEM
				  ? -errno
				  : RTNL_UNASKED;
			break;
		}
	}
out:
	shim_lock_release(&rtnl_lock);
	errno = saved;
	return ret;
}
