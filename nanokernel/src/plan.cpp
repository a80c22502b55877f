// Plan containers; the rules live in plan_validate.cpp.
#include "atoll/nk/plan.hpp"

namespace atl::nk {

Status Plan::add_pool(PhysRange range) {
    if (pool_count >= max_pool_ranges)
        return Error::exhausted;
    pool[pool_count++] = range;
    return Error::ok;
}

Result<Partition*> Plan::add_partition(PartitionId id, NodeId node) {
    if (partition_count >= max_partitions)
        return Error::exhausted;
    Partition& p = partitions[partition_count++];
    p = Partition{};
    p.id = id;
    p.node = node;
    return &p;
}

std::span<const PhysRange> Plan::pool_list() const {
    return {pool.data(), pool_count < max_pool_ranges ? pool_count : max_pool_ranges};
}

std::span<const Partition> Plan::partition_list() const {
    return {partitions.data(), partition_count < max_partitions ? partition_count : max_partitions};
}

const Partition* Plan::find(PartitionId id) const {
    for (const auto& p : partition_list())
        if (p.id == id)
            return &p;
    return nullptr;
}

std::uint64_t Plan::pool_bytes() const {
    std::uint64_t sum = 0;
    for (const auto& r : pool_list())
        if (!r.empty())
            sum += r.size();
    return sum;
}

}  // namespace atl::nk
