// Pipeline construction, the local stage table, and the virq table wrappers.
#include <cstdint>

#include "atoll/abi/lagoon.h"
#include "atoll/nk/pipeline.hpp"
#include "atoll/nk/shared_word.hpp"
#include "atoll/nk/virq_table.hpp"

namespace atl::nk {

Result<Pipeline> Pipeline::create(const LagoonView& lagoon, CpuSlot self, IpiSender ipi) {
    if (ipi.fn == nullptr)
        return Error::invalid_argument;
    auto slot = lagoon.cpu_slot(self);
    if (!slot)
        return slot.error();
    atoll_cpu_slot* s = *slot;
    if ((shared(s->flags).load(std::memory_order_acquire) & ATOLL_CPU_SLOT_F_ASSIGNED) == 0)
        return Error::not_found;
    const std::uint32_t owner = shared(s->partition_id).load(std::memory_order_relaxed);
    if (owner >= lagoon.max_partitions())
        return Error::corrupt;

    Pipeline p;
    p.lagoon_ = lagoon;
    p.slot_ = s;
    p.self_ = self;
    p.partition_ = PartitionId{owner};
    p.ipi_ = ipi;
    return p;
}

Status Pipeline::register_stage(StageId stage, std::uint32_t priority, VirqHandler handler) {
    const std::uint32_t id = stage.value();
    if (id >= ATOLL_STAGE_COUNT || handler.fn == nullptr)
        return Error::invalid_argument;
    if (depth_ != 0 || stages_[id].registered)
        return Error::busy;

    stages_[id] = StageEntry{handler, priority, true};
    // Insertion into order_, kept sorted: priority descending, then id.
    std::uint32_t at = order_count_;
    while (at > 0) {
        const StageEntry& prev = stages_[order_[at - 1]];
        if (prev.priority > priority || (prev.priority == priority && order_[at - 1] < id))
            break;
        order_[at] = order_[at - 1];
        --at;
    }
    order_[at] = static_cast<std::uint8_t>(id);
    ++order_count_;
    return Error::ok;
}

Status Pipeline::unregister_stage(StageId stage) {
    const std::uint32_t id = stage.value();
    if (id >= ATOLL_STAGE_COUNT)
        return Error::invalid_argument;
    if (!stages_[id].registered)
        return Error::not_found;
    if (depth_ != 0)
        return Error::busy;
    // Its pending bits stay logged in the lagoon for a later registration.
    stages_[id] = StageEntry{};
    std::uint32_t out = 0;
    for (std::uint32_t i = 0; i < order_count_; ++i)
        if (order_[i] != id)
            order_[out++] = order_[i];
    order_count_ = out;
    return Error::ok;
}

Result<Virq> Pipeline::allocate(StageId stage, PartitionId owner) const {
    return virq_allocate(lagoon_, stage, owner);
}

Status Pipeline::release(Virq v) const {
    return virq_release(lagoon_, v);
}

}  // namespace atl::nk
