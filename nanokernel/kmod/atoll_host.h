/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's view of the box, shared by the module's host-side files:
 * the lagoon, the pool lent to partitions, and the partition table.
 * Everything here is guarded by atoll_host.lock.
 */
#ifndef ATOLL_HOST_H
#define ATOLL_HOST_H

#include <linux/mutex.h>
#include <linux/types.h>
#include "atoll/abi/ioctl.h"
#include "atoll/abi/lagoon.h"

#define ATOLL_HOST_MAX_CPUS 256u

struct atoll_host_cpu {
	u32 apic_id;
	u32 node;
	u32 core;		/* CPUs sharing a core id are SMT siblings */
};

struct atoll_host_partition {
	bool used;
	u32 id;
	u32 node;
	u32 cpu_count;
	u32 mem_count;
	u32 apic_ids[ATOLL_MAX_PARTITION_CPUS];
	unsigned int cpus[ATOLL_MAX_PARTITION_CPUS];	/* host logical CPU numbers */
	struct atoll_mem_range mem[ATOLL_MAX_MEM_RANGES];
	u64 boot_ns;					/* ktime_get_ns() at start */
	u32 state;					/* ATOLL_PSTATE_*, mirrored in the lagoon */
	u32 reason;					/* ATOLL_PREASON_* */
	u64 last_beat;					/* heartbeat last seen */
	u64 last_beat_ns;				/* when it last changed */
	u64 stop_deadline_ns;				/* STOPPING: when to give up */
};

struct atoll_host {
	struct mutex lock;
	phys_addr_t lagoon_phys;
	unsigned long lagoon_size;
	void *lagoon;					/* memremap()ed, NULL if none */
	u32 pool_count;
	struct atoll_pool_range pool[ATOLL_MAX_POOL_RANGES];
	u32 boot_apic_id;
	unsigned int lent_cpus;
	/*
	 * The machine's CPUs as seen at module load, when all are online: an
	 * offline CPU's topology (core id) is not reliable, and lent CPUs are
	 * offline in the host.
	 */
	u32 cpu_count;
	struct atoll_host_cpu cpus[ATOLL_HOST_MAX_CPUS];
	struct atoll_host_partition parts[ATOLL_MAX_PARTITIONS];
};

extern struct atoll_host atoll_host;

/* Pipeline post from process context (atoll_main.c owns the pipelines). */
int atoll_host_post_control(u32 apic_id, u32 pid, u32 command);
void atoll_host_release_virq(u32 pid);

#endif
