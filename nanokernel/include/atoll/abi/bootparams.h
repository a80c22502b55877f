/*
 * Linux x86 boot protocol: the subset the Atoll bootloader reads from a
 * bzImage and writes into a partition's boot_params ("zero page").
 *
 * Source of truth: Documentation/arch/x86/boot.rst and
 * arch/x86/include/uapi/asm/{bootparam,setup_data}.h of linux-source-6.12;
 * the offsets below were checked against both.
 *
 * The setup header sits at the same offsets in the bzImage's first sectors
 * and inside boot_params (boot_params.hdr at 0x1f1), so one set of offsets
 * serves both. Linux's own structures are packed (an e820 entry is 20
 * bytes): they are described here as byte offsets, and the C++ core reads
 * and writes them with little-endian byte helpers, never through casts.
 * Names carry an ATOLL_BP_ prefix so that kernel glue may include this
 * header next to <asm/bootparam.h>.
 */
#ifndef ATOLL_ABI_BOOTPARAMS_H
#define ATOLL_ABI_BOOTPARAMS_H

#include "abi.h"

#define ATOLL_BP_SECTOR 512u
#define ATOLL_BP_SIZE 4096u /* sizeof(struct boot_params) */

/* --- setup header: offsets in the bzImage and in boot_params --- */
#define ATOLL_BP_SETUP_HEADER 0x1f1u     /* first byte of struct setup_header */
#define ATOLL_BP_SETUP_SECTS 0x1f1u      /* u8 read: 512-byte setup sectors; 0 means 4 */
#define ATOLL_BP_SYSSIZE 0x1f4u          /* u32 read: payload size in 16-byte paragraphs */
#define ATOLL_BP_BOOT_FLAG 0x1feu        /* u16 read: ATOLL_BP_BOOT_FLAG_MAGIC */
#define ATOLL_BP_JUMP 0x200u             /* u16 read: jmp short; byte 0x201 = header end - 0x202 */
#define ATOLL_BP_HEADER_MAGIC 0x202u     /* u32 read: "HdrS" */
#define ATOLL_BP_VERSION 0x206u          /* u16 read: protocol version, 0x020c = 2.12 */
#define ATOLL_BP_TYPE_OF_LOADER 0x210u   /* u8 write: ATOLL_BP_LOADER_UNKNOWN */
#define ATOLL_BP_LOADFLAGS 0x211u        /* u8 modify: ATOLL_BP_LF_* */
#define ATOLL_BP_RAMDISK_IMAGE 0x218u    /* u32 write: initrd address, low 32 bits */
#define ATOLL_BP_RAMDISK_SIZE 0x21cu     /* u32 write: initrd size, low 32 bits */
#define ATOLL_BP_CMD_LINE_PTR 0x228u     /* u32 write: command line address, low 32 bits */
#define ATOLL_BP_INITRD_ADDR_MAX 0x22cu  /* u32 read: highest byte an initrd may occupy */
#define ATOLL_BP_KERNEL_ALIGNMENT 0x230u /* u32 read: load alignment (relocatable kernels) */
#define ATOLL_BP_RELOCATABLE 0x234u      /* u8 read: non-zero when relocatable */
#define ATOLL_BP_MIN_ALIGNMENT 0x235u    /* u8 read: log2 of the minimum alignment */
#define ATOLL_BP_XLOADFLAGS 0x236u       /* u16 read: ATOLL_BP_XLF_* */
#define ATOLL_BP_CMDLINE_SIZE 0x238u     /* u32 read: command line chars, NUL excluded */
#define ATOLL_BP_SETUP_DATA 0x250u       /* u64 write: physical address of the first setup_data */
#define ATOLL_BP_PREF_ADDRESS 0x258u     /* u64 read: preferred (and lowest) load address */
#define ATOLL_BP_INIT_SIZE 0x260u        /* u32 read: bytes the kernel needs from its load address */

/* The header must reach at least through init_size (protocol 2.12 has it)
 * and may not run past boot_params' _pad7 into edd_mbr_sig_buffer. */
#define ATOLL_BP_HEADER_MIN_END 0x264u
#define ATOLL_BP_HEADER_MAX_END 0x290u

#define ATOLL_BP_BOOT_FLAG_MAGIC 0xaa55u
#define ATOLL_BP_HEADER_MAGIC_HDRS 0x53726448u /* "HdrS" read little-endian */
#define ATOLL_BP_MIN_VERSION 0x020cu           /* 2.12: xloadflags */
#define ATOLL_BP_LOADER_UNKNOWN 0xffu          /* no assigned boot loader id */
#define ATOLL_BP_ENTRY64_OFFSET 0x200u         /* 64-bit entry: payload load address + 0x200 */

/* loadflags */
#define ATOLL_BP_LF_LOADED_HIGH (1u << 0)
#define ATOLL_BP_LF_KEEP_SEGMENTS (1u << 6)
#define ATOLL_BP_LF_CAN_USE_HEAP (1u << 7)

/* xloadflags */
#define ATOLL_BP_XLF_KERNEL_64 (1u << 0)
#define ATOLL_BP_XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)

/* --- boot_params fields outside the setup header --- */
#define ATOLL_BP_EXT_RAMDISK_IMAGE 0x0c0u /* u32 write: initrd address, high 32 bits */
#define ATOLL_BP_EXT_RAMDISK_SIZE 0x0c4u  /* u32 write: initrd size, high 32 bits */
#define ATOLL_BP_EXT_CMD_LINE_PTR 0x0c8u  /* u32 write: command line address, high 32 bits */
#define ATOLL_BP_E820_ENTRIES 0x1e8u      /* u8 write: entries used in e820_table */
#define ATOLL_BP_SENTINEL 0x1efu          /* u8: 0 tells the kernel we wrote a clean page */
#define ATOLL_BP_E820_TABLE 0x2d0u        /* ATOLL_BP_E820_MAX entries of 20 bytes */
#define ATOLL_BP_E820_MAX 128u

/* struct boot_e820_entry (packed): u64 addr, u64 size, u32 type. */
#define ATOLL_BP_E820_ENTRY_SIZE 20u
#define ATOLL_BP_E820_ADDR 0u
#define ATOLL_BP_E820_LEN 8u
#define ATOLL_BP_E820_TYPE 16u
#define ATOLL_BP_E820_RAM 1u
#define ATOLL_BP_E820_RESERVED 2u

ATOLL_ABI_ASSERT(ATOLL_BP_E820_TABLE + ATOLL_BP_E820_MAX * ATOLL_BP_E820_ENTRY_SIZE == 0xcd0u);
ATOLL_ABI_ASSERT(ATOLL_BP_INIT_SIZE + 4u == ATOLL_BP_HEADER_MIN_END);
ATOLL_ABI_ASSERT(ATOLL_BP_HEADER_MAX_END <= ATOLL_BP_SIZE);

/* struct setup_data: one node of the list boot_params.hdr.setup_data heads.
 * Written by the host bootloader; the partition kernel walks it. */
struct atoll_setup_data_header {
	atoll_u64 next; /* host: physical address of the next node, 0 = last */
	atoll_u32 type; /* host: ATOLL_SETUP_DATA_TYPE for the Atoll hand-off */
	atoll_u32 len;  /* host: bytes of data that follow this header */
};

ATOLL_ABI_ASSERT(offsetof(struct atoll_setup_data_header, next) == 0);
ATOLL_ABI_ASSERT(offsetof(struct atoll_setup_data_header, type) == 8);
ATOLL_ABI_ASSERT(offsetof(struct atoll_setup_data_header, len) == 12);
ATOLL_ABI_ASSERT(sizeof(struct atoll_setup_data_header) == 16);

#endif /* ATOLL_ABI_BOOTPARAMS_H */
