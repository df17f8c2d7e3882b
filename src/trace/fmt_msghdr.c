/* fmt_msghdr: iovec arrays, struct msghdr and struct mmsghdr arrays. */
#include "fmt.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include "shim/umem.h"
#include "xlat.h"

static bool print_iovec(struct sbuf *b, const void *elem, void *ctx)
{
	const struct iovec *iov = elem;

	(void)ctx;
	sbuf_puts(b, "{iov_base=");
	fmt_mem_str(b, (uintptr_t)iov->iov_base, iov->iov_len, 0);
	sbuf_printf(b, ", iov_len=%zu}", iov->iov_len);
	return true;
}

void fmt_iov_array(struct sbuf *b, uint64_t addr, uint64_t n)
{
	struct iovec iov;

	fmt_remote_array(b, addr, n, sizeof(iov), &iov, print_iovec, NULL);
}

static void print_msghdr(struct sbuf *b, const struct msghdr *msg)
{
	sbuf_puts(b, "{msg_name=");
	fmt_sockaddr_mem(b, (uintptr_t)msg->msg_name, (int)msg->msg_namelen);
	sbuf_printf(b, ", msg_namelen=%d, msg_iov=", (int)msg->msg_namelen);
	fmt_iov_array(b, (uintptr_t)msg->msg_iov, msg->msg_iovlen);
	sbuf_printf(b, ", msg_iovlen=%zu", msg->msg_iovlen);
	fmt_msg_control(b, (uintptr_t)msg->msg_control, msg->msg_controllen);
	sbuf_printf(b, ", msg_controllen=%zu, msg_flags=", msg->msg_controllen);
	xlat_print_flags(b, &xlat_msg_flags, (unsigned)msg->msg_flags, "MSG_???");
	sbuf_putc(b, '}');
}

void fmt_msghdr_mem(struct sbuf *b, uint64_t addr)
{
	struct msghdr msg;

	if (addr && umem_read(&msg, (const void *)(uintptr_t)addr, sizeof(msg)) == 0)
		print_msghdr(b, &msg);
	else
		fmt_addr(b, addr);
}

struct mmsghdr_ctx {
	unsigned msg_len_count; /* entries left that show msg_len */
};

static bool print_mmsghdr(struct sbuf *b, const void *elem, void *ctx)
{
	const struct mmsghdr *mmsg = elem;
	struct mmsghdr_ctx *c = ctx;

	sbuf_puts(b, "{msg_hdr=");
	print_msghdr(b, &mmsg->msg_hdr);
	if (c->msg_len_count) {
		sbuf_printf(b, ", msg_len=%u", mmsg->msg_len);
		c->msg_len_count--;
	}
	sbuf_putc(b, '}');
	return true;
}

void fmt_mmsghdr_array(struct sbuf *b, uint64_t addr, unsigned vlen, unsigned msg_len_count)
{
	struct mmsghdr mmsg;
	struct mmsghdr_ctx c = {.msg_len_count = msg_len_count};

	fmt_remote_array(b, addr, vlen, sizeof(mmsg), &mmsg, print_mmsghdr, &c);
}
