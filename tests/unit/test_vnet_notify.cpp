// vnet notification suppression: the receiver's kick request (event index)
// and the sender's decision to kick. Deterministic orderings of the race
// between a post and a receiver going to sleep, then the real race between
// two threads, checked for lost wake-ups (also under ThreadSanitizer).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "atoll/vnet/port.hpp"
#include "vnet_test_support.hpp"

namespace atl::vnet {
namespace {

using test::make_frame;
using test::Net;

const PartitionId N0{0}, N1{1};

struct VnetNotify : ::testing::Test {
    VnetNotify() : net(2, 4096) { net.attach_all(); }

    // Node 0 posts one frame to node 1: whether it asks for a kick.
    bool post(std::uint64_t n = 0) {
        auto s = net[0].send(make_frame(64, mac_of(N1), mac_of(N0), n));
        EXPECT_TRUE(s.ok() && s->delivered.contains(N1));
        return s.ok() && s->kick.contains(N1);
    }
    std::size_t drain() {
        std::size_t got = 0;
        while (!net[1].rx_peek().empty()) {
            net[1].rx_release();
            ++got;
        }
        return got;
    }

    Net net;
};

TEST_F(VnetNotify, OnlyTheFirstPostAfterARequestKicks) {
    ASSERT_FALSE(net[1].enable_notify());   // empty: go to sleep
    EXPECT_TRUE(post(1));
    EXPECT_FALSE(post(2));   // the request was used up: the receiver is awake
    EXPECT_FALSE(post(3));
    EXPECT_EQ(drain(), 3u);
    // Polling (no new request): no kicks at all.
    EXPECT_FALSE(post(4));
    EXPECT_EQ(drain(), 1u);
    ASSERT_FALSE(net[1].enable_notify());
    EXPECT_TRUE(post(5));
}

TEST_F(VnetNotify, WorkThatArrivedBeforeTheRequestIsReported) {
    ASSERT_FALSE(net[1].enable_notify());
    EXPECT_TRUE(post(0));
    EXPECT_EQ(drain(), 1u);   // awake, polling: the request is used up
    // The post lands between the last empty poll and the new request: it
    // sees the old request (no kick), so the request must report the work.
    EXPECT_FALSE(post(1));
    EXPECT_TRUE(net[1].enable_notify());
    EXPECT_EQ(drain(), 1u);
    EXPECT_FALSE(net[1].enable_notify());
}

TEST_F(VnetNotify, EveryInterleavingWakesTheReceiver) {
    // The protocol's promise: the receiver never sleeps (request made,
    // nothing reported) with a frame in its ring unless that frame's post
    // kicked it. Walk the posts to every position among the receiver's
    // steps: drain, request (+ re-check), sleep.
    for (int where = 0; where < 4; ++where) {
        (void)drain();
        ASSERT_FALSE(net[1].enable_notify());
        EXPECT_TRUE(post());   // wakes it; the request is used up
        bool kicked = false;
        if (where == 0)
            kicked |= post();
        (void)drain();
        if (where == 1)
            kicked |= post();
        const bool reported = net[1].enable_notify();
        if (where >= 2)
            kicked |= post();
        if (where == 3)
            kicked |= post();
        const bool pending = !net[1].rx_peek().empty();
        EXPECT_TRUE(!pending || reported || kicked) << "lost wake-up at " << where;
        EXPECT_EQ(reported, where == 1) << where;
        EXPECT_EQ(kicked, where >= 2) << where;
    }
}

TEST_F(VnetNotify, DisabledReceiverIsNeverKicked) {
    net[1].disable_notify();
    EXPECT_EQ(net.ring(0, 1)->kick_at, ATOLL_VNET_KICK_NEVER);
    for (int i = 0; i < 5; ++i)
        EXPECT_FALSE(post(i));
    EXPECT_EQ(drain(), 5u);
    // A sender restart does not re-enable it...
    net.attach(0);
    (void)drain();
    EXPECT_EQ(net.ring(0, 1)->kick_at, ATOLL_VNET_KICK_NEVER);
    EXPECT_FALSE(post(6));
    // ...a request does.
    EXPECT_EQ(drain(), 1u);
    ASSERT_FALSE(net[1].enable_notify());
    EXPECT_TRUE(post(7));
}

TEST_F(VnetNotify, SenderRestartRearmsASleepingReceiver) {
    ASSERT_FALSE(net[1].enable_notify());   // asleep, request at the old generation's tail
    EXPECT_TRUE(post(1));
    EXPECT_EQ(drain(), 1u);
    ASSERT_FALSE(net[1].enable_notify());   // asleep again, request at 80
    // Node 0 restarts: heads back at 0, below the old request. Its attach
    // names node 1 to kick; node 1 wakes, follows the link, and its
    // request is re-armed for the new generation.
    auto kicks = net[0].attach(net.segment, N0, test::kick_of(0));
    ASSERT_TRUE(kicks.ok());
    EXPECT_TRUE(kicks->contains(N1));
    EXPECT_TRUE(net[1].enable_notify());    // the link change is news
    EXPECT_EQ(drain(), 0u);                 // acknowledges generation 2
    ASSERT_FALSE(net[1].enable_notify());
    EXPECT_TRUE(post(2));
}

TEST_F(VnetNotify, ZeroCopyCommitReportsTheKick) {
    ASSERT_FALSE(net[1].enable_notify());
    auto room = net[0].tx_reserve(N1, 60);
    ASSERT_TRUE(room.ok());
    test::fill_frame(*room, mac_of(N1), mac_of(N0), 1);
    EXPECT_TRUE(net[0].tx_commit(N1));
    room = net[0].tx_reserve(N1, 60);
    ASSERT_TRUE(room.ok());
    EXPECT_FALSE(net[0].tx_commit(N1));
}

TEST_F(VnetNotify, BatchDecidesOnceAtItsEnd) {
    ASSERT_FALSE(net[1].enable_notify());
    auto f = make_frame(64, mac_of(N1), mac_of(N0), 0);
    for (int i = 0; i < 4; ++i) {
        auto s = net[0].send(f, 0, /*more=*/true);
        ASSERT_TRUE(s.ok() && s->delivered.contains(N1));
        EXPECT_TRUE(s->kick.empty());   // published, decision deferred
    }
    EXPECT_EQ(net.ring(0, 1)->head, 4u * 80);   // the receiver may already read them
    auto last = net[0].send(f);
    ASSERT_TRUE(last.ok());
    EXPECT_TRUE(last->kick.contains(N1));   // the batch crossed the request once
    EXPECT_FALSE(net[0].tx_flush(N1));      // nothing new since
    EXPECT_EQ(drain(), 5u);

    // Zero-copy: commit with more, then an explicit flush ends the batch.
    ASSERT_FALSE(net[1].enable_notify());
    auto room = net[0].tx_reserve(N1, 60);
    ASSERT_TRUE(room.ok());
    EXPECT_FALSE(net[0].tx_commit(N1, 0, /*more=*/true));
    EXPECT_TRUE(net[0].tx_flush(N1));
    EXPECT_EQ(drain(), 1u);
}

TEST_F(VnetNotify, BatchWhoseLastFrameIsDroppedStillKicks) {
    ASSERT_FALSE(net[1].enable_notify());
    auto f = make_frame(1000, mac_of(N1), mac_of(N0), 0);
    for (int i = 0; i < 4; ++i) {   // 4 x 1024 ring bytes: exactly full
        auto s = net[0].send(f, 0, true);
        ASSERT_TRUE(s.ok() && s->delivered.contains(N1));
    }
    auto last = net[0].send(f);   // does not fit: dropped, but the batch ends
    ASSERT_TRUE(last.ok());
    EXPECT_TRUE(last->dropped.contains(N1));
    EXPECT_TRUE(last->kick.contains(N1));
    EXPECT_EQ(drain(), 4u);
}

// Two threads: the sender kicks only when told to; the receiver sleeps
// (waits for a kick) whenever enable_notify() says nothing arrived. A lost
// wake-up leaves the receiver asleep with frames pending: the test's
// timeout catches it.
TEST(VnetNotifyRace, NoLostWakeups) {
    Net net(2, 4096);
    net.attach_all();
    constexpr std::uint64_t total = 100000;
    std::atomic<std::uint64_t> doorbell{0};   // the fake virq: kicks delivered
    std::atomic<bool> stuck{false};
    std::uint64_t kicks = 0;

    std::thread sender([&] {
        std::vector<std::byte> f = make_frame(40, mac_of(N1), mac_of(N0), 0);
        for (std::uint64_t n = 0; n < total && !stuck.load();) {
            test::fill_frame(f, mac_of(N1), mac_of(N0), n);
            // Batches of up to four frames (xmit_more), decided at their end.
            const bool more = n % 4 != 3 && n + 1 < total;
            auto s = net[0].send(f, 0, more);
            if (s && s->kick.contains(N1)) {
                ++kicks;
                doorbell.fetch_add(1, std::memory_order_release);
            }
            if (!s || !s->delivered.contains(N1)) {
                std::this_thread::yield();   // full: the receiver is behind
                continue;
            }
            ++n;
            if (n % 64 == 0)
                std::this_thread::yield();   // let the receiver catch up and sleep
        }
    });

    std::uint64_t got = 0, sleeps = 0, rechecks = 0, bad = 0;
    std::uint64_t seen_bell = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (got < total) {
        for (Frame f; !(f = net[1].rx_peek()).empty();) {
            std::uint64_t n = 0;
            bad += !test::frame_ok(f.data, &n) || n != got;
            ++got;
            net[1].rx_release();
        }
        if (got == total)
            continue;
        if (net[1].enable_notify()) {
            ++rechecks;
            continue;
        }
        // Asleep until a kick arrives.
        ++sleeps;
        const auto sleep_started = std::chrono::steady_clock::now();
        while (doorbell.load(std::memory_order_acquire) == seen_bell) {
            if (std::chrono::steady_clock::now() - sleep_started > std::chrono::seconds(10) ||
                std::chrono::steady_clock::now() > deadline) {
                stuck.store(true);
                break;
            }
            std::this_thread::yield();
        }
        if (stuck.load())
            break;
        seen_bell = doorbell.load(std::memory_order_acquire);
    }
    sender.join();
    EXPECT_FALSE(stuck.load()) << "lost wake-up after " << got << " frames";
    EXPECT_EQ(got, total);
    EXPECT_EQ(bad, 0u);
    // At most one kick per request (a sleep, or a re-check that raced a
    // post): suppression works.
    EXPECT_LE(kicks, sleeps + rechecks + 1);
    EXPECT_GT(sleeps, 0u);
}

}  // namespace
}  // namespace atl::vnet
