// The producer end of one ring (see atoll/vnet/tx_ring.hpp and the ring
// protocol in atoll/abi/vnet.h).
#include "atoll/vnet/tx_ring.hpp"

#include "atoll/vnet/record.hpp"
#include "atoll/vnet/shared.hpp"

namespace atl::vnet {

void TxRing::reset(atoll_vnet_ring* ring, std::uint8_t* data, std::uint32_t size, std::uint32_t max_frame,
                   std::uint64_t generation) {
    TxStats kept = stats_;
    *this = TxRing{};
    stats_ = kept;
    ring_ = ring;
    data_ = data;
    size_ = size;
    max_frame_ = max_frame;
    generation_ = generation;
    request_space_at(ATOLL_VNET_KICK_NEVER, std::memory_order_relaxed);
    // Release: a receiver that loads this 0 also sees our link DOWN, stored
    // before, and so never takes it for a head of the old generation.
    shared(ring_->head).store(0, std::memory_order_release);
}

Status TxRing::refresh_tail() {
    // Acquire on tail_gen, then tail: the receiver stores tail (0) before it
    // acknowledges a generation, and its copies before any later tail.
    const std::uint64_t gen = load(ring_->tail_gen, std::memory_order_acquire);
    const std::uint64_t tail = load(ring_->tail, std::memory_order_acquire);
    if (gen != generation_) {
        ++stats_.not_ready;
        return Error::busy;
    }
    if (tail > head_ || head_ - tail > size_) {
        // Not a tail the receiver stored: a scribble. Kick it at the next
        // decision; it stores its tail again before it sleeps.
        ++stats_.bad_tail;
        repair_kick_ = true;
        return Error::corrupt;
    }
    acked_ = true;
    // A receiver that re-attached skipped ahead: tail never moves back
    // within a generation, so the largest sane value is the freshest.
    if (tail > tail_)
        tail_ = tail;
    return Error::ok;
}

Result<std::span<std::byte>> TxRing::reserve(std::uint32_t length) {
    reserved_ = false;
    if (!bound())
        return Error::not_found;
    if (length < ATOLL_VNET_MIN_FRAME || length > max_frame_) {
        ++stats_.bad_size;
        return Error::invalid_argument;
    }
    const std::uint64_t rec = record::total(length);
    const std::uint64_t at = head_ & (size_ - 1);
    // A record never wraps: pad to the end when it does not fit before it.
    const std::uint64_t pad = at + rec > size_ ? size_ - at : 0;
    const std::uint64_t need = pad + rec;
    // Our cached tail is conservative (it only lags): read the receiver's
    // line only when it says the frame does not fit.
    if (!acked_ || size_ - (head_ - tail_) < need) {
        ATOLL_TRY(refresh_tail());
        if (size_ - (head_ - tail_) < need) {
            ++stats_.full;
            return Error::exhausted;
        }
    }
    reserved_ = true;
    res_pad_ = static_cast<std::uint32_t>(pad);
    res_length_ = length;
    const std::uint64_t frame_at = pad != 0 ? 0 : at;
    return std::span<std::byte>(reinterpret_cast<std::byte*>(data_ + frame_at + record::header), length);
}

bool TxRing::commit(std::uint16_t flags, bool more) {
    if (!reserved_ || !bound())
        return false;
    reserved_ = false;
    std::uint64_t at = head_ & (size_ - 1);
    if (res_pad_ != 0) {
        record::store_at(data_ + at, record::make(res_pad_ - record::header, ATOLL_VNET_REC_PAD, 0, seq_++));
        at = 0;
    }
    const auto f = static_cast<std::uint16_t>(flags & ATOLL_VNET_REC_F_MASK);
    record::store_at(data_ + at, record::make(res_length_, ATOLL_VNET_REC_FRAME, f, seq_++));
    head_ += res_pad_ + record::total(res_length_);
    ++stats_.frames;
    stats_.bytes += res_length_;
    if (!more)
        return flush();
    // Release: the records are written before a receiver sees this head.
    shared(ring_->head).store(head_, std::memory_order_release);
    return false;
}

bool TxRing::flush() {
    if (!bound())
        return false;
    // Full barrier between publishing head and reading the kick request
    // (seq_cst store, seq_cst load): the receiver does the mirror image, so
    // either we see its request or it sees our frames.
    shared(ring_->head).store(head_, std::memory_order_seq_cst);
    const std::uint64_t kick_at = load(ring_->kick_at, std::memory_order_seq_cst);
    // Kick when the frames since the last decision crossed the request:
    // decided_ <= kick_at < head_. A request beyond our head is a receiver
    // that skipped ahead to a scribbled head of ours and sleeps there: kick
    // it, and it returns to its floor (RxRing::peek) and finds our frames.
    const bool ahead = kick_at != ATOLL_VNET_KICK_NEVER && kick_at > head_;
    const bool kick = kick_at - decided_ < head_ - decided_ || ahead || repair_kick_;
    decided_ = head_;
    repair_kick_ = false;
    return kick;
}

void TxRing::request_space_at(std::uint64_t at, std::memory_order order) {
    space_at_ = at;
    shared(ring_->space_at).store(at, order);
}

bool TxRing::link_check() {
    if (!bound())
        return false;
    // Our lines are ours alone: anything else there is a scribble. A head
    // a receiver may have followed: flush() stores ours again and kicks it
    // (its request is then beyond our head), and it returns to its floor.
    if (load(ring_->head, std::memory_order_relaxed) != head_) {
        ++stats_.bad_line;
        repair_kick_ = true;
    }
    if (load(ring_->space_at, std::memory_order_relaxed) != space_at_) {
        ++stats_.bad_line;
        request_space_at(space_at_, std::memory_order_seq_cst);
    }
    // A receiver that has not acknowledged our generation may have missed
    // the kick of our attach; one whose tail is insane repairs it when kicked.
    const std::uint64_t gen = load(ring_->tail_gen, std::memory_order_acquire);
    const std::uint64_t tail = load(ring_->tail, std::memory_order_acquire);
    if (gen != generation_ || tail > head_ || head_ - tail > size_)
        repair_kick_ = true;
    return flush();
}

bool TxRing::request_space(std::uint32_t length) {
    if (!bound() || length < ATOLL_VNET_MIN_FRAME || length > max_frame_)
        return true;   // nothing to wait for: reserve() fails at once
    const std::uint64_t rec = record::total(length);
    const std::uint64_t at = head_ & (size_ - 1);
    const std::uint64_t need = (at + rec > size_ ? size_ - at : 0) + rec;
    if (head_ + need <= size_)
        return true;   // fits whatever the tail
    // Room for `need` once tail >= head_ + need - size_; ask for a quarter
    // of the ring if that is later, so a sender of small frames is not
    // woken per frame (with large frames, waiting for more idles it).
    std::uint64_t target = head_ + need - size_;
    if (head_ >= size_ - size_ / 4 && head_ - (size_ - size_ / 4) > target)
        target = head_ - (size_ - size_ / 4);
    // Kick when the receiver's tail crosses target - 1, i.e. reaches target.
    request_space_at(target - 1, std::memory_order_seq_cst);
    const std::uint64_t tail = load(ring_->tail, std::memory_order_seq_cst);
    if (tail <= head_ && head_ - tail <= size_ && size_ - (head_ - tail) >= need) {
        request_space_at(ATOLL_VNET_KICK_NEVER, std::memory_order_relaxed);
        return true;
    }
    ++stats_.waits;
    return false;
}

Result<bool> TxRing::post(std::span<const std::byte> frame, std::uint16_t flags, bool more) {
    if (!bound())
        return Error::not_found;
    if (frame.size() > max_frame_) {
        ++stats_.bad_size;
        return Error::invalid_argument;
    }
    auto room = reserve(static_cast<std::uint32_t>(frame.size()));
    if (!room)
        return room.error();
    __builtin_memcpy(room->data(), frame.data(), frame.size());
    return commit(flags, more);
}

}  // namespace atl::vnet
