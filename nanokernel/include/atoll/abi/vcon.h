/*
 * Atoll ABI: vcon, the console of one partition, laid over that partition's
 * area of the lagoon's CONSOLE region (LagoonView::console(id)).
 *
 *   [0, 256)                        struct atoll_vcon: identity and ring indices
 *   [in_offset, in_offset+in_size)  IN ring data: host tool -> partition (keystrokes)
 *   [out_offset, area_size)         OUT ring data: partition -> host tools (kernel
 *                                   log and tty output)
 *
 * Who initialises: the host zeroes the area when it formats the lagoon; the
 * partition kernel formats its own area when it attaches, signature last
 * (release). A reader that finds a bad signature treats it as "no console
 * yet". Every reader re-derives the geometry from the area size it got from
 * its own validated LagoonView and refuses a header that disagrees, so a
 * scribbled header can never move it outside the area.
 *
 * OUT ring (one writer: the partition kernel, under its own lock; it never
 * blocks): out_head is the total number of bytes ever written; byte number p
 * lives at data[p % out_size]. Old bytes are overwritten (log semantics).
 * Before overwriting, the writer stores out_claim (bytes it has started to
 * write), then the data bytes, each a release store (a plain move on x86-64),
 * then out_head (release). A reader loads out_head (acquire), copies with
 * acquire loads, then loads out_claim: if it saw any new byte it sees the new
 * claim, and bytes at positions below out_claim - out_size, which may have
 * been overwritten during its copy, are discarded as lost (seqlock style).
 * Invariant for a sane header: out_head <= out_claim <= out_head + out_size.
 *
 * IN ring (one writer: the host tool; one reader: the partition): in_head =
 * bytes ever written (host), in_tail = bytes ever consumed (partition),
 * each alone in its cache line. The writer refuses (short count) when
 * in_head - in_tail == in_size. Sane: in_tail <= in_head <= in_tail + in_size.
 *
 * All counters are below ATOLL_VCON_COUNTER_MAX (2^62): at 1 GB/s that is
 * 146 years, and it keeps every sum of a counter and a size from overflowing.
 */
#ifndef ATOLL_ABI_VCON_H
#define ATOLL_ABI_VCON_H

#include "abi.h"

#define ATOLL_VCON_SIGNATURE ATOLL_SIGNATURE('A', 'T', 'O', 'L', 'L', 'C', 'O', 'N')
#define ATOLL_VCON_REVISION 1u
#define ATOLL_VCON_IN_SIZE 4096u              /* IN ring when the area allows it */
#define ATOLL_VCON_MIN_RING 64u               /* smallest ring either way */
#define ATOLL_VCON_MAX_AREA (256u << 20)      /* larger areas use only this much */
#define ATOLL_VCON_COUNTER_MAX (1ull << 62)

/* atoll_vcon.flags, partition-written. */
#define ATOLL_VCON_F_INPUT (1u << 0) /* the partition polls the IN ring (its tty is up) */

struct ATOLL_ALIGNED(64) atoll_vcon {
	/* line 0: identity, partition-written at format, signature last */
	atoll_u64 signature;   /* partition: ATOLL_VCON_SIGNATURE, stored last (release) */
	atoll_u32 revision;    /* partition: ATOLL_VCON_REVISION */
	atoll_u32 header_size; /* partition: sizeof(struct atoll_vcon) */
	atoll_u64 area_size;   /* partition: bytes of the area in use, <= ATOLL_VCON_MAX_AREA */
	atoll_u64 generation;  /* partition: 1 at first format, +1 at each re-format (restart) */
	atoll_u32 in_offset;   /* partition: from the area start, == header_size */
	atoll_u32 in_size;     /* partition: min(ATOLL_VCON_IN_SIZE, (area - header) / 4), 64-aligned */
	atoll_u32 out_offset;  /* partition: in_offset + in_size */
	atoll_u32 out_size;    /* partition: area_size - out_offset */
	atoll_u32 flags;       /* partition: ATOLL_VCON_F_* */
	atoll_u32 reserved0;   /* 0 */
	atoll_u64 reserved1;   /* 0 */
	/* line 1: OUT ring indices, partition-written only */
	atoll_u64 out_claim;   /* partition: bytes the writer started to write (before the data) */
	atoll_u64 out_head;    /* partition: bytes ever written (after the data, release) */
	atoll_u64 reserved2[6];
	/* line 2: IN ring head, host-written only */
	atoll_u64 in_head;     /* host: bytes ever written (after the data, release) */
	atoll_u64 reserved3[7];
	/* line 3: IN ring tail, partition-written only */
	atoll_u64 in_tail;     /* partition: bytes ever consumed (after the copy, release) */
	atoll_u64 reserved4[7];
};

ATOLL_ABI_ASSERT(offsetof(struct atoll_vcon, revision) == 8);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vcon, area_size) == 16);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vcon, generation) == 24);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vcon, in_offset) == 32);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vcon, out_size) == 44);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vcon, flags) == 48);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vcon, out_claim) == 64);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vcon, out_head) == 72);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vcon, in_head) == 128);
ATOLL_ABI_ASSERT(offsetof(struct atoll_vcon, in_tail) == 192);
ATOLL_ABI_ASSERT(sizeof(struct atoll_vcon) == 256);
ATOLL_ABI_ASSERT(ATOLL_VCON_IN_SIZE % ATOLL_CACHE_LINE == 0);
ATOLL_ABI_ASSERT(ATOLL_VCON_MAX_AREA % ATOLL_CACHE_LINE == 0);

#endif /* ATOLL_ABI_VCON_H */
