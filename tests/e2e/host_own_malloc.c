/* host_own_malloc: a program with its own allocator (malloc, free, calloc, realloc and the aligned
 * variants over a static arena) whose malloc sends a UDP datagram from inside itself for its first
 * SENDS calls — whoever calls it: the dynamic loader, libc, an interposed library's
 * initialisation, or main. Then main sends MAIN datagrams itself. Prints "malloc sends N ok M
 * failed" and "main sends N ok M failed"; the e2e host test compares that and the datagrams
 * received natively and under the shim.
 *
 *   host_own_malloc ADDR PORT   (ADDR:PORT is also read by malloc, from the environment
 *                                HOST_DST=ADDR:PORT, since malloc may run before main) */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SENDS 3
#define MAIN  4
#define ARENA (64u << 20)

static _Alignas(64) unsigned char arena[ARENA];
static size_t used;
static int in_malloc, sock = -1, sent_ok, sent_bad;
static struct sockaddr_in dst;

static void send_from_malloc(void)
{
	char msg[32];
	int n;

	if (sent_ok + sent_bad >= SENDS)
		return;
	if (sock < 0) {
		const char *v = getenv("HOST_DST");
		char addr[32];
		const char *colon = v != NULL ? strchr(v, ':') : NULL;

		if (colon == NULL || (size_t)(colon - v) >= sizeof(addr))
			return;
		memcpy(addr, v, (size_t)(colon - v));
		addr[colon - v] = '\0';
		dst.sin_family = AF_INET;
		dst.sin_port = htons((unsigned short)atoi(colon + 1));
		if (inet_pton(AF_INET, addr, &dst.sin_addr) != 1)
			return;
		sock = socket(AF_INET, SOCK_DGRAM, 0);
		if (sock < 0)
			return;
	}
	n = snprintf(msg, sizeof(msg), "malloc %d", sent_ok + sent_bad);
	if (sendto(sock, msg, (size_t)n, 0, (struct sockaddr *)&dst, sizeof(dst)) == n)
		sent_ok++;
	else
		sent_bad++;
}

/* a block, its size in the 16 bytes before it: lock-free, as malloc may be re-entered from the
 * send inside it or called by several threads */
static void *take(size_t size, size_t align)
{
	if (align < 16)
		align = 16;
	for (;;) {
		size_t old = __atomic_load_n(&used, __ATOMIC_ACQUIRE);
		uintptr_t start =
		    ((uintptr_t)arena + old + 16 + align - 1) & ~(uintptr_t)(align - 1);
		size_t now = start + size - (uintptr_t)arena;

		if (size > ARENA || now > ARENA) {
			errno = ENOMEM;
			return NULL;
		}
		if (__atomic_compare_exchange_n(&used, &old, now, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			memcpy((unsigned char *)start - 16, &size, sizeof(size));
			return (void *)start;
		}
	}
}

static void *alloc(size_t size, size_t align)
{
	if (!__atomic_exchange_n(&in_malloc, 1, __ATOMIC_ACQUIRE)) {
		send_from_malloc();
		__atomic_store_n(&in_malloc, 0, __ATOMIC_RELEASE);
	}
	return take(size, align);
}

void *malloc(size_t size)
{
	return alloc(size, 16);
}

void free(void *p)
{
	(void)p;
}

void *calloc(size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	p = alloc(n * size, 16);
	if (p != NULL)
		memset(p, 0, n * size);
	return p;
}

void *realloc(void *old, size_t size)
{
	size_t had = 0;
	void *p = alloc(size, 16);

	if (p != NULL && old != NULL) {
		memcpy(&had, (unsigned char *)old - 16, sizeof(had));
		memcpy(p, old, had < size ? had : size);
	}
	return p;
}

void *memalign(size_t align, size_t size)
{
	return alloc(size, align);
}

void *aligned_alloc(size_t align, size_t size)
{
	return alloc(size, align);
}

int posix_memalign(void **out, size_t align, size_t size)
{
	void *p = alloc(size, align);

	if (p == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

size_t malloc_usable_size(void *p)
{
	size_t size;

	memcpy(&size, (unsigned char *)p - 16, sizeof(size));
	return size;
}

int main(void)
{
	int ok = 0, bad = 0;
	char *p;

	for (int i = 0; i < SENDS; i++) /* malloc sends at least SENDS datagrams, whoever calls */
		p = malloc(100), p[0] = 1;
	for (int i = 0; i < MAIN; i++) {
		char msg[32];
		int n = snprintf(msg, sizeof(msg), "main %d", i);

		if (sendto(sock, msg, (size_t)n, 0, (struct sockaddr *)&dst, sizeof(dst)) == n)
			ok++;
		else
			bad++;
	}
	printf("malloc sends %d ok %d failed\nmain sends %d ok %d failed\n", sent_ok, sent_bad, ok,
	       bad);
	return 0;
}
