/*
 * Atoll ABI: common types, macros and limits.
 *
 * Everything under atoll/abi/ is a binary interface between kernels (host and
 * partitions run the same image, but may run different builds during
 * development), so these headers are C: they compile in the Linux kernel
 * (__KERNEL__, C), in the freestanding C++ core and in host tools.
 *
 * Rules for every structure in this folder:
 *  - standard layout, fixed-width fields, explicit padding, no bitfields;
 *  - a top-level record starts with signature (8 ASCII chars), revision, size;
 *  - ATOLL_ABI_ASSERT on sizeof and on the offsets a reader depends on;
 *  - a comment per field saying who writes it (host, partition, any kernel).
 * Addresses that cross kernels are physical (KASLR moves the direct map) or
 * lagoon offsets, never pointers.
 */
#ifndef ATOLL_ABI_ABI_H
#define ATOLL_ABI_ABI_H

#if defined(__cplusplus)
#include <cstddef>
#include <cstdint>
typedef std::uint8_t atoll_u8;
typedef std::uint16_t atoll_u16;
typedef std::uint32_t atoll_u32;
typedef std::uint64_t atoll_u64;
#define ATOLL_ABI_ASSERT(cond) static_assert(cond, #cond)
#elif defined(__KERNEL__)
#include <linux/stddef.h>
#include <linux/types.h>
typedef __u8 atoll_u8;
typedef __u16 atoll_u16;
typedef __u32 atoll_u32;
typedef __u64 atoll_u64;
#define ATOLL_ABI_ASSERT(cond) _Static_assert(cond, #cond)
#else
#include <stddef.h>
#include <stdint.h>
typedef uint8_t atoll_u8;
typedef uint16_t atoll_u16;
typedef uint32_t atoll_u32;
typedef uint64_t atoll_u64;
#define ATOLL_ABI_ASSERT(cond) _Static_assert(cond, #cond)
#endif

/* Type alignment for structures that own whole cache lines (GCC and clang,
 * C and C++). Layout never depends on it: every such structure is also padded
 * explicitly to a multiple of ATOLL_CACHE_LINE and asserted. */
#define ATOLL_ALIGNED(n) __attribute__((aligned(n)))

#define ATOLL_CACHE_LINE 64u

/* An 8-character signature as a u64: reads as the ASCII text in a hex dump of
 * little-endian memory (x86-64 only). */
#define ATOLL_SIGNATURE(a, b, c, d, e, f, g, h)                                     \
	((atoll_u64)(a) | ((atoll_u64)(b) << 8) | ((atoll_u64)(c) << 16) |         \
	 ((atoll_u64)(d) << 24) | ((atoll_u64)(e) << 32) | ((atoll_u64)(f) << 40) | \
	 ((atoll_u64)(g) << 48) | ((atoll_u64)(h) << 56))

/* Limits. Partition id 0 is the host; 1..ATOLL_MAX_PARTITIONS-1 are guests. */
#define ATOLL_MAX_PARTITIONS 16u
#define ATOLL_MAX_CPUS 64u           /* CPU slots in the lagoon, all partitions */
#define ATOLL_MAX_PARTITION_CPUS 64u /* CPUs in one partition's hand-off */
#define ATOLL_MAX_MEM_RANGES 8u      /* RAM ranges in one partition's hand-off */
#define ATOLL_VIRQ_COUNT 1024u       /* cross-kernel virtual interrupts */
#define ATOLL_STAGE_COUNT 8u         /* pipeline stages (domains) per CPU */

#define ATOLL_HOST_PARTITION 0u
#define ATOLL_PARTITION_NONE 0xffffffffu

/* Pending-log geometry: one bit per virq in ATOLL_LOG_WORDS u64 words, and a
 * u64 summary with one bit per word. */
#define ATOLL_LOG_WORDS (ATOLL_VIRQ_COUNT / 64u)

ATOLL_ABI_ASSERT(ATOLL_VIRQ_COUNT % 64u == 0);
ATOLL_ABI_ASSERT(ATOLL_LOG_WORDS <= 64u);
ATOLL_ABI_ASSERT(ATOLL_STAGE_COUNT <= 64u);
ATOLL_ABI_ASSERT(ATOLL_MAX_PARTITIONS <= 256u); /* owner field of a virq entry is 8 bits */
ATOLL_ABI_ASSERT(ATOLL_STAGE_COUNT <= 256u);    /* stage field of a virq entry is 8 bits */

#endif /* ATOLL_ABI_ABI_H */
