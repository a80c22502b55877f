// The geometry of one partition's console area, and the validated view of
// its header that every vcon endpoint starts from.
//
// Geometry is a pure function of the area size, so a reader never takes
// offsets or sizes from the (untrusted) header: it computes them from the
// size of the area its own LagoonView handed out and requires the header to
// agree. Endpoints keep this private copy and index only through it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/abi/vcon.h"
#include "atoll/core/result.hpp"

namespace atl::vcon {

struct Geometry {
    std::uint64_t area_size = 0;   // bytes in use (the area, capped at ATOLL_VCON_MAX_AREA)
    std::uint32_t in_offset = 0;
    std::uint32_t in_size = 0;
    std::uint32_t out_offset = 0;
    std::uint32_t out_size = 0;
};

// The layout for an area of `area_size` bytes; bad_size if too small for two
// ATOLL_VCON_MIN_RING rings after the header.
[[nodiscard]] Result<Geometry> geometry_for(std::uint64_t area_size);

// A console area whose header was found valid: pointers derived from the
// caller's span and the computed geometry, never from header fields.
struct Area {
    atoll_vcon* header = nullptr;
    std::uint8_t* in_data = nullptr;
    std::uint8_t* out_data = nullptr;
    Geometry geometry{};
    std::uint64_t generation = 0;

    [[nodiscard]] bool valid() const { return header != nullptr; }
};

// Checks alignment and size of the span and computes the geometry; touches
// nothing. Shared by format and open.
[[nodiscard]] Result<Area> locate(std::span<std::byte> area);

// Opens an area a partition has formatted: bad_signature while it has not
// ("no console yet"), bad_revision, bad_size when the header disagrees with
// the geometry computed from the span's size.
[[nodiscard]] Result<Area> open_area(std::span<std::byte> area);

// Re-reads the identity line: ok while signature, generation and geometry
// are still those `a` was opened with; busy when the partition re-formatted
// (restarted) meanwhile; bad_signature when it is formatting right now.
[[nodiscard]] Status recheck(const Area& a);

}  // namespace atl::vcon
