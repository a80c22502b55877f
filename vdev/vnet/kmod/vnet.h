/* SPDX-License-Identifier: GPL-2.0 */
/* vnet0, the shared-memory Ethernet device of every Atoll kernel (vnet.c). */
#ifndef ATOLL_VNET_H
#define ATOLL_VNET_H

#include <linux/types.h>
#include "atoll_layer.h"

/* What the module's composition root registers: start, stop, partition_down below. */
extern const struct atoll_layer atoll_vnet_layer;

/*
 * Creates vnet0 for node @self (0: the host, which formats the segment
 * first) on the lagoon's VNET region, kicked through the VNET stage of
 * @pipe (the dispatching pipeline of this kernel, on APIC @self_apic; kicks
 * raise IPIs with @send). 0 or a negative errno;
 * without vnet the rest of atoll.ko works on.
 */
int atoll_vnet_start(void *lagoon, unsigned long lagoon_size, u32 self, u32 self_apic,
		     void *pipe, void (*send)(u32 apic_id), bool format);
void atoll_vnet_stop(void);
/* Host: partition @id stopped or crashed: its peers stop sending to it.
 * Returns the VNET virq it had published (for the host to free), or 0. */
int atoll_vnet_node_down(u32 id);

#endif /* ATOLL_VNET_H */
