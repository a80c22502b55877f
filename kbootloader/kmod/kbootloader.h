/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel-mode bootloader's files (boot.c, lifecycle.c, kb_layer.c) among
 * themselves. To the rest of atoll.ko it is one layer (atoll_layer.h):
 * the ioctls that boot and stop partitions, the partition monitor, and the
 * trampoline it installs on the host.
 */
#ifndef ATOLL_KBOOTLOADER_H
#define ATOLL_KBOOTLOADER_H

#include <linux/types.h>
#include "atoll/abi/ioctl.h"
#include "atoll_host.h"
#include "atoll_layer.h"

extern const struct atoll_layer atoll_kbootloader_layer;

/* boot.c */
long atoll_boot_ioctl(struct atoll_boot_request __user *ureq);
int atoll_cpu_of_apic(u32 apic_id);
int atoll_tramp_install(void);
/* Send CPUs to the trampoline's park loop (INIT-SIPI: works with interrupts off). */
int atoll_park_cpus(const u32 *apic_ids, unsigned int count);

/* lifecycle.c, all under atoll_host.lock but the monitor's start and stop */
bool atoll_partition_has_apic(const struct atoll_host_partition *hp, u32 apic_id);
bool atoll_same_cpus(const struct atoll_host_partition *hp, const u32 *apic_ids, u32 count);
void atoll_set_partition_state(struct atoll_host_partition *hp, u32 state, u32 reason);
void atoll_update_running(void);
/* A heartbeat seen (by the monitor or a list query): true if it is new. */
bool atoll_partition_beat(struct atoll_host_partition *hp, u64 beat, u64 now);
void atoll_monitor_kick(void);
void atoll_monitor_stop(void);
long atoll_stop_ioctl(struct atoll_stop __user *uarg, u32 size);

#endif
