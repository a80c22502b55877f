// The consumer end of one ring: reading and validating records (see
// atoll/vnet/rx_ring.hpp and the ring protocol in atoll/abi/vnet.h).
#include "atoll/vnet/rx_ring.hpp"

#include "atoll/vnet/record.hpp"
#include "atoll/vnet/shared.hpp"

namespace atl::vnet {

namespace {

constexpr std::uint64_t align_mask = ATOLL_VNET_RECORD_ALIGN - 1;

}  // namespace

void RxRing::stand_at(std::uint64_t tail, std::uint32_t seq, SeqRule rule) {
    tail_ = floor_ = tail;
    seq_ = floor_seq_ = seq;
    seq_rule_ = floor_rule_ = rule;
}

void RxRing::wait_on(std::uint64_t head, Stuck why, std::uint64_t& counter) {
    if (!holding(head) || stuck_ != why) {
        ++counter;
        held_checks_ = 0;
    }
    stuck_ = why;
    stuck_head_ = head;
}

void RxRing::skip_to(std::uint64_t head) {
    stats_.discarded += head > tail_ ? head - tail_ : 0;
    tail_ = head;
    seq_rule_ = SeqRule::not_older;
    stuck_ = Stuck::none;
    // Release like every store of tail (the sender acquires it); nothing
    // was copied, but the sender may reuse the space.
    shared(ring_->tail).store(tail_, std::memory_order_release);
}

void RxRing::follow_back(std::uint64_t head) {
    stuck_ = Stuck::none;
    // Its records' numbers are unknown to us: take them as they come.
    stand_at(head, seq_, SeqRule::any);
    shared(ring_->tail).store(tail_, std::memory_order_release);
}

RxRing::Follow RxRing::follow(std::uint64_t head) {
    if (head > ATOLL_VNET_COUNTER_MAX || (head & align_mask) != 0) {
        // Beyond the counter range or off the record grid: never a record
        // boundary. Wait (dropping nothing) until the sender publishes a
        // sane head or re-attaches.
        wait_on(head, Stuck::off_grid, stats_.bad_index);
        return Follow::wait;
    }
    if (head < floor_) {
        // Behind what we consumed: heads only grow within a generation, so
        // this is a scribble; the sender's next publication overwrites it.
        // A second, different head back there is the sender publishing
        // there for real (we took the ring over at a scribbled head):
        // follow it back, numbering its records as they come.
        if (stuck_ != Stuck::behind || head == stuck_head_) {
            wait_on(head, Stuck::behind, stats_.bad_index);
            return Follow::wait;
        }
        ++stats_.bad_index;
        follow_back(head);
        return Follow::again;
    }
    if (head < tail_) {
        // Between the floor and a tail we skipped ahead to: the sender took
        // that head back, so the skip followed a scribble. Return to the
        // floor and read on from there.
        stats_.discarded -= stats_.discarded < tail_ - floor_ ? stats_.discarded : tail_ - floor_;
        tail_ = floor_;
        seq_ = floor_seq_;
        seq_rule_ = floor_rule_;
        stuck_ = Stuck::none;
        shared(ring_->tail).store(tail_, std::memory_order_release);
        return Follow::again;
    }
    if (head - tail_ > size_) {
        // More than a ring ahead: no sender published that since our tail.
        // Hold (see rx_ring.hpp); a new head ends the hold.
        wait_on(head, Stuck::ahead, stats_.bad_index);
        return Follow::wait;
    }
    if (head == tail_) {
        stuck_ = Stuck::none;   // nothing pending: nothing to hold for
        return Follow::wait;
    }
    if (stuck_ != Stuck::ahead)
        stuck_ = Stuck::none;
    return Follow::read;
}

bool RxRing::seq_ok(std::uint32_t seq) const {
    switch (seq_rule_) {
    case SeqRule::exact: return seq == seq_;
    case SeqRule::any: return true;
    case SeqRule::not_older: return static_cast<std::int32_t>(seq - seq_) >= 0;
    }
    return false;
}

bool RxRing::tail_scribbled() {
    // Our tail line is ours alone: anything there but tail_ is a scribble
    // (the sender may have dropped meanwhile); the caller's store repairs it.
    if (load(ring_->tail, std::memory_order_relaxed) == tail_)
        return false;
    ++stats_.bad_index;
    return true;
}

void RxRing::consumed(std::uint64_t bytes, std::uint32_t seq) {
    (void)tail_scribbled();   // the store below repairs it
    stand_at(tail_ + bytes, seq + 1, SeqRule::exact);
    stuck_ = Stuck::none;
    // Release: our copy of the record is done before the sender reuses it.
    shared(ring_->tail).store(tail_, std::memory_order_release);
}

Frame RxRing::peek() {
    if (peeked_total_ != 0)
        return peeked_;
    if (!sync())
        return {};
    // At most a return to the floor or a drop, a padding record, then a
    // frame (a PAD is never at offset 0, so never two in a row).
    for (int round = 0; round < 4; ++round) {
        const std::uint64_t head = load(ring_->head, std::memory_order_acquire);
        // Seqlock check against a sender re-attaching while we read: its
        // DOWN precedes its head = 0 (release), which our acquire above
        // would have made visible here.
        if (load(sender_->link, std::memory_order_acquire) != synced_link_)
            return {};
        const Follow f = follow(head);
        if (f == Follow::wait)
            return {};
        if (f == Follow::again)
            continue;
        const std::uint64_t avail = head - tail_;
        const std::uint64_t at = tail_ & (size_ - 1);
        const record::Header h = record::load_at(data_ + at);
        const bool sound = h.check_ok() && seq_ok(h.seq);
        if (sound && h.kind == ATOLL_VNET_REC_PAD && h.flags == 0 && at != 0 &&
            h.length == size_ - at - record::header && size_ - at <= avail) {
            consumed(size_ - at, h.seq);
            continue;
        }
        if (sound && h.kind == ATOLL_VNET_REC_FRAME && (h.flags & ~ATOLL_VNET_REC_F_MASK) == 0 &&
            h.length >= ATOLL_VNET_MIN_FRAME && h.length <= max_frame_) {
            const std::uint64_t total = record::total(h.length);
            if (at + total <= size_ && total <= avail) {
                peeked_total_ = total;
                peeked_seq_ = h.seq;
                peeked_ = Frame{std::span<const std::byte>(
                                    reinterpret_cast<const std::byte*>(data_ + at + record::header), h.length),
                                h.flags, source_};
                return peeked_;
            }
        }
        // Not a record a correct sender writes here. Held here before, at
        // a head the sender has since published beyond: the record is
        // really corrupt. Drop up to that head; read on from there.
        if (stuck_ == Stuck::ahead && stuck_head_ != head && stuck_head_ > tail_ && stuck_head_ < head) {
            skip_to(stuck_head_);
            continue;
        }
        // First sight: hold (a scribbled head, overwritten by the sender's
        // next frame, looks the same).
        wait_on(head, Stuck::ahead, stats_.bad_record);
        return {};
    }
    return {};
}

void RxRing::release() {
    if (peeked_total_ == 0)
        return;
    ++stats_.frames;
    stats_.bytes += peeked_.data.size();
    consumed(peeked_total_, peeked_seq_);
    peeked_total_ = 0;
    peeked_ = Frame{};
}

}  // namespace atl::vnet
