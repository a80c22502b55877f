/*
 * ELF64, the subset the Atoll bootloader reads from an uncompressed Linux
 * kernel (`vmlinux`): the file header, the program headers and the notes.
 *
 * Source of truth: the System V gABI ("ELF-64 Object File Format") and
 * include/uapi/linux/elf.h of linux-source-6.12; the offsets below were
 * checked against both. As for the boot protocol (bootparams.h), the fields
 * are described as byte offsets and read with little-endian byte helpers,
 * never through casts: a kernel image is untrusted input. Names carry an
 * ATOLL_ELF_ prefix so that kernel glue may include this next to <linux/elf.h>.
 */
#ifndef ATOLL_ABI_ELF_H
#define ATOLL_ABI_ELF_H

#include "abi.h"

/* --- file header (Elf64_Ehdr, 64 bytes) --- */
#define ATOLL_ELF_MAGIC 0x464c457fu     /* u32 read at 0: "\x7fELF" little-endian */
#define ATOLL_ELF_CLASS 4u              /* u8 read: ATOLL_ELF_CLASS64 */
#define ATOLL_ELF_DATA 5u               /* u8 read: ATOLL_ELF_DATA_LSB */
#define ATOLL_ELF_IDENT_VERSION 6u      /* u8 read: 1 */
#define ATOLL_ELF_TYPE 16u              /* u16 read: ATOLL_ELF_TYPE_EXEC */
#define ATOLL_ELF_MACHINE 18u           /* u16 read: ATOLL_ELF_MACHINE_X86_64 */
#define ATOLL_ELF_ENTRY 24u             /* u64 read: vmlinux has its physical entry here */
#define ATOLL_ELF_PHOFF 32u             /* u64 read: program header table's file offset */
#define ATOLL_ELF_PHENTSIZE 54u         /* u16 read: ATOLL_ELF_PHDR_SIZE */
#define ATOLL_ELF_PHNUM 56u             /* u16 read: program headers */
#define ATOLL_ELF_HEADER_SIZE 64u

#define ATOLL_ELF_CLASS64 2u
#define ATOLL_ELF_DATA_LSB 1u
#define ATOLL_ELF_TYPE_EXEC 2u
#define ATOLL_ELF_MACHINE_X86_64 62u

/* --- program header (Elf64_Phdr, 56 bytes) --- */
#define ATOLL_ELF_P_TYPE 0u             /* u32 read: ATOLL_ELF_PT_* */
#define ATOLL_ELF_P_OFFSET 8u           /* u64 read: file offset of the segment */
#define ATOLL_ELF_P_PADDR 24u           /* u64 read: physical address (the kernel's link-time one) */
#define ATOLL_ELF_P_FILESZ 32u          /* u64 read: bytes in the file */
#define ATOLL_ELF_P_MEMSZ 40u           /* u64 read: bytes in memory, >= filesz: the rest is zero */
#define ATOLL_ELF_PHDR_SIZE 56u

#define ATOLL_ELF_PT_LOAD 1u
#define ATOLL_ELF_PT_NOTE 4u

/* --- note (Elf64_Nhdr, 12 bytes, then name and descriptor, 4-aligned) --- */
#define ATOLL_ELF_N_NAMESZ 0u           /* u32 read: name bytes including its NUL */
#define ATOLL_ELF_N_DESCSZ 4u           /* u32 read */
#define ATOLL_ELF_NHDR_SIZE 12u

ATOLL_ABI_ASSERT(ATOLL_ELF_PHNUM + 2u <= ATOLL_ELF_HEADER_SIZE);
ATOLL_ABI_ASSERT(ATOLL_ELF_P_MEMSZ + 8u <= ATOLL_ELF_PHDR_SIZE);

#endif
