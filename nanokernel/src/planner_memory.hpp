// Internal to the planner: one node's free RAM and the carving of it.
#pragma once

#include <cstdint>

#include "atoll/core/result.hpp"
#include "atoll/nk/partition.hpp"
#include "atoll/nk/topology.hpp"

namespace atl::nk::planner_detail {

// Invariant: pieces are non-empty, plan_alignment aligned, disjoint and
// sorted by address; taking memory only moves piece starts forward.
struct FreeRam {
    PhysRange pieces[max_node_ranges];
    std::uint32_t count = 0;

    // The node's RAM less its lowest `keep` bytes (the host's share).
    // False when the node has fewer than `keep` bytes.
    [[nodiscard]] bool init(const NumaNode& node, std::uint64_t keep);
    [[nodiscard]] std::uint64_t bytes() const;
    // `size` contiguous bytes from the first piece large enough.
    [[nodiscard]] bool take_contiguous(std::uint64_t size, PhysRange& out);
    // `size` bytes, lowest first, possibly from several pieces, appended to
    // p's memory. Error::exhausted: not enough RAM or too many fragments.
    [[nodiscard]] Status take_into(std::uint64_t size, Partition& p);

private:
    void drop_empty();
};

}  // namespace atl::nk::planner_detail
