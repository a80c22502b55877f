// Finds room for one piece at a time in a set of RAM ranges, around pieces
// already placed. An implementation detail of plan_layout() (a header here
// rather than in src/ because the kernel build stages only .cpp files).
//
// Why edges suffice: the lowest feasible aligned address of a piece lies
// in some free gap [g, h) and equals align_up(g), where g is a range start,
// the end of a placed piece or the floor; symmetrically the highest is
// align_down(h - size), h being a range end, a placed start or the ceiling.
// So trying those few candidates finds the best fit exactly.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/core/result.hpp"
#include "atoll/core/strong.hpp"

namespace atl::kb {

// Where a piece may go: [floor, ceiling) in addition to the RAM ranges.
struct Window {
    std::uint64_t floor = 0;
    std::uint64_t ceiling = ~std::uint64_t{0};
};

class Placer {
public:
    static constexpr std::size_t max_taken = 8;

    explicit Placer(std::span<const PhysRange> ram) : ram_(ram) {}

    [[nodiscard]] Result<PhysAddr> lowest(std::uint64_t size, std::uint64_t align, Window w) const;
    [[nodiscard]] Result<PhysAddr> highest(std::uint64_t size, std::uint64_t align, Window w) const;
    // Largest free contiguous block inside the window, ignoring alignment
    // (for messages).
    [[nodiscard]] std::uint64_t largest_free(Window w) const;
    [[nodiscard]] Status take(PhysRange r);

private:
    [[nodiscard]] bool fits(std::uint64_t at, std::uint64_t size, Window w) const;
    [[nodiscard]] bool in_taken(std::uint64_t at) const;

    std::span<const PhysRange> ram_;
    std::array<PhysRange, max_taken> taken_{};
    std::size_t taken_count_ = 0;
};

}  // namespace atl::kb
