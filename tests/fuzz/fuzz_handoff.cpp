// libFuzzer: arbitrary bytes as a setup_data hand-off record. The parser
// must refuse or accept without reading past `size`; an accepted record
// must survive a round trip through handoff_build() unchanged (the host
// and the partition agree on what a valid record is).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "atoll/nk/handoff.hpp"

using namespace atl;
using namespace atl::nk;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Exact-size heap copy so ASan sees any over-read.
    auto* copy = static_cast<std::uint8_t*>(std::malloc(size == 0 ? 1 : size));
    if (copy == nullptr)
        return 0;
    if (size != 0)
        std::memcpy(copy, data, size);
    // Help the fuzzer past the fixed header half of the time.
    if (size >= 16 && (data[size - 1] & 1) != 0) {
        const std::uint64_t sig = ATOLL_HANDOFF_SIGNATURE;
        const std::uint32_t rev = ATOLL_HANDOFF_REVISION;
        const std::uint32_t len = sizeof(atoll_handoff);
        std::memcpy(copy, &sig, 8);
        std::memcpy(copy + 8, &rev, 4);
        std::memcpy(copy + 12, &len, 4);
    }
    auto parsed = handoff_parse(copy, size);
    std::free(copy);
    if (!parsed.ok())
        return 0;

    const atoll_handoff& h = *parsed;
    if (!handoff_validate(h).ok())
        std::abort();
    ApicId cpus[ATOLL_MAX_PARTITION_CPUS];
    PhysRange mem[ATOLL_MAX_MEM_RANGES];
    for (std::uint32_t i = 0; i < h.cpu_count; ++i)
        cpus[i] = ApicId{h.apic_ids[i]};
    for (std::uint32_t i = 0; i < h.mem_range_count; ++i)
        mem[i] = PhysRange{PhysAddr{h.mem_ranges[i].start}, PhysAddr{h.mem_ranges[i].end}};
    HandoffSpec spec;
    spec.partition = PartitionId{h.partition_id};
    spec.cpus = std::span<const ApicId>(cpus, h.cpu_count);
    spec.host_apic = ApicId{h.host_apic_id};
    spec.numa_node = NodeId{h.numa_node};
    spec.memory = std::span<const PhysRange>(mem, h.mem_range_count);
    spec.lagoon = PhysRange{PhysAddr{h.lagoon_phys}, PhysAddr{h.lagoon_phys + h.lagoon_size}};
    spec.tsc_khz = h.tsc_khz;
    spec.lapic_timer_hz = h.lapic_timer_hz;
    spec.wallclock_sec = h.wallclock_sec;
    spec.wallclock_nsec = h.wallclock_nsec;
    spec.tsc_at_wallclock = h.tsc_at_wallclock;
    spec.flags = h.flags;
    spec.ap_start = PhysAddr{h.ap_start_phys};
    auto rebuilt = handoff_build(spec);
    if (!rebuilt.ok() || std::memcmp(&*rebuilt, &h, sizeof h) != 0)
        std::abort();
    return 0;
}
