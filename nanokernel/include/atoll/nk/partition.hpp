// One partition of the machine: an independent Linux kernel on its own
// CPUs (by APIC ID) and its own RAM, on one declared NUMA node. A
// Partition is only a description; validate_plan() decides if it is sound.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/core/result.hpp"
#include "atoll/core/strong.hpp"

namespace atl::nk {

inline constexpr std::uint32_t first_partition_id = 1;   // 0 is the host
inline constexpr std::uint32_t last_partition_id = 15;
inline constexpr std::size_t max_partition_cpus = 64;
inline constexpr std::size_t max_partition_ranges = 8;

struct Partition {
    PartitionId id;
    NodeId node;
    std::array<ApicId, max_partition_cpus> cpus{};
    std::uint32_t cpu_count = 0;
    std::array<PhysRange, max_partition_ranges> memory{};
    std::uint32_t range_count = 0;

    // Capacity checks only: no rule is checked here.
    [[nodiscard]] Status add_cpu(ApicId apic);
    [[nodiscard]] Status add_memory(PhysRange range);

    // Clamped to capacity, as in Topology.
    [[nodiscard]] std::span<const ApicId> cpu_list() const;
    [[nodiscard]] std::span<const PhysRange> memory_list() const;
    [[nodiscard]] std::uint64_t memory_bytes() const;
    [[nodiscard]] bool holds(ApicId apic) const;
};

}  // namespace atl::nk
