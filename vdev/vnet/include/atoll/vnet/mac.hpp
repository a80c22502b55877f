// Ethernet addresses on vnet: every node has a fixed, locally administered
// unicast MAC derived from its id, 02:a7:0d:00:00:NN, and the destination
// MAC of a frame alone decides which rings it goes into.
#pragma once

#include <cstdint>

#include "atoll/abi/vnet.h"
#include "atoll/core/result.hpp"
#include "atoll/core/strong.hpp"
#include "atoll/vnet/node_set.hpp"

namespace atl::vnet {

struct Mac {
    std::uint8_t b[6] = {};

    constexpr bool operator==(const Mac&) const = default;
};

// The MAC of node `n`.
[[nodiscard]] constexpr Mac mac_of(PartitionId n) {
    return Mac{{ATOLL_VNET_MAC_0, ATOLL_VNET_MAC_1, ATOLL_VNET_MAC_2, 0, 0,
                static_cast<std::uint8_t>(n.value())}};
}

// The first six bytes of a frame (its destination) or the next six (source).
// The caller guarantees at least ATOLL_VNET_MIN_FRAME bytes.
[[nodiscard]] Mac destination_of(const std::uint8_t* frame);
[[nodiscard]] Mac source_of(const std::uint8_t* frame);

// Broadcast and every multicast group: the group bit of the first octet.
[[nodiscard]] constexpr bool is_group(const Mac& m) { return (m.b[0] & 1u) != 0; }

// The node a vnet unicast MAC names; not_found for any other address
// (another prefix, a group address, a node id >= ATOLL_VNET_MAX_NODES).
[[nodiscard]] Result<PartitionId> node_of(const Mac& m);

// Where a frame from `self` to `dst` goes, among nodes [0, node_count):
// unicast to one node, a group address to every node but `self`. A unicast
// MAC outside the vnet prefix goes to node 0 (the host may bridge vnet to a
// real network) unless `self` is the host; a vnet MAC of no node goes
// nowhere (unknown unicast is not flooded: every node's MAC is fixed).
// Link state is the caller's business (Port::route).
[[nodiscard]] NodeSet route(const Mac& dst, PartitionId self, std::uint32_t node_count);

}  // namespace atl::vnet
