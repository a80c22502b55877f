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

/* Copy a frame to every peer its destination MAC names, as a record with
 * ATOLL_VNET_REC_F_* @flags. 0 or a negative error; *@delivered, *@kick:
 * bit masks of peers. */
int atoll_vnet_send(void *mem, const void *frame, atoll_u32 len, atoll_u16 flags,
		    atoll_u32 *delivered, atoll_u32 *kick);

/* The one peer a frame to @dst_mac goes to (unicast, peer up), or -1: a
 * group address or no route (atoll_vnet_send handles and counts both). */
int atoll_vnet_unicast_peer(void *mem, const atoll_u8 dst_mac[6]);
/* Room for a @len-byte frame in the ring to @peer, or NULL (*@full: 1 when
 * the ring is full, 0 for any other reason). Fill it, then commit (1: kick
 * @peer). After a failed reserve, flush (1: kick @peer: it may have to
 * repair its side). */
void *atoll_vnet_tx_reserve(void *mem, atoll_u32 peer, atoll_u32 len, int *full);
int atoll_vnet_tx_commit(void *mem, atoll_u32 peer, atoll_u16 flags);
int atoll_vnet_tx_flush(void *mem, atoll_u32 peer);
/* The ring to @peer is full: ask @peer to kick us when it has room for a
 * @len-byte frame. 1: the room is there already, retry now. */
int atoll_vnet_tx_request_space(void *mem, atoll_u32 peer, atoll_u32 len);
/* After a receive batch: the peers that asked for room and now have it. */
atoll_u32 atoll_vnet_rx_space_kicks(void *mem);

/* The next received frame (a view valid until release): its length, 0 if
 * none; *@flags: its ATOLL_VNET_REC_F_* flags. */
atoll_u32 atoll_vnet_peek(void *mem, const void **data, atoll_u32 *source, atoll_u16 *flags);
void atoll_vnet_release(void *mem);
/* What the rings refused or repaired, summed over every peer. */
struct atoll_vnet_counters {
	atoll_u64 rx_bad_index;	/* a head or our tail that a correct peer never writes */
	atoll_u64 rx_bad_record;	/* a record header that failed its checks */
	atoll_u64 tx_full;	/* no room in a peer's ring */
	atoll_u64 tx_waits;	/* ...so the queue to that peer waited for its kick */
	atoll_u64 tx_not_ready;	/* a peer has not acknowledged our attach yet */
	atoll_u64 tx_bad_tail;	/* a peer's tail out of bounds */
	atoll_u64 tx_bad_line;	/* our own head or space_at line scribbled (restored by the link check) */
	atoll_u64 tx_no_route;	/* nobody up for the destination MAC */
};
void atoll_vnet_counters(void *mem, struct atoll_vnet_counters *c);

/* The periodic link check (Port::link_check): the peers to kick; *@poll
 * = 1 when this node should poll its rings. */
atoll_u32 atoll_vnet_link_check(void *mem, int *poll);

/* Ask for kicks before sleeping; 1 when a frame arrived meanwhile. */
int atoll_vnet_enable_notify(void *mem);
void atoll_vnet_disable_notify(void *mem);


#ifdef __cplusplus
}
#endif

#endif /* ATOLL_VNET_BRIDGE_H */
