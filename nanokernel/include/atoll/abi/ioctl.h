/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Atoll ABI: the host's /dev/atoll interface (atoll.ko <-> the atoll tool).
 *
 *   ioctl ATOLL_IOC_STATUS  the host's pool, lagoon and boot CPU
 *   ioctl ATOLL_IOC_BOOT    start a partition from images in the caller's memory
 *   ioctl ATOLL_IOC_LIST    the partition table
 *   ioctl ATOLL_IOC_PING    round trip through the pipeline to a partition
 *   ioctl ATOLL_IOC_MACHINE the machine as the module saw it at load
 *   ioctl ATOLL_IOC_STOP    stop (clean or forced) or release a partition
 *   mmap offset 0           the whole lagoon, read-write, root only (console rings)
 *
 * Every structure starts with its own size, written by the caller, so the
 * module refuses a tool built against another revision instead of misreading.
 */
#ifndef ATOLL_ABI_IOCTL_H
#define ATOLL_ABI_IOCTL_H

#include "abi.h"
#include "handoff.h"

#if defined(__KERNEL__)
#include <linux/ioctl.h>
#elif !defined(__ATOLL_KERNEL__)	/* freestanding C++ in the kernel: structs only */
#include <sys/ioctl.h>
#endif

#define ATOLL_DEVICE_PATH "/dev/atoll"
#define ATOLL_IOC_MAGIC 0xA7
#define ATOLL_ERROR_LEN 256u
#define ATOLL_MAX_POOL_RANGES 16u

/* A pool range and the NUMA node its RAM belongs to. Module-written. */
struct atoll_pool_range {
	atoll_u64 start;
	atoll_u64 end;
	atoll_u32 node;
	atoll_u32 reserved0;
};
ATOLL_ABI_ASSERT(sizeof(struct atoll_pool_range) == 24);

struct atoll_status {
	atoll_u32 size;             /* tool: sizeof(struct atoll_status) */
	atoll_u32 boot_apic_id;     /* module: the host's boot CPU, never lendable */
	atoll_u64 lagoon_phys;      /* module: 0 when no lagoon was reserved */
	atoll_u64 lagoon_size;      /* module */
	atoll_u32 pool_count;       /* module: used entries of pool[] */
	atoll_u32 flags;            /* module: ATOLL_STATUS_F_* */
	struct atoll_pool_range pool[ATOLL_MAX_POOL_RANGES]; /* module */
	atoll_u64 trampoline_phys;  /* module: sub-1 MiB INIT-SIPI page, 0 if none */
	atoll_u32 tsc_khz;          /* module */
	atoll_u32 lapic_timer_hz;   /* module */
};
#define ATOLL_STATUS_F_CAN_BOOT (1u << 0) /* pool, lagoon, trampoline and 1 GiB pages present */
ATOLL_ABI_ASSERT(offsetof(struct atoll_status, pool) == 32);
ATOLL_ABI_ASSERT(sizeof(struct atoll_status) == 32 + 16 * 24 + 16);

struct atoll_boot_request {
	atoll_u32 size;             /* tool: sizeof(struct atoll_boot_request) */
	atoll_u32 partition_id;     /* tool: 1..ATOLL_MAX_PARTITIONS-1 */
	atoll_u32 cpu_count;        /* tool: 1..ATOLL_MAX_PARTITION_CPUS */
	atoll_u32 numa_node;        /* tool */
	atoll_u32 apic_ids[ATOLL_MAX_PARTITION_CPUS]; /* tool: [0] boots first */
	atoll_u32 mem_range_count;  /* tool: 1..ATOLL_MAX_MEM_RANGES */
	atoll_u32 flags;            /* tool: 0 */
	struct atoll_mem_range mem_ranges[ATOLL_MAX_MEM_RANGES]; /* tool: sorted, inside the pool */
	atoll_u64 kernel_ptr;       /* tool: user address of the bzImage */
	atoll_u64 kernel_size;      /* tool */
	atoll_u64 initrd_ptr;       /* tool: user address of the initramfs */
	atoll_u64 initrd_size;      /* tool */
	atoll_u64 cmdline_ptr;      /* tool: user address of the command line, NUL-terminated */
	atoll_u64 cmdline_size;     /* tool: bytes including the NUL */
	char error[ATOLL_ERROR_LEN]; /* module: why a request was refused */
};
ATOLL_ABI_ASSERT(offsetof(struct atoll_boot_request, apic_ids) == 16);
ATOLL_ABI_ASSERT(offsetof(struct atoll_boot_request, mem_ranges) == 280);
ATOLL_ABI_ASSERT(offsetof(struct atoll_boot_request, kernel_ptr) == 408);
ATOLL_ABI_ASSERT(sizeof(struct atoll_boot_request) == 456 + ATOLL_ERROR_LEN);

/* One partition as the host sees it. Module-written. */
struct atoll_partition_info {
	atoll_u32 partition_id;
	atoll_u32 state;            /* ATOLL_PSTATE_* (lagoon.h) */
	atoll_u32 reason;           /* ATOLL_PREASON_* */
	atoll_u32 cpu_count;
	atoll_u32 apic_ids[ATOLL_MAX_PARTITION_CPUS];
	atoll_u32 numa_node;
	atoll_u32 mem_range_count;
	struct atoll_mem_range mem_ranges[ATOLL_MAX_MEM_RANGES];
	atoll_u64 boot_ns;          /* host monotonic clock at start */
	atoll_u64 uptime_ns;        /* 0 unless running */
	atoll_u64 heartbeat;        /* partition's heartbeat counter */
};

struct atoll_list {
	atoll_u32 size;             /* tool: sizeof(struct atoll_list) */
	atoll_u32 count;            /* module: used entries */
	struct atoll_partition_info partitions[ATOLL_MAX_PARTITIONS]; /* module: by id order */
};

/* A virq to the partition's control stage, answered by a virq back. */
struct atoll_ping {
	atoll_u32 size;             /* tool: sizeof(struct atoll_ping) */
	atoll_u32 partition_id;     /* tool */
	atoll_u64 rtt_ns;           /* module: post to answer, host clock */
	char error[ATOLL_ERROR_LEN]; /* module: why there was no answer */
};

/*
 * The whole machine, also what the host lent away: every CPU as seen at
 * module load (when all were online) and the pool by node. `atoll plan` on
 * a running Atoll host plans this machine, not only what the host has left.
 */
#define ATOLL_MACHINE_MAX_CPUS 256u
struct atoll_machine_cpu {
	atoll_u32 apic_id;
	atoll_u32 node;
	atoll_u32 core;             /* machine-wide core number; SMT siblings share it */
};
struct atoll_machine {
	atoll_u32 size;             /* tool: sizeof(struct atoll_machine) */
	atoll_u32 boot_apic_id;     /* module */
	atoll_u32 cpu_count;        /* module */
	atoll_u32 pool_count;       /* module */
	struct atoll_machine_cpu cpus[ATOLL_MACHINE_MAX_CPUS]; /* module */
	struct atoll_pool_range pool[ATOLL_MAX_POOL_RANGES];   /* module */
};
ATOLL_ABI_ASSERT(sizeof(struct atoll_machine_cpu) == 12);
ATOLL_ABI_ASSERT(offsetof(struct atoll_machine, cpus) == 16);

/* Stop a partition, or give a stopped partition's CPUs back to the host. */
#define ATOLL_STOP_CLEAN 0u   /* ask its init to shut down; the CPU parks itself */
#define ATOLL_STOP_FORCE 1u   /* INIT its CPUs into the park loop, whatever they do */
#define ATOLL_STOP_RELEASE 2u /* stopped partition: CPUs back online in the host */
struct atoll_stop {
	atoll_u32 size;             /* tool: sizeof(struct atoll_stop) */
	atoll_u32 partition_id;     /* tool */
	atoll_u32 how;              /* tool: ATOLL_STOP_* */
	atoll_u32 reserved0;        /* tool: 0 */
	char error[ATOLL_ERROR_LEN]; /* module: why it was refused */
};

#define ATOLL_IOC_STATUS _IOWR(ATOLL_IOC_MAGIC, 1, struct atoll_status)
#define ATOLL_IOC_BOOT _IOWR(ATOLL_IOC_MAGIC, 2, struct atoll_boot_request)
#define ATOLL_IOC_LIST _IOWR(ATOLL_IOC_MAGIC, 3, struct atoll_list)
#define ATOLL_IOC_PING _IOWR(ATOLL_IOC_MAGIC, 4, struct atoll_ping)
#define ATOLL_IOC_MACHINE _IOWR(ATOLL_IOC_MAGIC, 5, struct atoll_machine)
#define ATOLL_IOC_STOP _IOWR(ATOLL_IOC_MAGIC, 6, struct atoll_stop)

#endif /* ATOLL_ABI_IOCTL_H */
