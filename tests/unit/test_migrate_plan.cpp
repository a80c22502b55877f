// `atoll start` and `atoll migrate`'s decisions (ssi/lib/migrate_plan.cpp).
#include <gtest/gtest.h>

#include "atoll/ssi/migrate_plan.hpp"

namespace {

using namespace atl::ssi;

TEST(WorkloadName, AcceptsShortPlainNames) {
    EXPECT_TRUE(valid_workload_name("counter"));
    EXPECT_TRUE(valid_workload_name("a.b_c-1"));
    EXPECT_TRUE(valid_workload_name(std::string(32, 'x')));
}

TEST(WorkloadName, RefusesWhatCannotNameADirectoryOrCgroup) {
    for (const char* bad : {"", ".hidden", "-opt", "a/b", "a b", "..", "x\n"})
        EXPECT_FALSE(valid_workload_name(bad)) << bad;
    EXPECT_FALSE(valid_workload_name(std::string(33, 'x')));
}

TEST(WorkloadRecord, RoundTripsWithACommandOfSeveralWords) {
    const WorkloadRecord r{"c1", 4242, "running", 3100, true, "", "sh -c echo  two  spaces"};
    const auto back = parse_workload_record(format_workload_record(r));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, r);
    EXPECT_EQ(format_workload_record(r), "w2 c1 4242 running 3100 1 - sh -c echo  two  spaces");
}

TEST(WorkloadRecord, RoundTripsItsAddress) {
    const WorkloadRecord r{"srv", 7, "running", 100, false, "10.77.0.100", "python3 srv.py"};
    EXPECT_EQ(format_workload_record(r), "w2 srv 7 running 100 0 10.77.0.100 python3 srv.py");
    EXPECT_EQ(parse_workload_record(format_workload_record(r)), r);
}

TEST(WorkloadRecord, RefusesMalformedLines) {
    for (const char* bad : {"", "w2 c1", "w2 c1 0 running 1 0 - sh", "w2 c1 12 sleeping 1 0 - sh",
                            "w2 c1 12 running x 0 - sh", "w2 c1 12 running 1 2 - sh", "w2 c1 12 running 1 0 -",
                            "w2 ../x 12 running 1 0 - sh", "w2 c1 -5 running 1 0 - sh", "c1 12 running 1 0 - sh",
                            "w1 c1 12 running 1 0 sh", "w2 c1 12 running 1 0 10.0.0 sh",
                            "w2 c1 12 running 1 0 10.0.0.256 sh", "w2 c1 12 running 1 0 10.0.0.01 sh",
                            "w2 c1 12 running 1 0 a.b.c.d sh", "w2 c1 12 running 1 0 10.0.0.1. sh"})
        EXPECT_FALSE(parse_workload_record(bad)) << bad;
}

TEST(WorkloadRecord, Ipv4) {
    for (const char* good : {"0.0.0.0", "10.77.0.100", "255.255.255.255"})
        EXPECT_TRUE(valid_ipv4(good)) << good;
    for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "1..2.3", "01.2.3.4", "1.2.3.256", "1.2.3.-1", " 1.2.3.4",
                            "1.2.3.4 ", "1.2.3.x", "1.2.3.4."})
        EXPECT_FALSE(valid_ipv4(bad)) << bad;
}

TEST(WorkloadRecord, ListSkipsLinesThatDoNotParse) {
    std::size_t other = 0;
    const auto all = parse_workload_records(
        "w2 a 1 running 10 0 - sleep 9\ngarbage\n\nw1 z 3 running 1 0 x\nw2 b 2 stopped 20 1 10.77.0.5 top\nw 1\n",
        &other);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(other, 1u);   // "w1 ...": a node of another revision, counted
    EXPECT_EQ(all[0].name, "a");
    EXPECT_EQ(all[1].state, "stopped");
    EXPECT_TRUE(all[1].moving);
}

MoveFacts good() {
    MoveFacts f;
    f.name = "c";
    f.source = "p1";
    f.record = WorkloadRecord{"c", 77, "running", 10 * 1024, false, "", "counter"};
    f.dest = "p2";
    f.dest_known = true;
    f.dest_up = true;
    f.dest_available_kib = 512 * 1024;
    return f;
}

TEST(RefuseMove, AllowsAGoodMove) {
    EXPECT_FALSE(refuse_move(good()));
}

TEST(RefuseMove, SaysWhyForEachBadCase) {
    struct Case {
        void (*spoil)(MoveFacts&);
        const char* says;
    };
    const Case cases[] = {
        {[](MoveFacts& f) { f.name = "a/b"; }, "not a workload name"},
        {[](MoveFacts& f) { f.source.clear(); f.record.reset(); }, "no node runs"},
        {[](MoveFacts& f) { f.also_on = {"p3"}; }, "claimed by p1 and p3"},
        {[](MoveFacts& f) { f.dest_known = false; f.dest = "p9"; }, "no node named 'p9'"},
        {[](MoveFacts& f) { f.dest = "p1"; }, "runs on p1 already"},
        {[](MoveFacts& f) { f.dest_up = false; }, "p2 is not up"},
        {[](MoveFacts& f) { f.record->moving = true; },
         "being moved already (by another atoll migrate or freeze; if none runs, one was killed: atoll exec p1 -- "
         "atoll workload resume c frees it)"},
        {[](MoveFacts& f) { f.record->state = "stopped"; }, "is stopped, not running"},
        {[](MoveFacts& f) { f.dest_has_name = true; }, "runs another workload named"},
        {[](MoveFacts& f) { f.dest_available_kib = 60 * 1024; }, "has 60 MiB available"},
    };
    for (const auto& c : cases) {
        MoveFacts f = good();
        c.spoil(f);
        const auto why = refuse_move(f);
        ASSERT_TRUE(why) << c.says;
        EXPECT_NE(why->find(c.says), std::string::npos) << *why;
    }
}

TEST(RefuseMove, CountsTheRestoreHeadroom) {
    MoveFacts f = good();
    f.dest_available_kib = 2 * f.record->rss_kib + move_headroom_kib;
    EXPECT_FALSE(refuse_move(f));
    f.dest_available_kib -= 1;
    EXPECT_TRUE(refuse_move(f));
}

TEST(Precopy, ZeroRoundsIsStopAndCopy) {
    EXPECT_FALSE(next_precopy({0, 1 << 20, 0.8}, {}).again);
}

TEST(Precopy, FirstTwoRoundsThenStopsWhenTheDirtySetStopsShrinking) {
    const PrecopyPolicy p;
    EXPECT_TRUE(next_precopy(p, {}).again);
    EXPECT_TRUE(next_precopy(p, {64u << 20}).again);
    EXPECT_TRUE(next_precopy(p, {64u << 20, 20u << 20}).again);
    const auto stop = next_precopy(p, {64u << 20, 20u << 20, 19u << 20});
    EXPECT_FALSE(stop.again);
    EXPECT_NE(stop.why.find("stopped shrinking"), std::string::npos);
}

TEST(Precopy, StopsOnASmallRoundOrTheLimit) {
    const PrecopyPolicy p;
    EXPECT_FALSE(next_precopy(p, {64u << 20, 512u << 10}).again);
    EXPECT_FALSE(next_precopy(p, {512u << 10}).again);
    const auto limit = next_precopy(p, {64u << 20, 32u << 20, 16u << 20, 8u << 20});
    EXPECT_FALSE(limit.again);
    EXPECT_NE(limit.why.find("round limit"), std::string::npos);
}

// --rounds auto: a dirty set that keeps shrinking gets rounds past the
// default 4, but never more than the bound.
TEST(Precopy, AutoGoesOnWhileShrinkingUpToItsBound) {
    const PrecopyPolicy p{auto_rounds_limit, 1 << 20, 0.8};
    std::vector<std::uint64_t> w{256u << 20};
    while (next_precopy(p, w).again)
        w.push_back(w.back() / 2 + (2u << 20));   // halves, then settles near 4 MiB
    EXPECT_GT(w.size(), 4u);
    EXPECT_LE(w.size(), auto_rounds_limit);
    std::vector<std::uint64_t> shrinking{256u << 20};
    while (next_precopy(p, shrinking).again)
        shrinking.push_back(shrinking.back() * 7 / 10);   // never settles, never small enough
    EXPECT_EQ(shrinking.size(), auto_rounds_limit);
}

TEST(CriuLog, KeepsTheLastErrorLinesFromErrorOn) {
    const char* log =
        "(00.001) Version: 3.17.1\n"
        "(00.120)      1: Error (criu/files-reg.c:2259): Can't open file run/x on restore\n"
        "(00.121) Warn  (criu/x.c:1): not an error\n"
        "(00.122)      1: Error (criu/files.c:1213): Unable to open fd=3 id=0x5\n"
        "(00.130) Error (criu/cr-restore.c:2537): Restoring FAILED.";
    const auto last2 = criu_error_lines(log, 2);
    ASSERT_EQ(last2.size(), 2u);
    EXPECT_EQ(last2[0], "Error (criu/files.c:1213): Unable to open fd=3 id=0x5");
    EXPECT_EQ(last2[1], "Error (criu/cr-restore.c:2537): Restoring FAILED.");
    EXPECT_EQ(criu_error_lines(log, 9).size(), 3u);
    EXPECT_TRUE(criu_error_lines("", 3).empty());
}

}  // namespace

TEST(WorkloadAddress, AutoTakesTheFirstFreeFromPoint100OfTheNodesNetwork) {
    std::string why;
    bool usage = true;
    const std::map<std::string, std::string> taken = {{"10.77.0.1", "node host's address"},
                                                      {"10.77.0.100", "the address of workload a on p1"},
                                                      {"10.77.0.101", "the address of workload b on p2"}};
    EXPECT_EQ(choose_workload_address("auto", taken, "10.77.0.3", why, usage), "10.77.0.102");
    EXPECT_FALSE(usage);
    EXPECT_EQ(choose_workload_address("auto", {}, "192.168.4.7", why, usage), "192.168.4.100");
}

TEST(WorkloadAddress, AnAddressAskedIsKeptOrRefusedSayingWhoHasIt) {
    std::string why;
    bool usage = false;
    const std::map<std::string, std::string> taken = {{"10.77.0.2", "node p1's address"}};
    EXPECT_EQ(choose_workload_address("10.77.0.150", taken, "10.77.0.2", why, usage), "10.77.0.150");
    EXPECT_FALSE(choose_workload_address("10.77.0.2", taken, "10.77.0.2", why, usage));
    EXPECT_EQ(why, "10.77.0.2 is node p1's address");
    EXPECT_FALSE(usage);
    EXPECT_FALSE(choose_workload_address("10.77.0", taken, "10.77.0.2", why, usage));
    EXPECT_TRUE(usage);
    EXPECT_EQ(why, "--ip: '10.77.0' is neither auto nor an IPv4 address");
}

TEST(WorkloadAddress, AutoRefusesAFullRangeOrANodeWithoutAddress) {
    std::map<std::string, std::string> taken;
    for (int k = 100; k <= 254; ++k)
        taken.emplace("10.77.0." + std::to_string(k), "taken");
    std::string why;
    bool usage = false;
    EXPECT_FALSE(choose_workload_address("auto", taken, "10.77.0.1", why, usage));
    EXPECT_EQ(why, "no free address in 10.77.0.100-254: give --ip ADDR");
    EXPECT_FALSE(choose_workload_address("auto", {}, "", why, usage));
    EXPECT_NE(why.find("give --ip ADDR"), std::string::npos);
    EXPECT_FALSE(usage);
}

TEST(WorkloadAddress, VethNameAndIndexComeFromTheLastTwoBytes) {
    EXPECT_EQ(workload_veth_name("10.77.0.100"), "wl0064");
    EXPECT_EQ(workload_veth_index("10.77.0.100"), 100100);
    EXPECT_EQ(workload_veth_name("192.168.255.254"), "wlfffe");
    EXPECT_EQ(workload_veth_index("192.168.255.254"), 100000 + 0xfffe);
    EXPECT_LE(workload_veth_name("255.255.255.255").size(), 15u);   // IFNAMSIZ - 1
}
