// Boot hand-off: build (host) and parse (partition), one validator for both.
#include <cstddef>
#include <cstdint>

#include "atoll/abi/handoff.h"
#include "atoll/nk/handoff.hpp"

namespace atl::nk {

namespace {

constexpr std::uint32_t apic_broadcast = 0xffffffffu;
constexpr std::uint32_t nsec_per_sec = 1000000000u;

constexpr bool aligned(std::uint64_t v, std::uint64_t a) { return (v & (a - 1)) == 0; }

Status check_cpus(const atoll_handoff& h) {
    if (h.cpu_count == 0 || h.cpu_count > ATOLL_MAX_PARTITION_CPUS)
        return Error::invalid_argument;
    if (h.host_apic_id == apic_broadcast)
        return Error::invalid_argument;
    for (std::uint32_t i = 0; i < ATOLL_MAX_PARTITION_CPUS; ++i) {
        const std::uint32_t id = h.apic_ids[i];
        if (i >= h.cpu_count) {
            if (id != 0)
                return Error::corrupt;   // unused entries are zero
            continue;
        }
        if (id == apic_broadcast || id == h.host_apic_id)
            return Error::invalid_argument;
        for (std::uint32_t j = 0; j < i; ++j)
            if (h.apic_ids[j] == id)
                return Error::invalid_argument;   // one CPU listed twice
    }
    return Error::ok;
}

Status check_memory(const atoll_handoff& h) {
    if (h.mem_range_count == 0 || h.mem_range_count > ATOLL_MAX_MEM_RANGES)
        return Error::invalid_argument;
    for (std::uint32_t i = 0; i < ATOLL_MAX_MEM_RANGES; ++i) {
        const atoll_mem_range& r = h.mem_ranges[i];
        if (i >= h.mem_range_count) {
            if (r.start != 0 || r.end != 0)
                return Error::corrupt;
            continue;
        }
        if (!aligned(r.start, ATOLL_HANDOFF_RANGE_ALIGN) || !aligned(r.end, ATOLL_HANDOFF_RANGE_ALIGN))
            return Error::misaligned;
        if (r.start >= r.end)
            return Error::invalid_argument;   // empty or reversed
        if (i > 0 && h.mem_ranges[i - 1].end > r.start)
            return h.mem_ranges[i - 1].start < r.end ? Error::overlap : Error::invalid_argument;
    }
    return Error::ok;
}

Status check_lagoon(const atoll_handoff& h) {
    if (h.lagoon_size == 0)
        return Error::invalid_argument;
    if (!aligned(h.lagoon_phys, ATOLL_HANDOFF_LAGOON_ALIGN) ||
        !aligned(h.lagoon_size, ATOLL_HANDOFF_LAGOON_ALIGN))
        return Error::misaligned;
    if (h.lagoon_phys > ~std::uint64_t{0} - h.lagoon_size)
        return Error::out_of_range;
    const std::uint64_t end = h.lagoon_phys + h.lagoon_size;
    for (std::uint32_t i = 0; i < h.mem_range_count; ++i)
        if (h.lagoon_phys < h.mem_ranges[i].end && h.mem_ranges[i].start < end)
            return Error::overlap;   // the lagoon is not the partition's RAM
    return Error::ok;
}

// Secondary CPUs start through the host's AP start page, one slot per
// 8-bit APIC ID; a one-CPU partition needs neither.
Status check_ap_start(const atoll_handoff& h) {
    if (h.ap_start_phys == 0)
        return h.cpu_count == 1 ? Error::ok : Error::invalid_argument;
    if (!aligned(h.ap_start_phys, ATOLL_HANDOFF_LAGOON_ALIGN))
        return Error::misaligned;
    if (h.ap_start_phys > ATOLL_AP_AREA_LIMIT - ATOLL_AP_AREA_SIZE)
        return Error::out_of_range;
    for (std::uint32_t i = 1; i < h.cpu_count; ++i)
        if (h.apic_ids[i] >= ATOLL_AP_SLOT_COUNT)
            return Error::out_of_range;
    return Error::ok;
}

}  // namespace

// The rules, in order: signature, revision, size; partition id is a guest;
// CPUs 1..64, unique, never the host's or broadcast, unused entries zero;
// RAM ranges 1..8, 2 MiB aligned, non-empty, sorted and disjoint, unused
// zero; lagoon non-empty, page aligned, no wrap, outside the RAM ranges;
// non-zero clock frequencies, nsec < 1e9; only known flags; the AP start
// page present for 2+ CPUs, page aligned, whole below 1 MiB, every secondary
// APIC ID < 256; reserved zero.
Status handoff_validate(const atoll_handoff& h) {
    if (h.signature != ATOLL_HANDOFF_SIGNATURE)
        return Error::bad_signature;
    if (h.revision != ATOLL_HANDOFF_REVISION)
        return Error::bad_revision;
    if (h.size != sizeof(atoll_handoff))
        return Error::bad_size;
    if (h.partition_id == ATOLL_HOST_PARTITION || h.partition_id >= ATOLL_MAX_PARTITIONS)
        return Error::invalid_argument;
    ATOLL_TRY(check_cpus(h));
    ATOLL_TRY(check_memory(h));
    ATOLL_TRY(check_lagoon(h));
    if (h.tsc_khz == 0 || h.lapic_timer_hz == 0 || h.wallclock_nsec >= nsec_per_sec)
        return Error::invalid_argument;
    if ((h.flags & ~ATOLL_HANDOFF_F_KNOWN) != 0)
        return Error::invalid_argument;
    ATOLL_TRY(check_ap_start(h));
    if (h.reserved0 != 0)
        return Error::corrupt;
    for (const atoll_u64 r : h.reserved)
        if (r != 0)
            return Error::corrupt;
    return Error::ok;
}

Result<atoll_handoff> handoff_build(const HandoffSpec& spec) {
    // Bound the spans before copying: the record has fixed capacity.
    if (spec.cpus.empty() || spec.cpus.size() > ATOLL_MAX_PARTITION_CPUS)
        return Error::invalid_argument;
    if (spec.memory.empty() || spec.memory.size() > ATOLL_MAX_MEM_RANGES)
        return Error::invalid_argument;

    atoll_handoff h{};
    h.signature = ATOLL_HANDOFF_SIGNATURE;
    h.revision = ATOLL_HANDOFF_REVISION;
    h.size = sizeof(atoll_handoff);
    h.partition_id = spec.partition.value();
    h.cpu_count = static_cast<std::uint32_t>(spec.cpus.size());
    for (std::size_t i = 0; i < spec.cpus.size(); ++i)
        h.apic_ids[i] = spec.cpus[i].value();
    h.host_apic_id = spec.host_apic.value();
    h.numa_node = spec.numa_node.value();
    h.mem_range_count = static_cast<std::uint32_t>(spec.memory.size());
    for (std::size_t i = 0; i < spec.memory.size(); ++i)
        h.mem_ranges[i] = atoll_mem_range{spec.memory[i].start.value(), spec.memory[i].end.value()};
    if (spec.lagoon.empty())
        return Error::invalid_argument;
    h.lagoon_phys = spec.lagoon.start.value();
    h.lagoon_size = spec.lagoon.size();
    h.tsc_khz = spec.tsc_khz;
    h.lapic_timer_hz = spec.lapic_timer_hz;
    h.wallclock_sec = spec.wallclock_sec;
    h.wallclock_nsec = spec.wallclock_nsec;
    h.tsc_at_wallclock = spec.tsc_at_wallclock;
    h.flags = spec.flags;
    h.ap_start_phys = spec.ap_start.value();

    ATOLL_TRY(handoff_validate(h));
    return h;
}

Result<atoll_handoff> handoff_parse(const void* data, std::size_t len) {
    if (data == nullptr)
        return Error::invalid_argument;
    // Too short even for signature, revision and size.
    if (len < offsetof(atoll_handoff, partition_id))
        return Error::bad_size;
    // Never read more than the record's own size, nor past len.
    if (len < sizeof(atoll_handoff)) {
        atoll_handoff head{};
        __builtin_memcpy(&head, data, offsetof(atoll_handoff, partition_id));
        if (head.signature != ATOLL_HANDOFF_SIGNATURE)
            return Error::bad_signature;
        if (head.revision != ATOLL_HANDOFF_REVISION)
            return Error::bad_revision;
        return Error::bad_size;
    }
    atoll_handoff h;
    __builtin_memcpy(&h, data, sizeof h);
    ATOLL_TRY(handoff_validate(h));
    return h;
}

}  // namespace atl::nk
