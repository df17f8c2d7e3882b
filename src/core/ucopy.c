/* ucopy: the out-of-line copy routine with known faulting instructions, and the exception table
 * lookup (see include/shim/ucopy.h).
 *
 * ucopy(dst, src, n) copies eight bytes at a time (from 64 bytes on with `rep movsq`), then single
 * bytes. Each load and store is listed in shim_extable; its fixup returns the count not yet
 * copied (rdx in the loops, 8 rcx + rdx for rep movsq), as the kernel's copy_user_generic returns
 * the bytes left. */
#include "shim/ucopy.h"

#include <signal.h>
#include <stdint.h>
#include <ucontext.h>

__asm__("	.text\n"
	"	.globl	ucopy\n"
	"	.hidden	ucopy\n"
	"	.type	ucopy, @function\n"
	"	.p2align 4\n"
	"ucopy:\n"
	"	.cfi_startproc\n"
	"	cmpq	$64, %rdx\n"
	"	jae	.Lucopy_rep\n"
	"	cmpq	$8, %rdx\n"
	"	jb	.Lucopy_tail\n"
	".Lucopy_words:\n"
	".Lucopy_ld8:	movq	(%rsi), %rax\n"
	".Lucopy_st8:	movq	%rax, (%rdi)\n"
	"	addq	$8, %rsi\n"
	"	addq	$8, %rdi\n"
	"	subq	$8, %rdx\n"
	"	cmpq	$8, %rdx\n"
	"	jae	.Lucopy_words\n"
	".Lucopy_tail:\n"
	"	testq	%rdx, %rdx\n"
	"	jz	.Lucopy_done\n"
	".Lucopy_bytes:\n"
	".Lucopy_ld1:	movzbl	(%rsi), %eax\n"
	".Lucopy_st1:	movb	%al, (%rdi)\n"
	"	incq	%rsi\n"
	"	incq	%rdi\n"
	"	decq	%rdx\n"
	"	jnz	.Lucopy_bytes\n"
	".Lucopy_done:\n"
	"	xorl	%eax, %eax\n"
	"	ret\n"
	/* from 64 bytes: whole words with rep movsq, then the tail bytes */
	".Lucopy_rep:\n"
	"	movq	%rdx, %rcx\n"
	"	shrq	$3, %rcx\n"
	"	andl	$7, %edx\n"
	".Lucopy_movs:	rep movsq\n"
	"	jmp	.Lucopy_tail\n"
	".Lucopy_left_rdx:\n"
	"	movq	%rdx, %rax\n"
	"	ret\n"
	".Lucopy_left_rcx:\n"
	"	leaq	(%rdx, %rcx, 8), %rax\n"
	"	ret\n"
	"	.cfi_endproc\n"
	"	.size	ucopy, .-ucopy\n"
	"	.pushsection shim_extable,\"a\",@progbits\n"
	"	.balign 4\n"
	"	.long	.Lucopy_ld8 - ., .Lucopy_left_rdx - .\n"
	"	.long	.Lucopy_st8 - ., .Lucopy_left_rdx - .\n"
	"	.long	.Lucopy_ld1 - ., .Lucopy_left_rdx - .\n"
	"	.long	.Lucopy_st1 - ., .Lucopy_left_rdx - .\n"
	"	.long	.Lucopy_movs - ., .Lucopy_left_rcx - .\n"
	"	.popsection\n");

/* the linker's bounds of the section (every inline ucopy_load8 adds its entry too) */
extern const struct ucopy_extable_entry __start_shim_extable[]
    __attribute__((visibility("hidden")));
extern const struct ucopy_extable_entry __stop_shim_extable[] __attribute__((visibility("hidden")));

/* fixup_exception: async-signal-safe (reads a constant table, writes the context). */
int ucopy_fixup_exception(void *ucontext)
{
	ucontext_t *uc = ucontext;
	uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];

	for (const struct ucopy_extable_entry *e = __start_shim_extable; e < __stop_shim_extable;
	     e++) {
		if ((uintptr_t)&e->insn + (intptr_t)e->insn == pc) {
			uc->uc_mcontext.gregs[REG_RIP] =
			    (greg_t)((uintptr_t)&e->fixup + (intptr_t)e->fixup);
			return 1;
		}
	}
	return 0;
}
