// vnet layout: ABI sizes, geometry, format/open and refusal of corrupt
// headers, node and ring accessors, MAC helpers and routing.
#include <gtest/gtest.h>

#include <set>
#include <type_traits>

#include "atoll/abi/vnet.h"
#include "atoll/vnet/geometry.hpp"
#include "atoll/vnet/mac.hpp"
#include "atoll/vnet/segment.hpp"
#include "vnet_test_support.hpp"

namespace atl::vnet {
namespace {

using test::GuardedMemory;

template <class T>
constexpr bool abi_type = std::is_standard_layout_v<T> && std::is_trivially_copyable_v<T>;

TEST(VnetAbi, StructuresAreStandardLayoutAndPinned) {
    EXPECT_TRUE(abi_type<atoll_vnet>);
    EXPECT_TRUE(abi_type<atoll_vnet_node>);
    EXPECT_TRUE(abi_type<atoll_vnet_ring>);
    EXPECT_TRUE(abi_type<atoll_vnet_record>);
    EXPECT_EQ(sizeof(atoll_vnet), 128u);
    EXPECT_EQ(sizeof(atoll_vnet_node), 64u);
    EXPECT_EQ(sizeof(atoll_vnet_ring), 256u);
    EXPECT_EQ(sizeof(atoll_vnet_record), 16u);
    // Producer and consumer indices never share a cache line.
    EXPECT_NE(offsetof(atoll_vnet_ring, head) / 64, offsetof(atoll_vnet_ring, tail) / 64);
    EXPECT_NE(offsetof(atoll_vnet_ring, head) / 64, offsetof(atoll_vnet_ring, kick_at) / 64);
    EXPECT_NE(offsetof(atoll_vnet_ring, tail) / 64, offsetof(atoll_vnet_ring, kick_at) / 64);
    EXPECT_EQ(ATOLL_VNET_MAX_FRAME, 65553u);
    EXPECT_EQ(ATOLL_VNET_LINK_GEN(ATOLL_VNET_LINK(7, true)), 7u);
    EXPECT_EQ(ATOLL_VNET_LINK(7, true) & ATOLL_VNET_LINK_UP, 1u);
    EXPECT_EQ(ATOLL_VNET_LINK(7, false) & ATOLL_VNET_LINK_UP, 0u);
    // Zeroed memory is never a record.
    EXPECT_NE(ATOLL_VNET_RECORD_CHECK(0, 0, 0, 0), 0u);
}

TEST(VnetGeometry, DerivedFromNodeCountAndRingSize) {
    auto g = geometry_for(2, 4096);
    ASSERT_TRUE(g.ok());
    EXPECT_EQ(g->ring_count, 2u);
    EXPECT_EQ(g->node_offset, 128u);
    EXPECT_EQ(g->ring_offset, 128u + 2 * 64);
    EXPECT_EQ(g->ring_stride, 256u + 4096);
    EXPECT_EQ(g->segment_size, 256u + 2 * (256 + 4096));
    EXPECT_EQ(g->max_frame, 2048u - 16);
    auto big = geometry_for(16, 1u << 20);
    ASSERT_TRUE(big.ok());
    EXPECT_EQ(big->ring_count, 240u);
    EXPECT_EQ(big->max_frame, ATOLL_VNET_MAX_FRAME);
    EXPECT_EQ(big->segment_size % 64, 0u);
    EXPECT_EQ(max_frame_for(256u << 10), ATOLL_VNET_MAX_FRAME);
    EXPECT_EQ(max_frame_for(128u << 10), 65536u - 16);

    EXPECT_EQ(geometry_for(1, 4096).error(), Error::invalid_argument);
    EXPECT_EQ(geometry_for(ATOLL_VNET_MAX_NODES + 1, 4096).error(), Error::invalid_argument);
    EXPECT_EQ(geometry_for(2, 2048).error(), Error::invalid_argument);
    EXPECT_EQ(geometry_for(2, 6144).error(), Error::invalid_argument);   // not a power of two
    EXPECT_EQ(geometry_for(2, ATOLL_VNET_MAX_RING * 2).error(), Error::invalid_argument);
}

TEST(VnetGeometry, RingIndexIsABijectionOnOrderedPairs) {
    for (std::uint32_t n = 2; n <= ATOLL_VNET_MAX_NODES; ++n) {
        std::set<std::uint32_t> seen;
        for (std::uint32_t s = 0; s < n; ++s)
            for (std::uint32_t r = 0; r < n; ++r)
                if (s != r) {
                    const std::uint32_t i = ring_index(n, s, r);
                    EXPECT_LT(i, n * (n - 1));
                    seen.insert(i);
                }
        EXPECT_EQ(seen.size(), n * (n - 1));
    }
}

TEST(VnetGeometry, RingSizeForAnArea) {
    const auto g256 = geometry_for(4, 256u << 10);
    auto r = ring_size_for(g256->segment_size, 4);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, 256u << 10);
    r = ring_size_for(g256->segment_size - 64, 4);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, 128u << 10);
    r = ring_size_for(std::uint64_t{1} << 40, 16);   // capped at 1 MiB by default
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, 1u << 20);
    EXPECT_EQ(ring_size_for(1000, 2).error(), Error::bad_size);
    EXPECT_EQ(ring_size_for(1u << 20, 1).error(), Error::invalid_argument);
}

TEST(VnetSegment, ZeroedAreaIsNotFormatted) {
    GuardedMemory m(64 * 1024);
    EXPECT_EQ(Segment::open(m.span()).error(), Error::bad_signature);
}

TEST(VnetSegment, FormatThenOpen) {
    const auto g = geometry_for(3, 4096).value();
    GuardedMemory m(g.segment_size + 128);   // a larger area: the rest is unused
    auto s = Segment::format(m.span(), 3, 4096);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->generation(), 1u);
    auto o = Segment::open(m.span());
    ASSERT_TRUE(o.ok());
    EXPECT_EQ(o->geometry().segment_size, g.segment_size);
    EXPECT_EQ(o->node_count(), 3u);
    EXPECT_EQ(o->geometry().max_frame, g.max_frame);
    EXPECT_TRUE(o->recheck().ok());
    // Nobody listens yet; no node is up.
    for (std::uint32_t a = 0; a < 3; ++a) {
        EXPECT_FALSE(o->up(PartitionId{a}));
        EXPECT_EQ(o->kick_target(PartitionId{a}).error(), Error::not_found);
        for (std::uint32_t b = 0; b < 3; ++b) {
            if (a != b) {
                EXPECT_EQ(o->ring(PartitionId{a}, PartitionId{b})->kick_at, ATOLL_VNET_KICK_NEVER);
            }
        }
    }
    // A re-format bumps the generation; a node opened before notices.
    auto again = Segment::format(m.span(), 3, 4096);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->generation(), 2u);
    EXPECT_EQ(o->recheck().error(), Error::busy);
}

TEST(VnetSegment, FormatRefusesBadAreas) {
    GuardedMemory m(64 * 1024);
    EXPECT_EQ(Segment::format(m.span().subspan(0, 4096), 2, 4096).error(), Error::bad_size);
    EXPECT_EQ(Segment::format(m.span().subspan(8), 2, 4096).error(), Error::misaligned);
    EXPECT_EQ(Segment::format(m.span(), 2, 5000).error(), Error::invalid_argument);
    EXPECT_EQ(Segment::format({}, 2, 4096).error(), Error::invalid_argument);
    EXPECT_EQ(Segment::open(m.span().subspan(0, 64)).error(), Error::bad_size);
}

TEST(VnetSegment, CorruptHeaderIsRefused) {
    const auto g = geometry_for(2, 4096).value();
    GuardedMemory m(g.segment_size);
    ASSERT_TRUE(Segment::format(m.span(), 2, 4096).ok());
    auto* h = reinterpret_cast<atoll_vnet*>(m.span().data());
    auto expect = [&](Error e) { EXPECT_EQ(Segment::open(m.span()).error(), e); };

    h->revision = ATOLL_VNET_REVISION + 1;
    expect(Error::bad_revision);
    h->revision = ATOLL_VNET_REVISION;
    h->node_count = 3;   // would need more memory than the area has
    expect(Error::bad_size);
    h->node_count = 200;
    expect(Error::bad_size);
    h->node_count = 2;
    h->ring_size = 8192;
    expect(Error::bad_size);
    h->ring_size = 4095;
    expect(Error::bad_size);
    h->ring_size = 4096;
    h->ring_stride = 1u << 30;   // would point far outside the area
    expect(Error::bad_size);
    h->ring_stride = 256 + 4096;
    h->max_frame = 65535;
    expect(Error::bad_size);
    h->max_frame = g.max_frame;
    h->ring_offset = 0;
    expect(Error::bad_size);
    h->ring_offset = g.ring_offset;
    ASSERT_TRUE(Segment::open(m.span()).ok());
    // A smaller area than the segment (the lagoon gave us less).
    EXPECT_EQ(Segment::open(m.span().subspan(0, g.segment_size - 64)).error(), Error::bad_size);
    h->signature ^= 1;
    expect(Error::bad_signature);
}

TEST(VnetSegment, AccessorsStayInsideTheSegment) {
    const auto g = geometry_for(4, 4096).value();
    GuardedMemory m(g.segment_size);
    auto s = Segment::format(m.span(), 4, 4096);
    ASSERT_TRUE(s.ok());
    auto* base = reinterpret_cast<std::uint8_t*>(m.span().data());
    std::set<std::uintptr_t> rings;
    for (std::uint32_t a = 0; a < 4; ++a) {
        EXPECT_NE(s->node(PartitionId{a}), nullptr);
        for (std::uint32_t b = 0; b < 4; ++b) {
            auto* r = s->ring(PartitionId{a}, PartitionId{b});
            if (a == b) {
                EXPECT_EQ(r, nullptr);
                EXPECT_EQ(s->ring_data(PartitionId{a}, PartitionId{b}), nullptr);
                continue;
            }
            ASSERT_NE(r, nullptr);
            auto* d = s->ring_data(PartitionId{a}, PartitionId{b});
            EXPECT_EQ(d, reinterpret_cast<std::uint8_t*>(r) + 256);
            EXPECT_GE(reinterpret_cast<std::uint8_t*>(r), base + g.ring_offset);
            EXPECT_LE(d + 4096, base + g.segment_size);
            EXPECT_EQ(reinterpret_cast<std::uintptr_t>(r) % 64, 0u);
            rings.insert(reinterpret_cast<std::uintptr_t>(r));
        }
    }
    EXPECT_EQ(rings.size(), 12u);
    EXPECT_EQ(s->node(PartitionId{4}), nullptr);
    EXPECT_EQ(s->ring(PartitionId{0}, PartitionId{4}), nullptr);
    EXPECT_EQ(s->link(PartitionId{99}), 0u);
    EXPECT_EQ(Segment{}.node(PartitionId{0}), nullptr);
    EXPECT_EQ(Segment{}.recheck().error(), Error::not_found);
}

TEST(VnetSegment, KickTargetIsValidated) {
    const auto g = geometry_for(2, 4096).value();
    GuardedMemory m(g.segment_size);
    auto s = Segment::format(m.span(), 2, 4096);
    ASSERT_TRUE(s.ok());
    atoll_vnet_node* n = s->node(PartitionId{1});
    n->kick_virq = ATOLL_VNET_KICK_VALID | 42;
    n->kick_cpu = 3;
    auto k = s->kick_target(PartitionId{1});
    ASSERT_TRUE(k.ok());
    EXPECT_EQ(k->virq, Virq{42});
    EXPECT_EQ(k->cpu, CpuSlot{3});
    n->kick_virq = ATOLL_VNET_KICK_VALID | ATOLL_VIRQ_COUNT;
    EXPECT_EQ(s->kick_target(PartitionId{1}).error(), Error::corrupt);
    n->kick_virq = ATOLL_VNET_KICK_VALID | 42;
    n->kick_cpu = ATOLL_MAX_CPUS;
    EXPECT_EQ(s->kick_target(PartitionId{1}).error(), Error::corrupt);
    EXPECT_EQ(s->kick_target(PartitionId{2}).error(), Error::not_found);
}

TEST(VnetMac, StableAddressPerNode) {
    const Mac m = mac_of(PartitionId{5});
    const Mac want{{0x02, 0xa7, 0x0d, 0x00, 0x00, 0x05}};
    EXPECT_EQ(m, want);
    EXPECT_FALSE(is_group(m));
    EXPECT_EQ(m.b[0] & 2, 2);   // locally administered
    EXPECT_EQ(node_of(m).value(), PartitionId{5});
    EXPECT_EQ(node_of(Mac{{0x02, 0xa7, 0x0d, 0x00, 0x00, 16}}).error(), Error::not_found);
    EXPECT_EQ(node_of(Mac{{0x02, 0xa7, 0x0e, 0x00, 0x00, 1}}).error(), Error::not_found);
    EXPECT_EQ(node_of(Mac{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}).error(), Error::not_found);
    const std::uint8_t frame[14] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00};
    EXPECT_EQ(destination_of(frame), (Mac{{1, 2, 3, 4, 5, 6}}));
    EXPECT_EQ(source_of(frame), (Mac{{7, 8, 9, 10, 11, 12}}));
}

TEST(VnetMac, RouteByDestination) {
    const PartitionId self{1};
    EXPECT_EQ(route(mac_of(PartitionId{3}), self, 4).bits, 1u << 3);
    EXPECT_TRUE(route(mac_of(PartitionId{1}), self, 4).empty());    // to ourselves
    EXPECT_TRUE(route(mac_of(PartitionId{4}), self, 4).empty());    // beyond node_count
    // Outside the vnet prefix: the host's uplink; from the host: nowhere.
    EXPECT_EQ(route(Mac{{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}}, self, 4).bits, 1u << 0);
    EXPECT_TRUE(route(Mac{{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}}, PartitionId{0}, 4).empty());
    EXPECT_TRUE(route(Mac{{0x02, 0xa7, 0x0d, 0x00, 0x00, 9}}, self, 4).empty());   // a vnet MAC of no node
    const NodeSet all_but_self{0b1101};
    EXPECT_EQ(route(Mac{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}, self, 4), all_but_self);
    EXPECT_EQ(route(Mac{{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}}, self, 4), all_but_self);   // IPv4 mcast
    EXPECT_EQ(route(Mac{{0x33, 0x33, 0x00, 0x00, 0x00, 0x01}}, self, 4), all_but_self);   // IPv6 mcast
    NodeSet s;
    s.add(PartitionId{2});
    s.add(PartitionId{40});   // ignored: not a node id
    EXPECT_EQ(s.count(), 1u);
    EXPECT_TRUE(s.contains(PartitionId{2}));
    EXPECT_FALSE(s.contains(PartitionId{40}));
}

}  // namespace
}  // namespace atl::vnet
