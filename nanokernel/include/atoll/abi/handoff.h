/*
 * Atoll boot hand-off: what the host tells a partition kernel about itself.
 *
 * Carried in a Linux setup_data record (linked from boot_params.hdr.setup_data)
 * of type ATOLL_SETUP_DATA_TYPE. The host writes the whole record once, before
 * the partition's boot CPU starts; the partition copies it, validates the copy
 * and never writes it. Every address is physical.
 */
#ifndef ATOLL_ABI_HANDOFF_H
#define ATOLL_ABI_HANDOFF_H

#include "abi.h"
#include "apstart.h"

/* 'ATOL': far above Linux's SETUP_* types (small integers) and below
 * SETUP_INDIRECT (1 << 31), so the kernel walks past it untouched. */
#define ATOLL_SETUP_DATA_TYPE 0x41544f4cu

#define ATOLL_HANDOFF_SIGNATURE ATOLL_SIGNATURE('A', 'T', 'O', 'L', 'L', 'H', 'O', 'F')
#define ATOLL_HANDOFF_REVISION 2u

/* flags */
/* The host's TSC is invariant and synchronised across packages: the
 * partition may mark its TSC reliable instead of watchdogging it. */
#define ATOLL_HANDOFF_F_TSC_RELIABLE (1u << 0)
#define ATOLL_HANDOFF_F_KNOWN (ATOLL_HANDOFF_F_TSC_RELIABLE)

/* Alignment of a partition's RAM ranges (a large page: the partition maps its
 * memory with 2 MiB pages, and ranges never split one). */
#define ATOLL_HANDOFF_RANGE_ALIGN 0x200000ull
/* Alignment of the lagoon window (one page). */
#define ATOLL_HANDOFF_LAGOON_ALIGN 0x1000ull

/* A half-open physical range [start, end). Host-written. */
struct atoll_mem_range {
	atoll_u64 start;
	atoll_u64 end;
};

struct atoll_handoff {
	atoll_u64 signature;       /* host: ATOLL_HANDOFF_SIGNATURE */
	atoll_u32 revision;        /* host: ATOLL_HANDOFF_REVISION */
	atoll_u32 size;            /* host: sizeof(struct atoll_handoff) */
	atoll_u32 partition_id;    /* host: 1..ATOLL_MAX_PARTITIONS-1 */
	atoll_u32 cpu_count;       /* host: 1..ATOLL_MAX_PARTITION_CPUS */
	atoll_u32 apic_ids[ATOLL_MAX_PARTITION_CPUS]; /* host: [0] boots first; unused = 0 */
	atoll_u32 host_apic_id;    /* host: where the partition sends host-bound IPIs */
	atoll_u32 numa_node;       /* host: node of the partition's CPUs and RAM */
	atoll_u32 mem_range_count; /* host: 1..ATOLL_MAX_MEM_RANGES */
	atoll_u32 reserved0;       /* host: 0 */
	struct atoll_mem_range mem_ranges[ATOLL_MAX_MEM_RANGES]; /* host: sorted, disjoint; unused = 0 */
	atoll_u64 lagoon_phys;     /* host: physical base of the lagoon window */
	atoll_u64 lagoon_size;     /* host: bytes, page multiple */
	atoll_u32 tsc_khz;         /* host: TSC frequency (no calibration in partitions) */
	atoll_u32 lapic_timer_hz;  /* host: LAPIC timer input frequency */
	atoll_u64 wallclock_sec;   /* host: wall-clock seconds at tsc_at_wallclock */
	atoll_u32 wallclock_nsec;  /* host: < 1e9 */
	atoll_u32 flags;           /* host: ATOLL_HANDOFF_F_* */
	atoll_u64 tsc_at_wallclock; /* host: TSC value when the wall clock was sampled */
	atoll_u64 ap_start_phys;   /* host: the AP start page (abi/apstart.h), 4 KiB
				    * aligned, below 1 MiB; 0 = none (then cpu_count is 1) */
	atoll_u64 reserved[7];     /* host: 0 */
};

ATOLL_ABI_ASSERT(sizeof(struct atoll_mem_range) == 16);
ATOLL_ABI_ASSERT(offsetof(struct atoll_handoff, signature) == 0);
ATOLL_ABI_ASSERT(offsetof(struct atoll_handoff, revision) == 8);
ATOLL_ABI_ASSERT(offsetof(struct atoll_handoff, size) == 12);
ATOLL_ABI_ASSERT(offsetof(struct atoll_handoff, partition_id) == 16);
ATOLL_ABI_ASSERT(offsetof(struct atoll_handoff, cpu_count) == 20);
ATOLL_ABI_ASSERT(offsetof(struct atoll_handoff, apic_ids) == 24);
ATOLL_ABI_ASSERT(offsetof(struct atoll_handoff, host_apic_id) == 280);
ATOLL_ABI_ASSERT(offsetof(struct atoll_handoff, mem_range_count) == 288);
ATOLL_ABI_ASSERT(offsetof(struct atoll_handoff, mem_ranges) == 296);
ATOLL_ABI_ASSERT(offsetof(struct atoll_handoff, lagoon_phys) == 424);
ATOLL_ABI_ASSERT(offsetof(struct atoll_handoff, tsc_khz) == 440);
ATOLL_ABI_ASSERT(offsetof(struct atoll_handoff, wallclock_sec) == 448);
ATOLL_ABI_ASSERT(offsetof(struct atoll_handoff, tsc_at_wallclock) == 464);
ATOLL_ABI_ASSERT(offsetof(struct atoll_handoff, ap_start_phys) == 472);
ATOLL_ABI_ASSERT(offsetof(struct atoll_handoff, reserved) == 480);
ATOLL_ABI_ASSERT(sizeof(struct atoll_handoff) == 536);

#endif /* ATOLL_ABI_HANDOFF_H */
