// The consumer end of one vnet ring (one peer -> this node).
//
// Single consumer: the owning node's receive path (its NAPI poll). Every
// index and record header is loaded once, checked, then used; whatever a
// peer (or a test tool) scribbled makes the ring drop what it cannot trust,
// count it here (private, not in the segment) and resynchronise to the
// producer's head. A frame handed out is a view bounded by the ring data.
//
// Holding, not skipping: a head that points past records that are not
// there (a bad record at our tail, or a head more than a ring ahead) is a
// corrupt record or a scribbled head, and the two look alike. The receiver
// holds its tail (publishing nothing) and asks to be kicked once the head
// passes the one it holds at. A scribbled head is then overwritten by the
// sender's next frame, which lands at our tail: nothing is lost. A corrupt
// record stays bad after the head moved: it is dropped, up to the head it
// was held at, and what came after is read. Two link checks that find the
// head unmoved end a hold (a sender blocked on a full ring publishes none).
//
// The floor: where the receiver last stood on firm ground (the end of the
// last record it consumed, or where it took the ring over). Should a skip
// follow a scribbled head after all (the link checks ended a hold first),
// the sender's next head lies between the floor and the skipped tail, and
// the receiver returns to the floor. A head below the floor is not the
// sender's (heads only grow within a generation): it is waited out, unless
// it comes again with another value or outlasts two link checks (forged
// records took the receiver above anything the sender published).
#pragma once

#include <cstddef>
#include <atomic>
#include <cstdint>
#include <span>

#include "atoll/abi/vnet.h"
#include "atoll/core/strong.hpp"

namespace atl::vnet {

// Private to the receiver; statistics, not state.
struct RxStats {
    std::uint64_t frames = 0;      // released to the caller
    std::uint64_t bytes = 0;       // frame bytes released
    std::uint64_t bad_index = 0;   // head insane (out of bounds, misaligned, backwards) or tail scribbled
    std::uint64_t bad_record = 0;  // record header failed a check (length, kind, seq, padding)
    std::uint64_t resets = 0;      // sender restarted (new generation) or went down
    std::uint64_t discarded = 0;   // bytes skipped by a resynchronisation

    RxStats& operator+=(const RxStats& o) {
        frames += o.frames;
        bytes += o.bytes;
        bad_index += o.bad_index;
        bad_record += o.bad_record;
        resets += o.resets;
        discarded += o.discarded;
        return *this;
    }
};

// A received frame: a view into ring data, valid until release(). Empty
// when there is nothing (valid) to read.
struct Frame {
    std::span<const std::byte> data{};
    std::uint16_t flags = 0;   // ATOLL_VNET_REC_F_*
    PartitionId source{};

    [[nodiscard]] bool empty() const { return data.empty(); }
};

class RxRing {
public:
    constexpr RxRing() = default;   // unbound: peek() is always empty

    // Binds to ring control `ring`, `size` data bytes at `data`, whose
    // producer's node entry is `sender` (id `source`), and takes the ring
    // over for this node's new attach: what a previous incarnation left
    // pending is discarded (tail = head), tail_gen acknowledges the
    // sender's current generation, and notifications are enabled.
    void attach(atoll_vnet_ring* ring, const std::uint8_t* data, std::uint32_t size, std::uint32_t max_frame,
                const atoll_vnet_node* sender, PartitionId source);

    // Stops listening (kick_at = never) and unbinds.
    void detach();

    // Follows the sender's link: acknowledges a new generation (tail = 0),
    // discards the ring of a sender gone down. True while readable.
    bool sync();

    // The next frame, or empty. Skips padding; on a bad index or record,
    // drops, counts and resynchronises (and returns empty). Peeking again
    // before release() returns the same frame.
    [[nodiscard]] Frame peek();

    // Consumes the frame peek() returned (no-op without one).
    void release();

    // Before sleeping: asks the sender for a kick at the next frame. True
    // when something arrived meanwhile (or the sender's link changed): poll
    // again instead of sleeping. Full barrier between the request and the
    // re-check (see atoll/abi/vnet.h).
    [[nodiscard]] bool enable_notify();

    // After a batch of consumption: true when the sender asked for room
    // (space_at) and this batch's tail movement crossed it: kick it. Full
    // barrier between our tail and its request (atoll/abi/vnet.h).
    [[nodiscard]] bool space_kick();

    // Asks for no kicks at all (kick_at = never), until enable_notify().
    // Polling does not need it: a request is used up by the first post.
    void disable_notify();

    // The link check (the glue's periodic timer, doc/vnet.md): restores our
    // lines (tail, tail_gen, kick_at) where a scribbler changed them; true
    // when the ring has news a poll should see (a frame, a head to follow,
    // a link change), whether or not a kick came for it. Bounds any lost
    // kick to one check.
    [[nodiscard]] bool link_check();

    [[nodiscard]] bool bound() const { return ring_ != nullptr; }
    [[nodiscard]] std::uint64_t tail() const { return tail_; }
    [[nodiscard]] const RxStats& stats() const { return stats_; }

private:
    // What a head loaded from the sender's line means for us.
    enum class Follow : std::uint8_t { wait, again, read };
    [[nodiscard]] Follow follow(std::uint64_t head);
    // A head we do not follow (yet): off the record grid or beyond the
    // counter range (never followed), behind the floor (followed only when
    // a second one comes), or ahead of records that are not there (held:
    // dropped up to it once the sender publishes more or a link check ends
    // the hold).
    enum class Stuck : std::uint8_t { none, off_grid, behind, ahead };
    // Waits on `head` for `why`, counting each value once in `counter`.
    void wait_on(std::uint64_t head, Stuck why, std::uint64_t& counter);
    [[nodiscard]] bool holding(std::uint64_t head) const { return stuck_ != Stuck::none && head == stuck_head_; }
    // Resynchronise to `head`, dropping what lay before it.
    void skip_to(std::uint64_t head);
    // Stand at `head`, behind our floor: the sender really publishes there.
    void follow_back(std::uint64_t head);
    [[nodiscard]] bool seq_ok(std::uint32_t seq) const;
    void consumed(std::uint64_t bytes, std::uint32_t seq);
    // Whether the shared tail differs from ours (counted in bad_index).
    [[nodiscard]] bool tail_scribbled();
    void publish_tail(std::uint64_t generation);
    // Stores our kick request (and remembers it for the link check).
    void request_kick_at(std::uint64_t at, std::memory_order order);
    // Whether sync() has something to do for this sender link word.
    [[nodiscard]] bool link_changed(std::uint64_t link) const;

    atoll_vnet_ring* ring_ = nullptr;
    const std::uint8_t* data_ = nullptr;
    const atoll_vnet_node* sender_ = nullptr;
    PartitionId source_{};
    std::uint32_t size_ = 0;
    std::uint32_t max_frame_ = 0;
    std::uint64_t synced_link_ = 0;   // sender link we follow; 0: none (down or never seen)
    std::uint64_t tail_ = 0;          // the next byte to read (consumed or skipped to); record-aligned
    std::uint64_t space_decided_ = 0; // tail_ at the last space_kick() decision
    // Record numbers: exact (the next must be seq_), any (after our own
    // attach: a previous incarnation consumed an unknown number), not_older
    // (after a resync: stale records of earlier laps are below seq_).
    enum class SeqRule : std::uint8_t { exact, any, not_older };
    // Firm ground at `tail` (floor and tail), the next record numbered `seq` by `rule`.
    void stand_at(std::uint64_t tail, std::uint32_t seq, SeqRule rule);
    std::uint32_t seq_ = 0;           // number of the next record
    SeqRule seq_rule_ = SeqRule::exact;
    std::uint64_t floor_ = 0;         // firm ground (see above); floor_ <= tail_
    std::uint32_t floor_seq_ = 0;     // seq_ and seq_rule_ at the floor
    SeqRule floor_rule_ = SeqRule::exact;
    std::uint64_t kick_at_ = ATOLL_VNET_KICK_NEVER;   // our last kick request
    bool notify_off_ = false;         // disable_notify() in force
    Stuck stuck_ = Stuck::none;       // a head we do not follow (see Stuck)...
    std::uint64_t stuck_head_ = 0;    // ...this one: counted once, not at every poll
    std::uint32_t held_checks_ = 0;   // link checks that found a hold's head unmoved
    std::uint64_t peeked_total_ = 0;  // ring bytes of the frame handed out; 0: none
    std::uint32_t peeked_seq_ = 0;
    Frame peeked_{};
    RxStats stats_{};
};

}  // namespace atl::vnet
