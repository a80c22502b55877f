// vcon rings: geometry, format, OUT snapshot/follow/overrun, IN flow control,
// and refusal of corrupt headers and indices (areas sit between guard pages).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "atoll/vcon/input.hpp"
#include "atoll/vcon/reader.hpp"
#include "atoll/vcon/writer.hpp"
#include "vcon_test_support.hpp"

namespace atl::vcon {
namespace {

using test::bytes;
using test::GuardedArea;
using test::text;

constexpr std::size_t kArea = 1024;   // header 256, IN 192, OUT 576

TEST(VconGeometry, DerivedFromTheAreaSize) {
    auto g = geometry_for(kArea);
    ASSERT_TRUE(g.ok());
    EXPECT_EQ(g->in_offset, 256u);
    EXPECT_EQ(g->in_size, 192u);
    EXPECT_EQ(g->out_offset, 448u);
    EXPECT_EQ(g->out_size, 576u);
    auto big = geometry_for(1 << 20);
    ASSERT_TRUE(big.ok());
    EXPECT_EQ(big->in_size, ATOLL_VCON_IN_SIZE);
    EXPECT_EQ(big->out_size, (1u << 20) - 256 - ATOLL_VCON_IN_SIZE);
    EXPECT_EQ(geometry_for(511).error(), Error::bad_size);
    EXPECT_EQ(geometry_for(0).error(), Error::bad_size);
    auto huge = geometry_for(std::uint64_t{1} << 40);
    ASSERT_TRUE(huge.ok());
    EXPECT_EQ(huge->area_size, ATOLL_VCON_MAX_AREA);
}

TEST(VconRing, ZeroedAreaIsNoConsoleYet) {
    GuardedArea a(kArea);
    EXPECT_EQ(Reader::open(a.span()).error(), Error::bad_signature);
    EXPECT_EQ(Input::open(a.span()).error(), Error::bad_signature);
}

TEST(VconRing, EmptyAfterFormat) {
    GuardedArea a(kArea);
    auto w = Writer::format(a.span());
    ASSERT_TRUE(w.ok());
    auto r = Reader::open(a.span());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->generation(), 1u);
    std::vector<std::byte> buf(1000);
    auto c = r->last(buf);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->size, 0u);
    EXPECT_EQ(c->cursor, 0u);
    auto f = r->read(0, buf);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->size, 0u);
    EXPECT_EQ(f->lost, 0u);
}

TEST(VconRing, WriteThenSnapshotAndFollow) {
    GuardedArea a(kArea);
    auto w = Writer::format(a.span());
    ASSERT_TRUE(w.ok());
    Writer writer = *w;
    writer.write(bytes("hello "));
    writer.write(bytes("world\n"));
    auto r = Reader::open(a.span());
    ASSERT_TRUE(r.ok());
    std::vector<std::byte> buf(1000);
    auto c = r->last(buf);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(text(buf, c->size), "hello world\n");
    auto f = r->read(6, buf);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(text(buf, f->size), "world\n");
    EXPECT_EQ(f->cursor, 12u);
    // A small buffer reads oldest first when following, newest on a snapshot.
    std::vector<std::byte> small(5);
    auto s = r->read(0, small);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(text(small, s->size), "hello");
    auto l = r->last(small);
    ASSERT_TRUE(l.ok());
    EXPECT_EQ(text(small, l->size), "orld\n");
}

TEST(VconRing, WrapAroundKeepsTheNewestBytes) {
    GuardedArea a(kArea);
    auto w = Writer::format(a.span());
    ASSERT_TRUE(w.ok());
    Writer writer = *w;
    std::string all;
    for (int i = 0; i < 100; ++i) {
        const std::string line = "line " + std::to_string(i) + "\n";
        writer.write(bytes(line));
        all += line;
    }
    auto r = Reader::open(a.span());
    ASSERT_TRUE(r.ok());
    std::vector<std::byte> buf(4096);
    auto c = r->last(buf);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->size, r->capacity());
    EXPECT_EQ(text(buf, c->size), all.substr(all.size() - r->capacity()));
    EXPECT_EQ(c->cursor, all.size());
}

TEST(VconRing, OverrunIsReportedAsLost) {
    GuardedArea a(kArea);
    auto w = Writer::format(a.span());
    ASSERT_TRUE(w.ok());
    Writer writer = *w;
    auto r = Reader::open(a.span());
    ASSERT_TRUE(r.ok());
    std::string all(2000, 'x');
    for (std::size_t i = 0; i < all.size(); ++i)
        all[i] = static_cast<char>('a' + i % 26);
    writer.write(bytes(all));   // larger than the ring
    std::vector<std::byte> buf(4096);
    auto f = r->read(0, buf);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->lost, 2000u - r->capacity());
    EXPECT_EQ(text(buf, f->size), all.substr(f->lost));
    EXPECT_EQ(f->cursor, 2000u);
}

TEST(VconRing, RestartContinuesTheStreamAndBumpsGeneration) {
    GuardedArea a(kArea);
    {
        auto w = Writer::format(a.span());
        ASSERT_TRUE(w.ok());
        Writer writer = *w;
        writer.write(bytes("first boot\n"));
    }
    auto r = Reader::open(a.span());
    ASSERT_TRUE(r.ok());
    auto w2 = Writer::format(a.span());
    ASSERT_TRUE(w2.ok());
    Writer writer = *w2;
    writer.write(bytes("second\n"));
    std::vector<std::byte> buf(100);
    EXPECT_EQ(r->read(0, buf).error(), Error::busy);   // the old reader notices
    auto r2 = Reader::open(a.span());
    ASSERT_TRUE(r2.ok());
    EXPECT_EQ(r2->generation(), 2u);
    auto c = r2->last(buf);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(text(buf, c->size), "first boot\nsecond\n");
}

TEST(VconRing, CorruptHeaderIsRefused) {
    GuardedArea a(kArea);
    ASSERT_TRUE(Writer::format(a.span()).ok());
    atoll_vcon* h = a.header();
    h->revision = 99;
    EXPECT_EQ(Reader::open(a.span()).error(), Error::bad_revision);
    h->revision = ATOLL_VCON_REVISION;
    h->out_size = 1u << 30;   // would point far outside the area
    EXPECT_EQ(Reader::open(a.span()).error(), Error::bad_size);
    h->out_size = 576;
    h->area_size = 2048;   // size mismatch with the lagoon's area
    EXPECT_EQ(Reader::open(a.span()).error(), Error::bad_size);
    h->area_size = kArea;
    ASSERT_TRUE(Reader::open(a.span()).ok());
    // A reader given a different span size than the writer formatted.
    EXPECT_EQ(Reader::open(a.span().subspan(0, 960)).error(), Error::bad_size);
    EXPECT_EQ(Reader::open(a.span().subspan(1)).error(), Error::misaligned);
}

TEST(VconRing, CorruptIndicesAreRefusedWithoutStrayReads) {
    GuardedArea a(kArea);
    auto w = Writer::format(a.span());
    ASSERT_TRUE(w.ok());
    Writer writer = *w;
    writer.write(bytes("abc"));
    auto r = Reader::open(a.span());
    ASSERT_TRUE(r.ok());
    atoll_vcon* h = a.header();
    std::vector<std::byte> buf(4096);
    const struct {
        std::uint64_t head, claim;
    } bad[] = {
        {~std::uint64_t{0}, ~std::uint64_t{0}},            // beyond sane bounds
        {ATOLL_VCON_COUNTER_MAX + 1, ATOLL_VCON_COUNTER_MAX + 1},
        {10, 5},                                           // head > claim
        {3, 3 + 577},                                      // claim too far ahead
    };
    for (const auto& b : bad) {
        h->out_head = b.head;
        h->out_claim = b.claim;
        EXPECT_EQ(r->read(0, buf).error(), Error::corrupt) << b.head << " " << b.claim;
        EXPECT_EQ(r->last(buf).error(), Error::corrupt);
    }
    // Huge but consistent indices: only the ring's bytes are read.
    h->out_head = h->out_claim = ATOLL_VCON_COUNTER_MAX - 7;
    auto c = r->last(buf);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->size, r->capacity());
    h->out_head = h->out_claim = 3;
    EXPECT_EQ(r->read(4, buf).error(), Error::corrupt);   // cursor beyond head
}

TEST(VconInput, FlowControlAndOrder) {
    GuardedArea a(kArea);
    ASSERT_TRUE(Writer::format(a.span()).ok());
    auto in = Input::open(a.span());
    ASSERT_TRUE(in.ok());
    Input host = *in;
    auto part = InputReader::open(a.span());
    ASSERT_TRUE(part.ok());
    InputReader reader = *part;
    std::vector<std::byte> buf(1000);
    EXPECT_EQ(reader.read(buf), 0u);
    const std::string big(300, 'k');
    auto n = host.write(bytes(big));
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, host.capacity());   // short count: refused the rest
    auto full = host.write(bytes("x"));
    ASSERT_TRUE(full.ok());
    EXPECT_EQ(*full, 0u);
    EXPECT_EQ(reader.read(std::span(buf).subspan(0, 100)), 100u);
    auto more = host.write(bytes("0123456789"));
    ASSERT_TRUE(more.ok());
    EXPECT_EQ(*more, 10u);
    const std::size_t got = reader.read(buf);
    EXPECT_EQ(got, host.capacity() - 100 + 10);
    EXPECT_EQ(text(buf, got).substr(got - 10), "0123456789");
    auto p = host.pending();
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*p, 0u);
}

TEST(VconInput, CorruptIndicesAreSurvived) {
    GuardedArea a(kArea);
    ASSERT_TRUE(Writer::format(a.span()).ok());
    auto in = Input::open(a.span());
    ASSERT_TRUE(in.ok());
    Input host = *in;
    auto part = InputReader::open(a.span());
    ASSERT_TRUE(part.ok());
    InputReader reader = *part;
    atoll_vcon* h = a.header();
    std::vector<std::byte> buf(4096);
    // The host's head scribbled: the partition drops and resynchronises.
    h->in_head = 100000;
    EXPECT_EQ(reader.read(buf), 0u);
    EXPECT_EQ(reader.dropped(), 1u);
    EXPECT_EQ(h->in_tail, 100000u);
    h->in_head = ~std::uint64_t{0};
    EXPECT_EQ(reader.read(buf), 0u);
    EXPECT_EQ(reader.dropped(), 2u);
    // The partition's tail scribbled: the host refuses to write.
    h->in_head = 0;
    h->in_tail = 5000;
    EXPECT_EQ(host.write(bytes("x")).error(), Error::corrupt);
    EXPECT_EQ(Input::open(a.span()).error(), Error::corrupt);
}

}  // namespace
}  // namespace atl::vcon
