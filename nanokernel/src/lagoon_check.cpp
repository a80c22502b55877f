// Validation of a lagoon header and region table, as a whole, on a copy.
// Every arithmetic step on values read from the lagoon is overflow-safe:
// the header may have been written by a buggy or hostile kernel.
#include <cstdint>

#include "atoll/abi/lagoon.h"
#include "atoll/nk/lagoon.hpp"

namespace atl::nk {

namespace {

constexpr std::uint64_t align = ATOLL_LAGOON_ALIGN;

constexpr bool is_aligned(std::uint64_t v) { return (v & (align - 1)) == 0; }

// [offset, offset + size) lies inside [0, limit) without overflowing.
constexpr bool inside(std::uint64_t offset, std::uint64_t size, std::uint64_t limit) {
    return size <= limit && offset <= limit - size;
}

constexpr bool overlaps(const atoll_lagoon_region& a, const atoll_lagoon_region& b) {
    // Both already checked to lie inside the lagoon, so no overflow.
    return a.offset < b.offset + b.size && b.offset < a.offset + a.size;
}

bool is_zero(const atoll_lagoon_region& r) {
    return r.kind == 0 && r.owner == 0 && r.offset == 0 && r.size == 0;
}

Status check_region(const atoll_lagoon_region& r, const atoll_lagoon_header& h) {
    if (r.kind == ATOLL_REGION_NONE || r.kind >= ATOLL_REGION_KIND_COUNT)
        return Error::corrupt;
    if (r.owner != ATOLL_REGION_OWNER_SHARED && r.owner >= h.max_partitions)
        return Error::corrupt;
    if (!is_aligned(r.offset) || !is_aligned(r.size))
        return Error::misaligned;
    if (r.size == 0)
        return Error::bad_size;
    if (r.offset < h.header_size || !inside(r.offset, r.size, h.lagoon_size))
        return Error::out_of_range;
    return Error::ok;
}

// The size a region of this kind must have, given the header counts; the
// console region only has to divide evenly into aligned per-partition areas.
Status check_region_size(const atoll_lagoon_region& r, const atoll_lagoon_header& h) {
    // Counts are bounded (<= 64) before this runs: products cannot overflow.
    switch (r.kind) {
    case ATOLL_REGION_PARTITIONS:
        return r.size == std::uint64_t{h.max_partitions} * sizeof(atoll_partition_state)
                   ? Status{} : Status{Error::bad_size};
    case ATOLL_REGION_CPUS:
        return r.size == std::uint64_t{h.max_cpus} * sizeof(atoll_cpu_slot)
                   ? Status{} : Status{Error::bad_size};
    case ATOLL_REGION_VIRQS:
        return r.size == ATOLL_VIRQ_TABLE_SIZE ? Status{} : Status{Error::bad_size};
    case ATOLL_REGION_CONSOLE:
        if (r.size % h.max_partitions != 0 || !is_aligned(r.size / h.max_partitions))
            return Error::bad_size;
        return Error::ok;
    default:
        return Error::ok;   // VNET: any aligned, non-zero size
    }
}

}  // namespace

Status lagoon_check_header(const atoll_lagoon_header& h, std::uint64_t available,
                           LagoonLayout& out) {
    if (h.signature != ATOLL_LAGOON_SIGNATURE)
        return Error::bad_signature;
    if (h.revision != ATOLL_LAGOON_REVISION)
        return Error::bad_revision;
    if (h.header_size != sizeof(atoll_lagoon_header))
        return Error::bad_size;
    if (h.lagoon_size < h.header_size || h.lagoon_size > available)
        return Error::bad_size;
    if (h.max_partitions == 0 || h.max_partitions > ATOLL_MAX_PARTITIONS)
        return Error::corrupt;
    if (h.max_cpus == 0 || h.max_cpus > ATOLL_MAX_CPUS)
        return Error::corrupt;
    if (h.region_count > ATOLL_LAGOON_MAX_REGIONS)
        return Error::corrupt;
    if (h.reserved0 != 0 || h.reserved[0] != 0 || h.reserved[1] != 0)
        return Error::corrupt;

    LagoonLayout layout{};
    layout.size = h.lagoon_size;
    layout.max_partitions = h.max_partitions;
    layout.max_cpus = h.max_cpus;
    layout.generation = h.generation;

    for (std::uint32_t i = 0; i < ATOLL_LAGOON_MAX_REGIONS; ++i) {
        const atoll_lagoon_region& r = h.regions[i];
        if (i >= h.region_count) {
            if (!is_zero(r))
                return Error::corrupt;
            continue;
        }
        ATOLL_TRY(check_region(r, h));
        ATOLL_TRY(check_region_size(r, h));
        if (layout.regions[r.kind].size != 0)
            return Error::corrupt;   // each kind at most once
        for (std::uint32_t j = 0; j < i; ++j)
            if (overlaps(r, h.regions[j]))
                return Error::overlap;
        layout.regions[r.kind] = LagoonSpan{r.offset, r.size};
    }

    if (layout.regions[ATOLL_REGION_PARTITIONS].size == 0 ||
        layout.regions[ATOLL_REGION_CPUS].size == 0 || layout.regions[ATOLL_REGION_VIRQS].size == 0)
        return Error::not_found;
    layout.console_area = layout.regions[ATOLL_REGION_CONSOLE].size / h.max_partitions;

    out = layout;
    return Error::ok;
}

}  // namespace atl::nk
