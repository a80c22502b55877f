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
        tail_ = head <= ATOLL_VNET_COUNTER_MAX && (head & (ATOLL_VNET_RECORD_ALIGN - 1)) == 0 ? head : 0;
        seq_rule_ = SeqRule::any;
        space_decided_ = tail_;
        synced_link_ = link;
        publish_tail(ATOLL_VNET_LINK_GEN(link));
    }
    // Listening from the start: the first frame kicks us.
    shared(ring_->kick_at).store(tail_, std::memory_order_seq_cst);
}

void RxRing::detach() {
    if (ring_ != nullptr)
        shared(ring_->kick_at).store(ATOLL_VNET_KICK_NEVER, std::memory_order_relaxed);
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
    tail_ = 0;
    space_decided_ = 0;
    seq_ = 0;
    seq_rule_ = SeqRule::exact;
    stuck_ = false;
    publish_tail(ATOLL_VNET_LINK_GEN(link));
    if (!notify_off_)
        shared(ring_->kick_at).store(0, std::memory_order_seq_cst);
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
    shared(ring_->kick_at).store(tail_, std::memory_order_seq_cst);
    const std::uint64_t head = load(ring_->head, std::memory_order_seq_cst);
    const std::uint64_t link = load(sender_->link, std::memory_order_acquire);
    // A head we are stuck on (see peek()) is no news; a link change is.
    // A ring we do not follow (sender down) has none either.
    const bool news = synced_link_ != 0 && head != tail_ && !(stuck_ && head == stuck_head_);
    return news || link_changed(link);
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
    shared(ring_->kick_at).store(ATOLL_VNET_KICK_NEVER, std::memory_order_relaxed);
}

}  // namespace atl::vnet
