// Synthetic machines and plans shared by the plan, planner and plan-file
// tests. Header only; included by test_plan*.cpp and test_planner.cpp.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "atoll/nk/plan.hpp"
#include "atoll/nk/plan_validate.hpp"
#include "atoll/nk/topology.hpp"

namespace atl::nk::testing {

inline PhysRange mem(std::uint64_t start, std::uint64_t size) { return range_at(start, size); }

inline void must(Status s) { ASSERT_TRUE(s.ok()) << error_name(s.error()); }

// The development box: QEMU q35, 4 vCPUs (APIC 0-3) in 2 nodes, 4 GiB;
// node 0: APIC 0-1, RAM below 2 GiB less holes; node 1: APIC 2-3,
// RAM [4 GiB, 6 GiB). Siblings unknown unless `cores` is set.
inline Topology q35(bool cores = false) {
    Topology t;
    t.boot_cpu = ApicId{0};
    must(t.add_node(NodeId{0}));
    must(t.add_node(NodeId{1}));
    for (std::uint32_t a = 0; a < 4; ++a)
        must(t.add_cpu(Cpu{ApicId{a}, NodeId{a / 2}, cores ? CoreId{a} : unknown_core}));
    must(t.add_ram(NodeId{0}, PhysRange{PhysAddr{0x1000}, PhysAddr{0x9fc00}}));
    must(t.add_ram(NodeId{0}, PhysRange{PhysAddr{0x100000}, PhysAddr{0x7ffe0000}}));
    must(t.add_ram(NodeId{1}, mem(0x100000000, 2 * GiB)));
    return t;
}

// `nodes` nodes of `cores` cores of `threads` threads; sparse APIC IDs
// (node * 64 + core * 4 + thread), so no code can confuse them with
// indexes. Node n has `ram_gib[n]` GiB at n * 64 GiB (node 0 from 1 MiB).
inline Topology synthetic(std::uint32_t nodes, std::uint32_t cores, std::uint32_t threads,
                          const std::uint64_t* ram_gib = nullptr, bool siblings_known = true) {
    Topology t;
    t.boot_cpu = ApicId{0};
    for (std::uint32_t n = 0; n < nodes; ++n) {
        must(t.add_node(NodeId{n}));
        for (std::uint32_t c = 0; c < cores; ++c)
            for (std::uint32_t h = 0; h < threads; ++h)
                must(t.add_cpu(Cpu{ApicId{n * 64 + c * 4 + h}, NodeId{n},
                                   siblings_known ? CoreId{n * 64 + c * 4} : unknown_core}));
        const std::uint64_t gib = ram_gib != nullptr ? ram_gib[n] : 8;
        const std::uint64_t base = n * 64 * GiB;
        if (n == 0)
            must(t.add_ram(NodeId{0}, PhysRange{PhysAddr{MiB}, PhysAddr{gib * GiB}}));
        else
            must(t.add_ram(NodeId{n}, mem(base, gib * GiB)));
    }
    return t;
}

// A valid plan for q35(): the pool is [1 GiB, 2 GiB - 2 MiB) on node 0 and
// all of node 1; partition 1: APIC 1 with 512M on node 0; partition 2:
// APIC 2-3 with 1.5G in two ranges on node 1.
inline Plan q35_plan() {
    Plan p;
    p.lagoon = mem(0x40000000, 4 * MiB);
    must(p.add_pool(PhysRange{PhysAddr{0x40000000}, PhysAddr{0x7fe00000}}));
    must(p.add_pool(mem(0x100000000, 2 * GiB)));
    auto p1 = p.add_partition(PartitionId{1}, NodeId{0});
    must(p1 ? Status{} : Status{p1.error()});
    must((*p1)->add_cpu(ApicId{1}));
    must((*p1)->add_memory(mem(0x40400000, 512 * MiB)));
    auto p2 = p.add_partition(PartitionId{2}, NodeId{1});
    must((*p2)->add_cpu(ApicId{2}));
    must((*p2)->add_cpu(ApicId{3}));
    must((*p2)->add_memory(mem(0x100000000, GiB)));
    must((*p2)->add_memory(mem(0x140000000, 512 * MiB)));
    return p;
}

inline Partition& part(Plan& p, std::size_t i) { return p.partitions[i]; }

// The refusals as one string, one per line, for failure messages.
inline std::string all(const Refusals& r) {
    std::string s;
    for (const auto& x : r.list())
        s += std::string(x.message) + "\n";
    return s;
}

}  // namespace atl::nk::testing
