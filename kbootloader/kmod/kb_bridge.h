/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bootloader glue's narrow interface to the C++ core (kb_bridge.cpp).
 * Plain C types only. Big C++ objects (topology, plan, boot plan) live in a
 * caller-provided scratch buffer of ATOLL_KB_SCRATCH bytes, never on the
 * kernel stack; the boot plan made by atoll_kb_plan() stays there for
 * atoll_kb_write().
 */
#ifndef ATOLL_KB_BRIDGE_H
#define ATOLL_KB_BRIDGE_H

#include "atoll/abi/handoff.h"
#include "atoll/abi/ioctl.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ATOLL_KB_SCRATCH (64UL << 10)
#define ATOLL_KB_MAX_HOST_CPUS 256u

/* What the host has, for validating a boot against the whole plan. */
struct atoll_kb_cpu {
	atoll_u32 apic_id;
	atoll_u32 node;
	atoll_u32 core;		/* CPUs sharing a core id are SMT siblings; ~0 unknown */
};

struct atoll_kb_partition {
	atoll_u32 id;
	atoll_u32 node;
	atoll_u32 cpu_count;
	atoll_u32 mem_count;
	const atoll_u32 *apic_ids;
	const struct atoll_mem_range *mem;
};

struct atoll_kb_machine {
	atoll_u32 boot_apic_id;
	atoll_u32 cpu_count;
	const struct atoll_kb_cpu *cpus;
	atoll_u32 pool_count;
	const struct atoll_pool_range *pool;	/* RAM lent to partitions, with its node */
	struct atoll_mem_range lagoon;
	atoll_u32 partition_count;		/* partitions that exist now */
	const struct atoll_kb_partition *partitions;
};

/* One boot: images, command line and every hand-off value. */
struct atoll_kb_input {
	const void *kernel;
	unsigned long kernel_size;
	const void *initrd;
	unsigned long initrd_size;
	const char *cmdline;
	unsigned long cmdline_len;	/* without the NUL */
	struct atoll_kb_partition part;
	atoll_u32 host_apic_id;
	atoll_u32 tsc_khz;
	atoll_u32 lapic_timer_hz;
	atoll_u32 wallclock_nsec;
	atoll_u64 wallclock_sec;
	atoll_u64 tsc_at_wallclock;
	atoll_u32 handoff_flags;
	struct atoll_mem_range lagoon;
	atoll_u64 ap_start_phys;	/* the AP start page (abi/apstart.h) */
};

#define ATOLL_KB_MAX_SEGMENTS 8u

/* One piece of the kernel: @bytes bytes from @src to kernel_start + @offset,
 * then zeros up to @size (an ELF segment's bss). */
struct atoll_kb_segment {
	const void *src;		/* inside input.kernel */
	unsigned long bytes;
	atoll_u64 offset;
	atoll_u64 size;
};

/* Where everything goes (physical addresses), decided by the core. */
struct atoll_kb_layout {
	atoll_u64 kernel_start, kernel_end, entry;
	atoll_u64 initrd_start, initrd_end;
	atoll_u64 boot_params;
	atoll_u64 cmdline_start, cmdline_end;
	atoll_u64 setup_data_start, setup_data_end;
	atoll_u32 elf;			/* 1: a vmlinux, entered past any decompressor */
	atoll_u32 segment_count;
	struct atoll_kb_segment segments[ATOLL_KB_MAX_SEGMENTS];
};

/* 0 when @in fits the plan of @m; else -1 with every refusal in @err. */
int atoll_kb_check_plan(const struct atoll_kb_machine *m, const struct atoll_kb_partition *p,
			void *scratch, char *err, unsigned long errlen);
/* 0 and @out filled when the boot request is sound; else -1 and @err. */
int atoll_kb_plan(const struct atoll_kb_input *in, void *scratch, struct atoll_kb_layout *out,
		  char *err, unsigned long errlen);
/* Fill boot_params, setup_data and the command line from the plan in @scratch. */
int atoll_kb_write(void *scratch, void *params_page, unsigned long params_len,
		   void *setup_data, unsigned long setup_len, void *cmdline, unsigned long cmdline_len);

#ifdef __cplusplus
}
#endif
#endif
