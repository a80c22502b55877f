// A vnet segment (the lagoon's VNET region): formatting it (host), opening
// it (every node), and locating nodes and rings through a validated,
// private geometry. A later scribble on the header moves nothing: accessors
// never read it again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/abi/vnet.h"
#include "atoll/core/result.hpp"
#include "atoll/core/strong.hpp"
#include "atoll/vnet/geometry.hpp"

namespace atl::vnet {

// What a node publishes for senders to kick it: post `virq` to CPU slot `cpu`.
struct KickTarget {
    Virq virq{};
    CpuSlot cpu{};
};

class Segment {
public:
    constexpr Segment() = default;   // invalid: every accessor returns null

    // Host: lays out a segment in `area` (64-byte aligned) and zeroes its
    // node table and rings; the signature is stored last (release). The
    // generation continues from a valid previous format of the same area.
    [[nodiscard]] static Result<Segment> format(std::span<std::byte> area, std::uint32_t node_count,
                                                std::uint32_t ring_size);

    // Any node: bad_signature while the host has not formatted it,
    // bad_revision, bad_size when the header disagrees with the geometry its
    // node_count and ring_size imply or does not fit `area`.
    [[nodiscard]] static Result<Segment> open(std::span<std::byte> area);

    // ok while the header is still the format this was opened on; busy after
    // a re-format, bad_signature while one is under way.
    [[nodiscard]] Status recheck() const;

    [[nodiscard]] bool valid() const { return base_ != nullptr; }
    [[nodiscard]] const Geometry& geometry() const { return geometry_; }
    [[nodiscard]] std::uint32_t node_count() const { return geometry_.node_count; }
    [[nodiscard]] std::uint64_t generation() const { return generation_; }

    // Null for an id outside the geometry (and for ring(n, n)).
    [[nodiscard]] atoll_vnet_node* node(PartitionId n) const;
    [[nodiscard]] atoll_vnet_ring* ring(PartitionId sender, PartitionId receiver) const;
    [[nodiscard]] std::uint8_t* ring_data(PartitionId sender, PartitionId receiver) const;

    // A node's link word (acquire): ATOLL_VNET_LINK(generation, up); 0 for
    // an id outside the geometry.
    [[nodiscard]] std::uint64_t link(PartitionId n) const;
    [[nodiscard]] bool up(PartitionId n) const { return (link(n) & ATOLL_VNET_LINK_UP) != 0; }

    // Where to kick node `n`: not_found until it published a valid target.
    [[nodiscard]] Result<KickTarget> kick_target(PartitionId n) const;

    // Host: mark node `n` down after its kernel crashed or stopped, so that
    // its peers discard its rings and stop sending to it. Keeps the
    // generation; the node's next attach bumps it.
    [[nodiscard]] Status force_down(PartitionId n) const;

private:
    Segment(std::byte* base, const Geometry& g, std::uint64_t generation)
        : base_(base), geometry_(g), generation_(generation) {}

    std::byte* base_ = nullptr;
    Geometry geometry_{};
    std::uint64_t generation_ = 0;
};

}  // namespace atl::vnet
