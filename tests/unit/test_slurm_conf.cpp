// `atoll slurm conf`'s slurm.conf (ssi/lib/slurm_conf.cpp) and munge's key
// derived from the cluster key (ssi/wire/src/auth.cpp).
#include <gtest/gtest.h>

#include "atoll/ssi/slurm_conf.hpp"
#include "atoll/wire/auth.hpp"

namespace {

using namespace atl::ssi;

const char* const nodes_file =
    "# id name address\n"
    "0 host 10.77.0.1\n"
    "1 p1 10.77.0.2\n"
    "2 p2 10.77.0.3   # a comment\n"
    "\n"
    "3 p3 10.77.0.4\n";

SlurmConfInput input(std::vector<SlurmLiveNode> live, std::string previous = {}) {
    std::string why;
    SlurmConfInput in;
    in.nodes = *parse_cluster_nodes(nodes_file, why);
    in.controller = "host";
    in.live = std::move(live);
    in.known = known_slurm_nodes(previous);
    return in;
}

std::string node_lines(const std::string& conf) {
    std::string out;
    std::size_t at = 0;
    while (at < conf.size()) {
        const std::size_t nl = conf.find('\n', at);
        const std::string line = conf.substr(at, nl - at);
        if (line.starts_with("NodeName=") || line.starts_with("PartitionName="))
            out += line + "\n";
        at = nl + 1;
    }
    return out;
}

TEST(SlurmConf, NodesFileParsed) {
    std::string why;
    const auto n = parse_cluster_nodes(nodes_file, why);
    ASSERT_TRUE(n) << why;
    ASSERT_EQ(n->size(), 4u);
    EXPECT_EQ((*n)[2].id, 2u);
    EXPECT_EQ((*n)[2].name, "p2");
    EXPECT_EQ((*n)[2].address, "10.77.0.3");
}

TEST(SlurmConf, MalformedNodesFileRefusedWithItsLine) {
    std::string why;
    EXPECT_FALSE(parse_cluster_nodes("0 host 10.77.0.1\n1 p1\n", why));
    EXPECT_EQ(why, "line 2: expected 'ID NAME ADDRESS'");
    EXPECT_FALSE(parse_cluster_nodes("0 host 10.77.0.1\n0 p1 10.77.0.2\n", why));
    EXPECT_EQ(why, "line 2: id 0 is listed twice");
    EXPECT_FALSE(parse_cluster_nodes("0 host a\n1 host b\n", why));
    EXPECT_EQ(why, "line 2: name 'host' is listed twice");
    EXPECT_FALSE(parse_cluster_nodes("x host a\n", why));
    EXPECT_FALSE(parse_cluster_nodes("1 p=1 a\n", why));   // would break slurm.conf's syntax
    EXPECT_FALSE(parse_cluster_nodes("1 p1 a b\n", why));
}

TEST(SlurmConf, UpNodesGetTheirSizeOthersAreFuture) {
    std::string why;
    const auto c = render_slurm_conf(input({{"host", true, {2, 1900}}, {"p1", true, {1, 925}}, {"p2", false, {}}}), why);
    ASSERT_TRUE(c) << why;
    EXPECT_EQ(c->up, 1u);
    EXPECT_EQ(c->down, 0u);
    EXPECT_EQ(c->future, 2u);
    EXPECT_EQ(node_lines(c->text),
              "NodeName=p1 NodeAddr=10.77.0.2 CPUs=1 RealMemory=925\n"
              "NodeName=p2 NodeAddr=10.77.0.3 CPUs=1 RealMemory=1 State=FUTURE\n"
              "NodeName=p3 NodeAddr=10.77.0.4 CPUs=1 RealMemory=1 State=FUTURE\n"
              "PartitionName=lagoon Nodes=ALL Default=YES State=UP MaxTime=INFINITE\n");
    EXPECT_NE(c->text.find("SlurmctldHost=host(10.77.0.1)\n"), std::string::npos);
    EXPECT_NE(c->text.find("SlurmctldParameters=enable_configless\n"), std::string::npos);
    EXPECT_NE(c->text.find("AuthType=auth/munge\n"), std::string::npos);
}

TEST(SlurmConf, TheNodeCountNeverChanges) {
    // slurmctld dies when a reconfigure changes the number of nodes.
    std::string why;
    const auto none_up = render_slurm_conf(input({{"p3", true, {1, 900}}}), why);
    const auto all_up = render_slurm_conf(
        input({{"p1", true, {1, 900}}, {"p2", true, {2, 900}}, {"p3", true, {1, 900}}}), why);
    ASSERT_TRUE(none_up && all_up) << why;
    auto count = [](const std::string& t) {
        std::size_t n = 0;
        for (std::size_t at = t.find("\nNodeName="); at != std::string::npos; at = t.find("\nNodeName=", at + 1))
            ++n;
        return n;
    };
    EXPECT_EQ(count(none_up->text), 3u);
    EXPECT_EQ(count(all_up->text), 3u);
}

TEST(SlurmConf, ANodeUpBeforeKeepsItsLineWhenDown) {
    std::string why;
    const auto first = render_slurm_conf(input({{"p1", true, {1, 925}}, {"p2", true, {2, 990}}}), why);
    ASSERT_TRUE(first) << why;
    // p2 stops; its line stays (sinfo shows it down), with its old size.
    const auto second = render_slurm_conf(input({{"p1", true, {1, 925}}, {"p2", false, {}}}, first->text), why);
    ASSERT_TRUE(second) << why;
    EXPECT_EQ(second->up, 1u);
    EXPECT_EQ(second->down, 1u);
    EXPECT_NE(second->text.find("NodeName=p2 NodeAddr=10.77.0.3 CPUs=2 RealMemory=990\n"), std::string::npos);
    EXPECT_EQ(second->text, first->text);   // nothing for slurmctld to reread
    // It returns with a new size: the live one wins.
    const auto third = render_slurm_conf(input({{"p2", true, {1, 500}}}, second->text), why);
    ASSERT_TRUE(third) << why;
    EXPECT_NE(third->text.find("NodeName=p2 NodeAddr=10.77.0.3 CPUs=1 RealMemory=500\n"), std::string::npos);
}

TEST(SlurmConf, SameInputSameText) {
    // `--write` compares texts to tell whether Slurm must reread.
    std::string why;
    const auto a = render_slurm_conf(input({{"p1", true, {1, 925}}}), why);
    const auto b = render_slurm_conf(input({{"p1", true, {1, 925}}}, a->text), why);
    ASSERT_TRUE(a && b) << why;
    EXPECT_EQ(a->text, b->text);
}

TEST(SlurmConf, RefusedWithoutAnyNodeEverUp) {
    std::string why;
    EXPECT_FALSE(render_slurm_conf(input({{"host", true, {2, 1900}}, {"p1", false, {}}}), why));
    EXPECT_NE(why.find("no partition has been up yet"), std::string::npos) << why;
    // Up but with no size known yet counts as not up.
    EXPECT_FALSE(render_slurm_conf(input({{"p1", true, {0, 0}}}), why));
}

TEST(SlurmConf, UnknownControllerRefused) {
    std::string why;
    auto in = input({{"p1", true, {1, 900}}});
    in.controller = "p9";
    EXPECT_FALSE(render_slurm_conf(in, why));
    EXPECT_EQ(why, "the controller 'p9' is not a node of /etc/atoll/nodes");
    in.controller = "p1";   // a partition as controller: it is no compute node then
    in.live.push_back({"p2", true, {1, 800}});
    const auto c = render_slurm_conf(in, why);
    ASSERT_TRUE(c) << why;
    EXPECT_NE(c->text.find("SlurmctldHost=p1(10.77.0.2)\n"), std::string::npos);
    EXPECT_EQ(c->text.find("NodeName=p1 "), std::string::npos);
    EXPECT_NE(c->text.find("NodeName=host NodeAddr=10.77.0.1 CPUs=1 RealMemory=1 State=FUTURE\n"), std::string::npos);
}

TEST(SlurmConf, PreviousFileLinesWeDidNotWriteTeachNothing) {
    const auto k = known_slurm_nodes(
        "NodeName=p1 NodeAddr=10.77.0.2 CPUs=2 RealMemory=700\n"
        "NodeName=p2 NodeAddr=10.77.0.3 CPUs=1 RealMemory=1 State=FUTURE\n"
        "NodeName=p[3-4] CPUs=1 RealMemory=100\n"
        "NodeName=p5 RealMemory=100\n"
        "#NodeName=p6 CPUs=1 RealMemory=100\n"
        "garbage = = =\n");
    ASSERT_EQ(k.size(), 1u);
    EXPECT_EQ(k[0].name, "p1");
    EXPECT_EQ(k[0].size, (SlurmNodeSize{2, 700}));
}

TEST(MungeKey, DerivedFromTheClusterKeyAlone) {
    ASSERT_TRUE(atl::wire::crypto_ready());
    atl::wire::Key a{}, b{};
    b[0] = 1;
    const auto ka = atl::wire::derive_secret(a, "atoll-munge-key", 128);
    EXPECT_EQ(ka.size(), 128u);
    EXPECT_EQ(ka, atl::wire::derive_secret(a, "atoll-munge-key", 128));   // every kernel, the same
    EXPECT_NE(ka, atl::wire::derive_secret(b, "atoll-munge-key", 128));
    EXPECT_NE(ka, atl::wire::derive_secret(a, "another-label", 128));
    // A longer secret starts with the shorter one (blocks in order).
    const auto k40 = atl::wire::derive_secret(a, "atoll-munge-key", 40);
    EXPECT_TRUE(std::equal(k40.begin(), k40.end(), ka.begin()));
}

}  // namespace
