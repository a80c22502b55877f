// vnet segment geometry (see atoll/vnet/geometry.hpp).
#include "atoll/vnet/geometry.hpp"

namespace atl::vnet {

Result<Geometry> geometry_for(std::uint32_t node_count, std::uint32_t ring_size) {
    if (node_count < 2 || node_count > ATOLL_VNET_MAX_NODES)
        return Error::invalid_argument;
    if (ring_size < ATOLL_VNET_MIN_RING || ring_size > ATOLL_VNET_MAX_RING || (ring_size & (ring_size - 1)) != 0)
        return Error::invalid_argument;
    Geometry g;
    g.node_count = node_count;
    g.ring_size = ring_size;
    g.max_frame = max_frame_for(ring_size);
    g.ring_count = node_count * (node_count - 1);
    g.node_offset = sizeof(atoll_vnet);
    g.ring_offset = g.node_offset + std::uint64_t{node_count} * sizeof(atoll_vnet_node);
    g.ring_stride = sizeof(atoll_vnet_ring) + std::uint64_t{ring_size};
    // At most 240 rings of 16 MiB: far below 2^64.
    g.segment_size = g.ring_offset + std::uint64_t{g.ring_count} * g.ring_stride;
    return g;
}

Result<std::uint32_t> ring_size_for(std::uint64_t area_size, std::uint32_t node_count, std::uint32_t cap) {
    std::uint32_t best = 0;
    for (std::uint32_t size = ATOLL_VNET_MIN_RING; size <= ATOLL_VNET_MAX_RING && size <= cap; size *= 2) {
        const auto g = geometry_for(node_count, size);
        if (!g)
            return g.error();
        if (g->segment_size > area_size)
            break;
        best = size;
    }
    if (best == 0)
        return Error::bad_size;
    return best;
}

}  // namespace atl::vnet
