// The plan file: parsing, its errors, round trips; sizes; rendering.
#include <gtest/gtest.h>

#include <string>

#include "atoll/nk/planner.hpp"
#include "atoll/ssi/planfile.hpp"
#include "atoll/ssi/render.hpp"
#include "atoll/ssi/size.hpp"
#include "plan_fixtures.hpp"

namespace atl::ssi {
namespace {

using namespace atl::nk::testing;

bool same(const nk::Plan& a, const nk::Plan& b) {
    if (a.lagoon != b.lagoon || a.pool_count != b.pool_count || a.partition_count != b.partition_count)
        return false;
    for (std::uint32_t i = 0; i < a.pool_count; ++i)
        if (a.pool[i] != b.pool[i])
            return false;
    for (std::uint32_t i = 0; i < a.partition_count; ++i) {
        const auto& p = a.partitions[i];
        const auto& q = b.partitions[i];
        if (p.id != q.id || p.node != q.node || p.cpu_count != q.cpu_count ||
            p.range_count != q.range_count)
            return false;
        for (std::uint32_t c = 0; c < p.cpu_count; ++c)
            if (p.cpus[c] != q.cpus[c])
                return false;
        for (std::uint32_t r = 0; r < p.range_count; ++r)
            if (p.memory[r] != q.memory[r])
                return false;
    }
    return true;
}

// Expects parse_plan(text) to fail with exactly `message`.
void expect_error(const std::string& text, const std::string& message) {
    try {
        (void)parse_plan(text, "t.plan");
        ADD_FAILURE() << "parsed: " << text;
    } catch (const PlanFileError& e) {
        EXPECT_EQ(std::string(e.what()), message);
    }
}

const char* const example =
    "# atoll plan, revision 1\n"
    "lagoon  0x40000000 4M   # in the pool\n"
    "\n"
    "pool    0x40000000 0x3fe00000\n"
    "pool    0x100000000 2G\n"
    "partition 1 node 0 cpus 1 memory 0x40400000 512M\n"
    "\tpartition 2 node 1 cpus 2,3 memory 0x100000000 1G, 0x140000000 512M\n";

TEST(PlanFile, ParsesTheExample) {
    const nk::Plan plan = parse_plan(example);
    EXPECT_TRUE(same(plan, q35_plan())) << write_plan(plan);
}

TEST(PlanFile, ListsAndRangesWithOrWithoutBlanks) {
    const nk::Plan plan = parse_plan(
        "lagoon 0x40000000 4M\n"
        "partition 2 node 1 cpus 2 , 3 memory 0x100000000 1G,0x140000000 512m\n"
        "partition 3 node 1 cpus 8-10,12 memory 4294967296 1024M\n");
    EXPECT_EQ(plan.partitions[0].cpu_count, 2u);
    EXPECT_EQ(plan.partitions[0].memory[1], mem(0x140000000, 512 * MiB));
    ASSERT_EQ(plan.partitions[1].cpu_count, 4u);
    EXPECT_EQ(plan.partitions[1].cpus[2], ApicId{10});
    EXPECT_EQ(plan.partitions[1].cpus[3], ApicId{12});
    EXPECT_EQ(plan.partitions[1].memory[0], mem(0x100000000, GiB));
}

TEST(PlanFile, ErrorsNameTheLineAndWhatWasExpected) {
    expect_error("lagoon 0x0 4M\nparty 1\n",
                 "t.plan:2: expected 'lagoon', 'pool' or 'partition', found 'party'");
    expect_error("lagoon 0x0 4M\npartition 1 nod 0\n",
                 "t.plan:2: expected 'node' after 'partition 1', found 'nod'");
    expect_error("lagoon 0x0 4M\npartition 1 node 0 cpus 1\n",
                 "t.plan:2: expected 'memory' after the cpus of partition 1, found the end of the line");
    expect_error("lagoon 0x0 4X\n", "t.plan:1: expected the size of the lagoon (like 512M), found '4X'");
    expect_error("lagoon zero 4M\n",
                 "t.plan:1: expected the start address of the lagoon (like 0x40000000), found 'zero'");
    expect_error("lagoon 0x0 4M extra\n", "t.plan:1: expected the end of the line, found 'extra'");
    expect_error("# nothing\n\n", "t.plan:2: the plan has no 'lagoon' line");
    expect_error("lagoon 0x0 4M\n\nlagoon 0x0 4M\n",
                 "t.plan:3: a second lagoon (the first is on line 1)");
    expect_error("lagoon 0x0 4M\npartition 1 node 0 cpus 3-2 memory 0x0 1G\n",
                 "t.plan:2: expected an APIC ID or a range like 2-3 in the cpus of partition 1, found '3-2'");
    expect_error("lagoon 0x0 4M\npartition 1 node 0 cpus 1, memory 0x0 1G\n",
                 "t.plan:2: expected an APIC ID or a range like 2-3 in the cpus of partition 1, found 'memory'");
    expect_error("lagoon 0xffffffffffffffff 4M\n",
                 "t.plan:1: the lagoon at 0xffffffffffffffff of size 4M passes the end of the address space");
    std::string many = "lagoon 0x0 4M\npartition 1 node 0 cpus 1 memory 0x0 2M";
    for (int i = 1; i <= 8; ++i)
        many += ", " + std::to_string(i * 4 * MiB) + " 2M";
    expect_error(many + "\n", "t.plan:2: partition 1 lists more than 8 memory ranges");
}

TEST(PlanFile, RoundTripsPlannerOutput) {
    for (std::uint32_t n = 1; n <= 3; ++n) {
        nk::PlanRequest rq;
        rq.partitions = n;
        nk::Plan plan;
        nk::FixedText<256> why;
        ASSERT_TRUE(nk::make_plan(q35(), rq, plan, why).ok()) << why.c_str();
        const std::string text = write_plan(plan);
        EXPECT_TRUE(same(parse_plan(text), plan)) << text;
        EXPECT_EQ(write_plan(parse_plan(text)), text);
    }
    const std::string text = write_plan(q35_plan());
    EXPECT_NE(text.find("partition 2 node 1 cpus 2-3 memory 0x100000000 1G, 0x140000000 512M\n"),
              std::string::npos)
        << text;
    EXPECT_TRUE(same(parse_plan(text), q35_plan()));
}

TEST(PlanFile, ReadsAndWritesFiles) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("atoll-planfile-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + ".plan");
    write_plan_file(path, q35_plan());
    EXPECT_TRUE(same(read_plan_file(path), q35_plan()));
    std::filesystem::remove(path);
    EXPECT_THROW((void)read_plan_file(path), Failure);
}

TEST(PlanFileSize, ParsesAndFormats) {
    EXPECT_EQ(parse_size("4096"), 4096u);
    EXPECT_EQ(parse_size("0x1000"), 4096u);
    EXPECT_EQ(parse_size("4K"), 4096u);
    EXPECT_EQ(parse_size("512m"), 512 * MiB);
    EXPECT_EQ(parse_size("2G"), 2 * GiB);
    EXPECT_EQ(parse_size("1T"), 1024 * GiB);
    EXPECT_EQ(parse_size(""), std::nullopt);
    EXPECT_EQ(parse_size("G"), std::nullopt);
    EXPECT_EQ(parse_size("1.5G"), std::nullopt);
    EXPECT_EQ(parse_size("-1"), std::nullopt);
    EXPECT_EQ(parse_size("99999999999999999999"), std::nullopt);
    EXPECT_EQ(parse_size("17179869184G"), std::nullopt);   // 2^64
    EXPECT_EQ(format_size(2 * GiB), "2G");
    EXPECT_EQ(format_size(1016 * MiB), "1016M");
    EXPECT_EQ(format_size(4097), "4097");
    EXPECT_EQ(format_size(0), "0");
    EXPECT_EQ(format_hex(0x100000000), "0x100000000");
}

TEST(PlanRender, HostKernelParametersReserveThePool) {
    const auto params = host_kernel_params(q35(), q35_plan());
    ASSERT_EQ(params.size(), 4u);
    EXPECT_EQ(params[0], "memmap=1022M$0x40000000");
    EXPECT_EQ(params[1], "memmap=2G$0x100000000");
    EXPECT_EQ(params[2].rfind("atoll.lagoon=0x", 0), 0u) << params[2];
    EXPECT_EQ(params[3], "atoll.pool=0@0x40000000+1022M,1@0x100000000+2G");
}

TEST(PlanRender, TextAndJson) {
    const std::string text = render_plan_text(q35(), q35_plan());
    EXPECT_NE(text.find("partition 2: node 1, APIC 2,3, ~1.5G"), std::string::npos) << text;
    EXPECT_NE(text.find("host (partition 0): APIC 0;"), std::string::npos) << text;
    EXPECT_NE(text.find("memmap=2G$0x100000000"), std::string::npos) << text;
    const std::string json = render_plan_json(q35(), q35_plan());
    EXPECT_NE(json.find("\"lagoon\": {\"start\": \"0x40000000\", \"end\": \"0x40400000\", \"size\": 4194304}"),
              std::string::npos)
        << json;
    EXPECT_NE(json.find("\"host_kernel_parameters\": [\"memmap=1022M$0x40000000\", \"memmap=2G$0x100000000\", \"atoll.lagoon=0x40000000+4M\", \"atoll.pool=0@0x40000000+1022M,1@0x100000000+2G\"]"),
              std::string::npos)
        << json;
    EXPECT_NE(json.find("{\"id\": 2, \"node\": 1, \"cpus\": [2, 3], \"memory_bytes\": 1610612736"),
              std::string::npos)
        << json;
}

TEST(PlanRender, RefusalsAsJson) {
    nk::Plan plan = q35_plan();
    plan.partitions[0].cpus[0] = ApicId{0};
    nk::Refusals refusals;
    EXPECT_FALSE(nk::check_plan(q35(), plan, refusals));
    EXPECT_EQ(render_refusals_json(refusals),
              "{\"valid\": false, \"refusals\": [{\"rule\": \"host-cpu\", \"message\": "
              "\"rule host-cpu: partition 1 lists APIC 0, the host's boot CPU\"}], \"dropped\": 0}\n");
    EXPECT_EQ(json_string("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
}

}  // namespace
}  // namespace atl::ssi
