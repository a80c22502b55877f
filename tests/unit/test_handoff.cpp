// Boot hand-off: build, parse, and every refusal.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

#include "atoll/nk/handoff.hpp"

namespace atl::nk {
namespace {

constexpr std::uint64_t M2 = 2 * MiB;

struct Inputs {
    std::array<ApicId, 3> cpus{ApicId{2}, ApicId{3}, ApicId{0x40}};
    std::array<PhysRange, 2> memory{PhysRange{PhysAddr{1 * GiB}, PhysAddr{1 * GiB + 64 * M2}},
                                    PhysRange{PhysAddr{4 * GiB}, PhysAddr{5 * GiB}}};

    HandoffSpec spec() const {
        HandoffSpec s;
        s.partition = PartitionId{3};
        s.cpus = cpus;
        s.host_apic = ApicId{0};
        s.numa_node = NodeId{1};
        s.memory = memory;
        s.lagoon = PhysRange{PhysAddr{3 * GiB}, PhysAddr{3 * GiB + 4 * MiB}};
        s.tsc_khz = 2'400'000;
        s.lapic_timer_hz = 1'000'000'000;
        s.wallclock_sec = 1'700'000'000;
        s.wallclock_nsec = 123'456'789;
        s.tsc_at_wallclock = 0x1234'5678'9abcULL;
        s.flags = ATOLL_HANDOFF_F_TSC_RELIABLE;
        s.ap_start = PhysAddr{0x9c000};
        return s;
    }
};

atoll_handoff good() {
    Inputs in;
    auto h = handoff_build(in.spec());
    EXPECT_TRUE(h.ok()) << error_name(h.error());
    return *h;
}

TEST(HandoffBuild, OneCpuNeedsNoApStartPage) {
    Inputs in;
    HandoffSpec s = in.spec();
    s.cpus = std::span<const ApicId>(in.cpus.data(), 1);
    s.ap_start = PhysAddr{0};
    auto h = handoff_build(s);
    ASSERT_TRUE(h.ok()) << error_name(h.error());
    EXPECT_EQ(h->ap_start_phys, 0u);
    // The boot CPU never uses a slot, so its APIC ID is not limited to 8 bits.
    const ApicId wide[] = {ApicId{0x1234}};
    s.cpus = wide;
    EXPECT_TRUE(handoff_build(s).ok());
}

TEST(HandoffBuild, FieldsFromSpec) {
    const atoll_handoff h = good();
    EXPECT_EQ(h.signature, ATOLL_HANDOFF_SIGNATURE);
    EXPECT_EQ(h.revision, ATOLL_HANDOFF_REVISION);
    EXPECT_EQ(h.size, sizeof(atoll_handoff));
    EXPECT_EQ(h.partition_id, 3u);
    EXPECT_EQ(h.cpu_count, 3u);
    EXPECT_EQ(h.apic_ids[0], 2u);
    EXPECT_EQ(h.apic_ids[2], 0x40u);
    EXPECT_EQ(h.apic_ids[3], 0u);
    EXPECT_EQ(h.ap_start_phys, 0x9c000u);
    EXPECT_EQ(h.numa_node, 1u);
    EXPECT_EQ(h.mem_range_count, 2u);
    EXPECT_EQ(h.mem_ranges[1].start, 4 * GiB);
    EXPECT_EQ(h.mem_ranges[1].end, 5 * GiB);
    EXPECT_EQ(h.lagoon_phys, 3 * GiB);
    EXPECT_EQ(h.lagoon_size, 4 * MiB);
    EXPECT_EQ(h.tsc_khz, 2'400'000u);
    EXPECT_EQ(h.wallclock_nsec, 123'456'789u);
    EXPECT_EQ(h.flags, ATOLL_HANDOFF_F_TSC_RELIABLE);
}

TEST(HandoffParse, RoundTripThroughBytes) {
    const atoll_handoff h = good();
    // As found in setup_data: possibly followed by padding.
    std::vector<unsigned char> raw(sizeof h + 24, 0xee);
    std::memcpy(raw.data(), &h, sizeof h);
    auto parsed = handoff_parse(raw.data(), raw.size());
    ASSERT_TRUE(parsed.ok()) << error_name(parsed.error());
    EXPECT_EQ(std::memcmp(&*parsed, &h, sizeof h), 0);
}

TEST(HandoffParse, RefusesShortOrNull) {
    const atoll_handoff h = good();
    EXPECT_EQ(handoff_parse(nullptr, sizeof h).error(), Error::invalid_argument);
    EXPECT_EQ(handoff_parse(&h, 0).error(), Error::bad_size);
    EXPECT_EQ(handoff_parse(&h, 15).error(), Error::bad_size);
    EXPECT_EQ(handoff_parse(&h, sizeof h - 1).error(), Error::bad_size);
    atoll_handoff bad = h;
    bad.signature = 0;
    EXPECT_EQ(handoff_parse(&bad, 100).error(), Error::bad_signature);
    bad = h;
    bad.revision = 9;
    EXPECT_EQ(handoff_parse(&bad, 100).error(), Error::bad_revision);
}

// One mutation of a valid record, and the refusal it must cause, through
// both the validator and the parser.
struct Refusal {
    const char* what;
    std::function<void(atoll_handoff&)> mutate;
    Error expected;
};

TEST(HandoffParse, EveryRefusal) {
    const std::vector<Refusal> cases = {
        {"signature", [](auto& h) { h.signature ^= 0xff; }, Error::bad_signature},
        {"revision", [](auto& h) { h.revision = ATOLL_HANDOFF_REVISION + 1; }, Error::bad_revision},
        {"size small", [](auto& h) { h.size = 100; }, Error::bad_size},
        {"size large", [](auto& h) { h.size = 4096; }, Error::bad_size},
        {"host partition", [](auto& h) { h.partition_id = 0; }, Error::invalid_argument},
        {"partition 16", [](auto& h) { h.partition_id = 16; }, Error::invalid_argument},
        {"no cpus", [](auto& h) { h.cpu_count = 0; }, Error::invalid_argument},
        {"65 cpus", [](auto& h) { h.cpu_count = 65; }, Error::invalid_argument},
        {"cpu count past ids", [](auto& h) { h.cpu_count = 4; h.apic_ids[3] = 2; }, Error::invalid_argument},
        {"duplicate apic", [](auto& h) { h.apic_ids[1] = 2; }, Error::invalid_argument},
        {"host apic in list", [](auto& h) { h.host_apic_id = 3; }, Error::invalid_argument},
        {"broadcast apic", [](auto& h) { h.apic_ids[2] = 0xffffffffu; }, Error::invalid_argument},
        {"broadcast host", [](auto& h) { h.host_apic_id = 0xffffffffu; }, Error::invalid_argument},
        {"unused apic set", [](auto& h) { h.apic_ids[63] = 7; }, Error::corrupt},
        {"no ranges", [](auto& h) { h.mem_range_count = 0; }, Error::invalid_argument},
        {"9 ranges", [](auto& h) { h.mem_range_count = 9; }, Error::invalid_argument},
        {"unused range set", [](auto& h) { h.mem_ranges[7].end = 2 * M2; }, Error::corrupt},
        {"misaligned start", [](auto& h) { h.mem_ranges[0].start += 4096; }, Error::misaligned},
        {"misaligned end", [](auto& h) { h.mem_ranges[1].end -= 4096; }, Error::misaligned},
        {"empty range", [](auto& h) { h.mem_ranges[0].end = h.mem_ranges[0].start; }, Error::invalid_argument},
        {"reversed range", [](auto& h) { h.mem_ranges[0].end = h.mem_ranges[0].start - M2; }, Error::invalid_argument},
        {"unsorted", [](auto& h) { std::swap(h.mem_ranges[0], h.mem_ranges[1]); }, Error::invalid_argument},
        {"overlap", [](auto& h) { h.mem_ranges[1].start = h.mem_ranges[0].end - M2; }, Error::overlap},
        {"no lagoon", [](auto& h) { h.lagoon_size = 0; }, Error::invalid_argument},
        {"misaligned lagoon", [](auto& h) { h.lagoon_phys += 8; }, Error::misaligned},
        {"lagoon size unaligned", [](auto& h) { h.lagoon_size += 100; }, Error::misaligned},
        {"lagoon wraps", [](auto& h) { h.lagoon_phys = ~std::uint64_t{0xfff}; }, Error::out_of_range},
        {"lagoon in RAM", [](auto& h) { h.lagoon_phys = 4 * GiB + M2; }, Error::overlap},
        {"no tsc", [](auto& h) { h.tsc_khz = 0; }, Error::invalid_argument},
        {"no lapic", [](auto& h) { h.lapic_timer_hz = 0; }, Error::invalid_argument},
        {"nsec", [](auto& h) { h.wallclock_nsec = 1'000'000'000; }, Error::invalid_argument},
        {"unknown flag", [](auto& h) { h.flags |= 1u << 7; }, Error::invalid_argument},
        {"reserved0", [](auto& h) { h.reserved0 = 1; }, Error::corrupt},
        {"reserved", [](auto& h) { h.reserved[6] = 1; }, Error::corrupt},
        {"no AP start page for 3 CPUs", [](auto& h) { h.ap_start_phys = 0; }, Error::invalid_argument},
        {"AP start page unaligned", [](auto& h) { h.ap_start_phys += 16; }, Error::misaligned},
        {"AP start area crosses 1 MiB", [](auto& h) { h.ap_start_phys = 0xfc000; }, Error::out_of_range},
        {"secondary APIC ID without a slot", [](auto& h) { h.apic_ids[2] = 256; }, Error::out_of_range},
    };
    const atoll_handoff base = good();
    ASSERT_TRUE(handoff_validate(base).ok());
    for (const auto& c : cases) {
        atoll_handoff h = base;
        c.mutate(h);
        EXPECT_EQ(handoff_validate(h).error(), c.expected) << c.what;
        auto parsed = handoff_parse(&h, sizeof h);
        EXPECT_FALSE(parsed.ok()) << c.what;
        if (c.expected != Error::bad_size) {   // a wrong size field is a parse-time size error too
            EXPECT_EQ(parsed.error(), c.expected) << c.what;
        }
    }
}

TEST(HandoffBuild, RefusesBadSpecs) {
    Inputs in;
    auto refuse = [&](auto mutate) {
        HandoffSpec s = in.spec();
        mutate(s);
        auto r = handoff_build(s);
        return r.ok() ? Error::ok : r.error();
    };
    std::array<ApicId, 65> many{};
    for (std::uint32_t i = 0; i < many.size(); ++i)
        many[i] = ApicId{i + 1};
    std::array<PhysRange, 9> ranges{};
    for (std::uint64_t i = 0; i < ranges.size(); ++i)
        ranges[i] = PhysRange{PhysAddr{(i + 8) * GiB}, PhysAddr{(i + 8) * GiB + M2}};

    EXPECT_EQ(refuse([](HandoffSpec&) {}), Error::ok);
    EXPECT_EQ(refuse([](HandoffSpec& s) { s.cpus = {}; }), Error::invalid_argument);
    EXPECT_EQ(refuse([&](HandoffSpec& s) { s.cpus = many; }), Error::invalid_argument);
    EXPECT_EQ(refuse([&](HandoffSpec& s) { s.cpus = std::span(many).first(64); }), Error::ok);
    EXPECT_EQ(refuse([](HandoffSpec& s) { s.memory = {}; }), Error::invalid_argument);
    EXPECT_EQ(refuse([&](HandoffSpec& s) { s.memory = ranges; }), Error::invalid_argument);
    EXPECT_EQ(refuse([&](HandoffSpec& s) { s.memory = std::span(ranges).first(8); }), Error::ok);
    EXPECT_EQ(refuse([](HandoffSpec& s) { s.lagoon = PhysRange{}; }), Error::invalid_argument);
    EXPECT_EQ(refuse([](HandoffSpec& s) { s.partition = PartitionId{0}; }), Error::invalid_argument);
    EXPECT_EQ(refuse([](HandoffSpec& s) { s.tsc_khz = 0; }), Error::invalid_argument);
    std::array<PhysRange, 2> overlapping{PhysRange{PhysAddr{0}, PhysAddr{4 * M2}},
                                         PhysRange{PhysAddr{2 * M2}, PhysAddr{6 * M2}}};
    EXPECT_EQ(refuse([&](HandoffSpec& s) { s.memory = overlapping; }), Error::overlap);
}

}  // namespace
}  // namespace atl::nk
