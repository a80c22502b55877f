// atoll mpirun's placement and launcher command lines (ssi/lib/mpi_plan.cpp).
#include <gtest/gtest.h>

#include "atoll/ssi/mpi_plan.hpp"

namespace {

using atl::ssi::Mpi;
using atl::ssi::MpiNode;
using atl::ssi::MpiRequest;
using atl::ssi::plan_mpi;

const std::vector<MpiNode> box = {
    {"host", true, 1, std::nullopt}, {"p1", true, 2, std::nullopt}, {"p2", false, 1, std::nullopt}, {"p3", true, 1, std::nullopt}};

MpiRequest request(std::vector<std::string> program = {"/bin/ring"}) {
    MpiRequest r;
    r.program = std::move(program);
    return r;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& w : v)
        s += (s.empty() ? "" : " ") + w;
    return s;
}

TEST(MpiPlan, EveryUpNodeFilledInOrderByDefault) {
    std::string why;
    const auto p = plan_mpi(box, request(), why);
    ASSERT_TRUE(p) << why;
    EXPECT_EQ(p->ranks, 4u);   // host 1 + p1 2 + p3 1; p2 is down
    ASSERT_EQ(p->placement.size(), 3u);
    EXPECT_EQ(p->placement[0].node, "host");
    EXPECT_EQ(p->placement[1].node, "p1");
    EXPECT_EQ(p->placement[1].ranks, 2u);
    EXPECT_EQ(p->placement[2].node, "p3");
    EXPECT_EQ(joined(p->argv),
              "mpiexec.hydra -launcher rsh -launcher-exec /usr/lib/atoll/mpi-agent -hosts host:1,p1:2,p3:1 -n 4 "
              "/usr/lib/atoll/mpi-rank /bin/ring");
}

TEST(MpiPlan, FewerRanksFillTheFirstNodesOnly) {
    auto r = request();
    r.ranks = 2;
    std::string why;
    const auto p = plan_mpi(box, r, why);
    ASSERT_TRUE(p) << why;
    ASSERT_EQ(p->placement.size(), 2u);
    EXPECT_EQ(p->placement[1].node, "p1");
    EXPECT_EQ(p->placement[1].ranks, 1u);
}

// The box: host and p1 on NUMA node 0, p2 and p3 on node 1.
const std::vector<MpiNode> numa_box = {
    {"host", true, 1, 0}, {"p1", true, 1, 0}, {"p2", true, 1, 1}, {"p3", true, 1, 1}};

std::string order(const atl::ssi::MpiPlan& p) {
    std::string s;
    for (const auto& x : p.placement)
        s += (s.empty() ? "" : " ") + x.node + ":" + std::to_string(x.ranks);
    return s;
}

TEST(MpiPlan, DefaultOrderAlternatesNumaNodes) {
    std::string why;
    auto p = plan_mpi(numa_box, request(), why);
    ASSERT_TRUE(p) << why;
    EXPECT_EQ(order(*p), "host:1 p2:1 p1:1 p3:1");
    auto r = request();
    r.ranks = 2;   // a small job gets both NUMA nodes, not two kernels of node 0
    p = plan_mpi(numa_box, r, why);
    ASSERT_TRUE(p) << why;
    EXPECT_EQ(order(*p), "host:1 p2:1");
}

TEST(MpiPlan, NumaInterleavingSkipsDownNodesAndKeepsUnknownsTogether) {
    const std::vector<MpiNode> nodes = {{"host", true, 2, 0},  {"p1", false, 1, 1}, {"p2", true, 1, 1},
                                        {"p3", true, 1, 0},    {"p4", true, 1, std::nullopt},
                                        {"p5", true, 1, 2},    {"p6", true, 1, std::nullopt}};
    std::string why;
    const auto p = plan_mpi(nodes, request(), why);
    ASSERT_TRUE(p) << why;
    // Groups in order of appearance: 0 {host, p3}, 1 {p2}, unknown {p4, p6}, 2 {p5}.
    EXPECT_EQ(order(*p), "host:2 p2:1 p4:1 p5:1 p3:1 p6:1");
}

TEST(MpiPlan, NumaUnknownEverywhereKeepsTheTableOrder) {
    std::string why;
    const auto p = plan_mpi(box, request(), why);
    ASSERT_TRUE(p) << why;
    EXPECT_EQ(order(*p), "host:1 p1:2 p3:1");
}

TEST(MpiPlan, NodesAndPerNodeAsAsked) {
    auto r = request({"./a.out", "x y"});
    r.nodes = {"p3", "host"};   // as asked, NUMA nodes or not
    r.per_node = 3;
    r.tag_output = true;
    std::string why;
    const auto p = plan_mpi(box, r, why);
    ASSERT_TRUE(p) << why;
    EXPECT_EQ(p->ranks, 6u);
    EXPECT_EQ(p->placement[0].node, "p3");
    EXPECT_EQ(joined(p->argv),
              "mpiexec.hydra -launcher rsh -launcher-exec /usr/lib/atoll/mpi-agent -hosts p3:3,host:3 -n 6 "
              "-prepend-rank /usr/lib/atoll/mpi-rank ./a.out x y");
}

TEST(MpiPlan, OpenMpiGetsTheAgentAttachedDaemonsAndRootFlag) {
    auto r = request();
    r.mpi = Mpi::openmpi;
    r.as_root = true;
    r.ranks = 6;
    r.oversubscribe = true;
    std::string why;
    const auto p = plan_mpi(box, r, why);
    ASSERT_TRUE(p) << why;
    EXPECT_EQ(joined(p->argv),
              "mpirun.openmpi --allow-run-as-root --leave-session-attached --mca plm_rsh_agent "
              "/usr/lib/atoll/mpi-agent --mca plm_rsh_no_tree_spawn 1 --host host:2,p1:3,p3:1 --map-by slot -np 6 "
              "--oversubscribe /usr/lib/atoll/mpi-rank /bin/ring");
}

TEST(MpiPlan, BadRequestsAreRefusedByName) {
    std::string why;
    auto r = request();
    r.nodes = {"p9"};
    EXPECT_FALSE(plan_mpi(box, r, why));
    EXPECT_EQ(why, "no node 'p9' in the cluster (nodes: host, p1, p2, p3)");
    r.nodes = {"p2"};
    EXPECT_FALSE(plan_mpi(box, r, why));
    EXPECT_EQ(why, "node 'p2' is not up (atoll nodes)");
    r.nodes = {"p1", "p1"};
    EXPECT_FALSE(plan_mpi(box, r, why));
    EXPECT_EQ(why, "node 'p1' is listed twice");
    r = request();
    r.ranks = 5;
    EXPECT_FALSE(plan_mpi(box, r, why));
    EXPECT_EQ(why, "5 ranks, but only 4 slots on 3 node(s) (one per CPU; --per-node K, or --oversubscribe)");
    EXPECT_FALSE(plan_mpi({{"host", false, 1, std::nullopt}}, request(), why));
    EXPECT_EQ(why, "no node is up (atoll nodes)");
    EXPECT_FALSE(plan_mpi(box, request({}), why));
}

}  // namespace
