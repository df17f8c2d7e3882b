/* notify: route generation counter kept current by an rtnetlink listener (private header). */
#ifndef SHIM_ROUTE_NOTIFY_H
#define SHIM_ROUTE_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

struct shim_sock;

/* The current generation: always a new one while the listener does not run. */
uint64_t notify_generation(void);

/* Start the listener thread, once per process, where libc may make a thread (set-up; a child of
 * fork() in the fork interposer): never from a lookup, which may run in a signal handler. */
void notify_start(void);

/* End the listener thread for a call that needs a single-threaded caller; notify_start runs it
 * again. Whether it ended. */
bool notify_pause(void);

/* The neighbour generation: moves with every neighbour change and with the route generation. */
uint64_t notify_neigh_generation(void);

/* The current generation without starting anything. */
uint64_t notify_generation_peek(void);

void notify_forget_after_fork(void);

/* Whether an answer of generation gen is old only because this process is a child of fork: gen
 * is the parent's generation at the fork, and nothing has moved since the child's listener
 * started (changes made between the fork and then are not seen). */
bool notify_fork_only(uint64_t gen);

/* Open the listener's rtnetlink socket and error watch now (not subscribed until the listener
 * starts, so nothing queues on it). 0 or -errno. */
int notify_open_now(void);

/* The error watch's epoll (every watched socket, EPOLLERR one-shot) while the listener runs,
 * else -1; and its events collected now into the sockets' hints (err_ring.c). */
int notify_error_watch_fd(void);
void notify_collect_error_hints(void);

/* err_ring.c: the ring made (disabled) for a listener about to start, watching epoll_fd; on the
 * listener thread: the ring enabled (this thread its only submitter) and its poll armed; the
 * eventfd to poll (-1: no ring); on a wake-up, the ring's work run before the epoll is collected
 * (err_ring_view.busy odd from work to done). */
void err_ring_open(int epoll_fd);
void err_ring_listener_begin(void);
int err_ring_eventfd(void);
void err_ring_listener_work(void);
void err_ring_listener_done(void);
void err_ring_listener_end(void);

/* notify_bpf.c: attach to the listener's socket fd a filter that counts its messages as the kernel
 * queues them (NOTIFY_BPF_COUNTS counters: every message, and those that are not about
 * neighbours), in a page mapped read-only into the process. Returns the page, or NULL with -errno
 * in *err (EPERM: no CAP_BPF, or SHIM_ROUTE_BPF=0). */
const volatile uint64_t *notify_bpf_attach(int fd, int *err);

/* neigh.c: drop the neighbour cache and its lock state in a child after fork. */
void neigh_forget_after_fork(void);

#endif
