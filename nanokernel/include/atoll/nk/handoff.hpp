// The boot hand-off record (abi/handoff.h): built by the host from typed
// values, parsed and validated by the partition from the raw bytes of its
// setup_data. Both sides run the same validator, so the host cannot build a
// record the partition would refuse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/abi/handoff.h"
#include "atoll/core/result.hpp"
#include "atoll/core/strong.hpp"

namespace atl::nk {

struct HandoffSpec {
    PartitionId partition{};              // 1..ATOLL_MAX_PARTITIONS-1
    std::span<const ApicId> cpus{};       // 1..ATOLL_MAX_PARTITION_CPUS, [0] is the boot CPU
    ApicId host_apic{};
    NodeId numa_node{};
    std::span<const PhysRange> memory{};  // 1..ATOLL_MAX_MEM_RANGES, sorted, 2 MiB aligned
    PhysRange lagoon{};                   // page aligned, non-empty, outside `memory`
    std::uint32_t tsc_khz = 0;
    std::uint32_t lapic_timer_hz = 0;
    std::uint64_t wallclock_sec = 0;
    std::uint32_t wallclock_nsec = 0;
    std::uint64_t tsc_at_wallclock = 0;
    std::uint32_t flags = 0;              // ATOLL_HANDOFF_F_*
    PhysAddr ap_start{};                  // AP start page (abi/apstart.h); 0 only for 1 CPU
};

[[nodiscard]] Result<atoll_handoff> handoff_build(const HandoffSpec& spec);

// Copy a record out of setup_data (data, len as the setup_data header
// gives them), then validate the copy: the caller never sees bytes that
// could change after the check.
[[nodiscard]] Result<atoll_handoff> handoff_parse(const void* data, std::size_t len);

// Every rule a record must satisfy (see handoff.cpp for the list).
[[nodiscard]] Status handoff_validate(const atoll_handoff& h);

}  // namespace atl::nk
