// The CPU slot table: APIC ID -> slot lookup and host-side assignment.
// APIC IDs are sparse physical numbers; slots are dense lagoon indices.
// The only way from one to the other is this scan.
#include <atomic>
#include <cstdint>

#include "atoll/abi/lagoon.h"
#include "atoll/nk/lagoon.hpp"
#include "atoll/nk/shared_word.hpp"

namespace atl::nk {

Result<CpuSlot> LagoonView::find_cpu(ApicId apic) const {
    for (std::uint32_t i = 0; i < layout_.max_cpus; ++i) {
        auto slot = cpu_slot(CpuSlot{i});
        if (!slot)
            return slot.error();
        atoll_cpu_slot* s = *slot;
        if ((shared(s->flags).load(std::memory_order_acquire) & ATOLL_CPU_SLOT_F_ASSIGNED) == 0)
            continue;
        if (shared(s->apic_id).load(std::memory_order_relaxed) == apic.value())
            return CpuSlot{i};
    }
    return Error::not_found;
}

Status LagoonView::assign_cpu(CpuSlot slot, ApicId apic, PartitionId owner) const {
    auto target = cpu_slot(slot);
    if (!target)
        return target.error();
    if (owner.value() >= layout_.max_partitions)
        return Error::out_of_range;
    auto existing = find_cpu(apic);
    if (existing && existing.value() != slot)
        return Error::busy;

    atoll_cpu_slot* s = *target;
    shared(s->flags).store(0, std::memory_order_relaxed);
    // A new owner starts with nothing pending and nothing stalled: a bit
    // its crashed predecessor never took would make every poster of that
    // virq believe an IPI is already on its way, and send none, forever.
    shared(s->stall).store(0, std::memory_order_relaxed);
    for (atoll_stage_log& log : s->logs) {
        shared(log.summary).store(0, std::memory_order_relaxed);
        for (atoll_u64& w : log.words)
            shared(w).store(0, std::memory_order_relaxed);
    }
    shared(s->apic_id).store(apic.value(), std::memory_order_relaxed);
    shared(s->partition_id).store(owner.value(), std::memory_order_relaxed);
    shared(s->flags).store(ATOLL_CPU_SLOT_F_ASSIGNED, std::memory_order_release);
    return Error::ok;
}

}  // namespace atl::nk
