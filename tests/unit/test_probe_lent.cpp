// atoll plan on a running Atoll host: lent CPUs and the reserved pool are
// added back from atoll.ko's view of the machine.
#include <gtest/gtest.h>

#include "atoll/ssi/probe.hpp"

using namespace atl;

namespace {

// The q35 box's host after lending APICs 1-3: CPU 0 and node 0's low RAM.
nk::Topology host_after_lending() {
    nk::Topology t{};
    t.boot_cpu = ApicId{0};
    EXPECT_TRUE(t.add_node(NodeId{0}));
    EXPECT_TRUE(t.add_cpu({ApicId{0}, NodeId{0}, nk::CoreId{0}}));
    EXPECT_TRUE(t.add_ram(NodeId{0}, {PhysAddr{0x100000}, PhysAddr{0x40200000}}));
    return t;
}

atoll_machine box_machine() {
    atoll_machine m{};
    m.size = sizeof(m);
    m.boot_apic_id = 0;
    m.cpu_count = 4;
    for (std::uint32_t i = 0; i < 4; i++)
        m.cpus[i] = {i, i / 2, i};
    m.pool_count = 2;
    m.pool[0] = {0x40200000, 0x7fe00000, 0, 0};
    m.pool[1] = {0x100000000, 0x180000000, 1, 0};
    return m;
}

}  // namespace

TEST(ProbeLent, AddsLentCpusAndPoolRam) {
    auto t = host_after_lending();
    ssi::add_lent_resources(t, box_machine());
    EXPECT_EQ(t.cpu_list().size(), 4u);
    ASSERT_NE(t.find_cpu(ApicId{3}), nullptr);
    EXPECT_EQ(t.find_cpu(ApicId{3})->node, NodeId{1});
    ASSERT_NE(t.find_node(NodeId{1}), nullptr);
    EXPECT_EQ(t.find_node(NodeId{1})->range_count, 1u);
    EXPECT_EQ(t.find_node(NodeId{0})->range_count, 2u);
}

TEST(ProbeLent, KeepsCpusTheHostStillHas) {
    auto t = host_after_lending();
    auto m = box_machine();
    m.pool_count = 0;
    ssi::add_lent_resources(t, m);
    ssi::add_lent_resources(t, m);   // idempotent for CPUs
    EXPECT_EQ(t.cpu_list().size(), 4u);
}
