// The machine probe against fake /proc and /sys trees (tests/unit/data),
// and its parsers on their own.
#include <gtest/gtest.h>

#include <string>

#include "atoll/nk/planner.hpp"
#include "atoll/ssi/failure.hpp"
#include "atoll/ssi/probe.hpp"
#include "atoll/ssi/probe_parse.hpp"

namespace atl::ssi {
namespace {

const std::filesystem::path data = ATOLL_TEST_DATA;

PhysRange span(std::uint64_t start, std::uint64_t end) { return {PhysAddr{start}, PhysAddr{end}}; }

TEST(Probe, Q35TwoNodes) {
    const nk::Topology t = probe_machine(data / "q35-2node");
    EXPECT_EQ(t.boot_cpu, ApicId{0});
    ASSERT_EQ(t.node_count, 2u);
    ASSERT_EQ(t.cpu_count, 4u);
    for (std::uint32_t i = 0; i < 4; ++i) {
        EXPECT_EQ(t.cpus[i].apic, ApicId{i});
        EXPECT_EQ(t.cpus[i].node, NodeId{i / 2});
        EXPECT_EQ(t.cpus[i].core, nk::CoreId{i});   // no SMT: each its own core
    }
    const auto n0 = t.find_node(NodeId{0})->ram();
    ASSERT_EQ(n0.size(), 2u);
    EXPECT_EQ(n0[0], span(0x1000, 0x9fc00));
    EXPECT_EQ(n0[1], span(0x100000, 0x7ffe0000));
    const auto n1 = t.find_node(NodeId{1})->ram();
    ASSERT_EQ(n1.size(), 1u);
    EXPECT_EQ(n1[0], span(0x100000000, 0x180000000));
}

TEST(Probe, BootCpuNumaNode) {
    EXPECT_EQ(boot_cpu_numa_node(data / "q35-2node"), 0u);
    EXPECT_EQ(boot_cpu_numa_node(data / "smt-nonuma"), std::nullopt);   // no NUMA in sysfs
    EXPECT_EQ(boot_cpu_numa_node(data / "no-such-tree"), std::nullopt);
}

TEST(Probe, Q35PlansAndValidates) {
    const nk::Topology t = probe_machine(data / "q35-2node");
    nk::PlanRequest rq;
    rq.partitions = 3;
    nk::Plan plan;
    nk::FixedText<256> why;
    EXPECT_TRUE(nk::make_plan(t, rq, plan, why).ok()) << why.c_str();
}

TEST(Probe, SmtWithoutNumaSysfs) {
    // No sys/devices/system/node: one node 0. Intel numbering: cpu0 and
    // cpu2 are siblings, APIC IDs 0,2,1,3.
    const nk::Topology t = probe_machine(data / "smt-nonuma");
    ASSERT_EQ(t.node_count, 1u);
    ASSERT_EQ(t.cpu_count, 4u);
    const nk::Cpu* a0 = t.find_cpu(ApicId{0});
    const nk::Cpu* a1 = t.find_cpu(ApicId{1});
    const nk::Cpu* a2 = t.find_cpu(ApicId{2});
    ASSERT_TRUE(a0 && a1 && a2);
    EXPECT_TRUE(t.siblings(*a0, *a1));    // cpu0 (APIC 0) and cpu2 (APIC 1)
    EXPECT_FALSE(t.siblings(*a0, *a2));
    const auto ram = t.find_node(NodeId{0})->ram();
    ASSERT_EQ(ram.size(), 3u);
    EXPECT_EQ(ram[2], span(0x100000000, 0x240000000));
}

TEST(Probe, MissingTreeFailsClearly) {
    try {
        (void)probe_machine(data / "no-such-machine");
        ADD_FAILURE();
    } catch (const Failure& e) {
        EXPECT_NE(std::string(e.what()).find("cannot read"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("proc/cpuinfo"), std::string::npos) << e.what();
    }
}

TEST(ProbeParse, IdLists) {
    EXPECT_EQ(parse_id_list("0-3,8,10-11\n"), (std::vector<unsigned>{0, 1, 2, 3, 8, 10, 11}));
    EXPECT_EQ(parse_id_list("5"), (std::vector<unsigned>{5}));
    EXPECT_TRUE(parse_id_list("\n").empty());
    EXPECT_THROW((void)parse_id_list("3-1"), Failure);
    EXPECT_THROW((void)parse_id_list("a"), Failure);
}

TEST(ProbeParse, CpuInfo) {
    const auto cpus = parse_cpuinfo("processor\t: 0\napicid\t\t: 16\n\nprocessor\t: 1\napicid\t\t: 18\n");
    ASSERT_EQ(cpus.size(), 2u);
    EXPECT_EQ(cpus[1].processor, 1u);
    EXPECT_EQ(cpus[1].apic, ApicId{18});
    EXPECT_THROW((void)parse_cpuinfo("processor : 0\nprocessor : 1\napicid : 1\n"), Failure);
    EXPECT_THROW((void)parse_cpuinfo(""), Failure);
}

TEST(ProbeParse, IomemTopLevelRamOnly) {
    const auto ram = parse_iomem_ram(
        "100000000-17fffffff : System RAM\n"
        "00001000-0009fbff : System RAM\n"
        "00100000-7ffdffff : Reserved\n"
        "  00100000-001fffff : System RAM\n");
    ASSERT_EQ(ram.size(), 2u);
    EXPECT_EQ(ram[0], span(0x1000, 0x9fc00));
    EXPECT_EQ(ram[1], span(0x100000000, 0x180000000));
}

TEST(ProbeParse, ZoneinfoSpans) {
    const auto spans = parse_zoneinfo(
        "Node 0, zone      DMA\n  pages free 3\n        spanned  4095\n  start_pfn:           1\n"
        "Node 0, zone   Normal\n        spanned  0\n"
        "Node 1, zone   Normal\n        spanned  524288\n        present  1\n  start_pfn:           1048576\n");
    ASSERT_EQ(spans.size(), 2u);
    EXPECT_EQ(spans[0].node, 0u);
    EXPECT_EQ(spans[0].span, span(0x1000, 0x1000000));
    EXPECT_EQ(spans[1].span, span(0x100000000, 0x180000000));
    EXPECT_THROW((void)parse_zoneinfo("Node 0, zone DMA\n        spanned  1\n"), Failure);
}

}  // namespace
}  // namespace atl::ssi
