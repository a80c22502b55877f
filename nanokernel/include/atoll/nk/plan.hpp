// A partition plan: the lagoon, the memory pool and the partitions.
//
// The pool is the RAM the host gives up at boot (reserved on its kernel
// command line); everything outside the pool stays the host's. Partition
// memory comes from the pool; the lagoon sits in the pool too, outside
// every partition. A Plan is a proposal: only a ValidatedPlan
// (plan_validate.hpp) may be applied.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/core/result.hpp"
#include "atoll/core/strong.hpp"
#include "atoll/nk/partition.hpp"

namespace atl::nk {

inline constexpr std::uint64_t plan_alignment = 2 * MiB;           // large-page boundary
inline constexpr std::uint64_t min_partition_memory = 128 * MiB;   // a kernel plus an initramfs
inline constexpr std::size_t max_partitions = last_partition_id;   // ids 1..15
inline constexpr std::size_t max_pool_ranges = 16;

struct Plan {
    PhysRange lagoon{};
    std::array<PhysRange, max_pool_ranges> pool{};
    std::uint32_t pool_count = 0;
    std::array<Partition, max_partitions> partitions{};
    std::uint32_t partition_count = 0;

    [[nodiscard]] Status add_pool(PhysRange range);
    // A new empty partition, or Error::exhausted.
    [[nodiscard]] Result<Partition*> add_partition(PartitionId id, NodeId node);

    [[nodiscard]] std::span<const PhysRange> pool_list() const;
    [[nodiscard]] std::span<const Partition> partition_list() const;
    [[nodiscard]] const Partition* find(PartitionId id) const;
    [[nodiscard]] std::uint64_t pool_bytes() const;
};

}  // namespace atl::nk
