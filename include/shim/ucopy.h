/* ucopy: copies that touch the program's memory and fail instead of faulting.
 *
 * The user-space counterpart of the kernel's copy_user_generic with its exception table: every
 * instruction that may fault on the program's memory is listed in the section shim_extable with
 * the address to resume at (its fixup), and the shim's SIGSEGV/SIGBUS handler
 * (src/core/fault.c) moves a faulting context there (ucopy_fixup_exception, the kernel's
 * fixup_exception). Nothing is checked before the copy, so no later mprotect or munmap can make
 * a check stale: the access itself is the check.
 *
 * Fault-safe only while the shim's handler is in place (umem_fault_safe(), include/shim/umem.h);
 * umem_read and friends choose. */
#ifndef SHIM_UCOPY_H
#define SHIM_UCOPY_H

#include <stddef.h>
#include <stdint.h>

#if !defined(__x86_64__)
#error "libshim: ucopy is implemented for x86-64 only"
#endif

/* One entry of shim_extable: the faulting instruction and its fixup, each as an offset from the
 * field that holds it (position independent, as the kernel's exception table). */
struct ucopy_extable_entry {
	int32_t insn;
	int32_t fixup;
};

/* Copy n bytes from src to dst; either may be the program's memory. Returns 0, or the number of
 * bytes not copied when a fault stopped the copy (the bytes before it may have been copied). */
size_t ucopy(void *dst, const void *src, size_t n);

/* From a SIGSEGV/SIGBUS handler: when the faulting instruction of the context (a ucontext_t) is
 * one of the listed ones, the context is moved to its fixup and 1 is returned; else 0. */
int ucopy_fixup_exception(void *ucontext);

/* The exception table entry of the instruction at local label 1 of an asm statement, resuming at
 * the C label given as operand lbl (asm goto: no flag to test on the good path). */
#define UCOPY_EXTABLE(lbl)                                                                         \
	"	.pushsection shim_extable,\"a\",@progbits\n"                                             \
	"	.balign 4\n"                                                                             \
	"	.long 1b - ., %l[" #lbl "] - .\n"                                                  \
	"	.popsection\n"

/* Eight bytes from src into *out, inline (one instruction on the good path). Returns 0, or 1
 * when the load faulted. */
static inline __attribute__((always_inline)) int ucopy_load8(uint64_t *out, const void *src)
{
	uint64_t v;

	__asm__ goto("1:	movq (%[s]), %[v]\n" UCOPY_EXTABLE(fault)
		     : [v] "=r"(v)
		     : [s] "r"(src), "m"(*(const char(*)[8])src)
		     :
		     : fault);
	*out = v;
	return 0;
fault:
	return 1;
}

/* Four bytes v stored at dst, inline. Returns 0, or 1 when the store faulted. */
static inline __attribute__((always_inline)) int ucopy_store4(void *dst, uint32_t v)
{
	__asm__ goto("1:	movl %[v], (%[d])\n" UCOPY_EXTABLE(fault)
		     :
		     : [d] "r"(dst), [v] "r"(v)
		     : "memory"
		     : fault);
	return 0;
fault:
	return 1;
}

/* Whether the four bytes at p can be written: read and written back with the same value (the
 * kernel's put_user would fault there). Returns 0, or 1 when the load or the store faulted. */
static inline __attribute__((always_inline)) int ucopy_touch4(void *p)
{
	uint32_t v;

	__asm__ goto("1:	movl (%[p]), %[v]\n" UCOPY_EXTABLE(fault)
		     : [v] "=r"(v)
		     : [p] "r"(p)
		     : "memory"
		     : fault);
	return ucopy_store4(p, v);
fault:
	return 1;
}

/* n bytes (a multiple of 8, a constant: the compiler unrolls it) from src into dst, inline.
 * Returns 0, or 1 when a load faulted (dst is then partly written). */
static inline __attribute__((always_inline)) int ucopy_load_words(void *dst, const void *src,
								  size_t n)
{
#pragma GCC unroll 8
	for (size_t i = 0; i < n / 8; i++) {
		uint64_t v;

		if (ucopy_load8(&v, (const char *)src + i * 8))
			return 1;
		__builtin_memcpy((char *)dst + i * 8, &v, 8);
	}
	return 0;
}

#endif
