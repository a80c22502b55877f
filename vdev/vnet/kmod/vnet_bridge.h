/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vnet glue's narrow interface to the ring core (vnet_bridge.cpp): one
 * segment (the lagoon's VNET region) and this kernel's port on it, in a
 * caller-provided block of ATOLL_VNET_MEM bytes. Not thread-safe: the glue
 * serialises transmit (a lock), receive (NAPI) and attach/detach.
 */
#ifndef ATOLL_VNET_BRIDGE_H
#define ATOLL_VNET_BRIDGE_H

#include "atoll/abi/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ATOLL_VNET_MEM 8192UL

/* Host: format the segment in the lagoon's VNET region for every partition id. */
int atoll_vnet_format(void *lagoon, unsigned long lagoon_size);
/* Attach node @self with kicks to (@virq, @cpu_slot); *@kick = peers to kick. */
int atoll_vnet_attach(void *mem, void *lagoon, unsigned long lagoon_size, atoll_u32 self,
		      atoll_u32 virq, atoll_u32 cpu_slot, atoll_u32 *kick);
void atoll_vnet_detach(void *mem);
/* Host: node @n stopped or crashed; its link goes down for every peer. */
void atoll_vnet_force_down(void *mem, atoll_u32 n);
/* Where to kick node @n: 0, or a negative error (peer not attached). */
int atoll_vnet_kick_target(void *mem, atoll_u32 n, atoll_u32 *virq, atoll_u32 *cpu_slot);
atoll_u32 atoll_vnet_max_frame(void *mem);
void atoll_vnet_mac(void *mem, atoll_u8 mac[6]);
/* Peers that are up (link), as a bit mask. */
atoll_u32 atoll_vnet_peers_up(void *mem);

/* Copy a frame to every peer its destination MAC names. 0 or a negative
 * error; *@delivered, *@kick: bit masks of peers. */
int atoll_vnet_send(void *mem, const void *frame, atoll_u32 len, atoll_u32 *delivered,
		    atoll_u32 *kick);

/* The next received frame (a view valid until release): its length, 0 if none. */
atoll_u32 atoll_vnet_peek(void *mem, const void **data, atoll_u32 *source);
void atoll_vnet_release(void *mem);
/* Ask for kicks before sleeping; 1 when a frame arrived meanwhile. */
int atoll_vnet_enable_notify(void *mem);
void atoll_vnet_disable_notify(void *mem);


#ifdef __cplusplus
}
#endif

#endif /* ATOLL_VNET_BRIDGE_H */
