// vcon across two processes, as between two kernels: the area lives in
// Boost.Interprocess anonymous shared memory; a forked child formats and
// writes (the partition), the parent follows and types (the host tool).
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/interprocess/anonymous_shared_memory.hpp>
#include <boost/interprocess/mapped_region.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "atoll/vcon/input.hpp"
#include "atoll/vcon/reader.hpp"
#include "atoll/vcon/writer.hpp"

namespace atl::vcon {
namespace {

std::byte pattern(std::uint64_t p) { return static_cast<std::byte>((p * 7u + (p >> 8)) & 0xff); }

TEST(VconProcess, ChildWritesParentFollows) {
    namespace bip = boost::interprocess;
    bip::mapped_region region = bip::anonymous_shared_memory(8192);
    std::span<std::byte> area(static_cast<std::byte*>(region.get_address()), region.get_size());
    std::fill(area.begin(), area.end(), std::byte{0});
    constexpr std::uint64_t total = 400 * 512;   // whole chunks

    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto w = Writer::format(area);
        if (!w)
            ::_exit(10);
        Writer writer = *w;
        // Wait for the parent's "go" in the IN ring, then stream.
        auto in = InputReader::open(area);
        if (!in)
            ::_exit(11);
        InputReader reader = *in;
        std::byte go{};
        while (reader.read(std::span(&go, 1)) == 0)
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        std::vector<std::byte> chunk(512);
        for (std::uint64_t pos = 0; pos < total; pos += chunk.size()) {
            for (std::size_t i = 0; i < chunk.size(); ++i)
                chunk[i] = pattern(pos + i);
            writer.write(chunk);
        }
        ::_exit(0);
    }

    Reader reader;
    for (int i = 0; i < 10000; ++i) {
        auto r = Reader::open(area);
        if (r) {
            reader = *r;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    auto in = Input::open(area);
    ASSERT_TRUE(in.ok());
    Input input = *in;
    const std::byte go{'g'};
    auto sent = input.write(std::span(&go, 1));
    ASSERT_TRUE(sent.ok());
    ASSERT_EQ(*sent, 1u);

    std::vector<std::byte> buf(1000);
    std::uint64_t cursor = 0, seen = 0, lost = 0, bad = 0;
    int status = -1;
    bool exited = false;
    for (;;) {
        const bool was_exited = exited;
        if (!exited && ::waitpid(child, &status, WNOHANG) == child)
            exited = true;
        auto c = reader.read(cursor, buf);
        ASSERT_TRUE(c.ok()) << error_name(c.error());
        const std::uint64_t first = c->cursor - c->size;
        for (std::size_t i = 0; i < c->size; ++i)
            bad += buf[i] != pattern(first + i);
        seen += c->size;
        lost += c->lost;
        cursor = c->cursor;
        // Done once a read that began after the child's exit found nothing new.
        if (was_exited && c->size == 0 && c->lost == 0)
            break;
    }
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    EXPECT_EQ(bad, 0u);
    EXPECT_EQ(seen + lost, total);
}

}  // namespace
}  // namespace atl::vcon
