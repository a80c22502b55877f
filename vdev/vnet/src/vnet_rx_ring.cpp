// The consumer end of one ring: reading and validating records (see
// atoll/vnet/rx_ring.hpp and the ring protocol in atoll/abi/vnet.h).
#include "atoll/vnet/rx_ring.hpp"

#include "atoll/vnet/record.hpp"
#include "atoll/vnet/shared.hpp"

namespace atl::vnet {

namespace {

constexpr std::uint64_t align_mask = ATOLL_VNET_RECORD_ALIGN - 1;

}  // namespace

bool RxRing::head_sane(std::uint64_t head) const {
    return head <= ATOLL_VNET_COUNTER_MAX && (head & align_mask) == 0 && head >= tail_ && head - tail_ <= size_;
}

void RxRing::skip_to(std::uint64_t head) {
    stats_.discarded += head > tail_ ? head - tail_ : 0;
    tail_ = head;
    seq_rule_ = SeqRule::not_older;
    // Release like every store of tail (the sender acquires it); nothing
    // was copied, but this unblocks a sender that saw an insane tail.
    shared(ring_->tail).store(tail_, std::memory_order_release);
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
    tail_ += bytes;
    seq_ = seq + 1;
    seq_rule_ = SeqRule::exact;
    // Release: our copy of the record is done before the sender reuses it.
    shared(ring_->tail).store(tail_, std::memory_order_release);
}

Frame RxRing::peek() {
    if (peeked_total_ != 0)
        return peeked_;
    if (!sync())
        return {};
    // At most a padding record, then a frame: a PAD is never at offset 0.
    for (int round = 0; round < 2; ++round) {
        const std::uint64_t head = load(ring_->head, std::memory_order_acquire);
        // Seqlock check against a sender re-attaching while we read: its
        // DOWN precedes its head = 0 (release), which our acquire above
        // would have made visible here.
        if (load(sender_->link, std::memory_order_acquire) != synced_link_)
            return {};
        if (!head_sane(head)) {
            // Follow a head that went backwards or too far ahead. One beyond
            // the counter range or off the record grid cannot be a record
            // boundary: wait (dropping nothing) until the sender publishes
            // a sane one or re-attaches, and count it once.
            if (head <= ATOLL_VNET_COUNTER_MAX && (head & align_mask) == 0) {
                ++stats_.bad_index;
                skip_to(head);
            } else if (!stuck_ || head != stuck_head_) {
                ++stats_.bad_index;
                stuck_ = true;
                stuck_head_ = head;
            }
            return {};
        }
        stuck_ = false;
        if (head == tail_)
            return {};
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
        // Not a record a correct sender writes here: drop what is pending.
        ++stats_.bad_record;
        skip_to(head);
        return {};
    }
    // Two paddings in a row: the second began at offset 0, so it was
    // refused above; unreachable, but stay safe.
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
