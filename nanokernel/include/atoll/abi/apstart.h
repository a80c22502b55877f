/*
 * Atoll AP start page: how a CPU that receives STARTUP finds out what to do.
 *
 * The host reserves a few pages below 1 MiB (the kernel patch's trampoline
 * area) and copies the bootloader's real-mode trampoline to the first one.
 * Every STARTUP IPI any Atoll kernel sends points there, so three kinds of
 * start share one entry point:
 *
 *   BOOT  the host starts a partition's boot CPU with the per-boot data in
 *         the trampoline page itself (one boot at a time, host mutex);
 *   PARK  the host parks a stopped partition's CPU in the page's halt loop;
 *   START a partition starts one of its own secondary CPUs: the CPU loads the
 *         partition's page table and stack from its slot and jumps to the
 *         partition kernel's 64-bit secondary entry.
 *
 * The CPU tells them apart by its own slot, found by its initial APIC ID
 * (CPUID.1:EBX[31:24], readable in real mode): one slot per APIC ID, so two
 * kernels starting different CPUs at the same time never share a word.
 * A slot is written only by the kernel that owns the CPU at that moment
 * (host for BOOT and PARK, the partition for START), always before the
 * STARTUP IPI that makes the CPU read it.
 *
 * Layout, offsets from the start page (physical, 4 KiB aligned, < 1 MiB):
 *   0x0000  trampoline code and the host's BOOT data (host)
 *   0x1000  PML4 of the trampoline's identity map (host)
 *   0x2000  PDPT of the trampoline's identity map, 1 GiB pages (host)
 *   0x3000  ATOLL_AP_SLOT_COUNT slots of struct atoll_ap_slot
 */
#ifndef ATOLL_ABI_APSTART_H
#define ATOLL_ABI_APSTART_H

#define ATOLL_AP_SLOTS_OFFSET 0x3000u
#define ATOLL_AP_SLOT_SIZE 32u
#define ATOLL_AP_SLOT_SHIFT 5u
/* xAPIC IDs: the real-mode trampoline reads the 8-bit initial APIC ID. */
#define ATOLL_AP_SLOT_COUNT 256u
#define ATOLL_AP_AREA_SIZE (ATOLL_AP_SLOTS_OFFSET + ATOLL_AP_SLOT_COUNT * ATOLL_AP_SLOT_SIZE)
/* The whole area, as the real-mode trampoline addresses it from its page. */
#define ATOLL_AP_AREA_LIMIT 0x100000u

/* slot.mode */
#define ATOLL_AP_MODE_BOOT 0u   /* host: boot data in the trampoline page */
#define ATOLL_AP_MODE_PARK 1u   /* host: halt in the trampoline page */
#define ATOLL_AP_MODE_START 2u  /* partition: enter via cr3, stack, entry */

/* Offsets inside a slot (the trampoline's assembly uses these). */
#define ATOLL_AP_SLOT_MODE 0
#define ATOLL_AP_SLOT_TAKEN 4
#define ATOLL_AP_SLOT_ENTRY 8
#define ATOLL_AP_SLOT_CR3 16
#define ATOLL_AP_SLOT_STACK 24

#ifndef __ASSEMBLY__
#include "abi.h"

struct atoll_ap_slot {
	atoll_u32 mode;   /* owner: ATOLL_AP_MODE_* before STARTUP */
	atoll_u32 taken;  /* CPU: incremented when it left the page for `entry` */
	atoll_u64 entry;  /* partition: 64-bit virtual entry, mapped by cr3 */
	atoll_u64 cr3;    /* partition: page table that identity-maps the start page
			   * and the stack, and maps `entry`; below 4 GiB not needed */
	atoll_u64 stack;  /* partition: initial stack top, identity-mapped */
};

ATOLL_ABI_ASSERT(sizeof(struct atoll_ap_slot) == ATOLL_AP_SLOT_SIZE);
ATOLL_ABI_ASSERT(1u << ATOLL_AP_SLOT_SHIFT == ATOLL_AP_SLOT_SIZE);
ATOLL_ABI_ASSERT(offsetof(struct atoll_ap_slot, mode) == ATOLL_AP_SLOT_MODE);
ATOLL_ABI_ASSERT(offsetof(struct atoll_ap_slot, taken) == ATOLL_AP_SLOT_TAKEN);
ATOLL_ABI_ASSERT(offsetof(struct atoll_ap_slot, entry) == ATOLL_AP_SLOT_ENTRY);
ATOLL_ABI_ASSERT(offsetof(struct atoll_ap_slot, cr3) == ATOLL_AP_SLOT_CR3);
ATOLL_ABI_ASSERT(offsetof(struct atoll_ap_slot, stack) == ATOLL_AP_SLOT_STACK);
ATOLL_ABI_ASSERT(ATOLL_AP_AREA_SIZE == 5u * 4096u);
#endif

#endif /* ATOLL_ABI_APSTART_H */
