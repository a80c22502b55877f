// The planner on synthetic machines. Every plan it makes must validate;
// every refusal must say why.
#include <gtest/gtest.h>

#include <string>

#include "atoll/nk/planner.hpp"
#include "plan_fixtures.hpp"

namespace atl::nk {
namespace {

using namespace atl::nk::testing;

struct Outcome {
    Status status;
    std::string why;
};

Outcome plan_for(const Topology& topo, const PlanRequest& rq, Plan& plan) {
    FixedText<512> why;
    const Status s = make_plan(topo, rq, plan, why);
    if (s.ok()) {
        Refusals refusals;
        EXPECT_TRUE(check_plan(topo, plan, refusals)) << all(refusals);
    }
    return {s, why.c_str()};
}

PlanRequest partitions(std::uint32_t n) {
    PlanRequest rq;
    rq.partitions = n;
    return rq;
}

bool on_node(const Topology& topo, const Partition& p) {
    for (const auto a : p.cpu_list())
        if (topo.find_cpu(a)->node != p.node)
            return false;
    return covered_by(p.memory_list()[0], topo.find_node(p.node)->ram());
}

TEST(Planner, TwoCpuMachineTakesOnePartition) {
    // Like the development VM: 2 CPUs, 1 node, no SMT information.
    Topology topo;
    topo.boot_cpu = ApicId{0};
    must(topo.add_node(NodeId{0}));
    must(topo.add_cpu(Cpu{ApicId{0}, NodeId{0}}));
    must(topo.add_cpu(Cpu{ApicId{1}, NodeId{0}}));
    must(topo.add_ram(NodeId{0}, PhysRange{PhysAddr{0x1000}, PhysAddr{0x9fc00}}));
    must(topo.add_ram(NodeId{0}, PhysRange{PhysAddr{MiB}, PhysAddr{3 * GiB}}));
    Plan plan;
    const auto one = plan_for(topo, partitions(1), plan);
    ASSERT_TRUE(one.status.ok()) << one.why;
    ASSERT_EQ(plan.partition_count, 1u);
    EXPECT_EQ(plan.partitions[0].cpu_count, 1u);
    EXPECT_EQ(plan.partitions[0].cpus[0], ApicId{1});

    const auto three = plan_for(topo, partitions(3), plan);
    EXPECT_EQ(three.status.error(), Error::exhausted);
    EXPECT_EQ(three.why, "3 partitions need 3 free cores, the machine has 1 besides the host's");
}

TEST(Planner, Q35TwoNodes) {
    const Topology topo = q35();
    Plan plan;
    const auto r = plan_for(topo, partitions(2), plan);
    ASSERT_TRUE(r.status.ok()) << r.why;
    // The host keeps 1G from the bottom of node 0: the cut lands at
    // 0x40061400 (the first range is 0x9ec00 bytes), rounded up to 2M.
    EXPECT_EQ(plan.lagoon, mem(0x40200000, 4 * MiB));
    ASSERT_EQ(plan.partition_count, 2u);
    const Partition& p1 = plan.partitions[0];
    const Partition& p2 = plan.partitions[1];
    EXPECT_EQ(p1.id, PartitionId{1});
    EXPECT_EQ(p1.node, NodeId{0});
    ASSERT_EQ(p1.cpu_count, 1u);
    EXPECT_EQ(p1.cpus[0], ApicId{1});
    ASSERT_EQ(p1.range_count, 1u);
    EXPECT_EQ(p1.memory[0], (PhysRange{PhysAddr{0x40600000}, PhysAddr{0x7fe00000}}));
    EXPECT_EQ(p2.node, NodeId{1});
    ASSERT_EQ(p2.cpu_count, 2u);
    EXPECT_EQ(p2.cpus[1], ApicId{3});
    EXPECT_EQ(p2.memory[0], mem(0x100000000, 2 * GiB));
    // Pool: lagoon and partition 1 merged, then node 1.
    ASSERT_EQ(plan.pool_count, 2u);
    EXPECT_EQ(plan.pool[0], (PhysRange{PhysAddr{0x40200000}, PhysAddr{0x7fe00000}}));
    EXPECT_EQ(plan.pool[1], mem(0x100000000, 2 * GiB));
}

TEST(Planner, Q35OnePartitionGoesWhereMostCoresAre) {
    const Topology topo = q35();
    Plan plan;
    ASSERT_TRUE(plan_for(topo, partitions(1), plan).status.ok());
    ASSERT_EQ(plan.partition_count, 1u);
    EXPECT_EQ(plan.partitions[0].node, NodeId{1});
    EXPECT_EQ(plan.partitions[0].cpu_count, 2u);
    // The lagoon is still on the host's node, alone in its pool range.
    EXPECT_EQ(plan.lagoon, mem(0x40200000, 4 * MiB));
    EXPECT_EQ(plan.pool[0], plan.lagoon);
}

TEST(Planner, Q35ThreePartitionsSplitNodeOne) {
    const Topology topo = q35();
    Plan plan;
    const auto r = plan_for(topo, partitions(3), plan);
    ASSERT_TRUE(r.status.ok()) << r.why;
    EXPECT_EQ(plan.partitions[1].node, NodeId{1});
    EXPECT_EQ(plan.partitions[1].memory[0], mem(0x100000000, GiB));
    EXPECT_EQ(plan.partitions[2].memory[0], mem(0x140000000, GiB));
    EXPECT_EQ(plan_for(topo, partitions(4), plan).why,
              "4 partitions need 4 free cores, the machine has 3 besides the host's");
}

TEST(Planner, SmtKeepsCoresWhole) {
    const Topology topo = synthetic(1, 4, 2);   // APIC 0,1 | 4,5 | 8,9 | 12,13
    Plan plan;
    const auto r = plan_for(topo, partitions(3), plan);
    ASSERT_TRUE(r.status.ok()) << r.why;
    for (const auto& p : plan.partition_list()) {
        ASSERT_EQ(p.cpu_count, 2u);
        EXPECT_EQ(p.cpus[1].value(), p.cpus[0].value() + 1);   // both threads of one core
        EXPECT_NE(p.cpus[0], ApicId{0});
        EXPECT_NE(p.cpus[0], ApicId{1});   // the host's core, sibling included
    }
    EXPECT_EQ(plan_for(topo, partitions(4), plan).why,
              "4 partitions need 4 free cores, the machine has 3 besides the host's");
}

TEST(Planner, SmtUnknownCountsThreads) {
    const Topology topo = synthetic(1, 4, 2, nullptr, /*siblings_known=*/false);
    Plan plan;
    const auto r = plan_for(topo, partitions(7), plan);
    ASSERT_TRUE(r.status.ok()) << r.why;
    for (const auto& p : plan.partition_list())
        EXPECT_EQ(p.cpu_count, 1u);
}

TEST(Planner, AllFreeCoresAreGivenOut) {
    const Topology topo = synthetic(2, 4, 2);
    Plan plan;
    ASSERT_TRUE(plan_for(topo, partitions(2), plan).status.ok());
    // Node 0: 3 free cores, node 1: 4: one partition each, all their cores.
    EXPECT_EQ(plan.partitions[0].cpu_count, 6u);
    EXPECT_EQ(plan.partitions[1].cpu_count, 8u);
}

TEST(Planner, FourNodesSpreadEvenly) {
    const Topology topo = synthetic(4, 4, 2);
    Plan plan;
    const auto r = plan_for(topo, partitions(8), plan);
    ASSERT_TRUE(r.status.ok()) << r.why;
    std::uint32_t per_node[4] = {};
    for (const auto& p : plan.partition_list()) {
        ++per_node[p.node.value()];
        EXPECT_TRUE(on_node(topo, p)) << "partition " << p.id.value();
        EXPECT_EQ(p.id.value(), static_cast<std::uint32_t>(&p - plan.partitions.data()) + 1);
    }
    for (const auto n : per_node)
        EXPECT_EQ(n, 2u);
}

TEST(Planner, UnevenNodeMemoryIsSplitPerNode) {
    const std::uint64_t gib[] = {4, 16};
    const Topology topo = synthetic(2, 3, 1, gib);
    Plan plan;
    const auto r = plan_for(topo, partitions(4), plan);
    ASSERT_TRUE(r.status.ok()) << r.why;
    // Node 0: 4G - 1M below, the host keeps 1G, the lagoon 4M; 2 partitions.
    // Node 1: 16G for 2 partitions.
    ASSERT_EQ(plan.partition_count, 4u);
    EXPECT_EQ(plan.partitions[0].node, NodeId{0});
    EXPECT_EQ(plan.partitions[0].memory_bytes(), plan.partitions[1].memory_bytes());
    EXPECT_EQ(plan.partitions[2].memory_bytes(), 8 * GiB);
    EXPECT_EQ(plan.partitions[3].memory_bytes(), 8 * GiB);
    EXPECT_EQ(plan.partitions[0].memory_bytes() % plan_alignment, 0u);
}

TEST(Planner, RequestedMemoryAndHostShare) {
    const Topology topo = q35();
    PlanRequest rq = partitions(2);
    rq.memory_per_partition = 512 * MiB;
    rq.host_memory = 256 * MiB;
    rq.lagoon_size = 8 * MiB;
    Plan plan;
    const auto r = plan_for(topo, rq, plan);
    ASSERT_TRUE(r.status.ok()) << r.why;
    EXPECT_EQ(plan.lagoon, mem(0x10200000, 8 * MiB));
    for (const auto& p : plan.partition_list())
        EXPECT_EQ(p.memory_bytes(), 512 * MiB);
}

TEST(Planner, ImpossibleRequestsAreRefusedClearly) {
    const Topology topo = q35();
    Plan plan;
    PlanRequest rq = partitions(2);
    rq.memory_per_partition = 3 * GiB;
    EXPECT_EQ(plan_for(topo, rq, plan).why,
              "partition 1 of 2 fits on no node; each needs a free core and 3G on one node; "
              "free: node 0 1 core 1016M, node 1 2 cores 2G");
    rq = partitions(0);
    EXPECT_EQ(plan_for(topo, rq, plan).why, "cannot plan 0 partitions: 1 to 15 are possible");
    rq = partitions(16);
    EXPECT_EQ(plan_for(topo, rq, plan).status.error(), Error::invalid_argument);
    rq = partitions(1);
    rq.memory_per_partition = 129 * MiB;
    EXPECT_EQ(plan_for(topo, rq, plan).why, "partition memory 129M is not a multiple of 2M");
    rq.memory_per_partition = 64 * MiB;
    EXPECT_EQ(plan_for(topo, rq, plan).why, "partition memory 64M is below the minimum of 128M");
    rq = partitions(1);
    rq.host_memory = 4 * GiB;
    EXPECT_EQ(plan_for(topo, rq, plan).why,
              "the host's node 0 has 2096635K of RAM, less than the 4G the host keeps");
    rq = partitions(1);
    rq.lagoon_size = 3 * MiB;
    EXPECT_EQ(plan_for(topo, rq, plan).why, "lagoon size 3M is not a multiple of 2M");
}

TEST(Planner, FragmentedRamGivesSeveralRanges) {
    Topology topo;
    topo.boot_cpu = ApicId{0};
    must(topo.add_node(NodeId{0}));
    must(topo.add_cpu(Cpu{ApicId{0}, NodeId{0}}));
    must(topo.add_cpu(Cpu{ApicId{2}, NodeId{0}}));
    // 1G for the host, then 256M pieces with holes between them.
    must(topo.add_ram(NodeId{0}, PhysRange{PhysAddr{MiB}, PhysAddr{GiB + MiB}}));
    for (std::uint64_t i = 0; i < 4; ++i)
        must(topo.add_ram(NodeId{0}, mem(2 * GiB + i * 512 * MiB, 256 * MiB)));
    Plan plan;
    const auto r = plan_for(topo, partitions(1), plan);
    ASSERT_TRUE(r.status.ok()) << r.why;
    EXPECT_EQ(plan.partitions[0].range_count, 4u);
    EXPECT_EQ(plan.partitions[0].memory_bytes(), GiB - 4 * MiB);
}

TEST(Planner, EveryPlanItMakesValidates) {
    // A sweep over shapes; plan_for() checks every plan it gets.
    for (std::uint32_t nodes : {1u, 2u, 4u})
        for (std::uint32_t threads : {1u, 2u})
            for (std::uint32_t n = 1; n <= max_partitions; ++n) {
                const Topology topo = synthetic(nodes, 4, threads);
                Plan plan;
                const auto r = plan_for(topo, partitions(n), plan);
                const std::uint32_t free_cores = nodes * 4 - 1;
                EXPECT_EQ(r.status.ok(), n <= free_cores)
                    << nodes << " nodes, " << threads << " threads, " << n << ": " << r.why;
            }
}

}  // namespace
}  // namespace atl::nk
