// The lagoon: formatting it (host side) and opening it (every kernel).
//
// lagoon_format() lays out a header and region table in a caller-given
// buffer; LagoonView::open() validates a header and region table found in
// memory and caches the validated layout. Accessors index only through that
// cached copy, so a later scribble on the header cannot move a reader
// outside the lagoon.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/abi/lagoon.h"
#include "atoll/core/result.hpp"
#include "atoll/core/strong.hpp"

namespace atl::nk {

// What the host asks for. Sizes are bytes, multiples of ATOLL_LAGOON_ALIGN;
// a zero size leaves that optional region out.
struct LagoonSpec {
    std::uint32_t max_partitions = ATOLL_MAX_PARTITIONS;
    std::uint32_t max_cpus = ATOLL_MAX_CPUS;
    std::uint64_t console_size = 0;   // per partition id
    std::uint64_t vnet_size = 0;      // one shared area
    std::uint64_t generation = 1;
};

// One region after validation: [offset, offset + size) inside the lagoon.
// size == 0 means the region is absent.
struct LagoonSpan {
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
};

// The validated digest of a header: everything an accessor needs.
struct LagoonLayout {
    std::uint64_t size = 0;
    std::uint32_t max_partitions = 0;
    std::uint32_t max_cpus = 0;
    std::uint64_t generation = 0;
    LagoonSpan regions[ATOLL_REGION_KIND_COUNT] = {};   // indexed by ATOLL_REGION_*
    std::uint64_t console_area = 0;                     // bytes per partition
};

// Bytes a lagoon laid out for `spec` needs (header + regions).
[[nodiscard]] Result<std::uint64_t> lagoon_required_size(const LagoonSpec& spec);

// Lay out and zero a lagoon in [base, base + size). base must be
// ATOLL_LAGOON_ALIGN-aligned. Refuses (writing nothing) if the spec is
// invalid or the buffer too small. The signature is stored last, with
// release ordering: a reader that sees it sees the whole header.
[[nodiscard]] Status lagoon_format(void* base, std::size_t size, const LagoonSpec& spec);

// Validate a header copy against `available` bytes of lagoon; on success
// fill `out`. No side effects on failure. Shared by open() and format().
[[nodiscard]] Status lagoon_check_header(const atoll_lagoon_header& h, std::uint64_t available,
                                         LagoonLayout& out);

class LagoonView {
public:
    LagoonView() = default;   // empty: every accessor fails

    [[nodiscard]] static Result<LagoonView> open(void* base, std::size_t size);

    [[nodiscard]] const LagoonLayout& layout() const { return layout_; }
    [[nodiscard]] std::uint32_t max_partitions() const { return layout_.max_partitions; }
    [[nodiscard]] std::uint32_t max_cpus() const { return layout_.max_cpus; }
    [[nodiscard]] bool valid() const { return base_ != nullptr; }

    [[nodiscard]] Result<atoll_cpu_slot*> cpu_slot(CpuSlot slot) const;
    [[nodiscard]] Result<atoll_partition_state*> partition_state(PartitionId id) const;
    [[nodiscard]] Result<std::uint32_t*> virq_entry(Virq v) const;
    [[nodiscard]] Result<std::span<std::byte>> console(PartitionId id) const;
    [[nodiscard]] Result<std::span<std::byte>> vnet() const;

    // The slot holding an assigned CPU with this APIC ID, by linear scan
    // (APIC IDs are sparse: never an index).
    [[nodiscard]] Result<CpuSlot> find_cpu(ApicId apic) const;

    // Host side: give slot `slot` to CPU `apic` of partition `owner`.
    // Refuses an APIC ID already assigned to another slot. ASSIGNED is
    // stored last (release), after the identity fields.
    [[nodiscard]] Status assign_cpu(CpuSlot slot, ApicId apic, PartitionId owner) const;

private:
    LagoonView(std::byte* base, const LagoonLayout& layout) : base_(base), layout_(layout) {}

    [[nodiscard]] std::byte* region_base(std::uint32_t kind) const {
        return base_ + layout_.regions[kind].offset;
    }

    std::byte* base_ = nullptr;
    LagoonLayout layout_{};
};

}  // namespace atl::nk
