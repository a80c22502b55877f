// A set of vnet nodes (partition ids below ATOLL_VNET_MAX_NODES) as a bit
// mask: destinations of a frame, nodes to kick. Plain value, bit n = node n,
// so the kernel glue can take .bits across the C bridge as it is.
#pragma once

#include <cstdint>

#include "atoll/abi/vnet.h"
#include "atoll/core/strong.hpp"

namespace atl::vnet {

struct NodeSet {
    std::uint32_t bits = 0;

    [[nodiscard]] static constexpr NodeSet of(PartitionId n) { return NodeSet{bit(n)}; }
    [[nodiscard]] constexpr bool contains(PartitionId n) const { return (bits & bit(n)) != 0; }
    [[nodiscard]] constexpr bool empty() const { return bits == 0; }
    // A loop, not __builtin_popcount: without -mpopcnt that is a libgcc
    // call, and the kernel does not link libgcc.
    [[nodiscard]] constexpr std::uint32_t count() const {
        std::uint32_t n = 0;
        for (std::uint32_t b = bits; b != 0; b &= b - 1)
            ++n;
        return n;
    }
    constexpr void add(PartitionId n) { bits |= bit(n); }
    constexpr void remove(PartitionId n) { bits &= ~bit(n); }
    constexpr bool operator==(const NodeSet&) const = default;

private:
    [[nodiscard]] static constexpr std::uint32_t bit(PartitionId n) {
        return n.value() < ATOLL_VNET_MAX_NODES ? 1u << n.value() : 0u;
    }
};

}  // namespace atl::vnet
