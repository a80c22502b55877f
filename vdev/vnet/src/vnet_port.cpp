// A node's endpoint: attach, detach, links (see atoll/vnet/port.hpp).
#include "atoll/vnet/port.hpp"

#include "atoll/vnet/shared.hpp"

namespace atl::vnet {

Result<NodeSet> Port::attach(const Segment& segment, PartitionId self, KickTarget kick) {
    if (!segment.valid())
        return Error::invalid_argument;
    atoll_vnet_node* me = segment.node(self);
    if (me == nullptr)
        return Error::out_of_range;
    if (kick.virq.value() >= ATOLL_VIRQ_COUNT || kick.cpu.value() >= ATOLL_MAX_CPUS)
        return Error::invalid_argument;
    if (attached_)
        detach();
    segment_ = segment;
    self_ = self;
    const Geometry& g = segment.geometry();

    // Our own line, but a previous incarnation (or a scribbler) wrote it.
    std::uint64_t generation = ATOLL_VNET_LINK_GEN(load(me->link, std::memory_order_acquire));
    if (generation >= ATOLL_VNET_COUNTER_MAX)
        generation = 0;
    // DOWN first: receivers then discard our rings, and the seq_cst store
    // is ordered before the head = 0 stores below (release).
    shared(me->link).store(ATOLL_VNET_LINK(generation, false), std::memory_order_seq_cst);
    generation_ = generation + 1;

    for (std::uint32_t n = 0; n < g.node_count; ++n) {
        const PartitionId peer{n};
        if (peer == self)
            continue;
        tx_[n].reset(segment.ring(self, peer), segment.ring_data(self, peer), g.ring_size, g.max_frame,
                     generation_);
        rx_[n].attach(segment.ring(peer, self), segment.ring_data(peer, self), g.ring_size, g.max_frame,
                      segment.node(peer), peer);
    }
    rx_next_ = 0;
    rx_current_ = ATOLL_VNET_MAX_NODES;
    shared(me->kick_cpu).store(kick.cpu.value(), std::memory_order_relaxed);
    shared(me->kick_virq).store(ATOLL_VNET_KICK_VALID | kick.virq.value(), std::memory_order_relaxed);
    // Release: a sender that sees us UP sees our acknowledgements and kick
    // target; a receiver that sees the new generation sees our heads at 0.
    shared(me->link).store(ATOLL_VNET_LINK(generation_, true), std::memory_order_release);
    attached_ = true;

    NodeSet up;
    for (std::uint32_t n = 0; n < g.node_count; ++n)
        if (PartitionId{n} != self && segment.up(PartitionId{n}))
            up.add(PartitionId{n});
    return up;
}

void Port::detach() {
    if (!attached_)
        return;
    if (atoll_vnet_node* me = segment_.node(self_))
        shared(me->link).store(ATOLL_VNET_LINK(generation_, false), std::memory_order_release);
    for (std::uint32_t n = 0; n < ATOLL_VNET_MAX_NODES; ++n) {
        tx_[n].unbind();
        rx_[n].detach();
    }
    rx_current_ = ATOLL_VNET_MAX_NODES;
    attached_ = false;
}

NodeSet Port::sync_links() {
    NodeSet readable;
    if (!attached_)
        return readable;
    for (std::uint32_t n = 0; n < segment_.node_count(); ++n)
        if (rx_[n].sync())
            readable.add(PartitionId{n});
    return readable;
}

LinkCheck Port::link_check() {
    LinkCheck out;
    if (!attached_)
        return out;
    for (std::uint32_t n = 0; n < segment_.node_count(); ++n) {
        const PartitionId peer{n};
        if (peer == self_)
            continue;
        if (segment_.up(peer) && tx_[n].link_check())
            out.kick.add(peer);
        if (rx_[n].link_check())
            out.poll = true;
        // A hold the check ended freed room a waiting sender asked for.
        if (rx_[n].space_kick())
            out.kick.add(peer);
    }
    return out;
}

NodeSet Port::route(const Mac& dst) const {
    NodeSet out;
    if (!attached_)
        return out;
    const NodeSet candidates = vnet::route(dst, self_, segment_.node_count());
    for (std::uint32_t n = 0; n < segment_.node_count(); ++n)
        if (candidates.contains(PartitionId{n}) && segment_.up(PartitionId{n}))
            out.add(PartitionId{n});
    return out;
}

PortStats Port::stats() const {
    PortStats s;
    s.tx_no_route = tx_no_route_;
    for (std::uint32_t n = 0; n < ATOLL_VNET_MAX_NODES; ++n) {
        s.tx += tx_[n].stats();
        s.rx += rx_[n].stats();
    }
    return s;
}

}  // namespace atl::vnet
