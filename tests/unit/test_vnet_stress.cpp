// vnet under concurrency: a sender thread and a receiver thread (threads
// stand in for CPUs of two kernels) for about two seconds, every frame
// numbered and checksummed; then the same while the sender keeps
// restarting (re-attaching) under the receiver. Also run under
// ThreadSanitizer.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "atoll/vnet/port.hpp"
#include "vnet_test_support.hpp"

namespace atl::vnet {
namespace {

using test::frame_ok;
using test::Net;

const PartitionId N0{0}, N1{1};
constexpr auto kRunFor = std::chrono::seconds(2);

TEST(VnetStress, TwoThreadsEveryFrameChecked) {
    Net net(2, 64 * 1024);   // max frame 32752: small and large frames, many laps
    net.attach_all();
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> sent_total{0};

    std::thread sender([&] {
        std::mt19937 rng(42);
        std::uint64_t n = 0;
        while (!stop.load(std::memory_order_relaxed)) {
            // Mostly small frames, some MTU-sized, a few near the maximum.
            const std::uint32_t pick = rng() % 100;
            const std::size_t len = pick < 70   ? test::kFrameHeader + rng() % 100
                                    : pick < 97 ? 1500 - rng() % 64
                                                : net[0].max_frame() - rng() % 256;
            // Zero-copy path: reserve, write in place, commit.
            auto room = net[0].tx_reserve(N1, static_cast<std::uint32_t>(len));
            if (!room) {
                ASSERT_EQ(room.error(), Error::exhausted);
                std::this_thread::yield();
                continue;
            }
            test::fill_frame(*room, mac_of(N1), mac_of(N0), n);
            (void)net[0].tx_commit(N1);
            ++n;
        }
        sent_total.store(n, std::memory_order_release);
    });

    const auto until = std::chrono::steady_clock::now() + kRunFor;
    std::uint64_t got = 0, bad = 0, bytes = 0;
    bool done = false;
    while (!done) {
        if (!stop.load(std::memory_order_relaxed) && std::chrono::steady_clock::now() > until)
            stop.store(true);
        const Frame f = net[1].rx_peek();
        if (f.empty()) {
            // Finished once the sender has stopped and everything is in.
            const std::uint64_t total = sent_total.load(std::memory_order_acquire);
            done = total != 0 && got == total;
            continue;
        }
        std::uint64_t n = 0;
        bad += !frame_ok(f.data, &n) || n != got;
        bytes += f.data.size();
        ++got;
        net[1].rx_release();
    }
    sender.join();
    const RxStats& rs = net[1].rx(N0).stats();
    EXPECT_EQ(bad, 0u);
    EXPECT_EQ(got, sent_total.load());
    EXPECT_EQ(rs.frames, got);
    EXPECT_EQ(rs.bad_index + rs.bad_record + rs.resets, 0u);
    EXPECT_GT(got, 1000u);
    RecordProperty("frames", std::to_string(got));
    RecordProperty("bytes", std::to_string(bytes));
}

// The sender re-attaches every few hundred frames (as a partition that
// restarts would). The receiver must never hand out a damaged frame, must
// see numbers rise within each generation, and keep up with the resets.
TEST(VnetStress, SenderRestartsUnderTheReceiver) {
    Net net(2, 16 * 1024);
    net.attach_all();
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> restarts{0};

    std::thread sender([&] {
        std::mt19937 rng(9);
        std::vector<std::byte> buf(net[0].max_frame());
        std::uint64_t n = 0;   // the generation in the high bits, a count below
        while (!stop.load(std::memory_order_relaxed)) {
            if (rng() % 300 == 0) {
                auto k = net[0].attach(net.segment, N0, test::kick_of(0));
                ASSERT_TRUE(k.ok());
                restarts.fetch_add(1, std::memory_order_relaxed);
            }
            const std::size_t len = test::kFrameHeader + rng() % 2000;
            std::span<std::byte> f(buf.data(), len);
            test::fill_frame(f, mac_of(N1), mac_of(N0), net[0].generation() << 32 | n);
            auto s = net[0].send(f);
            if (s && s->delivered.contains(N1))
                ++n;
            else
                std::this_thread::yield();   // full, or not acknowledged yet
        }
    });

    const auto until = std::chrono::steady_clock::now() + kRunFor;
    std::uint64_t got = 0, bad = 0, backwards = 0, last = 0;
    while (std::chrono::steady_clock::now() < until) {
        const Frame f = net[1].rx_peek();
        if (f.empty())
            continue;
        std::uint64_t n = 0;
        if (!frame_ok(f.data, &n))
            ++bad;
        else if (got != 0 && n <= last)
            ++backwards;   // an old frame after a newer one
        last = n;
        ++got;
        net[1].rx_release();
    }
    stop.store(true);
    sender.join();
    const RxStats& rs = net[1].rx(N0).stats();
    EXPECT_EQ(bad, 0u);
    EXPECT_EQ(backwards, 0u);
    EXPECT_GT(got, 100u);
    EXPECT_GT(restarts.load(), 0u);
    EXPECT_GE(rs.resets, 1u);
    // A restart is never mistaken for corruption.
    EXPECT_EQ(rs.bad_index + rs.bad_record, 0u);
}

}  // namespace
}  // namespace atl::vnet
