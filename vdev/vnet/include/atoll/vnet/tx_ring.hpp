// The producer end of one vnet ring (this node -> one peer).
//
// Single producer: the owning node's transmit path, serialised by its glue
// (one TX queue, or a lock per peer). All state that steers memory accesses
// is private: head_ and the reservation are ours; the receiver's tail is
// only ever used to compute free space, after a bounds check, so a scribbled
// tail can stop this ring (corrupt), never move a write outside it.
#pragma once

#include <cstddef>
#include <atomic>
#include <cstdint>
#include <span>

#include "atoll/abi/vnet.h"
#include "atoll/core/result.hpp"

namespace atl::vnet {

// Private to the sender; statistics, not state.
struct TxStats {
    std::uint64_t frames = 0;      // committed
    std::uint64_t bytes = 0;       // frame bytes committed
    std::uint64_t full = 0;        // refused: no room (exhausted)
    std::uint64_t waits = 0;       // request_space(): waiting for the receiver's kick
    std::uint64_t not_ready = 0;   // refused: receiver has not acknowledged our generation (busy)
    std::uint64_t bad_tail = 0;    // refused: receiver's tail out of bounds (corrupt)
    std::uint64_t bad_size = 0;    // refused: frame below ATOLL_VNET_MIN_FRAME or above max_frame
    std::uint64_t bad_line = 0;    // link check: our head or space_at held something else (restored)

    TxStats& operator+=(const TxStats& o) {
        frames += o.frames;
        bytes += o.bytes;
        full += o.full;
        waits += o.waits;
        not_ready += o.not_ready;
        bad_tail += o.bad_tail;
        bad_size += o.bad_size;
        bad_line += o.bad_line;
        return *this;
    }
};

class TxRing {
public:
    constexpr TxRing() = default;   // unbound: reserve() returns not_found

    // Binds to ring control `ring` and `size` data bytes at `data` and
    // starts generation `generation`: head 0, record numbers from 0. Stores
    // head = 0 with release: only while this node's link is DOWN.
    void reset(atoll_vnet_ring* ring, std::uint8_t* data, std::uint32_t size, std::uint32_t max_frame,
               std::uint64_t generation);
    void unbind() { *this = TxRing{}; }

    // Room for one frame of `length` bytes: the span to copy it into.
    // invalid_argument (size), busy (receiver not synchronised with our
    // generation yet), corrupt (insane tail), exhausted (full). Replaces an
    // uncommitted earlier reservation.
    [[nodiscard]] Result<std::span<std::byte>> reserve(std::uint32_t length);

    // Publishes the reserved frame (with ATOLL_VNET_REC_F_* `flags`; others
    // are dropped). Unless `more`, then decides about a kick as flush().
    // With `more` (Linux's xmit_more: another frame follows at once) the
    // frame is published without the full barrier and the decision waits
    // for the batch's last commit, or a flush(). False without a reservation.
    [[nodiscard]] bool commit(std::uint16_t flags = 0, bool more = false);

    // The kick decision for everything published since the last one: true
    // when the receiver asked to be kicked and those frames crossed its
    // event index. Full barrier between our head and its request.
    [[nodiscard]] bool flush();

    // After reserve() said exhausted: asks the receiver to kick us once
    // there is room for a `length`-byte frame and a quarter of the ring is
    // free (a sender of small frames is not woken per frame). True when the room is
    // there already (the request is withdrawn): retry now. Full barrier
    // between the request and the re-check of tail (atoll/abi/vnet.h).
    [[nodiscard]] bool request_space(std::uint32_t length);

    // The link check (the glue's periodic timer, doc/vnet.md): restores our
    // lines (head, space_at) where a scribbler changed them and decides as
    // flush(), also
    // kicking a receiver that has a tail to repair or our generation to
    // acknowledge. True: kick it. With the receiver's RxRing::link_check,
    // traffic flows again within one check after any single scribble.
    [[nodiscard]] bool link_check();

    // reserve + copy + commit. The value: kick needed.
    [[nodiscard]] Result<bool> post(std::span<const std::byte> frame, std::uint16_t flags = 0, bool more = false);

    [[nodiscard]] bool bound() const { return ring_ != nullptr; }
    [[nodiscard]] std::uint64_t head() const { return head_; }
    [[nodiscard]] std::uint32_t max_frame() const { return max_frame_; }
    [[nodiscard]] const TxStats& stats() const { return stats_; }

private:
    // Refreshes tail_ from the receiver's line; see reserve() for errors.
    [[nodiscard]] Status refresh_tail();
    // Stores our request for room (and remembers it for the link check).
    void request_space_at(std::uint64_t at, std::memory_order order);

    atoll_vnet_ring* ring_ = nullptr;
    std::uint8_t* data_ = nullptr;
    std::uint32_t size_ = 0;
    std::uint32_t max_frame_ = 0;
    std::uint64_t generation_ = 0;
    std::uint64_t head_ = 0;      // bytes published; always record-aligned
    std::uint64_t decided_ = 0;   // head_ at the last kick decision
    std::uint64_t tail_ = 0;      // last sane tail seen (only grows within a generation)
    std::uint64_t space_at_ = ATOLL_VNET_KICK_NEVER;   // our last request for room
    bool acked_ = false;          // the receiver acknowledged generation_
    bool repair_kick_ = false;    // saw a corrupt tail: kick the receiver at the next decision
    std::uint32_t seq_ = 0;       // number of the next record
    // The reservation: pad bytes before the frame's record (0: none), and
    // the frame's length; reserved_ false when there is none.
    bool reserved_ = false;
    std::uint32_t res_pad_ = 0;
    std::uint32_t res_length_ = 0;
    TxStats stats_{};
};

}  // namespace atl::vnet
