/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's narrow interface to the lagoon (lagoon_bridge.cpp). Every call
 * opens and validates the lagoon first (nk::LagoonView::open), so the glue
 * never trusts a pointer computed from shared memory.
 */
#ifndef ATOLL_LAGOON_BRIDGE_H
#define ATOLL_LAGOON_BRIDGE_H

#include "atoll/abi/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Per-partition console area: 128 KiB (vcon rings). */
#define ATOLL_LAGOON_CONSOLE_SIZE (128UL << 10)

/* Host: lay out a fresh lagoon and give every CPU of the machine its slot. */
int atoll_lagoon_format(void *base, unsigned long size, const atoll_u32 *apic_ids,
			unsigned int cpu_count, char *err, unsigned long errlen);
/* Any kernel: the console area of partition @pid. */
int atoll_lagoon_console(void *base, unsigned long size, atoll_u32 pid, void **area,
			 unsigned long *len);
/* Host: hand the CPU slots of @apic_ids to partition @pid (0 = back to the host). */
int atoll_lagoon_assign(void *base, unsigned long size, atoll_u32 pid, const atoll_u32 *apic_ids,
			unsigned int count);
/* Host: write a partition's state record (@boot_tsc only with BOOTING). */
int atoll_lagoon_set_state(void *base, unsigned long size, atoll_u32 pid, atoll_u32 state,
			   atoll_u32 reason, atoll_u32 cpu_count, atoll_u64 boot_tsc);
/* Any kernel: read a partition's state record. */
int atoll_lagoon_get_state(void *base, unsigned long size, atoll_u32 pid, atoll_u32 *state,
			   atoll_u32 *reason, atoll_u64 *heartbeat);
/* That kernel: publish the virq its control stage answers. */
int atoll_lagoon_set_control_virq(void *base, unsigned long size, atoll_u32 pid, atoll_u32 virq);
/* Any kernel: partition @pid's control virq, or a negative error if none yet. */
int atoll_lagoon_get_control_virq(void *base, unsigned long size, atoll_u32 pid);
/* Partition: record why its CPU parks (ATOLL_PARKED_*). Safe in panic context. */
int atoll_lagoon_set_parked(void *base, unsigned long size, atoll_u32 pid, atoll_u32 why);
/* Host: what the partition recorded when it parked (0 = still running). */
int atoll_lagoon_get_parked(void *base, unsigned long size, atoll_u32 pid, atoll_u32 *why);
/* Partition: say why it is about to stop itself (ATOLL_PFAULT_*). */
int atoll_lagoon_set_fault(void *base, unsigned long size, atoll_u32 pid, atoll_u32 fault);
/* Host: what the partition said (ATOLL_PFAULT_NONE when nothing). */
int atoll_lagoon_get_fault(void *base, unsigned long size, atoll_u32 pid, atoll_u32 *fault);
/* Host: the command the next control virq carries (ATOLL_COMMAND_*). */
int atoll_lagoon_set_command(void *base, unsigned long size, atoll_u32 pid, atoll_u32 command);
/* Partition: read its command. */
int atoll_lagoon_get_command(void *base, unsigned long size, atoll_u32 pid, atoll_u32 *command);
/* Any kernel: forget partition @pid's control virq (it is being released). */
int atoll_lagoon_clear_control_virq(void *base, unsigned long size, atoll_u32 pid);
/* Partition: count one more heartbeat. */
int atoll_lagoon_heartbeat(void *base, unsigned long size, atoll_u32 pid);

#ifdef __cplusplus
}
#endif
#endif
