// vnet segment: format, open, re-check, and locating nodes and rings (see
// atoll/vnet/segment.hpp).
#include "atoll/vnet/segment.hpp"

#include "atoll/vnet/shared.hpp"

namespace atl::vnet {

namespace {

constexpr auto relaxed = std::memory_order_relaxed;

// The identity of a formatted header, checked against `area_size`; the
// geometry it implies out. Loads each field once.
Status check_header(const atoll_vnet& h, std::uint64_t area_size, Geometry& g, std::uint64_t& generation) {
    // Acquire: seeing the signature means seeing the fields stored before it.
    if (load(h.signature, std::memory_order_acquire) != ATOLL_VNET_SIGNATURE)
        return Error::bad_signature;
    if (load(h.revision, relaxed) != ATOLL_VNET_REVISION)
        return Error::bad_revision;
    auto want = geometry_for(load(h.node_count, relaxed), load(h.ring_size, relaxed));
    if (!want)
        return Error::bad_size;
    const bool same = load(h.header_size, relaxed) == sizeof(atoll_vnet) &&
                      load(h.segment_size, relaxed) == want->segment_size &&
                      load(h.max_frame, relaxed) == want->max_frame &&
                      load(h.ring_count, relaxed) == want->ring_count &&
                      load(h.node_offset, relaxed) == want->node_offset &&
                      load(h.ring_offset, relaxed) == want->ring_offset &&
                      load(h.ring_stride, relaxed) == want->ring_stride;
    if (!same || want->segment_size > area_size)
        return Error::bad_size;
    g = *want;
    generation = load(h.generation, relaxed);
    return Error::ok;
}

Status check_area(std::span<std::byte> area) {
    if (area.data() == nullptr)
        return Error::invalid_argument;
    if ((reinterpret_cast<std::uintptr_t>(area.data()) & (ATOLL_CACHE_LINE - 1)) != 0)
        return Error::misaligned;
    return Error::ok;
}

}  // namespace

Result<Segment> Segment::format(std::span<std::byte> area, std::uint32_t node_count, std::uint32_t ring_size) {
    ATOLL_TRY(check_area(area));
    const auto g = geometry_for(node_count, ring_size);
    if (!g)
        return g.error();
    if (g->segment_size > area.size())
        return Error::bad_size;
    auto& h = *reinterpret_cast<atoll_vnet*>(area.data());
    Geometry old{};
    std::uint64_t generation = 0;
    if (!check_header(h, area.size(), old, generation).ok() || generation >= ATOLL_VNET_COUNTER_MAX)
        generation = 0;
    generation += 1;

    // Readers see "not formatted" until the signature is back (release, last).
    shared(h.signature).store(0, std::memory_order_seq_cst);
    __builtin_memset(area.data() + sizeof(atoll_vnet), 0, g->segment_size - sizeof(atoll_vnet));
    shared(h.revision).store(ATOLL_VNET_REVISION, relaxed);
    shared(h.header_size).store(static_cast<std::uint32_t>(sizeof(atoll_vnet)), relaxed);
    shared(h.segment_size).store(g->segment_size, relaxed);
    shared(h.generation).store(generation, relaxed);
    shared(h.node_count).store(g->node_count, relaxed);
    shared(h.ring_size).store(g->ring_size, relaxed);
    shared(h.max_frame).store(g->max_frame, relaxed);
    shared(h.ring_count).store(g->ring_count, relaxed);
    shared(h.node_offset).store(g->node_offset, relaxed);
    shared(h.ring_offset).store(g->ring_offset, relaxed);
    shared(h.ring_stride).store(g->ring_stride, relaxed);
    for (auto& r : h.reserved)
        shared(r).store(0, relaxed);
    // Nobody listens yet: kick requests start at "never".
    Segment s(area.data(), *g, generation);
    for (std::uint32_t from = 0; from < g->node_count; ++from)
        for (std::uint32_t to = 0; to < g->node_count; ++to)
            if (auto* r = s.ring(PartitionId{from}, PartitionId{to}))
                shared(r->kick_at).store(ATOLL_VNET_KICK_NEVER, relaxed);
    shared(h.signature).store(ATOLL_VNET_SIGNATURE, std::memory_order_release);
    return s;
}

Result<Segment> Segment::open(std::span<std::byte> area) {
    ATOLL_TRY(check_area(area));
    if (area.size() < sizeof(atoll_vnet))
        return Error::bad_size;
    Geometry g{};
    std::uint64_t generation = 0;
    ATOLL_TRY(check_header(*reinterpret_cast<const atoll_vnet*>(area.data()), area.size(), g, generation));
    return Segment(area.data(), g, generation);
}

Status Segment::recheck() const {
    if (!valid())
        return Error::not_found;
    Geometry g{};
    std::uint64_t generation = 0;
    ATOLL_TRY(check_header(*reinterpret_cast<const atoll_vnet*>(base_), geometry_.segment_size, g, generation));
    const bool same = generation == generation_ && g.node_count == geometry_.node_count &&
                      g.ring_size == geometry_.ring_size;
    return same ? Status{} : Status{Error::busy};
}

atoll_vnet_node* Segment::node(PartitionId n) const {
    if (!valid() || n.value() >= geometry_.node_count)
        return nullptr;
    return reinterpret_cast<atoll_vnet_node*>(base_ + geometry_.node_offset) + n.value();
}

atoll_vnet_ring* Segment::ring(PartitionId sender, PartitionId receiver) const {
    const std::uint32_t count = geometry_.node_count;
    if (!valid() || sender.value() >= count || receiver.value() >= count || sender == receiver)
        return nullptr;
    const std::uint32_t i = ring_index(count, sender.value(), receiver.value());
    return reinterpret_cast<atoll_vnet_ring*>(base_ + geometry_.ring_offset + i * geometry_.ring_stride);
}

std::uint8_t* Segment::ring_data(PartitionId sender, PartitionId receiver) const {
    auto* r = ring(sender, receiver);
    return r == nullptr ? nullptr : reinterpret_cast<std::uint8_t*>(r) + sizeof(atoll_vnet_ring);
}

std::uint64_t Segment::link(PartitionId n) const {
    const auto* e = node(n);
    return e == nullptr ? 0 : load(e->link, std::memory_order_acquire);
}

Result<KickTarget> Segment::kick_target(PartitionId n) const {
    const auto* e = node(n);
    if (e == nullptr)
        return Error::not_found;
    const std::uint32_t virq = load(e->kick_virq, relaxed);
    const std::uint32_t cpu = load(e->kick_cpu, relaxed);
    if ((virq & ATOLL_VNET_KICK_VALID) == 0)
        return Error::not_found;
    if ((virq & ~ATOLL_VNET_KICK_VALID) >= ATOLL_VIRQ_COUNT || cpu >= ATOLL_MAX_CPUS)
        return Error::corrupt;
    return KickTarget{Virq{virq & ~ATOLL_VNET_KICK_VALID}, CpuSlot{cpu}};
}

Status Segment::force_down(PartitionId n) const {
    auto* e = node(n);
    if (e == nullptr)
        return Error::not_found;
    auto link = shared(e->link);
    std::uint64_t seen = link.load(relaxed);
    // CAS: a concurrent re-attach (a new generation) is not undone.
    while ((seen & ATOLL_VNET_LINK_UP) != 0 &&
           !link.compare_exchange_weak(seen, seen & ~ATOLL_VNET_LINK_UP, std::memory_order_acq_rel, relaxed)) {
    }
    return Error::ok;
}

}  // namespace atl::vnet
