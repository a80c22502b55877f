// Plan validation, rule by rule: each test breaks one rule of a valid plan
// and checks the refusal's rule and message.
#include <gtest/gtest.h>

#include "atoll/nk/plan_validate.hpp"
#include "plan_fixtures.hpp"

namespace atl::nk {
namespace {

using namespace atl::nk::testing;

class PlanValidate : public ::testing::Test {
protected:
    Topology topo = q35();
    Plan plan = q35_plan();
    Refusals refusals;

    // Validates and expects exactly one refusal, returning its message.
    std::string only_refusal(Rule rule) {
        EXPECT_FALSE(check_plan(topo, plan, refusals));
        EXPECT_EQ(refusals.list().size(), 1u) << all(refusals);
        if (refusals.list().empty())
            return "";
        EXPECT_EQ(refusals.list()[0].rule, rule) << all(refusals);
        return refusals.list()[0].message;
    }
};

TEST_F(PlanValidate, AcceptsAValidPlan) {
    EXPECT_TRUE(check_plan(topo, plan, refusals)) << all(refusals);
    ValidatedPlan valid;
    EXPECT_TRUE(valid.empty());
    ASSERT_TRUE(validate_plan(topo, plan, refusals, valid).ok());
    EXPECT_EQ(valid.plan().partition_count, 2u);
    EXPECT_EQ(valid.plan().partitions[1].memory_bytes(), GiB + 512 * MiB);
}

TEST_F(PlanValidate, FailureEmptiesTheValidatedPlan) {
    ValidatedPlan valid;
    ASSERT_TRUE(validate_plan(topo, plan, refusals, valid).ok());
    part(plan, 0).cpus[0] = ApicId{0};
    const Status s = validate_plan(topo, plan, refusals, valid);
    EXPECT_EQ(s.error(), Error::invalid_argument);
    EXPECT_TRUE(valid.empty());
    EXPECT_EQ(valid.plan().pool_count, 0u);
}

TEST_F(PlanValidate, NoPartitions) {
    plan.partition_count = 0;
    EXPECT_EQ(only_refusal(Rule::no_partitions), "rule no-partitions: the plan starts no partition");
}

TEST_F(PlanValidate, PartitionIdOutOfRange) {
    part(plan, 0).id = PartitionId{0};
    EXPECT_EQ(only_refusal(Rule::partition_id),
              "rule partition-id: partition 0 is outside 1..15 (0 is the host)");
    part(plan, 0).id = PartitionId{16};
    EXPECT_EQ(only_refusal(Rule::partition_id),
              "rule partition-id: partition 16 is outside 1..15 (0 is the host)");
}

TEST_F(PlanValidate, PartitionIdTwice) {
    part(plan, 1).id = PartitionId{1};
    EXPECT_EQ(only_refusal(Rule::partition_id), "rule partition-id: partition 1 appears more than once");
}

TEST_F(PlanValidate, NoCpu) {
    part(plan, 0).cpu_count = 0;
    EXPECT_EQ(only_refusal(Rule::no_cpu), "rule no-cpu: partition 1 has no CPU");
}

TEST_F(PlanValidate, NoMemory) {
    part(plan, 0).range_count = 0;
    EXPECT_EQ(only_refusal(Rule::no_memory), "rule no-memory: partition 1 has no memory");
}

TEST_F(PlanValidate, EmptyRange) {
    part(plan, 1).memory[1] = mem(0x140000000, 0);
    EXPECT_EQ(only_refusal(Rule::empty_range),
              "rule empty-range: partition 2 memory [0x140000000, 0x140000000) is empty");
}

TEST_F(PlanValidate, MisalignedPartitionMemory) {
    part(plan, 0).memory[0] = mem(0x40500000, 512 * MiB);
    EXPECT_EQ(only_refusal(Rule::alignment),
              "rule alignment: partition 1 memory [0x40500000, 0x60500000) is not 2M-aligned "
              "(start and size must be multiples of 2M)");
}

TEST_F(PlanValidate, MisalignedLagoonAndPool) {
    plan.lagoon = mem(0x40000000, 3 * MiB);
    EXPECT_EQ(only_refusal(Rule::alignment),
              "rule alignment: the lagoon [0x40000000, 0x40300000) is not 2M-aligned "
              "(start and size must be multiples of 2M)");
    plan = q35_plan();
    plan.pool[1] = mem(0x100000000, 2 * GiB - 4096);
    EXPECT_EQ(only_refusal(Rule::alignment),
              "rule alignment: pool range [0x100000000, 0x17ffff000) is not 2M-aligned "
              "(start and size must be multiples of 2M)");
}

TEST_F(PlanValidate, MinimumMemory) {
    part(plan, 0).memory[0] = mem(0x40400000, 64 * MiB);
    EXPECT_EQ(only_refusal(Rule::min_memory),
              "rule min-memory: partition 1 has 64M of memory, at least 128M is needed");
}

TEST_F(PlanValidate, OverlapBetweenPartitions) {
    // The example of the design: partition 2 over partition 1, on node 1.
    part(plan, 0).node = NodeId{1};
    part(plan, 0).cpus[0] = ApicId{2};
    part(plan, 0).memory[0] = mem(0x120000000, GiB);
    part(plan, 1).cpu_count = 1;
    part(plan, 1).cpus[0] = ApicId{3};
    part(plan, 1).range_count = 1;
    part(plan, 1).memory[0] = mem(0x100000000, GiB);
    EXPECT_EQ(only_refusal(Rule::overlap),
              "rule overlap: partition 2 memory [0x100000000, 0x140000000) overlaps partition 1 "
              "memory [0x120000000, 0x160000000)");
}

TEST_F(PlanValidate, OverlapWithinAPartition) {
    part(plan, 1).memory[1] = mem(0x120000000, 512 * MiB);
    EXPECT_EQ(only_refusal(Rule::overlap),
              "rule overlap: partition 2 memory [0x120000000, 0x140000000) overlaps its own range "
              "[0x100000000, 0x140000000)");
}

TEST_F(PlanValidate, OverlapWithTheLagoon) {
    part(plan, 0).memory[0] = mem(0x40200000, 512 * MiB);
    EXPECT_EQ(only_refusal(Rule::overlap),
              "rule overlap: partition 1 memory [0x40200000, 0x60200000) overlaps the lagoon "
              "[0x40000000, 0x40400000)");
}

TEST_F(PlanValidate, OverlapBetweenPoolRanges) {
    must(plan.add_pool(mem(0x60000000, 64 * MiB)));
    EXPECT_EQ(only_refusal(Rule::overlap),
              "rule overlap: pool range [0x60000000, 0x64000000) overlaps pool range "
              "[0x40000000, 0x7fe00000)");
}

TEST_F(PlanValidate, PartitionMemoryOutsideThePool) {
    part(plan, 0).memory[0] = mem(0x20000000, 512 * MiB);   // the host's memory
    EXPECT_EQ(only_refusal(Rule::outside_pool),
              "rule outside-pool: partition 1 memory [0x20000000, 0x40000000) is not inside the "
              "pool (memory outside the pool is the host's)");
}

TEST_F(PlanValidate, MemorySpanningTouchingPoolRangesIsInside) {
    plan.pool[0] = PhysRange{PhysAddr{0x40000000}, PhysAddr{0x50000000}};
    must(plan.add_pool(PhysRange{PhysAddr{0x50000000}, PhysAddr{0x7fe00000}}));
    EXPECT_TRUE(check_plan(topo, plan, refusals)) << all(refusals);
}

TEST_F(PlanValidate, LagoonOutsideThePool) {
    plan.lagoon = mem(0x20000000, 4 * MiB);
    EXPECT_EQ(only_refusal(Rule::outside_pool),
              "rule outside-pool: the lagoon [0x20000000, 0x20400000) is not inside the pool "
              "(the host would keep using it)");
}

TEST_F(PlanValidate, LagoonOutsideRam) {
    plan.lagoon = mem(0xc0000000, 4 * MiB);   // PCI hole
    EXPECT_EQ(only_refusal(Rule::outside_ram),
              "rule outside-ram: the lagoon [0xc0000000, 0xc0400000) is not inside the machine's RAM");
}

TEST_F(PlanValidate, PoolOutsideRam) {
    plan.pool[0] = PhysRange{PhysAddr{0x40000000}, PhysAddr{0x80000000}};   // over the hole at 0x7ffe0000
    EXPECT_EQ(only_refusal(Rule::outside_ram),
              "rule outside-ram: pool range [0x40000000, 0x80000000) is not inside the machine's RAM");
}

TEST_F(PlanValidate, UnknownCpu) {
    part(plan, 1).cpus[1] = ApicId{7};
    EXPECT_EQ(only_refusal(Rule::unknown_cpu),
              "rule unknown-cpu: partition 2 lists APIC 7, which the machine does not have");
}

TEST_F(PlanValidate, HostBootCpu) {
    part(plan, 0).cpus[0] = ApicId{0};
    EXPECT_EQ(only_refusal(Rule::host_cpu),
              "rule host-cpu: partition 1 lists APIC 0, the host's boot CPU");
}

TEST_F(PlanValidate, CpuInTwoPartitions) {
    part(plan, 1).node = NodeId{0};
    part(plan, 1).cpus[0] = ApicId{1};
    part(plan, 1).cpu_count = 1;
    part(plan, 1).range_count = 1;
    part(plan, 1).memory[0] = mem(0x60400000, 256 * MiB);
    EXPECT_EQ(only_refusal(Rule::duplicate_cpu),
              "rule duplicate-cpu: APIC 1 is in partition 2 and in partition 1");
}

TEST_F(PlanValidate, CpuTwiceInAPartition) {
    part(plan, 1).cpus[1] = ApicId{2};
    EXPECT_EQ(only_refusal(Rule::duplicate_cpu),
              "rule duplicate-cpu: partition 2 lists APIC 2 more than once");
}

TEST_F(PlanValidate, UnknownNode) {
    part(plan, 1).node = NodeId{5};
    EXPECT_EQ(only_refusal(Rule::unknown_node),
              "rule unknown-node: partition 2 is declared on node 5, which the machine does not have");
}

TEST_F(PlanValidate, CpuOnAnotherNode) {
    part(plan, 0).cpus[0] = ApicId{2};
    part(plan, 1).cpu_count = 1;
    part(plan, 1).cpus[0] = ApicId{3};
    EXPECT_EQ(only_refusal(Rule::wrong_node),
              "rule wrong-node: partition 1 (node 0) lists APIC 2, which is on node 1");
}

TEST_F(PlanValidate, MemoryOnAnotherNode) {
    part(plan, 0).node = NodeId{1};
    part(plan, 0).cpus[0] = ApicId{2};
    part(plan, 1).cpu_count = 1;
    part(plan, 1).cpus[0] = ApicId{3};
    EXPECT_EQ(only_refusal(Rule::wrong_node),
              "rule wrong-node: partition 1 memory [0x40400000, 0x60400000) is not RAM of its node 1");
}

TEST_F(PlanValidate, CorruptCountsStopValidation) {
    part(plan, 1).cpu_count = 1000;
    plan.pool_count = 99;
    EXPECT_FALSE(check_plan(topo, plan, refusals));
    ASSERT_EQ(refusals.list().size(), 2u) << all(refusals);
    EXPECT_EQ(refusals.list()[0].rule, Rule::capacity);
    EXPECT_STREQ(refusals.list()[0].message, "rule capacity: the pool lists 99 ranges, at most 16");
    EXPECT_STREQ(refusals.list()[1].message, "rule capacity: partition 2 lists 1000 CPUs, at most 64");
    plan = q35_plan();
    plan.partition_count = 16;
    EXPECT_FALSE(check_plan(topo, plan, refusals));
    EXPECT_STREQ(refusals.list()[0].message, "rule capacity: the plan lists 16 partitions, at most 15");
}

TEST_F(PlanValidate, ListsEveryRefusalUpToTheCap) {
    part(plan, 0).cpus[0] = ApicId{0};                  // host-cpu
    part(plan, 1).memory[0] = mem(0x100100000, GiB);    // alignment
    plan.lagoon = mem(0xc0000000, 4 * MiB);             // outside-ram
    EXPECT_FALSE(check_plan(topo, plan, refusals));
    EXPECT_TRUE(refusals.has(Rule::host_cpu)) << all(refusals);
    EXPECT_TRUE(refusals.has(Rule::alignment));
    EXPECT_TRUE(refusals.has(Rule::outside_ram));
    EXPECT_EQ(refusals.dropped(), 0u);

    // Every partition on a foreign CPU: more refusals than fit.
    plan = q35_plan();
    for (std::uint32_t i = 0; i < max_partitions; ++i) {
        auto p = plan.add_partition(PartitionId{i + 3}, NodeId{0});
        if (!p)
            break;
        must((*p)->add_cpu(ApicId{100 + i}));
        must((*p)->add_memory(mem(0x40400000, 512 * MiB)));
    }
    EXPECT_FALSE(check_plan(topo, plan, refusals));
    EXPECT_EQ(refusals.list().size(), max_refusals);
    EXPECT_GT(refusals.dropped(), 0u);
}

class PlanValidateSmt : public ::testing::Test {
protected:
    // One node, 4 cores x 2 threads: APIC 0,1 | 4,5 | 8,9 | 12,13.
    Topology topo = synthetic(1, 4, 2);
    Plan plan;
    Refusals refusals;

    void SetUp() override {
        plan.lagoon = mem(GiB, 4 * MiB);
        must(plan.add_pool(mem(GiB, 4 * GiB)));
        auto p1 = plan.add_partition(PartitionId{1}, NodeId{0});
        must((*p1)->add_cpu(ApicId{4}));
        must((*p1)->add_cpu(ApicId{5}));
        must((*p1)->add_memory(mem(GiB + 4 * MiB, GiB)));
        auto p2 = plan.add_partition(PartitionId{2}, NodeId{0});
        must((*p2)->add_cpu(ApicId{8}));
        must((*p2)->add_cpu(ApicId{9}));
        must((*p2)->add_memory(mem(3 * GiB, GiB)));
    }
};

TEST_F(PlanValidateSmt, AcceptsWholeCores) {
    EXPECT_TRUE(check_plan(topo, plan, refusals)) << all(refusals);
}

TEST_F(PlanValidateSmt, RefusesASiblingLeftToTheHost) {
    part(plan, 0).cpu_count = 1;   // APIC 5 stays with the host
    EXPECT_FALSE(check_plan(topo, plan, refusals));
    ASSERT_EQ(refusals.list().size(), 1u) << all(refusals);
    EXPECT_STREQ(refusals.list()[0].message,
                 "rule split-core: partition 1 holds APIC 4 but not its SMT sibling APIC 5, "
                 "which the host keeps");
}

TEST_F(PlanValidateSmt, RefusesTheHostBootCoresSibling) {
    part(plan, 0).cpus[1] = ApicId{1};   // APIC 0's sibling
    EXPECT_FALSE(check_plan(topo, plan, refusals));
    EXPECT_TRUE(refusals.has(Rule::split_core)) << all(refusals);
    EXPECT_NE(all(refusals).find("partition 1 holds APIC 1 but not its SMT sibling APIC 0"),
              std::string::npos)
        << all(refusals);
}

TEST_F(PlanValidateSmt, RefusesSiblingsInTwoPartitions) {
    part(plan, 0).cpus[1] = ApicId{8};   // 4 | 8 and 9 in partition 2
    part(plan, 1).cpus[0] = ApicId{5};
    EXPECT_FALSE(check_plan(topo, plan, refusals));
    ASSERT_EQ(refusals.list().size(), 2u) << all(refusals);
    EXPECT_STREQ(refusals.list()[0].message,
                 "rule split-core: partition 1 holds APIC 4 but its SMT sibling APIC 5 is in partition 2");
    EXPECT_STREQ(refusals.list()[1].message,
                 "rule split-core: partition 1 holds APIC 8 but its SMT sibling APIC 9 is in partition 2");
}

TEST_F(PlanValidateSmt, UnknownSiblingsAreNotChecked) {
    topo = synthetic(1, 4, 2, nullptr, /*siblings_known=*/false);
    part(plan, 0).cpu_count = 1;
    EXPECT_TRUE(check_plan(topo, plan, refusals)) << all(refusals);
}

}  // namespace
}  // namespace atl::nk
