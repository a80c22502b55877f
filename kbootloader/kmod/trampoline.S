/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The partition CPU's first instructions after INIT-SIPI-SIPI.
 *
 * The host copies this blob to the sub-1 MiB page the kernel reserved for it
 * (atoll_trampoline_phys()), fills in the data words at the end, and sends
 * STARTUP with that page as the vector: the CPU starts here in real mode with
 * CS = page >> 4, IP = 0. The code is position independent: it derives the
 * page's linear address from CS and patches its own GDT base and far
 * pointers before use.
 *
 * It enters long mode on identity page tables (1 GiB pages, the two pages
 * after this one) and jumps to the partition kernel's 64-bit entry point as
 * Linux's boot protocol requires (Documentation/arch/x86/boot.rst, "64-bit
 * BOOT PROTOCOL"): paging on and identity-mapped, a GDT with a flat 64-bit
 * code segment at __BOOT_CS = 0x10 and a flat data segment at __BOOT_DS =
 * 0x18, CS = __BOOT_CS, DS = ES = SS = __BOOT_DS, interrupts off, %rsi =
 * physical address of boot_params.
 *
 * Before the jump it sets `started` to 1 so the host knows the page may be
 * reused for the next boot. With `park` set, the CPU instead counts itself
 * in `parked` and halts here for good (see tr_park).
 */
#define TR_OFF(x) ((x) - atoll_tramp_start)

	.section .rodata, "a"
	.balign 16
	.code16
	.globl atoll_tramp_start, atoll_tramp_end
atoll_tramp_start:
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds
	cmpb	$0, TR_OFF(atoll_tramp_park)
	jne	tr_park
	xorl	%ebx, %ebx
	mov	%cs, %bx
	shll	$4, %ebx			/* %ebx = linear address of this page */

	movl	%ebx, %eax
	addl	$TR_OFF(tr_gdt), %eax
	movl	%eax, TR_OFF(tr_gdt_desc) + 2	/* GDT base */
	movl	%ebx, %eax
	addl	$TR_OFF(tr_pm32), %eax
	movl	%eax, TR_OFF(tr_jmp32)		/* far pointer to 32-bit code */
	movl	%ebx, %eax
	addl	$TR_OFF(tr_lm64), %eax
	movl	%eax, TR_OFF(tr_jmp64)		/* far pointer to 64-bit code */

	lgdtl	TR_OFF(tr_gdt_desc)
	movl	%cr0, %eax
	orl	$0x1, %eax			/* PE */
	movl	%eax, %cr0
	ljmpl	*TR_OFF(tr_jmp32)

	.code32
tr_pm32:
	movl	$0x18, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs

	movl	%cr4, %eax
	orl	$(1 << 5), %eax			/* PAE */
	movl	%eax, %cr4
	movl	TR_OFF(atoll_tramp_cr3)(%ebx), %eax
	movl	%eax, %cr3

	movl	$0xc0000080, %ecx		/* EFER */
	rdmsr
	orl	$(1 << 8), %eax			/* LME */
	wrmsr

	movl	%cr0, %eax
	orl	$0x80000001, %eax		/* PG | PE */
	movl	%eax, %cr0
	ljmpl	*TR_OFF(tr_jmp64)(%ebx)

	.code64
tr_lm64:
	movl	%ebx, %ebx			/* upper half is undefined after the switch */
	movq	TR_OFF(atoll_tramp_boot_params)(%rbx), %rsi
	movq	TR_OFF(atoll_tramp_entry)(%rbx), %rax
	movl	$1, TR_OFF(atoll_tramp_started)(%rbx)
	jmp	*%rax

	/*
	 * Park: a stopped partition's CPU waits here, in real mode with
	 * interrupts off, until the next INIT (a restart, or the host taking
	 * the CPU back). It no longer runs from the partition's memory. These
	 * bytes are rewritten only with identical bytes, so a CPU woken by an
	 * NMI finds the same loop.
	 */
	.code16
tr_park:
	lock incl TR_OFF(atoll_tramp_parked)
1:	hlt
	jmp	1b

	.balign 8
tr_gdt:
	.quad	0				/* 0x00 null */
	.quad	0x00cf9a000000ffff		/* 0x08 32-bit code, flat */
	.quad	0x00af9a000000ffff		/* 0x10 __BOOT_CS: 64-bit code, flat */
	.quad	0x00cf92000000ffff		/* 0x18 __BOOT_DS: data, flat */
tr_gdt_end:
tr_gdt_desc:
	.word	tr_gdt_end - tr_gdt - 1
	.long	0				/* patched: linear GDT base */
tr_jmp32:
	.long	0				/* patched */
	.word	0x08
tr_jmp64:
	.long	0				/* patched */
	.word	0x10

	/* Host-filled before STARTUP. */
	.balign 8
	.globl atoll_tramp_cr3, atoll_tramp_boot_params, atoll_tramp_entry, atoll_tramp_started
	.globl atoll_tramp_park, atoll_tramp_parked
atoll_tramp_cr3:
	.quad	0				/* host: PML4 physical address (< 4 GiB) */
atoll_tramp_boot_params:
	.quad	0				/* host: boot_params physical address */
atoll_tramp_entry:
	.quad	0				/* host: kernel 64-bit entry (load + 0x200) */
atoll_tramp_started:
	.long	0				/* trampoline: 1 once it jumped to the kernel */
atoll_tramp_parked:
	.long	0				/* trampoline: +1 per CPU that parked */
atoll_tramp_park:
	.byte	0				/* host: 1 = park the CPU instead of booting */
	.byte	0, 0, 0
atoll_tramp_end:
