// The consumer end of one ring: taking it over, following the sender's link
// and generation, and kick requests (see atoll/vnet/rx_ring.hpp).
#include "atoll/vnet/rx_ring.hpp"

#include "atoll/vnet/shared.hpp"

namespace atl::vnet {

void RxRing::publish_tail(std::uint64_t generation) {
    shared(ring_->tail).store(tail_, std::memory_order_relaxed);
    // Release: the sender that sees the acknowledgement sees this tail.
    shared(ring_->tail_gen).store(generation, std::memory_order_release);
}

void RxRing::attach(atoll_vnet_ring* ring, const std::uint8_t* data, std::uint32_t size, std::uint32_t max_frame,
                    const atoll_vnet_node* sender, PartitionId source) {
    RxStats kept = stats_;
    *this = RxRing{};
    stats_ = kept;
    ring_ = ring;
    data_ = data;
    size_ = size;
    max_frame_ = max_frame;
    sender_ = sender;
    source_ = source;
    const std::uint64_t link = load(sender_->link, std::memory_order_acquire);
    if ((link & ATOLL_VNET_LINK_UP) != 0) {
        // Frames pending from before our (re)attach are not for us: start at
        // the sender's head, taking the number of its next record as it comes.
        const std::uint64_t head = load(ring_->head, std::memory_order_acquire);
        stand_at(head <= ATOLL_VNET_COUNTER_MAX && (head & (ATOLL_VNET_RECORD_ALIGN - 1)) == 0 ? head : 0, 0,
                 SeqRule::any);
        space_decided_ = tail_;
        synced_link_ = link;
        publish_tail(ATOLL_VNET_LINK_GEN(link));
    }
    // Listening from the start: the first frame kicks us.
    request_kick_at(tail_, std::memory_order_seq_cst);
}

void RxRing::detach() {
    if (ring_ != nullptr)
        request_kick_at(ATOLL_VNET_KICK_NEVER, std::memory_order_relaxed);
    RxStats kept = stats_;
    *this = RxRing{};
    stats_ = kept;
}

bool RxRing::link_changed(std::uint64_t link) const {
    // synced_link_ is 0 or an UP link word.
    return (link & ATOLL_VNET_LINK_UP) != 0 ? link != synced_link_ : synced_link_ != 0;
}

bool RxRing::sync() {
    if (!bound())
        return false;
    const std::uint64_t link = load(sender_->link, std::memory_order_acquire);
    if (!link_changed(link))
        return synced_link_ != 0;
    if (synced_link_ != 0)
        ++stats_.resets;
    if ((link & ATOLL_VNET_LINK_UP) == 0) {
        // Sender down (crashed, stopped, or re-attaching): what it left is
        // void. Resume only at its next generation.
        synced_link_ = 0;
        return false;
    }
    // A new generation: the sender zeroed head before storing UP (release,
    // which our acquire pairs with) and posts nothing until we acknowledge.
    synced_link_ = link;
    stand_at(0, 0, SeqRule::exact);
    space_decided_ = 0;
    stuck_ = Stuck::none;
    publish_tail(ATOLL_VNET_LINK_GEN(link));
    if (!notify_off_)
        request_kick_at(0, std::memory_order_seq_cst);
    return true;
}

bool RxRing::enable_notify() {
    if (!bound())
        return false;
    notify_off_ = false;
    // A scribbled tail would leave the sender dropping (it kicks us when it
    // sees one): repair it before sleeping.
    if (synced_link_ != 0 && tail_scribbled())
        shared(ring_->tail).store(tail_, std::memory_order_release);
    // Mirror image of TxRing::commit(): request, full barrier, re-check.
    // Held at a head (see rx_ring.hpp): kick us once the head passes it.
    request_kick_at(stuck_ == Stuck::ahead ? stuck_head_ : tail_, std::memory_order_seq_cst);
    const std::uint64_t head = load(ring_->head, std::memory_order_seq_cst);
    const std::uint64_t link = load(sender_->link, std::memory_order_acquire);
    // A head we are stuck on (see peek()) is no news; a link change is.
    // A ring we do not follow (sender down) has none either.
    const bool news = synced_link_ != 0 && head != tail_ && !holding(head);
    return news || link_changed(link);
}

void RxRing::request_kick_at(std::uint64_t at, std::memory_order order) {
    kick_at_ = at;
    shared(ring_->kick_at).store(at, order);
}

bool RxRing::link_check() {
    if (!bound())
        return false;
    if (link_changed(load(sender_->link, std::memory_order_acquire)))
        return true;
    if (synced_link_ == 0)
        return false;
    // Our lines are ours alone: put back what we last stored.
    if (load(ring_->tail_gen, std::memory_order_relaxed) != ATOLL_VNET_LINK_GEN(synced_link_)) {
        ++stats_.bad_index;
        publish_tail(ATOLL_VNET_LINK_GEN(synced_link_));
    } else if (tail_scribbled()) {
        shared(ring_->tail).store(tail_, std::memory_order_release);
    }
    if (load(ring_->kick_at, std::memory_order_relaxed) != kick_at_) {
        ++stats_.bad_index;
        request_kick_at(kick_at_, std::memory_order_seq_cst);
    }
    // As enable_notify()'s re-check (after a full barrier: a post that
    // missed the restored request is seen here): a head we wait on is no
    // news. But a head ahead of missing records, or behind our floor, that
    // two checks found unmoved is the sender's own: its link check would
    // have put back anything else (one check is not enough: ours may run
    // just before the sender's). Ahead: drop up to it. Behind: we stand
    // above anything it published (forged records took us there): follow
    // it back.
    const std::uint64_t head = load(ring_->head, std::memory_order_seq_cst);
    if ((stuck_ == Stuck::ahead || stuck_ == Stuck::behind) && head == stuck_head_ && ++held_checks_ >= 2) {
        if (stuck_ == Stuck::ahead)
            skip_to(head);
        else
            follow_back(head);
        return false;
    }
    return head != tail_ && !holding(head);
}

bool RxRing::space_kick() {
    if (!bound() || tail_ == space_decided_)
        return false;
    // Our tail stores are releases: store the same value again, seq_cst,
    // so that it and the load below form the full barrier the sender's
    // seq_cst pair mirrors (a fence would do; ThreadSanitizer models this).
    shared(ring_->tail).store(tail_, std::memory_order_seq_cst);
    const std::uint64_t at = load(ring_->space_at, std::memory_order_seq_cst);
    // decided <= at < tail_ (ATOLL_VNET_KICK_NEVER is never below tail_).
    const bool kick = at - space_decided_ < tail_ - space_decided_;
    space_decided_ = tail_;
    return kick;
}

void RxRing::disable_notify() {
    if (!bound())
        return;
    notify_off_ = true;
    request_kick_at(ATOLL_VNET_KICK_NEVER, std::memory_order_relaxed);
}

}  // namespace atl::vnet
