// What the machine has: CPUs by APIC ID, their NUMA node and SMT core, and
// each node's RAM. Built by the host's probe (ssi/lib/probe) or by tests;
// read by the validator and the planner. Fixed capacity, no heap.
//
// Invariants kept by the add_* functions (a Topology filled field by field
// must keep them too; the validator clamps counts to capacity):
//   - APIC IDs are unique; every CPU's node exists;
//   - node ids are unique; each node's RAM ranges are non-empty, disjoint
//     and sorted by address.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/core/result.hpp"
#include "atoll/core/strong.hpp"

namespace atl::nk {

// A physical core, as a machine-wide number: CPUs with the same CoreId are
// SMT siblings. unknown_core means the siblings of that CPU are not known,
// so whole-core rules cannot be checked for it.
using CoreId = Strong<struct CoreIdTag, std::uint32_t>;
inline constexpr CoreId unknown_core{0xffffffffu};

inline constexpr std::size_t max_cpus = 256;
inline constexpr std::size_t max_nodes = 8;
inline constexpr std::size_t max_node_ranges = 16;

struct Cpu {
    ApicId apic;
    NodeId node;
    CoreId core = unknown_core;
};

struct NumaNode {
    NodeId id;
    std::array<PhysRange, max_node_ranges> ranges{};
    std::uint32_t range_count = 0;

    [[nodiscard]] std::span<const PhysRange> ram() const;
    [[nodiscard]] std::uint64_t ram_bytes() const;
};

struct Topology {
    ApicId boot_cpu;   // the CPU the host booted on: never given away
    std::array<Cpu, max_cpus> cpus{};
    std::uint32_t cpu_count = 0;
    std::array<NumaNode, max_nodes> nodes{};
    std::uint32_t node_count = 0;

    [[nodiscard]] Status add_node(NodeId id);
    [[nodiscard]] Status add_cpu(const Cpu& cpu);
    [[nodiscard]] Status add_ram(NodeId node, PhysRange range);

    // Views clamp the counts to the capacities, so a corrupt count cannot
    // make a reader walk off the arrays.
    [[nodiscard]] std::span<const Cpu> cpu_list() const;
    [[nodiscard]] std::span<const NumaNode> node_list() const;
    [[nodiscard]] const Cpu* find_cpu(ApicId apic) const;
    [[nodiscard]] const NumaNode* find_node(NodeId id) const;
    [[nodiscard]] bool siblings(const Cpu& a, const Cpu& b) const {
        return a.core != unknown_core && a.core == b.core && a.apic != b.apic;
    }
};

// True when [r.start, r.end) is covered by the union of `ranges` (which
// may be unsorted and may touch). Empty r is covered.
[[nodiscard]] bool covered_by(const PhysRange& r, std::span<const PhysRange> ranges);
// The same against all of the machine's RAM (every node's ranges).
[[nodiscard]] bool covered_by_ram(const PhysRange& r, const Topology& topo);

[[nodiscard]] constexpr PhysRange range_at(std::uint64_t start, std::uint64_t size) {
    return PhysRange{PhysAddr{start}, PhysAddr{start + size}};
}

}  // namespace atl::nk
