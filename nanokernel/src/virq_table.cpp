// Virq table allocation by compare-and-swap: no lock shared between kernels
// (a kernel that dies holding a lock would wedge every other one).
#include <atomic>
#include <cstdint>

#include "atoll/abi/lagoon.h"
#include "atoll/nk/shared_word.hpp"
#include "atoll/nk/virq_table.hpp"

namespace atl::nk {

namespace {

constexpr std::uint32_t encode(StageId stage, PartitionId owner) {
    return ATOLL_VIRQ_ALLOCATED | (owner.value() << ATOLL_VIRQ_OWNER_SHIFT) | stage.value();
}

}  // namespace

Result<VirqInfo> virq_decode(std::uint32_t raw, std::uint32_t max_partitions) {
    if (raw == 0)
        return Error::not_found;
    if ((raw & ATOLL_VIRQ_ALLOCATED) == 0 || (raw & ATOLL_VIRQ_RESERVED_MASK) != 0)
        return Error::corrupt;
    const std::uint32_t stage = raw & ATOLL_VIRQ_STAGE_MASK;
    const std::uint32_t owner = (raw & ATOLL_VIRQ_OWNER_MASK) >> ATOLL_VIRQ_OWNER_SHIFT;
    if (stage >= ATOLL_STAGE_COUNT || owner >= max_partitions)
        return Error::corrupt;
    return VirqInfo{StageId{stage}, PartitionId{owner}};
}

Result<VirqInfo> virq_lookup(const LagoonView& lagoon, Virq v) {
    auto entry = lagoon.virq_entry(v);
    if (!entry)
        return entry.error();
    return virq_decode(shared(**entry).load(std::memory_order_acquire), lagoon.max_partitions());
}

Result<Virq> virq_allocate(const LagoonView& lagoon, StageId stage, PartitionId owner) {
    if (stage.value() >= ATOLL_STAGE_COUNT || owner.value() >= lagoon.max_partitions())
        return Error::invalid_argument;
    const std::uint32_t value = encode(stage, owner);
    for (std::uint32_t i = 0; i < ATOLL_VIRQ_COUNT; ++i) {
        auto entry = lagoon.virq_entry(Virq{i});
        if (!entry)
            return entry.error();
        // Cheap load first: most entries are taken, a failed CAS is not free.
        std::uint32_t expected = shared(**entry).load(std::memory_order_relaxed);
        if (expected != 0)
            continue;
        // Only an exactly-free (0) entry is claimed; a corrupt one is left
        // alone rather than silently reused.
        if (shared(**entry).compare_exchange_strong(expected, value, std::memory_order_acq_rel,
                                                    std::memory_order_relaxed))
            return Virq{i};
    }
    return Error::exhausted;
}

Status virq_release(const LagoonView& lagoon, Virq v) {
    auto entry = lagoon.virq_entry(v);
    if (!entry)
        return entry.error();
    std::uint32_t current = shared(**entry).load(std::memory_order_acquire);
    auto info = virq_decode(current, lagoon.max_partitions());
    if (!info)
        return info.error();
    if (!shared(**entry).compare_exchange_strong(current, 0, std::memory_order_acq_rel,
                                                 std::memory_order_relaxed))
        return Error::busy;   // changed under us: someone else released or re-used it
    return Error::ok;
}

}  // namespace atl::nk
