// The geometry of a vnet segment: where the node table and each ring of
// each ordered pair of nodes lie (see atoll/abi/vnet.h).
//
// A pure function of (node_count, ring_size). The host computes it to
// format; every other node recomputes it from those two header fields and
// refuses a header whose other fields disagree, then uses only its own copy.
#pragma once

#include <cstdint>

#include "atoll/abi/vnet.h"
#include "atoll/core/result.hpp"

namespace atl::vnet {

struct Geometry {
    std::uint32_t node_count = 0;
    std::uint32_t ring_size = 0;     // data bytes per ring
    std::uint32_t max_frame = 0;     // largest frame a ring carries
    std::uint32_t ring_count = 0;    // node_count * (node_count - 1)
    std::uint64_t node_offset = 0;
    std::uint64_t ring_offset = 0;
    std::uint64_t ring_stride = 0;   // control block + data
    std::uint64_t segment_size = 0;  // bytes in use from the segment start
};

// invalid_argument: node_count outside [2, ATOLL_VNET_MAX_NODES], or
// ring_size not a power of two in [ATOLL_VNET_MIN_RING, ATOLL_VNET_MAX_RING].
[[nodiscard]] Result<Geometry> geometry_for(std::uint32_t node_count, std::uint32_t ring_size);

// The largest ring size, at most `cap`, whose segment for `node_count`
// nodes fits `area_size` bytes; bad_size if not even the smallest fits.
// The host's choice when it formats whatever the lagoon left for vnet.
[[nodiscard]] Result<std::uint32_t> ring_size_for(std::uint64_t area_size, std::uint32_t node_count,
                                                  std::uint32_t cap = 1u << 20);

// Index of ring (sender, receiver) among the ring_count rings; both must be
// distinct and below node_count (callers check).
[[nodiscard]] constexpr std::uint32_t ring_index(std::uint32_t node_count, std::uint32_t sender,
                                                 std::uint32_t receiver) {
    return sender * (node_count - 1) + (receiver < sender ? receiver : receiver - 1);
}

// Largest frame a ring of `ring_size` data bytes carries: any record of it
// must fit an empty ring at any offset, with padding (see abi/vnet.h).
[[nodiscard]] constexpr std::uint32_t max_frame_for(std::uint32_t ring_size) {
    const std::uint32_t half = ring_size / 2 - ATOLL_VNET_RECORD_ALIGN;
    return half < ATOLL_VNET_MAX_FRAME ? half : ATOLL_VNET_MAX_FRAME;
}

}  // namespace atl::vnet
