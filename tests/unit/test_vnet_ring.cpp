// vnet rings, one ordered pair at a time: send and receive, padding and
// wrap-around, full ring, frame size limits, zero-copy reservation, and the
// receiver's handling of corrupt indices and records (segment between guard
// pages: a stray access faults).
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <vector>

#include "atoll/vnet/port.hpp"
#include "atoll/vnet/record.hpp"
#include "vnet_ring_fixture.hpp"

namespace atl::vnet {
namespace {

using test::frame_ok;
using test::kMax;
using test::kRing;
using test::make_frame;
using test::VnetRing;

TEST_F(VnetRing, SendAndReceiveOneFrame) {
    EXPECT_EQ(receive(), -1);
    ASSERT_EQ(send(7, 100), Error::ok);
    const Frame f = rx().rx_peek();
    ASSERT_FALSE(f.empty());
    EXPECT_EQ(f.data.size(), 100u);
    EXPECT_EQ(f.source, PartitionId{0});
    EXPECT_EQ(f.flags, 0u);
    std::uint64_t n = 0;
    EXPECT_TRUE(frame_ok(f.data, &n));
    EXPECT_EQ(n, 7u);
    // Peeking again gives the same frame until it is released.
    EXPECT_EQ(rx().rx_peek().data.data(), f.data.data());
    rx().rx_release();
    EXPECT_EQ(receive(), -1);
    rx().rx_release();   // nothing peeked: no-op
    EXPECT_EQ(rs().frames, 1u);
    EXPECT_EQ(rs().bytes, 100u);
    EXPECT_EQ(ts().frames, 1u);
    EXPECT_EQ(ring()->head, record::total(100));
    EXPECT_EQ(ring()->tail, record::total(100));
}

TEST_F(VnetRing, WrapAroundWithPaddingKeepsEveryFrame) {
    std::mt19937 rng(1);
    std::uniform_int_distribution<std::size_t> len(test::kFrameHeader, kMax);
    std::uint64_t pads = 0;
    for (std::uint64_t n = 0; n < 2000; ++n) {
        const std::uint64_t before = tx().tx(PartitionId{1}).head();
        const std::size_t l = len(rng);
        ASSERT_EQ(send(n, l), Error::ok) << n;
        pads += tx().tx(PartitionId{1}).head() - before != record::total(static_cast<std::uint32_t>(l));
        ASSERT_EQ(receive(), static_cast<std::int64_t>(n));
    }
    EXPECT_GT(pads, 100u);
    EXPECT_GT(ring()->head, 100u * kRing);   // many laps
    EXPECT_EQ(rs().frames, 2000u);
    EXPECT_EQ(rs().bad_record + rs().bad_index, 0u);
}

TEST_F(VnetRing, SeveralFramesInFlightAcrossTheEnd) {
    // 1000-byte frames take 1024 ring bytes: four fill the ring exactly.
    for (std::uint64_t n = 0; n < 4; ++n)
        ASSERT_EQ(send(n, 1000), Error::ok);
    EXPECT_EQ(ring()->head, kRing);
    EXPECT_EQ(send(4, 14), Error::exhausted);
    EXPECT_EQ(ts().full, 1u);
    EXPECT_EQ(receive(), 0);
    EXPECT_EQ(receive(), 1);
    EXPECT_EQ(receive(), 2);
    ASSERT_EQ(send(5, 1000), Error::ok);   // at offset 0, frame 3 still in at 3072
    ASSERT_EQ(send(6, 900), Error::ok);    // at 1024, 928 bytes
    EXPECT_EQ(receive(), 3);
    ASSERT_EQ(send(7, 1500), Error::ok);   // at 1952, 1520 bytes: fits before the end
    EXPECT_EQ(ring()->head, 2 * kRing + 1952 + 1520 - kRing);
    EXPECT_EQ(receive(), 5);
    EXPECT_EQ(receive(), 6);
    ASSERT_EQ(send(8, 1000), Error::ok);   // at 3472 it does not fit: 624 bytes of padding, then at 0
    EXPECT_EQ(ring()->head, 2 * kRing + 1024);
    EXPECT_EQ(drain(), (std::vector<std::int64_t>{7, 8}));
    EXPECT_EQ(ring()->tail, ring()->head);
}

TEST_F(VnetRing, FullRingRefusesThenRecovers) {
    std::uint64_t sent = 0;
    while (send(sent, 200) == Error::ok)
        ++sent;
    EXPECT_EQ(sent, kRing / record::total(200));
    EXPECT_GE(ts().full, 1u);
    auto r = tx().tx_reserve(PartitionId{1}, 200);
    EXPECT_EQ(r.error(), Error::exhausted);
    EXPECT_EQ(receive(), 0);
    EXPECT_EQ(send(sent, 200), Error::ok);
    const auto got = drain();
    ASSERT_EQ(got.size(), sent);
    for (std::size_t i = 0; i < got.size(); ++i)
        EXPECT_EQ(got[i], static_cast<std::int64_t>(i + 1));
}

TEST_F(VnetRing, FrameSizeLimits) {
    EXPECT_EQ(tx().max_frame(), kMax);
    EXPECT_EQ(send(1, kMax), Error::ok);
    EXPECT_EQ(receive(), 1);
    auto too_big = make_frame(kMax + 1, mac_of(PartitionId{1}), mac_of(PartitionId{0}), 2);
    EXPECT_EQ(tx().send(too_big).error(), Error::invalid_argument);
    EXPECT_EQ(tx().tx_reserve(PartitionId{1}, kMax + 1).error(), Error::invalid_argument);
    EXPECT_EQ(tx().tx_reserve(PartitionId{1}, 13).error(), Error::invalid_argument);
    EXPECT_EQ(tx().tx_reserve(PartitionId{1}, 0).error(), Error::invalid_argument);
    EXPECT_EQ(tx().tx_reserve(PartitionId{1}, 0xffffffffu).error(), Error::invalid_argument);
    std::vector<std::byte> tiny(13);
    EXPECT_EQ(tx().send(tiny).error(), Error::invalid_argument);
    EXPECT_EQ(ts().bad_size, 4u);   // the ring's refusals; send() refuses before the ring
    EXPECT_EQ(receive(), -1);
}

TEST_F(VnetRing, LargestFrameFitsAnEmptyRingAtEveryOffset) {
    // 48-byte records walk the head over every 16-byte offset of the ring.
    for (std::uint64_t n = 0; n < kRing / 16; ++n) {
        ASSERT_EQ(send(2 * n, 32), Error::ok);
        ASSERT_EQ(receive(), static_cast<std::int64_t>(2 * n));
        ASSERT_EQ(send(2 * n + 1, kMax), Error::ok) << "offset " << (ring()->head % kRing);
        ASSERT_EQ(receive(), static_cast<std::int64_t>(2 * n + 1));
    }
    EXPECT_EQ(rs().bad_record + rs().bad_index, 0u);
}

TEST_F(VnetRing, ZeroCopyReserveAndCommit) {
    auto room = tx().tx_reserve(PartitionId{1}, 64);
    ASSERT_TRUE(room.ok());
    ASSERT_EQ(room->size(), 64u);
    test::fill_frame(*room, mac_of(PartitionId{1}), mac_of(PartitionId{0}), 11);
    EXPECT_EQ(receive(), -1);   // not published before commit
    (void)tx().tx_commit(PartitionId{1}, ATOLL_VNET_REC_F_CSUM_OK | 0x8000);
    const Frame f = rx().rx_peek();
    ASSERT_FALSE(f.empty());
    EXPECT_EQ(f.flags, ATOLL_VNET_REC_F_CSUM_OK);   // unknown flags are not sent
    rx().rx_release();
    // A second reservation replaces the first; commit without one is a no-op.
    ASSERT_TRUE(tx().tx_reserve(PartitionId{1}, 500).ok());
    room = tx().tx_reserve(PartitionId{1}, 40);
    ASSERT_TRUE(room.ok());
    test::fill_frame(*room, mac_of(PartitionId{1}), mac_of(PartitionId{0}), 12);
    (void)tx().tx_commit(PartitionId{1});
    EXPECT_FALSE(tx().tx_commit(PartitionId{1}));
    EXPECT_EQ(drain(), (std::vector<std::int64_t>{12}));
    EXPECT_EQ(tx().tx_reserve(PartitionId{0}, 64).error(), Error::not_found);    // ourselves
    EXPECT_EQ(tx().tx_reserve(PartitionId{2}, 64).error(), Error::not_found);    // no such node
    EXPECT_EQ(tx().tx_reserve(PartitionId{999}, 64).error(), Error::not_found);
}

// --- corrupt producer index ---------------------------------------------

TEST_F(VnetRing, HeadTooFarAheadIsHeldThenOverwrittenWithoutLoss) {
    ASSERT_EQ(send(1, 100), Error::ok);
    const std::uint64_t tail = ring()->tail;
    ring()->head = ring()->tail + kRing + 16;   // more than a ring ahead
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(receive(), -1);
    EXPECT_EQ(rs().bad_index, 1u);   // counted once
    EXPECT_EQ(ring()->tail, tail);   // held: nothing dropped, nothing published
    // The sender's next head replaces the scribble: everything arrives.
    ASSERT_EQ(send(2, 100), Error::ok);
    EXPECT_EQ(drain(), (std::vector<std::int64_t>{1, 2}));
    for (std::uint64_t n = 10; n < 15; ++n)
        ASSERT_EQ(send(n, 100), Error::ok);
    EXPECT_EQ(drain(), (std::vector<std::int64_t>{10, 11, 12, 13, 14}));
    EXPECT_EQ(rs().bad_index, 1u);
    EXPECT_EQ(rs().discarded, 0u);
}

TEST_F(VnetRing, HeadBackwardsIsWaitedOutWithoutLossOrRedelivery) {
    for (std::uint64_t n = 0; n < 6; ++n) {
        ASSERT_EQ(send(n, 300), Error::ok);
        ASSERT_EQ(receive(), static_cast<std::int64_t>(n));
    }
    const std::uint64_t real = ring()->head;
    ring()->head = real - 2 * record::total(300);   // points at consumed records
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(receive(), -1);
    EXPECT_EQ(rs().bad_index, 1u);   // counted once
    EXPECT_EQ(rx().rx(PartitionId{0}).tail(), real);   // the tail did not move back
    EXPECT_FALSE(rx().enable_notify());   // waiting on it is no news
    // The sender's next head is beyond the old one again: nothing old is
    // redelivered, nothing new lost.
    ASSERT_EQ(send(6, 300), Error::ok);
    EXPECT_EQ(drain(), (std::vector<std::int64_t>{6}));
    for (std::uint64_t n = 7; n < 10; ++n)
        ASSERT_EQ(send(n, 300), Error::ok);
    EXPECT_EQ(drain(), (std::vector<std::int64_t>{7, 8, 9}));
    EXPECT_EQ(rs().bad_record, 0u);
}

TEST_F(VnetRing, UnalignedOrHugeHeadIsWaitedOutWithoutLoss) {
    ASSERT_EQ(send(1, 100), Error::ok);
    const std::uint64_t real = ring()->head;
    const std::uint64_t bads[] = {real + 8, real - 1, ATOLL_VNET_COUNTER_MAX + 16, ~std::uint64_t{0}};
    for (const std::uint64_t bad : bads) {
        ring()->head = bad;
        for (int i = 0; i < 5; ++i)
            EXPECT_EQ(receive(), -1);
        // Still waiting is no news for a receiver about to sleep.
        EXPECT_FALSE(rx().enable_notify());
    }
    EXPECT_EQ(rs().bad_index, 4u);   // each bad value counted once
    ring()->head = real;             // the sender's next publication
    ASSERT_EQ(send(2, 100), Error::ok);
    EXPECT_EQ(drain(), (std::vector<std::int64_t>{1, 2}));
}

// --- corrupt records ------------------------------------------------------

TEST_F(VnetRing, CorruptLengthIsDroppedAndResynchronised) {
    struct Case {
        std::uint32_t length;
        const char* what;
    } cases[] = {
        {kMax + 1, "above max_frame"},
        {13, "below an Ethernet header"},
        {0, "zero"},
        {0xffffffffu, "huge"},
        {400, "beyond the published head"},
    };
    std::uint64_t n = 0;
    std::uint64_t bad = 0;
    for (const auto& c : cases) {
        ASSERT_EQ(send(n++, 100), Error::ok);
        const std::uint64_t at = ring()->tail % kRing;
        const std::uint32_t seq = reinterpret_cast<atoll_vnet_record*>(data() + at)->seq;
        forge(at, c.length, ATOLL_VNET_REC_FRAME, 0, seq);
        const std::uint64_t tail = ring()->tail;
        EXPECT_EQ(receive(), -1) << c.what;
        EXPECT_EQ(rs().bad_record, ++bad) << c.what;
        // Held (a scribbled head looks the same) until the sender publishes
        // more; then dropped, and the new frame read.
        EXPECT_EQ(rx().rx(PartitionId{0}).tail(), tail) << c.what;
        ASSERT_EQ(send(n, 100), Error::ok);
        EXPECT_EQ(drain(), (std::vector<std::int64_t>{static_cast<std::int64_t>(n)})) << c.what;
        ++n;
    }
    EXPECT_GT(rs().discarded, 0u);
}

TEST_F(VnetRing, LengthRunningOffTheRingEndIsRefused) {
    // Bring the tail near the end, then claim a frame that would run past it.
    while (ring()->head % kRing < kRing - 256) {
        ASSERT_EQ(send(0, 32), Error::ok);
        ASSERT_EQ(receive(), 0);
    }
    const std::uint64_t at = ring()->head % kRing;
    ASSERT_EQ(send(1, 32), Error::ok);
    ASSERT_EQ(send(2, 32), Error::ok);
    const std::uint32_t seq = reinterpret_cast<atoll_vnet_record*>(data() + at)->seq;
    ring()->head = ring()->tail + kRing;   // plenty published, as far as the index goes
    forge(at, kMax, ATOLL_VNET_REC_FRAME, 0, seq);   // fits max_frame, not the space to the end
    EXPECT_EQ(receive(), -1);
    EXPECT_EQ(rs().bad_record, 1u);
}

TEST_F(VnetRing, CorruptCheckKindFlagsOrNumberAreRefused) {
    auto header = [&] { return reinterpret_cast<atoll_vnet_record*>(data() + ring()->tail % kRing); };
    std::uint64_t n = 0;
    const std::function<void(atoll_vnet_record*)> scribbles[] = {
        [](atoll_vnet_record* r) { r->length ^= 4; },                     // check word no longer matches
        [](atoll_vnet_record* r) { r->check ^= 1; },
        [&](atoll_vnet_record* r) { forge(ring()->tail % kRing, r->length, 0x1234, 0, r->seq); },   // kind
        [&](atoll_vnet_record* r) { forge(ring()->tail % kRing, r->length, ATOLL_VNET_REC_FRAME, 0x10, r->seq); },
        [&](atoll_vnet_record* r) { forge(ring()->tail % kRing, r->length, ATOLL_VNET_REC_FRAME, 0, r->seq + 5); },
        [&](atoll_vnet_record* r) { forge(ring()->tail % kRing, r->length, ATOLL_VNET_REC_FRAME, 0, r->seq - 1); },
        [](atoll_vnet_record* r) { std::memset(r, 0, sizeof *r); },     // zeroed
    };
    std::uint64_t bad = 0;
    for (const auto& scribble : scribbles) {
        ASSERT_EQ(send(n++, 64), Error::ok);
        scribble(header());
        EXPECT_EQ(receive(), -1);
        EXPECT_EQ(rs().bad_record, ++bad);
        ASSERT_EQ(send(n, 64), Error::ok);
        EXPECT_EQ(drain(), (std::vector<std::int64_t>{static_cast<std::int64_t>(n)}));
        ++n;
    }
}

TEST_F(VnetRing, CorruptPaddingRecordIsRefused) {
    // Position the ring so that the next frame needs a padding record.
    auto pad_next = [&] {
        while (ring()->head % kRing < kRing - 200 || ring()->head % kRing == 0) {
            if (send(0, 14) != Error::ok)
                FAIL();
            (void)drain();
        }
    };
    struct Case {
        std::int64_t length_delta;
        std::uint16_t flags;
        const char* what;
    } cases[] = {{16, 0, "too long"}, {-16, 0, "too short"}, {0, 1, "flags set"}};
    std::uint64_t bad = 0;
    for (const auto& c : cases) {
        pad_next();
        const std::uint64_t at = ring()->head % kRing;
        ASSERT_EQ(send(1, 500), Error::ok);   // pad at `at`, frame at 0
        auto* pad = reinterpret_cast<atoll_vnet_record*>(data() + at);
        ASSERT_EQ(pad->kind, ATOLL_VNET_REC_PAD) << c.what;
        forge(at, static_cast<std::uint32_t>(pad->length + c.length_delta), ATOLL_VNET_REC_PAD, c.flags, pad->seq);
        EXPECT_EQ(receive(), -1) << c.what;
        EXPECT_EQ(rs().bad_record, ++bad) << c.what;
        ASSERT_EQ(send(2, 100), Error::ok);
        EXPECT_EQ(drain(), (std::vector<std::int64_t>{2})) << c.what;
    }
    // A padding record at offset 0 is never written by a correct sender.
    while (ring()->head % kRing != 0) {
        const std::uint64_t left = kRing - ring()->head % kRing;
        ASSERT_EQ(send(0, left == 16 || left > kMax + 16 ? 14 : left - 16), Error::ok);
        (void)drain();
    }
    ASSERT_EQ(send(3, 100), Error::ok);
    const std::uint32_t seq = reinterpret_cast<atoll_vnet_record*>(data())->seq;
    forge(0, kRing - 16, ATOLL_VNET_REC_PAD, 0, seq);
    ring()->head = ring()->tail + kRing;
    EXPECT_EQ(receive(), -1);
    EXPECT_EQ(rs().bad_record, bad + 1);
}

TEST_F(VnetRing, GarbageNeverLeadsOutsideTheRing) {
    std::mt19937_64 rng(7);
    std::uint64_t delivered = 0;
    for (int round = 0; round < 3000; ++round) {
        // Scribble: random bytes over part of the ring, a random or
        // plausible head, sometimes a forged but lying record header.
        const std::size_t from = rng() % kRing;
        const std::size_t n = rng() % 256;
        for (std::size_t i = 0; i < n && from + i < kRing; ++i)
            data()[from + i] = static_cast<std::uint8_t>(rng());
        switch (rng() % 4) {
        case 0: ring()->head = rng(); break;
        case 1: ring()->head = ring()->tail + (rng() % (2 * kRing)) / 16 * 16; break;
        case 2: forge(ring()->tail % kRing, static_cast<std::uint32_t>(rng() % (kRing + 64)),
                      rng() % 2 ? ATOLL_VNET_REC_FRAME : ATOLL_VNET_REC_PAD, 0,
                      reinterpret_cast<atoll_vnet_record*>(data() + ring()->tail % kRing)->seq);
                ring()->head = ring()->tail + (rng() % kRing) / 16 * 16;
                break;
        default: (void)send(round, 14 + rng() % 600); break;
        }
        for (int i = 0; i < 4; ++i) {
            const Frame f = rx().rx_peek();
            if (f.empty())
                break;
            ASSERT_TRUE(inside(f));
            ASSERT_GE(f.data.size(), 14u);
            ASSERT_LE(f.data.size(), kMax);
            volatile std::uint8_t sink = 0;
            for (auto b : f.data)
                sink = sink + static_cast<std::uint8_t>(b);   // touch every byte handed out
            rx().rx_release();
            ++delivered;
        }
        (void)rx().enable_notify();
    }
    EXPECT_GT(rs().bad_record + rs().bad_index, 100u);
    // Once the scribbling stops, the ring recovers: within two link checks
    // (a receiver held at a bad record of a full ring needs them: the
    // sender cannot publish the head that would end the hold).
    for (int check = 0; check < 2; ++check) {
        (void)tx().link_check();
        (void)rx().link_check();
        (void)drain();
    }
    for (std::uint64_t n = 0; n < 8; ++n)
    (void)drain();
    for (std::uint64_t n = 0; n < 3; ++n)
        ASSERT_EQ(send(2000 + n, 100), Error::ok);
    EXPECT_EQ(drain(), (std::vector<std::int64_t>{2000, 2001, 2002}));
}

// --- the receiver's line, seen by the sender ----------------------------

TEST_F(VnetRing, InsaneTailStopsTheSenderNotTheMemory) {
    ASSERT_EQ(send(1, 100), Error::ok);
    // Ahead of anything the sender published: no receiver could have consumed it.
    const std::uint64_t bads[] = {std::uint64_t{1} << 40, ~std::uint64_t{0}};
    for (const std::uint64_t bad : bads) {
        ring()->tail = bad;
        // Fill until the sender must look at the tail.
        Error e = Error::ok;
        for (int i = 0; i < 64 && e == Error::ok; ++i)
            e = send(2, 100);
        EXPECT_EQ(e, Error::exhausted);   // reported as dropped
        EXPECT_GE(ts().bad_tail, 1u);
        auto r = tx().tx_reserve(PartitionId{1}, kMax);
        EXPECT_EQ(r.error(), Error::corrupt);
        // The receiver consumes and republishes a sane tail: flows again.
        (void)drain();
        ASSERT_EQ(send(3, 100), Error::ok);
        EXPECT_EQ(drain(), (std::vector<std::int64_t>{3}));
    }
    // An acknowledgement of another generation: not ready, not corrupt.
    (void)drain();
    const std::uint64_t gen = ring()->tail_gen;
    ring()->tail_gen = gen + 1;
    for (int i = 0; i < 64; ++i)
        (void)send(4, 100);
    EXPECT_EQ(tx().tx_reserve(PartitionId{1}, kMax).error(), Error::busy);
    EXPECT_GE(ts().not_ready, 1u);
    ring()->tail_gen = gen;
}

TEST_F(VnetRing, ScribbledTailIsRepairedByASleepingReceiver) {
    ASSERT_EQ(send(1, 100), Error::ok);
    EXPECT_EQ(drain(), (std::vector<std::int64_t>{1}));
    ASSERT_FALSE(rx().enable_notify());   // asleep, waiting for a kick
    const std::uint64_t good = ring()->tail;
    ring()->tail = std::uint64_t{1} << 40;
    // The sender fills the ring, then meets the scribble: the frame is
    // dropped, and the receiver is kicked although head did not move.
    bool kicked_on_drop = false;
    for (int i = 0; i < 64 && !kicked_on_drop; ++i) {
        auto f = make_frame(100, mac_of(PartitionId{1}), mac_of(PartitionId{0}), 2);
        auto r = tx().send(f);
        ASSERT_TRUE(r.ok());
        kicked_on_drop = r->dropped.contains(PartitionId{1}) && r->kick.contains(PartitionId{1});
    }
    ASSERT_TRUE(kicked_on_drop);
    EXPECT_GE(ts().bad_tail, 1u);
    // Kicked, it drains what fitted; the first release finds the scribble
    // (counted) and stores its own tail over it.
    const std::uint64_t bad_drain = rs().bad_index;
    EXPECT_FALSE(drain().empty());
    EXPECT_EQ(rs().bad_index, bad_drain + 1);
    EXPECT_FALSE(rx().enable_notify());
    EXPECT_NE(ring()->tail, std::uint64_t{1} << 40);
    EXPECT_GT(ring()->tail, good);
    ASSERT_EQ(send(3, 100), Error::ok);
    EXPECT_EQ(drain(), (std::vector<std::int64_t>{3}));

    // With nothing to drain, going to sleep repairs it, and counts it.
    const std::uint64_t bad_before = rs().bad_index;
    const std::uint64_t tail = ring()->tail;
    ring()->tail = 12345;
    EXPECT_FALSE(rx().enable_notify());
    EXPECT_EQ(ring()->tail, tail);
    EXPECT_EQ(rs().bad_index, bad_before + 1);
    ASSERT_EQ(send(4, 100), Error::ok);
    EXPECT_EQ(drain(), (std::vector<std::int64_t>{4}));
}

// --- back-pressure: the sender waits for room instead of dropping --------

TEST_F(VnetRing, FullRingAsksForRoomAndTheReceiverKicksOnceAQuarterIsFree) {
    const PartitionId sender{0};
    const PartitionId receiver{1};
    std::uint64_t n = 0;
    while (send(n, 100) == Error::ok)
        ++n;
    ASSERT_GT(n, 10u);
    EXPECT_EQ(tx().tx_reserve(receiver, 100).error(), Error::exhausted);
    EXPECT_FALSE(tx().tx_request_space(receiver, 100));   // wait for the kick
    EXPECT_EQ(ts().waits, 1u);
    EXPECT_NE(ring()->space_at, ATOLL_VNET_KICK_NEVER);
    // A few frames free some room, but not a quarter of the ring: no kick yet.
    for (int i = 0; i < 3; ++i)
        ASSERT_GE(receive(), 0);
    EXPECT_TRUE(rx().rx_space_kicks().empty());
    // A quarter of the ring free: one kick, then no more for the same request.
    bool kicked = false;
    std::uint64_t got = 3;
    while (!kicked && got < n) {
        ASSERT_GE(receive(), 0);
        ++got;
        kicked = rx().rx_space_kicks().contains(sender);
    }
    ASSERT_TRUE(kicked);
    EXPECT_GE(got * 128, kRing / 4 - 128);   // ~a quarter of the ring (128-byte records)
    EXPECT_LE(got * 128, kRing / 4 + 128);
    (void)drain();
    EXPECT_TRUE(rx().rx_space_kicks().empty());
    // Kicked, the sender finds room.
    ASSERT_TRUE(tx().tx_reserve(receiver, 100).ok());
}

TEST_F(VnetRing, RoomFreedBeforeTheRequestIsSeenByTheRequest) {
    const PartitionId receiver{1};
    for (std::uint64_t n = 0; send(n, 100) == Error::ok; ++n) {
    }
    // The receiver drains (and decides: no request yet) before the sender asks.
    (void)drain();
    EXPECT_TRUE(rx().rx_space_kicks().empty());
    EXPECT_TRUE(tx().tx_request_space(receiver, 100));   // room already: retry
    EXPECT_EQ(ring()->space_at, ATOLL_VNET_KICK_NEVER);    // request withdrawn
    EXPECT_EQ(ts().waits, 0u);
    EXPECT_EQ(send(99, 100), Error::ok);
    // Asking for room that is there, or for a frame that can never fit, or
    // for a node that is not a peer, never waits.
    EXPECT_TRUE(tx().tx_request_space(receiver, 100));
    EXPECT_TRUE(tx().tx_request_space(receiver, kMax + 1));
    EXPECT_TRUE(tx().tx_request_space(PartitionId{0}, 100));
    EXPECT_TRUE(tx().tx_request_space(PartitionId{7}, 100));
}

TEST_F(VnetRing, ARestartedSenderStartsWithoutARequest) {
    for (std::uint64_t n = 0; send(n, 100) == Error::ok; ++n) {
    }
    EXPECT_FALSE(tx().tx_request_space(PartitionId{1}, 100));
    tx().detach();
    (void)net.attach(0);
    EXPECT_EQ(ring()->space_at, ATOLL_VNET_KICK_NEVER);
    (void)rx().sync_links();
    EXPECT_TRUE(rx().rx_space_kicks().empty());
}

}  // namespace
}  // namespace atl::vnet
