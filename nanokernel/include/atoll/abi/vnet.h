/*
 * Atoll ABI: vnet, a virtual Ethernet between the kernels, laid over the
 * lagoon's VNET region (LagoonView::vnet()). Node n is partition id n; node
 * 0 is the host.
 *
 *   [0, 128)                     struct atoll_vnet: identity and geometry (host)
 *   [node_offset, +64*N)         struct atoll_vnet_node[N]: link state, one line each
 *   [ring_offset + i*ring_stride) ring i = (s, r) for every ordered pair s != r,
 *                                i = s*(N-1) + (r < s ? r : r - 1):
 *       [0, 256)                 struct atoll_vnet_ring: indices, one line per writer
 *       [256, 256 + ring_size)   ring data: a stream of records
 *
 * One ring per ordered pair: node s is its only producer, node r its only
 * consumer (lock-free SPSC). A frame for one node goes into one ring; a
 * broadcast or multicast frame is copied into the ring to every attached
 * peer. The geometry is a pure function of (node_count, ring_size): a reader
 * recomputes it and refuses a header that disagrees, then indexes only
 * through its private copy.
 *
 * Ring data: head (sender) and tail (receiver) count bytes since the
 * sender's attach; byte p lives at data[p % ring_size]. Records are
 * ATOLL_VNET_RECORD_ALIGN-aligned, a 16-byte struct atoll_vnet_record
 * followed by the frame and padding to the alignment; a record never wraps:
 * when a frame does not fit before the end, a PAD record fills the rest and
 * the frame starts at offset 0. Any record of a frame up to max_frame
 * (<= ring_size / 2 - 16) therefore fits an empty ring. Sane indices:
 * tail <= head <= tail + ring_size, both aligned, head <= 2^62.
 *
 * Ordering: the sender writes records, then head (release); the receiver
 * loads head (acquire), copies, then stores tail (release); the sender loads
 * tail (acquire) before reusing space. Nothing read from here is trusted:
 * every index, length and record is re-checked on every read, and a bad one
 * is dropped and counted in the reader's private state.
 *
 * Notification (event index, as virtio's): the receiver stores kick_at =
 * tail before it sleeps; a sender that moves head from old to new with
 * old <= kick_at < new sends a kick (a virq to the receiver's vnet stage);
 * old is head at its previous decision (one per frame, or one per batch).
 * Both sides use a full barrier between their store and their load
 * (sender: head then kick_at; receiver: kick_at then head), so either the
 * sender sees the request or the receiver sees the frame. A receiver that
 * is polling writes nothing: its last request is behind head already.
 *
 * Unicast to a MAC outside the vnet prefix goes to node 0, the host, which
 * may bridge vnet to a real network (doc/vnet.md); the host sends such
 * frames nowhere.
 *
 * Back-pressure (the same event index, the other way): a sender that finds
 * a ring full stores space_at = the tail at which it wants to be kicked and
 * stops sending to that receiver (its Linux queue for that peer); the
 * receiver, after a batch of consumption moved tail from old to new with
 * old <= space_at < new, kicks the sender. Full barriers as above (sender:
 * space_at then tail; receiver: tail then space_at).
 *
 * A tail that is not the receiver's own (a scribble) makes the sender drop
 * and kick the receiver, which stores its tail again before it sleeps.
 *
 * Link and generations: atoll_vnet_node.link = generation << 1 | UP. A node
 * attaching stores itself DOWN, zeroes head of its outgoing rings, takes
 * over its incoming rings, then stores generation + 1 and UP (release). A
 * receiver that sees a sender's generation change resets its side (tail =
 * 0) and acknowledges by storing tail_gen = that generation; the sender
 * posts only into rings whose tail_gen is its own generation, to receivers
 * that are UP. A receiver that sees a sender DOWN discards that ring.
 */
#ifndef ATOLL_ABI_VNET_H
#define ATOLL_ABI_VNET_H

#include "abi.h"

#define ATOLL_VNET_SIGNATURE ATOLL_SIGNATURE('A', 'T', 'O', 'L', 'L', 'N', 'E', 'T')
#define ATOLL_VNET_REVISION 2u
#define ATOLL_VNET_MAX_NODES ATOLL_MAX_PARTITIONS /* node id == partition id */
#define ATOLL_VNET_MIN_RING 4096u                /* ring data bytes, power of two */
#define ATOLL_VNET_MAX_RING (16u << 20)
#define ATOLL_VNET_MIN_FRAME 14u                  /* an Ethernet header */
#define ATOLL_VNET_MAX_FRAME (65535u + 14u + 4u)  /* MTU 65535 + header + one VLAN tag */
#define ATOLL_VNET_RECORD_ALIGN 16u
#define ATOLL_VNET_COUNTER_MAX (1ull << 62)       /* head, tail and generations stay below */
#define ATOLL_VNET_KICK_NEVER (~0ull)             /* kick_at: never kick (receiver not listening) */

/* atoll_vnet_node.link */
#define ATOLL_VNET_LINK_UP 1ull
#define ATOLL_VNET_LINK(gen, up) (((atoll_u64)(gen) << 1) | ((up) ? ATOLL_VNET_LINK_UP : 0ull))
#define ATOLL_VNET_LINK_GEN(link) ((atoll_u64)(link) >> 1)

/* atoll_vnet_node.kick_virq: published once the node's vnet stage listens. */
#define ATOLL_VNET_KICK_VALID (1u << 31)

/* atoll_vnet_record.kind; 0 (zeroed memory) is never valid. */
#define ATOLL_VNET_REC_FRAME 0x4652u /* "FR" */
#define ATOLL_VNET_REC_PAD 0x4150u   /* "PA" */

/* atoll_vnet_record.flags of a FRAME; any other bit makes the record corrupt.
 * Checksums (doc/vnet.md): memory between kernels does not corrupt frames,
 * so a TCP or UDP checksum is computed only where a frame leaves vnet. */
#define ATOLL_VNET_REC_F_CSUM_OK (1u << 0)      /* the L4 checksum was verified: trust it */
#define ATOLL_VNET_REC_F_CSUM_PARTIAL (1u << 1) /* TCP/UDP over IPv4/IPv6, its checksum field
						 * holds only the pseudo-header sum: whoever
						 * forwards it off vnet completes it */
#define ATOLL_VNET_REC_F_MASK 0x0003u

#define ATOLL_VNET_RECORD_MAGIC 0x7645a70du
/* atoll_vnet_record.check: binds the other fields together, so zeroed or
 * stale memory and most scribbles do not pass for a record. */
#define ATOLL_VNET_RECORD_CHECK(length, kind, flags, seq)                               \
	((atoll_u32)(ATOLL_VNET_RECORD_MAGIC ^ (atoll_u32)(length) ^                       \
		     ((atoll_u32)(kind) | ((atoll_u32)(flags) << 16)) ^                    \
		     ((atoll_u32)(seq) * 0x9e3779b1u)))

/* The locally administered unicast MAC of node n: 02:a7:0d:00:00:n. */
#define ATOLL_VNET_MAC_0 0x02u
#define ATOLL_VNET_MAC_1 0xa7u
#define ATOLL_VNET_MAC_2 0x0du

/* At offset 0 of the VNET region. The host writes it at format, signature
 * last (release); nobody writes it afterwards. */
struct ATOLL_ALIGNED(64) atoll_vnet {
	atoll_u64 signature;    /* host: ATOLL_VNET_SIGNATURE, stored last (release) */
	atoll_u32 revision;     /* host: ATOLL_VNET_REVISION */
	atoll_u32 header_size;  /* host: sizeof(struct atoll_vnet) */
	atoll_u64 segment_size; /* host: bytes in use, <= the region */
	atoll_u64 generation;   /* host: 1 at first format, +1 at each re-format */
	atoll_u32 node_count;   /* host: N, 2..ATOLL_VNET_MAX_NODES */
	atoll_u32 ring_size;    /* host: data bytes per ring, power of two, MIN..MAX_RING */
	atoll_u32 max_frame;    /* host: min(ATOLL_VNET_MAX_FRAME, ring_size / 2 - 16) */
	atoll_u32 ring_count;   /* host: N * (N - 1) */
	atoll_u64 node_offset;  /* host: == header_size */
	atoll_u64 ring_offset;  /* host: node_offset + 64 * N */
	atoll_u64 ring_stride;  /* host: sizeof(struct atoll_vnet_ring) + ring_size */
	atoll_u64 reserved[7];  /* host: 0 */
};

ATOLL_ABI_ASSERT(offsetof(struct atoll_vnet, revision) == 8);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vnet, segment_size) == 16);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vnet, generation) == 24);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vnet, node_count) == 32);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vnet, ring_size) == 36);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vnet, max_frame) == 40);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vnet, ring_count) == 44);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vnet, node_offset) == 48);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vnet, ring_offset) == 56);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vnet, ring_stride) == 64);
ATOLL_ABI_ASSERT(sizeof(struct atoll_vnet) == 128);

/* One per node, in its own cache line. Written by that node only, except
 * that the host clears UP for a node it saw crash or stop (CAS). */
struct ATOLL_ALIGNED(64) atoll_vnet_node {
	atoll_u64 link;        /* node: ATOLL_VNET_LINK(generation, up); UP stored last (release) */
	atoll_u32 kick_virq;   /* node: ATOLL_VNET_KICK_VALID | virq of its vnet stage, before UP */
	atoll_u32 kick_cpu;    /* node: CPU slot that virq is posted to, before UP */
	atoll_u64 reserved[6]; /* 0 */
};

ATOLL_ABI_ASSERT(offsetof(struct atoll_vnet_node, kick_virq) == 8);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vnet_node, kick_cpu) == 12);
ATOLL_ABI_ASSERT(sizeof(struct atoll_vnet_node) == 64);

/* The indices of ring (s, r), one cache line per writer and purpose. */
struct ATOLL_ALIGNED(64) atoll_vnet_ring {
	/* line 0: producer, written by the sender s only */
	atoll_u64 head;        /* sender: bytes published since its attach (after the records) */
	atoll_u64 reserved0[7];
	/* line 1: consumer, written by the receiver r only */
	atoll_u64 tail;        /* receiver: bytes consumed (release, after its copies) */
	atoll_u64 tail_gen;    /* receiver: sender generation tail counts in (release, after tail) */
	atoll_u64 reserved1[6];
	/* line 2: the receiver's notification request, written by the receiver r only */
	atoll_u64 kick_at;     /* receiver: kick when head crosses it; ATOLL_VNET_KICK_NEVER: don't */
	atoll_u64 reserved2[7];
	/* line 3: the sender's request for room, written by the sender s only */
	atoll_u64 space_at;    /* sender: kick when tail crosses it; ATOLL_VNET_KICK_NEVER: don't */
	atoll_u64 reserved3[7];
};

ATOLL_ABI_ASSERT(offsetof(struct atoll_vnet_ring, head) == 0);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vnet_ring, tail) == 64);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vnet_ring, tail_gen) == 72);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vnet_ring, kick_at) == 128);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vnet_ring, space_at) == 192);
ATOLL_ABI_ASSERT(sizeof(struct atoll_vnet_ring) == 256);

/* The header of every record in ring data, written by the sender before it
 * publishes head. */
struct atoll_vnet_record {
	atoll_u32 length; /* sender: FRAME: frame bytes; PAD: bytes after this header to the ring's end */
	atoll_u16 kind;   /* sender: ATOLL_VNET_REC_FRAME or ATOLL_VNET_REC_PAD */
	atoll_u16 flags;  /* sender: FRAME: ATOLL_VNET_REC_F_*; PAD: 0 */
	atoll_u32 seq;    /* sender: records before this one since its attach (mod 2^32) */
	atoll_u32 check;  /* sender: ATOLL_VNET_RECORD_CHECK(length, kind, flags, seq) */
};

ATOLL_ABI_ASSERT(offsetof(struct atoll_vnet_record, kind) == 4);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vnet_record, seq) == 8);
ATOLL_ABI_ASSERT(sizeof(struct atoll_vnet_record) == ATOLL_VNET_RECORD_ALIGN);
ATOLL_ABI_ASSERT(ATOLL_VNET_MAX_NODES <= 32u); /* node sets are 32-bit masks */
ATOLL_ABI_ASSERT(ATOLL_VNET_MIN_RING % ATOLL_CACHE_LINE == 0);
ATOLL_ABI_ASSERT(ATOLL_VNET_MIN_RING / 2u - 16u >= ATOLL_VNET_MIN_FRAME);

#endif /* ATOLL_ABI_VNET_H */
