// Lagoon layout: format, open, accessors, and refusal of corrupt headers.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>

#include "atoll/nk/lagoon.hpp"
#include "lagoon_test_support.hpp"

namespace atl::nk {
namespace {

using test::AlignedBuffer;
using test::small_spec;

constexpr std::size_t big = 256 * 1024;

TEST(LagoonFormat, RequiredSizeMatchesLayout) {
    auto need = lagoon_required_size(small_spec());
    ASSERT_TRUE(need.ok());
    EXPECT_EQ(*need, sizeof(atoll_lagoon_header) + 4 * sizeof(atoll_partition_state) +
                         8 * sizeof(atoll_cpu_slot) + ATOLL_VIRQ_TABLE_SIZE + 4 * 4096 + 8192);
}

TEST(LagoonFormat, FormatThenOpenRoundTrip) {
    AlignedBuffer buf(big, 0xa5);
    ASSERT_TRUE(lagoon_format(buf.data(), buf.size(), small_spec()).ok());
    auto view = LagoonView::open(buf.data(), buf.size());
    ASSERT_TRUE(view.ok()) << error_name(view.error());
    EXPECT_EQ(view->max_partitions(), 4u);
    EXPECT_EQ(view->max_cpus(), 8u);
    EXPECT_EQ(view->layout().generation, 7u);
    EXPECT_EQ(view->layout().size, big);
    EXPECT_EQ(view->layout().console_area, 4096u);

    const atoll_lagoon_header* h = buf.header();
    EXPECT_EQ(h->region_count, 5u);
    std::uint64_t prev_end = sizeof(atoll_lagoon_header);
    for (std::uint32_t i = 0; i < h->region_count; ++i) {
        const auto& r = h->regions[i];
        EXPECT_EQ(r.offset % 64, 0u);
        EXPECT_EQ(r.size % 64, 0u);
        EXPECT_GE(r.offset, prev_end);   // sorted, disjoint
        prev_end = r.offset + r.size;
        for (std::uint64_t b = r.offset; b < r.offset + r.size; ++b)
            ASSERT_EQ(buf.bytes()[b], 0) << "region " << i << " not zeroed at " << b;
    }
    // Bytes past the last region are not the formatter's business.
    EXPECT_EQ(buf.bytes()[prev_end], 0xa5);
}

TEST(LagoonFormat, OptionalRegionsLeftOut) {
    LagoonSpec s = small_spec();
    s.console_size = 0;
    s.vnet_size = 0;
    AlignedBuffer buf(big);
    ASSERT_TRUE(lagoon_format(buf.data(), buf.size(), s).ok());
    auto view = LagoonView::open(buf.data(), buf.size());
    ASSERT_TRUE(view.ok());
    EXPECT_EQ(buf.header()->region_count, 3u);
    EXPECT_EQ(view->console(PartitionId{0}).error(), Error::not_found);
    EXPECT_EQ(view->vnet().error(), Error::not_found);
}

TEST(LagoonFormat, RefusesSmallBufferWithoutWriting) {
    auto need = lagoon_required_size(small_spec());
    ASSERT_TRUE(need.ok());
    AlignedBuffer buf(*need - 64, 0x5a);
    EXPECT_EQ(lagoon_format(buf.data(), buf.size(), small_spec()).error(), Error::exhausted);
    for (std::size_t i = 0; i < buf.size(); ++i)
        ASSERT_EQ(buf.bytes()[i], 0x5a) << "byte " << i << " written";
}

TEST(LagoonFormat, RefusesBadSpecs) {
    AlignedBuffer buf(big);
    auto with = [&](auto mutate) {
        LagoonSpec s = small_spec();
        mutate(s);
        return lagoon_format(buf.data(), buf.size(), s).error();
    };
    EXPECT_EQ(with([](LagoonSpec& s) { s.max_partitions = 0; }), Error::invalid_argument);
    EXPECT_EQ(with([](LagoonSpec& s) { s.max_partitions = 17; }), Error::invalid_argument);
    EXPECT_EQ(with([](LagoonSpec& s) { s.max_cpus = 0; }), Error::invalid_argument);
    EXPECT_EQ(with([](LagoonSpec& s) { s.max_cpus = 65; }), Error::invalid_argument);
    EXPECT_EQ(with([](LagoonSpec& s) { s.console_size = 100; }), Error::misaligned);
    EXPECT_EQ(with([](LagoonSpec& s) { s.vnet_size = 65; }), Error::misaligned);
    EXPECT_EQ(with([](LagoonSpec& s) { s.console_size = ~std::uint64_t{63}; }), Error::out_of_range);
    EXPECT_EQ(with([](LagoonSpec& s) { s.vnet_size = ~std::uint64_t{63}; }), Error::out_of_range);
    EXPECT_EQ(lagoon_format(nullptr, big, small_spec()).error(), Error::invalid_argument);
    EXPECT_EQ(lagoon_format(buf.bytes() + 8, big - 8, small_spec()).error(), Error::misaligned);
}

TEST(LagoonView, AccessorsBoundsChecked) {
    AlignedBuffer buf(big);
    ASSERT_TRUE(lagoon_format(buf.data(), buf.size(), small_spec()).ok());
    auto view = LagoonView::open(buf.data(), buf.size());
    ASSERT_TRUE(view.ok());
    const auto& l = view->layout();

    auto slot = view->cpu_slot(CpuSlot{7});
    ASSERT_TRUE(slot.ok());
    EXPECT_EQ(reinterpret_cast<unsigned char*>(*slot),
              buf.bytes() + l.regions[ATOLL_REGION_CPUS].offset + 7 * sizeof(atoll_cpu_slot));
    EXPECT_EQ(view->cpu_slot(CpuSlot{8}).error(), Error::out_of_range);
    EXPECT_TRUE(view->partition_state(PartitionId{3}).ok());
    EXPECT_EQ(view->partition_state(PartitionId{4}).error(), Error::out_of_range);
    EXPECT_TRUE(view->virq_entry(Virq{ATOLL_VIRQ_COUNT - 1}).ok());
    EXPECT_EQ(view->virq_entry(Virq{ATOLL_VIRQ_COUNT}).error(), Error::out_of_range);
    auto con = view->console(PartitionId{3});
    ASSERT_TRUE(con.ok());
    EXPECT_EQ(con->size(), 4096u);
    EXPECT_EQ(reinterpret_cast<unsigned char*>(con->data()),
              buf.bytes() + l.regions[ATOLL_REGION_CONSOLE].offset + 3 * 4096);
    EXPECT_EQ(view->console(PartitionId{4}).error(), Error::out_of_range);
    auto vnet = view->vnet();
    ASSERT_TRUE(vnet.ok());
    EXPECT_EQ(vnet->size(), 8192u);

    LagoonView empty;
    EXPECT_FALSE(empty.valid());
    EXPECT_FALSE(empty.cpu_slot(CpuSlot{0}).ok());
    EXPECT_FALSE(empty.virq_entry(Virq{0}).ok());
}

TEST(LagoonView, FindCpuBySparseApicIdScans) {
    AlignedBuffer buf(big);
    ASSERT_TRUE(lagoon_format(buf.data(), buf.size(), small_spec()).ok());
    auto view = LagoonView::open(buf.data(), buf.size());
    ASSERT_TRUE(view.ok());
    EXPECT_EQ(view->find_cpu(ApicId{0}).error(), Error::not_found);   // nothing assigned
    ASSERT_TRUE(view->assign_cpu(CpuSlot{0}, ApicId{0}, PartitionId{0}).ok());
    ASSERT_TRUE(view->assign_cpu(CpuSlot{1}, ApicId{0x1fe}, PartitionId{1}).ok());
    ASSERT_TRUE(view->assign_cpu(CpuSlot{5}, ApicId{64}, PartitionId{2}).ok());
    EXPECT_EQ(view->find_cpu(ApicId{0x1fe}).value(), CpuSlot{1});
    EXPECT_EQ(view->find_cpu(ApicId{64}).value(), CpuSlot{5});
    EXPECT_EQ(view->find_cpu(ApicId{0}).value(), CpuSlot{0});
    EXPECT_EQ(view->find_cpu(ApicId{5}).error(), Error::not_found);
    EXPECT_EQ(view->assign_cpu(CpuSlot{2}, ApicId{64}, PartitionId{1}).error(), Error::busy);
    EXPECT_TRUE(view->assign_cpu(CpuSlot{5}, ApicId{64}, PartitionId{3}).ok());   // same slot
    EXPECT_EQ(view->assign_cpu(CpuSlot{8}, ApicId{9}, PartitionId{1}).error(), Error::out_of_range);
    EXPECT_EQ(view->assign_cpu(CpuSlot{2}, ApicId{9}, PartitionId{4}).error(), Error::out_of_range);
}

// A restarted partition's CPU starts with nothing pending or stalled: a bit
// its crashed predecessor left would suppress every later IPI for that virq.
TEST(LagoonView, AssigningASlotClearsItsPendingLogsAndStalls) {
    AlignedBuffer buf(big);
    ASSERT_TRUE(lagoon_format(buf.data(), buf.size(), small_spec()).ok());
    auto view = LagoonView::open(buf.data(), buf.size());
    ASSERT_TRUE(view.ok());
    ASSERT_TRUE(view->assign_cpu(CpuSlot{1}, ApicId{3}, PartitionId{3}).ok());
    atoll_cpu_slot* s = view->cpu_slot(CpuSlot{1}).value();
    s->stall = 1u << ATOLL_STAGE_VNET;
    s->logs[ATOLL_STAGE_VNET].summary = 1;
    s->logs[ATOLL_STAGE_VNET].words[0] = 1u << 5;
    ASSERT_TRUE(view->assign_cpu(CpuSlot{1}, ApicId{3}, PartitionId{3}).ok());   // the restart
    EXPECT_EQ(s->stall, 0u);
    EXPECT_EQ(s->logs[ATOLL_STAGE_VNET].summary, 0u);
    EXPECT_EQ(s->logs[ATOLL_STAGE_VNET].words[0], 0u);
}

// ---- corrupt lagoons ------------------------------------------------------

class LagoonCorrupt : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(lagoon_format(buf.data(), buf.size(), small_spec()).ok()); }

    atoll_lagoon_header& h() { return *buf.header(); }
    atoll_lagoon_region& region(std::uint32_t kind) {
        for (auto& r : h().regions)
            if (r.kind == kind)
                return r;
        return h().regions[ATOLL_LAGOON_MAX_REGIONS - 1];
    }
    Error open_error(std::size_t size = big) {
        auto v = LagoonView::open(buf.data(), size);
        return v.ok() ? Error::ok : v.error();
    }

    AlignedBuffer buf{big};
};

TEST_F(LagoonCorrupt, PristineOpens) { EXPECT_EQ(open_error(), Error::ok); }

TEST_F(LagoonCorrupt, WrongSignature) {
    h().signature ^= 1;
    EXPECT_EQ(open_error(), Error::bad_signature);
}

TEST_F(LagoonCorrupt, WrongRevision) {
    h().revision = 2;
    EXPECT_EQ(open_error(), Error::bad_revision);
}

TEST_F(LagoonCorrupt, WrongHeaderSize) {
    h().header_size = 64;
    EXPECT_EQ(open_error(), Error::bad_size);
}

TEST_F(LagoonCorrupt, TruncatedBuffer) {
    EXPECT_EQ(open_error(sizeof(atoll_lagoon_header) - 1), Error::bad_size);
    EXPECT_EQ(open_error(big - 64), Error::bad_size);   // lagoon_size claims more than mapped
    EXPECT_EQ(LagoonView::open(nullptr, big).error(), Error::invalid_argument);
    EXPECT_EQ(LagoonView::open(buf.bytes() + 64, big - 64).error(), Error::bad_signature);
    EXPECT_EQ(LagoonView::open(buf.bytes() + 4, big - 4).error(), Error::misaligned);
}

TEST_F(LagoonCorrupt, LagoonSizeSmallerThanRegions) {
    h().lagoon_size = region(ATOLL_REGION_VNET).offset;   // VNET now sticks out
    EXPECT_EQ(open_error(), Error::out_of_range);
}

TEST_F(LagoonCorrupt, BadCounts) {
    h().max_cpus = 0;
    EXPECT_EQ(open_error(), Error::corrupt);
    h().max_cpus = 65;
    EXPECT_EQ(open_error(), Error::corrupt);
    h().max_cpus = 8;
    h().max_partitions = 17;
    EXPECT_EQ(open_error(), Error::corrupt);
    h().max_partitions = 4;
    h().region_count = 17;
    EXPECT_EQ(open_error(), Error::corrupt);
    h().region_count = 6;   // counts a zero (NONE) entry
    EXPECT_EQ(open_error(), Error::corrupt);
    h().region_count = 5;
    EXPECT_EQ(open_error(), Error::ok);
}

TEST_F(LagoonCorrupt, SizesInconsistentWithCounts) {
    h().max_cpus = 7;   // CPUS region holds 8 slots
    EXPECT_EQ(open_error(), Error::bad_size);
    h().max_cpus = 8;
    h().max_partitions = 3;   // PARTITIONS region holds 4
    EXPECT_EQ(open_error(), Error::bad_size);
}

TEST_F(LagoonCorrupt, RegionOutOfRange) {
    region(ATOLL_REGION_VNET).offset = big;   // starts at the end
    EXPECT_EQ(open_error(), Error::out_of_range);
}

TEST_F(LagoonCorrupt, RegionOverlapsHeader) {
    region(ATOLL_REGION_PARTITIONS).offset = 0;
    EXPECT_EQ(open_error(), Error::out_of_range);
}

TEST_F(LagoonCorrupt, OverflowingOffset) {
    auto& r = region(ATOLL_REGION_VNET);
    r.offset = std::numeric_limits<std::uint64_t>::max() - 63;   // offset + size wraps
    EXPECT_EQ(open_error(), Error::out_of_range);
    r.offset = 64 * 1024;
    r.size = std::numeric_limits<std::uint64_t>::max() - 63;
    EXPECT_EQ(open_error(), Error::out_of_range);
}

TEST_F(LagoonCorrupt, OverlappingRegions) {
    region(ATOLL_REGION_VNET).offset = region(ATOLL_REGION_CONSOLE).offset + 64;
    EXPECT_EQ(open_error(), Error::overlap);
}

TEST_F(LagoonCorrupt, MisalignedRegion) {
    region(ATOLL_REGION_VNET).offset += 8;
    EXPECT_EQ(open_error(), Error::misaligned);
}

TEST_F(LagoonCorrupt, UnknownAndDuplicateKinds) {
    region(ATOLL_REGION_VNET).kind = ATOLL_REGION_KIND_COUNT;
    EXPECT_EQ(open_error(), Error::corrupt);
    region(ATOLL_REGION_KIND_COUNT).kind = ATOLL_REGION_CONSOLE;   // console twice
    EXPECT_EQ(open_error(), Error::corrupt);
}

TEST_F(LagoonCorrupt, MissingRequiredRegion) {
    // VNET is optional: dropping it is fine. VIRQS is not: relabel it.
    h().region_count = 4;
    h().regions[4] = atoll_lagoon_region{};   // VNET gone: fine, optional
    EXPECT_EQ(open_error(), Error::ok);
    region(ATOLL_REGION_VIRQS).kind = ATOLL_REGION_VNET;
    EXPECT_EQ(open_error(), Error::not_found);
}

TEST_F(LagoonCorrupt, NonZeroUnusedEntryOrReserved) {
    h().regions[10].size = 64;
    EXPECT_EQ(open_error(), Error::corrupt);
    h().regions[10].size = 0;
    h().reserved0 = 1;
    EXPECT_EQ(open_error(), Error::corrupt);
}

TEST_F(LagoonCorrupt, BadOwner) {
    region(ATOLL_REGION_VNET).owner = 4;   // max_partitions is 4
    EXPECT_EQ(open_error(), Error::corrupt);
    region(ATOLL_REGION_VNET).owner = 3;
    EXPECT_EQ(open_error(), Error::ok);
}

TEST_F(LagoonCorrupt, ViewKeepsValidatedCopy) {
    auto view = LagoonView::open(buf.data(), buf.size());
    ASSERT_TRUE(view.ok());
    h().max_cpus = 64;   // scribbled after open
    region(ATOLL_REGION_CPUS).offset = big * 4;
    EXPECT_EQ(view->cpu_slot(CpuSlot{8}).error(), Error::out_of_range);
    auto slot = view->cpu_slot(CpuSlot{0});
    ASSERT_TRUE(slot.ok());
    EXPECT_LT(reinterpret_cast<unsigned char*>(*slot), buf.bytes() + big);
}

}  // namespace
}  // namespace atl::nk
