// vcon under concurrency: a writer thread and a reader thread (threads stand
// in for the partition's CPU and the host tool). The reader checks every
// byte it is given against the position it claims to be, so a torn or stale
// byte passed off as new fails the test. Also run under ThreadSanitizer.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "atoll/vcon/input.hpp"
#include "atoll/vcon/reader.hpp"
#include "atoll/vcon/writer.hpp"
#include "vcon_test_support.hpp"

namespace atl::vcon {
namespace {

// The byte at stream position p: varies with p so a wrong position shows.
std::byte pattern(std::uint64_t p) { return static_cast<std::byte>((p * 131u + (p >> 9)) & 0xff); }

TEST(VconStress, WriterAndFollowerAgreeOnEveryByte) {
    test::GuardedArea a(4096);
    auto w = Writer::format(a.span());
    ASSERT_TRUE(w.ok());
    constexpr std::uint64_t total = 400000;
    std::atomic<bool> done{false};

    std::thread writer([&] {
        Writer wr = *w;
        std::vector<std::byte> chunk(1024);
        std::uint64_t pos = 0;
        std::uint32_t step = 1;
        while (pos < total) {
            const std::uint32_t n = static_cast<std::uint32_t>(std::min<std::uint64_t>(step, total - pos));
            for (std::uint32_t i = 0; i < n; ++i)
                chunk[i] = pattern(pos + i);
            wr.write(std::span(chunk).subspan(0, n));
            pos += n;
            step = step % 997 + 7;   // vary sizes, some larger than half the ring
        }
        done.store(true, std::memory_order_release);
    });

    auto r = Reader::open(a.span());
    ASSERT_TRUE(r.ok());
    std::vector<std::byte> buf(700);
    std::uint64_t cursor = 0, seen = 0, lost = 0, bad = 0;
    for (;;) {
        const bool finished = done.load(std::memory_order_acquire);
        auto c = r->read(cursor, buf);
        ASSERT_TRUE(c.ok()) << error_name(c.error());
        const std::uint64_t first = c->cursor - c->size;
        for (std::size_t i = 0; i < c->size; ++i)
            bad += buf[i] != pattern(first + i);
        lost += c->lost;
        seen += c->size;
        cursor = c->cursor;
        if (finished && cursor == total)
            break;
    }
    writer.join();
    EXPECT_EQ(bad, 0u);
    EXPECT_EQ(seen + lost, total);
}

TEST(VconStress, InputRingIsLosslessAndOrdered) {
    test::GuardedArea a(2048);
    ASSERT_TRUE(Writer::format(a.span()).ok());
    constexpr std::uint64_t total = 300000;

    std::thread host([&] {
        auto in = Input::open(a.span());
        ASSERT_TRUE(in.ok());
        Input input = *in;
        std::vector<std::byte> chunk(300);
        std::uint64_t pos = 0;
        while (pos < total) {
            const std::size_t n = std::min<std::uint64_t>(chunk.size(), total - pos);
            for (std::size_t i = 0; i < n; ++i)
                chunk[i] = pattern(pos + i);
            auto got = input.write(std::span(chunk).subspan(0, n));
            ASSERT_TRUE(got.ok());
            pos += *got;
            if (*got == 0)
                std::this_thread::yield();
        }
    });

    auto part = InputReader::open(a.span());
    ASSERT_TRUE(part.ok());
    InputReader reader = *part;
    std::vector<std::byte> buf(257);
    std::uint64_t pos = 0, bad = 0;
    while (pos < total) {
        const std::size_t n = reader.read(buf);
        for (std::size_t i = 0; i < n; ++i)
            bad += buf[i] != pattern(pos + i);
        pos += n;
        if (n == 0)
            std::this_thread::yield();
    }
    host.join();
    EXPECT_EQ(bad, 0u);
    EXPECT_EQ(reader.dropped(), 0u);
}

}  // namespace
}  // namespace atl::vcon
