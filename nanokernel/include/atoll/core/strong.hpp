// Strong integer types for values that must never be mixed: a physical
// address is not a lagoon offset, an APIC ID is not a logical CPU number.
// Freestanding: no library beyond <cstdint>/<compare>/<type_traits>.
#pragma once

#include <compare>
#include <cstdint>
#include <type_traits>

namespace atl {

template <class Tag, class Rep>
class Strong {
    static_assert(std::is_integral_v<Rep>);

public:
    using rep = Rep;

    constexpr Strong() = default;
    constexpr explicit Strong(Rep v) : v_(v) {}

    [[nodiscard]] constexpr Rep value() const { return v_; }
    constexpr auto operator<=>(const Strong&) const = default;

private:
    Rep v_{};
};

// Types that also support offset arithmetic (addresses and offsets).
template <class Tag, class Rep>
class Address : public Strong<Tag, Rep> {
public:
    using Strong<Tag, Rep>::Strong;

    [[nodiscard]] constexpr Address operator+(Rep n) const { return Address{this->value() + n}; }
    [[nodiscard]] constexpr Rep operator-(Address o) const { return this->value() - o.value(); }
    [[nodiscard]] constexpr bool aligned(Rep a) const { return (this->value() & (a - 1)) == 0; }
};

using PhysAddr     = Address<struct PhysAddrTag, std::uint64_t>;   // machine physical address
using LagoonOffset = Address<struct LagoonOffTag, std::uint64_t>;  // byte offset inside the lagoon
using ApicId       = Strong<struct ApicIdTag, std::uint32_t>;      // physical (x2)APIC ID: sparse
using CpuSlot      = Strong<struct CpuSlotTag, std::uint32_t>;     // dense index of a CPU in the lagoon
using PartitionId  = Strong<struct PartitionIdTag, std::uint32_t>; // 0 = host, 1..N partitions
using NodeId       = Strong<struct NodeIdTag, std::uint32_t>;      // NUMA node
using Virq         = Strong<struct VirqTag, std::uint32_t>;        // cross-kernel virtual interrupt
using StageId      = Strong<struct StageIdTag, std::uint32_t>;     // pipeline stage (domain)

inline constexpr std::uint64_t KiB = 1024;
inline constexpr std::uint64_t MiB = 1024 * KiB;
inline constexpr std::uint64_t GiB = 1024 * MiB;

// Half-open physical range [start, end), as seL4 documents regions.
struct PhysRange {
    PhysAddr start;
    PhysAddr end;

    [[nodiscard]] constexpr std::uint64_t size() const { return end - start; }
    [[nodiscard]] constexpr bool empty() const { return !(start < end); }
    [[nodiscard]] constexpr bool overlaps(const PhysRange& o) const {
        return start < o.end && o.start < end;
    }
    [[nodiscard]] constexpr bool contains(const PhysRange& o) const {
        return !(o.start < start) && !(end < o.end);
    }
    constexpr bool operator==(const PhysRange&) const = default;
};

}  // namespace atl
