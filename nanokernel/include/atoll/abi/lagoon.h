/*
 * Atoll lagoon: the window of RAM every kernel maps.
 *
 * The host formats it (header + region table, regions zeroed) before any
 * partition starts; every kernel then opens it by validating the header and
 * the whole region table, and re-checks every index it reads from inside it.
 * A crashed or buggy kernel can scribble over the lagoon, so nothing read
 * here is trusted: it may stop communication, never make a reader step
 * outside the lagoon.
 *
 * All offsets are bytes from the lagoon base; every region starts on and
 * spans a whole number of ATOLL_LAGOON_ALIGN bytes.
 */
#ifndef ATOLL_ABI_LAGOON_H
#define ATOLL_ABI_LAGOON_H

#include "abi.h"

#define ATOLL_LAGOON_SIGNATURE ATOLL_SIGNATURE('A', 'T', 'O', 'L', 'L', 'L', 'A', 'G')
#define ATOLL_LAGOON_REVISION 1u
#define ATOLL_LAGOON_MAX_REGIONS 16u
#define ATOLL_LAGOON_ALIGN 64u

/* Region kinds (atoll_lagoon_region.kind). */
#define ATOLL_REGION_NONE 0u       /* unused table entry: all fields 0 */
#define ATOLL_REGION_PARTITIONS 1u /* struct atoll_partition_state[max_partitions] */
#define ATOLL_REGION_CPUS 2u       /* struct atoll_cpu_slot[max_cpus] */
#define ATOLL_REGION_VIRQS 3u      /* atoll_u32[ATOLL_VIRQ_COUNT], see ATOLL_VIRQ_* */
#define ATOLL_REGION_CONSOLE 4u    /* max_partitions equal areas, one per partition id */
#define ATOLL_REGION_VNET 5u       /* one area, contents defined by vnet */
#define ATOLL_REGION_KIND_COUNT 6u

#define ATOLL_REGION_OWNER_SHARED 0xffffffffu

/* One entry of the region table. Host-written at format time only. */
struct atoll_lagoon_region {
	atoll_u32 kind;   /* host: ATOLL_REGION_* */
	atoll_u32 owner;  /* host: partition id, or ATOLL_REGION_OWNER_SHARED */
	atoll_u64 offset; /* host: from lagoon base, ATOLL_LAGOON_ALIGN multiple */
	atoll_u64 size;   /* host: bytes, ATOLL_LAGOON_ALIGN multiple, > 0 */
};

ATOLL_ABI_ASSERT(sizeof(struct atoll_lagoon_region) == 24);
ATOLL_ABI_ASSERT(offsetof(struct atoll_lagoon_region, offset) == 8);

/* At lagoon offset 0. The host writes it once, signature last. */
struct atoll_lagoon_header {
	atoll_u64 signature;      /* host: ATOLL_LAGOON_SIGNATURE, stored last (release) */
	atoll_u32 revision;       /* host: ATOLL_LAGOON_REVISION */
	atoll_u32 header_size;    /* host: sizeof(struct atoll_lagoon_header) */
	atoll_u64 lagoon_size;    /* host: bytes of the whole window */
	atoll_u32 max_partitions; /* host: 1..ATOLL_MAX_PARTITIONS, entries in PARTITIONS/CONSOLE */
	atoll_u32 max_cpus;       /* host: 1..ATOLL_MAX_CPUS, entries in CPUS */
	atoll_u32 region_count;   /* host: used entries of regions[], the rest all zero */
	atoll_u32 reserved0;      /* host: 0 */
	atoll_u64 generation;     /* host: bumped at each format; readers re-open on change */
	struct atoll_lagoon_region regions[ATOLL_LAGOON_MAX_REGIONS]; /* host */
	atoll_u64 reserved[2];    /* host: 0 */
};

ATOLL_ABI_ASSERT(offsetof(struct atoll_lagoon_header, revision) == 8);
ATOLL_ABI_ASSERT(offsetof(struct atoll_lagoon_header, header_size) == 12);
ATOLL_ABI_ASSERT(offsetof(struct atoll_lagoon_header, lagoon_size) == 16);
ATOLL_ABI_ASSERT(offsetof(struct atoll_lagoon_header, max_partitions) == 24);
ATOLL_ABI_ASSERT(offsetof(struct atoll_lagoon_header, region_count) == 32);
ATOLL_ABI_ASSERT(offsetof(struct atoll_lagoon_header, generation) == 40);
ATOLL_ABI_ASSERT(offsetof(struct atoll_lagoon_header, regions) == 48);
ATOLL_ABI_ASSERT(sizeof(struct atoll_lagoon_header) == 448);
ATOLL_ABI_ASSERT(sizeof(struct atoll_lagoon_header) % ATOLL_LAGOON_ALIGN == 0);

/* ---- PARTITIONS region ------------------------------------------------- */

/* atoll_partition_state.state, host-written. */
#define ATOLL_PSTATE_FREE 0u     /* no partition with this id */
#define ATOLL_PSTATE_LOADED 1u   /* images placed, CPUs not started */
#define ATOLL_PSTATE_BOOTING 2u  /* CPUs started, no heartbeat yet */
#define ATOLL_PSTATE_RUNNING 3u  /* heartbeat seen */
#define ATOLL_PSTATE_STOPPING 4u /* stop requested, waiting for CPUs to park */
#define ATOLL_PSTATE_STOPPED 5u  /* CPUs parked; reason says why */
#define ATOLL_PSTATE_HUNG 6u     /* running, but no heartbeat for a few seconds */

/* atoll_partition_state.parked, partition-written as its CPU parks. */
#define ATOLL_PARKED_HALT 1u
#define ATOLL_PARKED_POWER_OFF 2u
#define ATOLL_PARKED_RESTART 3u
#define ATOLL_PARKED_PANIC 4u

/* atoll_partition_state.command, host-written before it posts the control virq. */
#define ATOLL_COMMAND_PING 0u  /* answer with the host's control virq */
#define ATOLL_COMMAND_STOP 1u  /* shut down cleanly (init runs its shutdown) */

/* atoll_partition_state.reason, host-written with STOPPING/STOPPED. */
#define ATOLL_PREASON_NONE 0u
#define ATOLL_PREASON_REQUESTED 1u /* atoll stop */
#define ATOLL_PREASON_POWEROFF 2u  /* the partition powered itself off */
#define ATOLL_PREASON_REBOOT 3u    /* the partition asked for a reboot */
#define ATOLL_PREASON_PANIC 4u     /* the partition panicked */
#define ATOLL_PREASON_WATCHDOG 5u  /* heartbeat stopped */
#define ATOLL_PREASON_FORCED 6u    /* force-stop (INIT) */
#define ATOLL_PREASON_ROOT 7u      /* the partition could not reach its root and stopped */

/* atoll_partition_state.fault, partition-written before it stops itself:
 * why, when the kernel alone cannot say (it only knows it powered off). */
#define ATOLL_PFAULT_NONE 0u
#define ATOLL_PFAULT_ROOT 1u /* its root filesystem could not be mounted */

/* Pipeline stages every Atoll kernel registers, by StageId. */
#define ATOLL_STAGE_CONTROL 0u /* ping, stop: highest priority */
#define ATOLL_STAGE_VNET 1u
#define ATOLL_STAGE_VCON 2u

/* atoll_partition_state.control_virq: published once the kernel listens. */
#define ATOLL_CONTROL_VIRQ_VALID (1u << 31)

/* One per partition id, in its own cache line. */
struct ATOLL_ALIGNED(64) atoll_partition_state {
	atoll_u32 state;     /* host: ATOLL_PSTATE_* */
	atoll_u32 reason;    /* host: ATOLL_PREASON_* */
	atoll_u64 heartbeat; /* partition: incremented periodically while alive */
	atoll_u64 boot_tsc;  /* host: TSC when the partition's boot CPU was started */
	atoll_u32 cpu_count; /* host: CPUs given to the partition */
	atoll_u32 control_virq; /* that kernel: ATOLL_CONTROL_VIRQ_VALID | virq its control stage answers */
	atoll_u32 parked;    /* partition: ATOLL_PARKED_* once its CPU parks itself, else 0 */
	atoll_u32 command;   /* host: ATOLL_COMMAND_* for the next control virq */
	atoll_u32 fault;     /* partition: ATOLL_PFAULT_*; host clears it at boot */
	atoll_u32 reserved0;
	atoll_u64 reserved[2];
};

ATOLL_ABI_ASSERT(offsetof(struct atoll_partition_state, heartbeat) == 8);
ATOLL_ABI_ASSERT(offsetof(struct atoll_partition_state, cpu_count) == 24);
ATOLL_ABI_ASSERT(offsetof(struct atoll_partition_state, fault) == 40);
ATOLL_ABI_ASSERT(sizeof(struct atoll_partition_state) == 64);

/* ---- CPUS region --------------------------------------------------------- */

/* A pending log of one stage on one CPU: bit v of words[] set = virq v is
 * pending. Invariant: a non-zero words[w] has summary bit w set, or a writer
 * is between setting the word bit and setting the summary bit (writers set
 * the word first). The owner takes bits with exchange(summary) then
 * exchange(words[w]); any kernel sets them with fetch_or. */
struct ATOLL_ALIGNED(64) atoll_stage_log {
	atoll_u64 summary;                /* any kernel sets, owner clears */
	atoll_u64 words[ATOLL_LOG_WORDS]; /* any kernel sets, owner clears */
	atoll_u64 reserved[7];            /* pad to a cache-line multiple */
};

ATOLL_ABI_ASSERT(offsetof(struct atoll_stage_log, words) == 8);
ATOLL_ABI_ASSERT(sizeof(struct atoll_stage_log) == 192);

/* atoll_cpu_slot.flags, host-written. */
#define ATOLL_CPU_SLOT_F_ASSIGNED (1u << 0) /* apic_id/partition_id are meaningful */

/* Statistics counters of a slot, all written by the owning kernel only. */
#define ATOLL_CPU_STAT_DISPATCHES 0 /* dispatch walks */
#define ATOLL_CPU_STAT_HANDLED 1    /* handler invocations */
#define ATOLL_CPU_STAT_DROPPED 2    /* corrupt / unowned / propagated-off-the-end bits */
#define ATOLL_CPU_STAT_COUNT 8

/* One per lagoon CPU slot; the slot index is dense (never an APIC ID). */
struct ATOLL_ALIGNED(64) atoll_cpu_slot {
	/* line 0: identity, host-written before the CPU is started */
	atoll_u32 apic_id;      /* host: physical (x2)APIC ID of this CPU */
	atoll_u32 partition_id; /* host: owner partition */
	atoll_u32 flags;        /* host: ATOLL_CPU_SLOT_F_*, ASSIGNED stored last */
	atoll_u32 reserved0;
	atoll_u64 reserved1[6];
	/* line 1: alone, read by every poster, written by the owner */
	atoll_u64 stall;        /* owning kernel: bit s = stage s stalled */
	atoll_u64 reserved2[7];
	/* line 2 */
	atoll_u64 stats[ATOLL_CPU_STAT_COUNT]; /* owning kernel: ATOLL_CPU_STAT_* */
	/* lines 3..: one pending log per stage */
	struct atoll_stage_log logs[ATOLL_STAGE_COUNT]; /* any kernel sets, owner clears */
};

ATOLL_ABI_ASSERT(offsetof(struct atoll_cpu_slot, partition_id) == 4);
ATOLL_ABI_ASSERT(offsetof(struct atoll_cpu_slot, flags) == 8);
ATOLL_ABI_ASSERT(offsetof(struct atoll_cpu_slot, stall) == 64);
ATOLL_ABI_ASSERT(offsetof(struct atoll_cpu_slot, stats) == 128);
ATOLL_ABI_ASSERT(offsetof(struct atoll_cpu_slot, logs) == 192);
ATOLL_ABI_ASSERT(sizeof(struct atoll_cpu_slot) == 192 + 192 * ATOLL_STAGE_COUNT);

/* ---- VIRQS region -------------------------------------------------------- */

/* atoll_u32 entries[ATOLL_VIRQ_COUNT]; any kernel allocates (CAS 0 -> value)
 * and releases (CAS value -> 0). 0 = free; any other value without the
 * ALLOCATED bit, or with reserved bits set, is corrupt. */
#define ATOLL_VIRQ_ALLOCATED 0x80000000u
#define ATOLL_VIRQ_OWNER_SHIFT 8u
#define ATOLL_VIRQ_OWNER_MASK 0x0000ff00u /* partition that receives (handles) it */
#define ATOLL_VIRQ_STAGE_MASK 0x000000ffu /* stage whose log it is posted to */
#define ATOLL_VIRQ_RESERVED_MASK 0x7fff0000u
#define ATOLL_VIRQ_TABLE_SIZE (ATOLL_VIRQ_COUNT * 4u)

ATOLL_ABI_ASSERT(ATOLL_VIRQ_TABLE_SIZE % ATOLL_LAGOON_ALIGN == 0);

#endif /* ATOLL_ABI_LAGOON_H */
