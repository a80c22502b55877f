// Partition containers; the rules live in plan_validate.cpp.
#include "atoll/nk/partition.hpp"

namespace atl::nk {

Status Partition::add_cpu(ApicId apic) {
    if (cpu_count >= max_partition_cpus)
        return Error::exhausted;
    cpus[cpu_count++] = apic;
    return Error::ok;
}

Status Partition::add_memory(PhysRange range) {
    if (range_count >= max_partition_ranges)
        return Error::exhausted;
    memory[range_count++] = range;
    return Error::ok;
}

std::span<const ApicId> Partition::cpu_list() const {
    return {cpus.data(), cpu_count < max_partition_cpus ? cpu_count : max_partition_cpus};
}

std::span<const PhysRange> Partition::memory_list() const {
    return {memory.data(), range_count < max_partition_ranges ? range_count : max_partition_ranges};
}

std::uint64_t Partition::memory_bytes() const {
    std::uint64_t sum = 0;
    for (const auto& r : memory_list())
        if (!r.empty())
            sum += r.size();
    return sum;
}

bool Partition::holds(ApicId apic) const {
    for (const auto a : cpu_list())
        if (a == apic)
            return true;
    return false;
}

}  // namespace atl::nk
