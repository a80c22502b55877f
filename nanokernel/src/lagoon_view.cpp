// Opening a lagoon found in memory, and bounds-checked access into it.
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "atoll/abi/lagoon.h"
#include "atoll/nk/lagoon.hpp"
#include "atoll/nk/shared_word.hpp"

namespace atl::nk {

Result<LagoonView> LagoonView::open(void* base, std::size_t size) {
    if (base == nullptr)
        return Error::invalid_argument;
    if ((reinterpret_cast<std::uintptr_t>(base) & (ATOLL_LAGOON_ALIGN - 1)) != 0)
        return Error::misaligned;
    if (size < sizeof(atoll_lagoon_header))
        return Error::bad_size;

    // Acquire pairs with lagoon_format()'s release store of the signature;
    // then validate a private copy so the checks and the use see one value.
    auto* hdr = static_cast<atoll_lagoon_header*>(base);
    atoll_lagoon_header copy;
    copy.signature = shared(hdr->signature).load(std::memory_order_acquire);
    if (copy.signature != ATOLL_LAGOON_SIGNATURE)
        return Error::bad_signature;
    constexpr std::size_t sig = sizeof copy.signature;
    __builtin_memcpy(reinterpret_cast<unsigned char*>(&copy) + sig,
                     static_cast<const unsigned char*>(base) + sig, sizeof copy - sig);

    LagoonLayout layout;
    ATOLL_TRY(lagoon_check_header(copy, size, layout));
    return LagoonView(static_cast<std::byte*>(base), layout);
}

Result<atoll_cpu_slot*> LagoonView::cpu_slot(CpuSlot slot) const {
    if (base_ == nullptr)
        return Error::not_found;
    if (slot.value() >= layout_.max_cpus)
        return Error::out_of_range;
    return reinterpret_cast<atoll_cpu_slot*>(region_base(ATOLL_REGION_CPUS)) + slot.value();
}

Result<atoll_partition_state*> LagoonView::partition_state(PartitionId id) const {
    if (base_ == nullptr)
        return Error::not_found;
    if (id.value() >= layout_.max_partitions)
        return Error::out_of_range;
    return reinterpret_cast<atoll_partition_state*>(region_base(ATOLL_REGION_PARTITIONS)) +
           id.value();
}

Result<std::uint32_t*> LagoonView::virq_entry(Virq v) const {
    if (base_ == nullptr)
        return Error::not_found;
    if (v.value() >= ATOLL_VIRQ_COUNT)
        return Error::out_of_range;
    return reinterpret_cast<std::uint32_t*>(region_base(ATOLL_REGION_VIRQS)) + v.value();
}

Result<std::span<std::byte>> LagoonView::console(PartitionId id) const {
    if (base_ == nullptr || layout_.regions[ATOLL_REGION_CONSOLE].size == 0)
        return Error::not_found;
    if (id.value() >= layout_.max_partitions)
        return Error::out_of_range;
    std::byte* area = region_base(ATOLL_REGION_CONSOLE) + id.value() * layout_.console_area;
    return std::span<std::byte>(area, layout_.console_area);
}

Result<std::span<std::byte>> LagoonView::vnet() const {
    if (base_ == nullptr || layout_.regions[ATOLL_REGION_VNET].size == 0)
        return Error::not_found;
    return std::span<std::byte>(region_base(ATOLL_REGION_VNET),
                                layout_.regions[ATOLL_REGION_VNET].size);
}

}  // namespace atl::nk
