// A node's endpoint: sending and receiving frames (see atoll/vnet/port.hpp).
#include "atoll/vnet/port.hpp"

namespace atl::vnet {

Result<std::span<std::byte>> Port::tx_reserve(PartitionId dst, std::uint32_t length) {
    if (!is_peer(dst) || !segment_.up(dst))
        return Error::not_found;
    return tx_[index(dst)].reserve(length);
}

bool Port::tx_commit(PartitionId dst, std::uint16_t flags, bool more) {
    if (!is_peer(dst))
        return false;
    return tx_[index(dst)].commit(flags, more);
}

bool Port::tx_flush(PartitionId dst) {
    if (!is_peer(dst))
        return false;
    return tx_[index(dst)].flush();
}

bool Port::tx_request_space(PartitionId dst, std::uint32_t length) {
    if (!is_peer(dst))
        return true;
    return tx_[index(dst)].request_space(length);
}

NodeSet Port::rx_space_kicks() {
    NodeSet out;
    if (!attached_)
        return out;
    for (std::uint32_t n = 0; n < segment_.node_count(); ++n)
        if (PartitionId{n} != self_ && rx_[n].space_kick())
            out.add(PartitionId{n});
    return out;
}

Result<Sent> Port::send(std::span<const std::byte> frame, std::uint16_t flags, bool more) {
    if (!attached_)
        return Error::not_found;
    if (frame.size() < ATOLL_VNET_MIN_FRAME || frame.size() > max_frame())
        return Error::invalid_argument;
    const NodeSet to = route(destination_of(reinterpret_cast<const std::uint8_t*>(frame.data())));
    if (to.empty()) {
        ++tx_no_route_;
        return Error::not_found;
    }
    Sent sent;
    for (std::uint32_t n = 0; n < segment_.node_count(); ++n) {
        const PartitionId peer{n};
        if (!to.contains(peer))
            continue;
        auto kick = tx_[n].post(frame, flags, more);
        if (kick)
            sent.delivered.add(peer);
        else
            sent.dropped.add(peer);
        // A dropped last frame still ends the batch: decide for the frames
        // committed before it with `more`.
        if ((kick && *kick) || (!kick && !more && tx_[n].flush()))
            sent.kick.add(peer);
    }
    return sent;
}

Frame Port::rx_peek() {
    if (!attached_)
        return {};
    if (rx_current_ < ATOLL_VNET_MAX_NODES)
        return rx_[rx_current_].peek();
    const std::uint32_t count = segment_.node_count();
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint32_t n = (rx_next_ + i) % count;
        if (PartitionId{n} == self_)
            continue;
        const Frame f = rx_[n].peek();
        if (!f.empty()) {
            rx_current_ = n;
            // Fairness: the next frame comes from the next peer.
            rx_next_ = (n + 1) % count;
            return f;
        }
    }
    return {};
}

void Port::rx_release() {
    if (rx_current_ >= ATOLL_VNET_MAX_NODES)
        return;
    rx_[rx_current_].release();
    rx_current_ = ATOLL_VNET_MAX_NODES;
}

bool Port::enable_notify() {
    bool work = false;
    if (!attached_)
        return work;
    for (std::uint32_t n = 0; n < segment_.node_count(); ++n)
        if (PartitionId{n} != self_ && rx_[n].enable_notify())
            work = true;
    return work;
}

void Port::disable_notify() {
    if (!attached_)
        return;
    for (std::uint32_t n = 0; n < segment_.node_count(); ++n)
        rx_[n].disable_notify();
}

}  // namespace atl::vnet
