/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AP start page: the first instructions of every CPU any Atoll kernel
 * starts with INIT-SIPI-SIPI (atoll/abi/apstart.h).
 *
 * The host installs this blob once, at module load, in the first of the
 * pages the kernel reserved below 1 MiB (atoll_trampoline_phys()), and fills
 * in its linear addresses (GDT base, far pointers), the identity page tables
 * of the next two pages and zeroed slots after them. From then on the code
 * and those words never change, so CPUs of different kernels can run here
 * at the same time; only the BOOT data words and the slots are written, each
 * by the kernel that owns the CPU concerned, before its STARTUP.
 *
 * A CPU starts in real mode at CS:IP = page >> 4 : 0 and reads the mode in
 * its slot (by initial APIC ID, CPUID.1:EBX[31:24]):
 *
 *   PARK   count itself in `parked` and halt here, in real mode, for good;
 *   BOOT   enter long mode on the identity map (1 GiB pages) and jump to the
 *          partition kernel's 64-bit entry as Linux's boot protocol requires
 *          (Documentation/arch/x86/boot.rst, "64-bit BOOT PROTOCOL"): a GDT
 *          with flat __BOOT_CS = 0x10 and __BOOT_DS = 0x18, interrupts off,
 *          %rsi = boot_params; `started` = 1 first;
 *   START  enter long mode likewise, set EFER.NXE, count itself in the
 *          slot's `taken`, switch to the slot's page table and stack and
 *          jump to the slot's entry (a partition's secondary_startup_64).
 */
#include "atoll/abi/apstart.h"

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
	movl	$1, %eax
	cpuid
	shrl	$24, %ebx			/* initial APIC ID */
	shll	$ATOLL_AP_SLOT_SHIFT, %ebx
	addl	$ATOLL_AP_SLOTS_OFFSET, %ebx
	movl	%ebx, %edi			/* %di = this CPU's slot, page-relative */
	cmpl	$ATOLL_AP_MODE_PARK, ATOLL_AP_SLOT_MODE(%di)
	je	tr_park

	xorl	%ebx, %ebx
	mov	%cs, %bx
	shll	$4, %ebx			/* %ebx = linear address of this page */
	addl	%ebx, %edi			/* %edi = linear address of the slot */

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
	movl	%ebx, %ebx			/* upper halves are undefined after the switch */
	movl	%edi, %edi
	cmpl	$ATOLL_AP_MODE_START, ATOLL_AP_SLOT_MODE(%rdi)
	je	tr_start
	movq	TR_OFF(atoll_tramp_boot_params)(%rbx), %rsi
	movq	TR_OFF(atoll_tramp_entry)(%rbx), %rax
	movl	$1, TR_OFF(atoll_tramp_started)(%rbx)
	jmp	*%rax

	/* A partition's secondary CPU: its kernel's page tables use NX. */
tr_start:
	movl	$0x80000001, %eax
	cpuid
	btl	$20, %edx			/* NX */
	jnc	1f
	movl	$0xc0000080, %ecx
	rdmsr
	btsl	$11, %eax			/* EFER.NXE */
	wrmsr
1:	movq	ATOLL_AP_SLOT_CR3(%rdi), %rax
	movq	ATOLL_AP_SLOT_STACK(%rdi), %rsp
	movq	ATOLL_AP_SLOT_ENTRY(%rdi), %rcx
	lock incl ATOLL_AP_SLOT_TAKEN(%rdi)
	movq	%rax, %cr3			/* maps this page 1:1 too */
	jmp	*%rcx

	/*
	 * Park: a stopped partition's CPU waits here, in real mode with
	 * interrupts off, until the next INIT (a restart, or the host taking
	 * the CPU back). It no longer runs from the partition's memory, and
	 * this code never changes, so a CPU woken by an NMI finds the same loop.
	 */
	.code16
tr_park:
	lock incl TR_OFF(atoll_tramp_parked)
1:	hlt
	jmp	1b

	/* Filled by the host at install (linear addresses of this page). */
	.balign 8
	.globl atoll_tramp_gdt_base, atoll_tramp_jmp32, atoll_tramp_jmp64
	.globl atoll_tramp_pm32, atoll_tramp_lm64, atoll_tramp_gdt
atoll_tramp_gdt:
tr_gdt:
	.quad	0				/* 0x00 null */
	.quad	0x00cf9a000000ffff		/* 0x08 32-bit code, flat */
	.quad	0x00af9a000000ffff		/* 0x10 __BOOT_CS: 64-bit code, flat */
	.quad	0x00cf92000000ffff		/* 0x18 __BOOT_DS: data, flat */
tr_gdt_end:
tr_gdt_desc:
	.word	tr_gdt_end - tr_gdt - 1
atoll_tramp_gdt_base:
	.long	0				/* host: linear GDT base */
tr_jmp32:
atoll_tramp_jmp32:
	.long	0				/* host: linear address of tr_pm32 */
	.word	0x08
tr_jmp64:
atoll_tramp_jmp64:
	.long	0				/* host: linear address of tr_lm64 */
	.word	0x10
	.set	atoll_tramp_pm32, tr_pm32
	.set	atoll_tramp_lm64, tr_lm64

	/* Host-filled: at install (cr3), and before each BOOT (the rest). */
	.balign 8
	.globl atoll_tramp_cr3, atoll_tramp_boot_params, atoll_tramp_entry, atoll_tramp_started
	.globl atoll_tramp_parked
atoll_tramp_cr3:
	.quad	0				/* host: PML4 physical address (< 1 MiB) */
atoll_tramp_boot_params:
	.quad	0				/* host: boot_params physical address */
atoll_tramp_entry:
	.quad	0				/* host: kernel 64-bit entry (load + 0x200) */
atoll_tramp_started:
	.long	0				/* BOOT CPU: 1 once it jumped to the kernel */
atoll_tramp_parked:
	.long	0				/* PARK CPUs: +1 each */
atoll_tramp_end:
