// vnet link state and generations: attach, detach, restart of a sender or a
// receiver, the host marking a crashed node down, the acknowledgement a
// sender waits for, routing with fan-out to every attached peer, and
// round-robin receive.
#include <gtest/gtest.h>

#include <vector>

#include "atoll/vnet/port.hpp"
#include "vnet_test_support.hpp"

namespace atl::vnet {
namespace {

using test::frame_ok;
using test::frame_to;
using test::make_frame;
using test::Net;

constexpr std::uint32_t kRing = 4096;
const PartitionId N0{0}, N1{1}, N2{2}, N3{3};

// Sends test frame `n` from `from` to `to` (unicast); whether it went in.
bool send(Net& net, std::uint32_t from, std::uint32_t to, std::uint64_t n, std::size_t length = 100) {
    auto f = make_frame(length, mac_of(PartitionId{to}), mac_of(PartitionId{from}), n);
    auto s = net[from].send(f);
    return s.ok() && s->delivered.contains(PartitionId{to});
}

// Everything node `at` can receive now: (source, number) pairs.
std::vector<std::pair<std::uint32_t, std::int64_t>> drain(Net& net, std::uint32_t at) {
    std::vector<std::pair<std::uint32_t, std::int64_t>> got;
    for (;;) {
        const Frame f = net[at].rx_peek();
        if (f.empty())
            break;
        std::uint64_t n = 0;
        got.emplace_back(f.source.value(), frame_ok(f.data, &n) ? static_cast<std::int64_t>(n) : -1);
        net[at].rx_release();
    }
    return got;
}

using Got = std::vector<std::pair<std::uint32_t, std::int64_t>>;

TEST(VnetLink, AttachPublishesLinkAndKickTargetAndNamesPeersToKick) {
    Net net(3, kRing);
    EXPECT_TRUE(net.attach(0).empty());   // nobody else up yet
    EXPECT_TRUE(net.segment.up(N0));
    EXPECT_EQ(ATOLL_VNET_LINK_GEN(net.segment.link(N0)), 1u);
    EXPECT_EQ(net[0].generation(), 1u);
    auto k = net.segment.kick_target(N0);
    ASSERT_TRUE(k.ok());
    EXPECT_EQ(k->virq, test::kick_of(0).virq);
    EXPECT_EQ(k->cpu, test::kick_of(0).cpu);
    EXPECT_EQ(net.attach(2).bits, 1u << 0);
    EXPECT_EQ(net.attach(1).bits, (1u << 0) | (1u << 2));
    EXPECT_EQ(net[1].mac(), mac_of(N1));
    EXPECT_EQ(net[1].max_frame(), kRing / 2 - 16);
    Port p;
    EXPECT_EQ(p.attach(net.segment, PartitionId{3}, test::kick_of(3)).error(), Error::out_of_range);
    EXPECT_EQ(p.attach(Segment{}, N0, test::kick_of(0)).error(), Error::invalid_argument);
    EXPECT_EQ(p.attach(net.segment, N0, KickTarget{Virq{ATOLL_VIRQ_COUNT}, CpuSlot{0}}).error(),
              Error::invalid_argument);
}

TEST(VnetLink, SenderWaitsForTheReceiversAcknowledgement) {
    Net net(2, kRing);
    net.attach(0);
    net.attach(1);   // 1 took over 0 -> 1 at attach: 0 may send at once
    EXPECT_TRUE(send(net, 0, 1, 1));
    // 0 has not seen 1's generation yet: 1 -> 0 is not acknowledged.
    EXPECT_FALSE(send(net, 1, 0, 2));
    EXPECT_EQ(net[1].tx(N0).stats().not_ready, 1u);
    EXPECT_EQ(net[1].tx_reserve(N0, 100).error(), Error::busy);
    // 0 is kicked, follows the links, and acknowledges.
    EXPECT_EQ(net[0].sync_links().bits, 1u << 1);
    EXPECT_TRUE(send(net, 1, 0, 3));
    EXPECT_EQ(drain(net, 0), (Got{{1, 3}}));
    EXPECT_EQ(drain(net, 1), (Got{{0, 1}}));
}

TEST(VnetLink, DetachedReceiverIsNotSentTo) {
    Net net(2, kRing);
    net.attach_all();
    net[1].detach();
    EXPECT_FALSE(net[1].attached());
    EXPECT_FALSE(net.segment.up(N1));
    auto f = make_frame(100, mac_of(N1), mac_of(N0), 1);
    EXPECT_EQ(net[0].send(f).error(), Error::not_found);
    EXPECT_EQ(net[0].stats().tx_no_route, 1u);
    EXPECT_EQ(net[0].tx_reserve(N1, 100).error(), Error::not_found);
    // Its rings ask for no kicks any more.
    EXPECT_EQ(net.ring(0, 1)->kick_at, ATOLL_VNET_KICK_NEVER);
    EXPECT_TRUE(net[1].rx_peek().empty());
    EXPECT_FALSE(net[1].enable_notify());
    EXPECT_EQ(net[1].send(f).error(), Error::not_found);
}

TEST(VnetLink, SenderRestartDiscardsItsOldFramesAndResetsTheRing) {
    Net net(2, kRing);
    net.attach_all();
    for (std::uint64_t n = 0; n < 5; ++n)
        ASSERT_TRUE(send(net, 0, 1, n));
    EXPECT_EQ(drain(net, 1).size(), 5u);
    for (std::uint64_t n = 5; n < 8; ++n)
        ASSERT_TRUE(send(net, 0, 1, n));   // pending when 0 restarts
    const std::uint64_t old_head = net.ring(0, 1)->head;
    EXPECT_GT(old_head, 0u);

    // Node 0 "crashes" and attaches again: a new generation, heads at 0.
    auto kicks = net[0].attach(net.segment, N0, test::kick_of(0));
    ASSERT_TRUE(kicks.ok());
    EXPECT_EQ(kicks->bits, 1u << 1);
    EXPECT_EQ(net[0].generation(), 2u);
    EXPECT_EQ(net.ring(0, 1)->head, 0u);
    // Until 1 acknowledges generation 2, 0 cannot send to it.
    EXPECT_FALSE(send(net, 0, 1, 100));
    // 1 notices the new generation: the three old frames are gone.
    EXPECT_TRUE(drain(net, 1).empty());
    EXPECT_EQ(net[1].rx(N0).stats().resets, 1u);
    EXPECT_EQ(net.ring(0, 1)->tail_gen, 2u);
    EXPECT_EQ(net.ring(0, 1)->tail, 0u);
    for (std::uint64_t n = 10; n < 13; ++n)
        ASSERT_TRUE(send(net, 0, 1, n));
    EXPECT_EQ(drain(net, 1), (Got{{0, 10}, {0, 11}, {0, 12}}));
    EXPECT_EQ(net[1].rx(N0).stats().bad_index + net[1].rx(N0).stats().bad_record, 0u);
}

TEST(VnetLink, ReceiverRestartDropsWhatWasPendingForItsOldSelf) {
    Net net(2, kRing);
    net.attach_all();
    for (std::uint64_t n = 0; n < 3; ++n)
        ASSERT_TRUE(send(net, 0, 1, n));
    EXPECT_EQ(drain(net, 1).size(), 3u);
    ASSERT_TRUE(send(net, 0, 1, 3));   // pending when 1 restarts
    net[1].detach();
    net.attach(1);
    EXPECT_EQ(net[1].generation(), 2u);
    EXPECT_TRUE(drain(net, 1).empty());
    // The sender's generation did not change: it keeps sending, unaware.
    for (std::uint64_t n = 4; n < 7; ++n)
        ASSERT_TRUE(send(net, 0, 1, n));
    EXPECT_EQ(drain(net, 1), (Got{{0, 4}, {0, 5}, {0, 6}}));
    // And 0 learns of 1's restart for its own receive side.
    EXPECT_EQ(net[0].sync_links().bits, 1u << 1);
    ASSERT_TRUE(send(net, 1, 0, 7));
    EXPECT_EQ(drain(net, 0), (Got{{1, 7}}));
}

TEST(VnetLink, SenderRestartWhileTheReceiverHoldsAFrame) {
    Net net(2, kRing);
    net.attach_all();
    ASSERT_TRUE(send(net, 0, 1, 1, 600));
    const Frame held = net[1].rx_peek();
    ASSERT_FALSE(held.empty());
    net.attach(0);   // restart under the receiver's feet
    // The new generation cannot overwrite the held frame: not acknowledged.
    EXPECT_FALSE(send(net, 0, 1, 2, 600));
    std::uint64_t n = 0;
    EXPECT_TRUE(frame_ok(held.data, &n));
    EXPECT_EQ(n, 1u);
    net[1].rx_release();
    EXPECT_TRUE(drain(net, 1).empty());   // acknowledges generation 2
    ASSERT_TRUE(send(net, 0, 1, 3, 600));
    EXPECT_EQ(drain(net, 1), (Got{{0, 3}}));
}

TEST(VnetLink, HostMarksACrashedNodeDown) {
    Net net(3, kRing);
    net.attach_all();
    ASSERT_TRUE(send(net, 2, 0, 1));
    ASSERT_TRUE(send(net, 2, 1, 2));
    // Node 2 dies without detaching; the host notices and marks it down.
    ASSERT_TRUE(net.segment.force_down(N2).ok());
    EXPECT_FALSE(net.segment.up(N2));
    EXPECT_EQ(ATOLL_VNET_LINK_GEN(net.segment.link(N2)), 1u);
    EXPECT_TRUE(drain(net, 0).empty());   // its frames are discarded
    EXPECT_TRUE(drain(net, 1).empty());
    EXPECT_EQ(net[0].rx(N2).stats().resets, 1u);
    EXPECT_FALSE(send(net, 0, 2, 3));      // and nobody sends to it
    EXPECT_EQ(net[0].sync_links().bits, 1u << 1);
    EXPECT_FALSE(net[0].enable_notify());   // a dead peer is no work
    EXPECT_EQ(net.segment.force_down(PartitionId{7}).error(), Error::not_found);
    // It comes back: generation 2, everyone follows.
    net.attach(2);
    (void)net[0].sync_links();
    (void)net[1].sync_links();
    ASSERT_TRUE(send(net, 2, 0, 4));
    ASSERT_TRUE(send(net, 0, 2, 5));
    EXPECT_EQ(drain(net, 0), (Got{{2, 4}}));
    EXPECT_EQ(drain(net, 2), (Got{{0, 5}}));
}

TEST(VnetLink, BroadcastAndMulticastFanOutToEveryAttachedPeer) {
    Net net(4, kRing);
    net.attach_all();
    const Mac broadcast{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    const Mac mdns{{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}};
    auto f = make_frame(300, broadcast, mac_of(N1), 1);
    auto s = net[1].send(f);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->delivered.bits, 0b1101u);
    EXPECT_TRUE(s->dropped.empty());
    EXPECT_EQ(s->kick.bits, 0b1101u);   // everyone listens after attach
    for (std::uint32_t n : {0u, 2u, 3u})
        EXPECT_EQ(drain(net, n), (Got{{1, 1}})) << n;
    EXPECT_TRUE(drain(net, 1).empty());   // not back to ourselves

    // A node that is down is left out; one whose ring is full is dropped.
    net[3].detach();
    for (std::uint64_t n = 0; send(net, 1, 2, n, 300); ++n) {   // until a 300-byte frame no longer fits
    }
    auto m = net[1].send(make_frame(300, mdns, mac_of(N1), 2));
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->delivered.bits, 0b0001u);
    EXPECT_EQ(m->dropped.bits, 0b0100u);
    EXPECT_EQ(net[1].route(mdns).bits, 0b0101u);
    EXPECT_EQ(net[1].route(mac_of(N3)).bits, 0u);
    EXPECT_EQ(net[1].route(mac_of(N2)).bits, 0b0100u);

    // A vnet MAC of no node and unicast to ourselves go nowhere; a MAC
    // outside vnet goes to the host (its bridge), but not from the host.
    EXPECT_EQ(net[1].send(frame_to(Mac{{0x02, 0xa7, 0x0d, 0x00, 0x00, 9}})).error(), Error::not_found);
    EXPECT_EQ(net[1].send(frame_to(mac_of(N1))).error(), Error::not_found);
    EXPECT_EQ(net[1].stats().tx_no_route, 2u);
    auto out = net[1].send(frame_to(Mac{{0x52, 0x55, 0x0a, 0x4d, 0x00, 0xfe}}));
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(out->delivered.bits, 0b0001u);
    EXPECT_EQ(net[0].send(frame_to(Mac{{0x52, 0x55, 0x0a, 0x4d, 0x00, 0xfe}})).error(), Error::not_found);
}

TEST(VnetLink, ReceiveIsRoundRobinAcrossPeers) {
    Net net(4, kRing);
    net.attach_all();
    for (std::uint64_t n = 0; n < 3; ++n)
        for (std::uint32_t from : {1u, 2u, 3u})
            ASSERT_TRUE(send(net, from, 0, from * 10 + n));
    EXPECT_EQ(drain(net, 0), (Got{{1, 10}, {2, 20}, {3, 30}, {1, 11}, {2, 21}, {3, 31}, {1, 12}, {2, 22}, {3, 32}}));
    const PortStats st = net[0].stats();
    EXPECT_EQ(st.rx.frames, 9u);
    EXPECT_EQ(st.rx.bytes, 900u);
}

TEST(VnetLink, UnattachedPortDoesNothing) {
    Port p;
    EXPECT_FALSE(p.attached());
    EXPECT_TRUE(p.rx_peek().empty());
    p.rx_release();
    EXPECT_FALSE(p.enable_notify());
    p.disable_notify();
    EXPECT_TRUE(p.sync_links().empty());
    EXPECT_EQ(p.tx_reserve(N1, 100).error(), Error::not_found);
    EXPECT_FALSE(p.tx_commit(N1));
    EXPECT_EQ(p.send(frame_to(mac_of(N1))).error(), Error::not_found);
    EXPECT_TRUE(p.route(mac_of(N1)).empty());
    p.detach();
}

}  // namespace
}  // namespace atl::vnet

namespace atl::vnet {
namespace {

// The box's sequence: a node crashes (no detach), the host marks it down,
// the node's kernel boots again with a fresh port and attaches, kicks the
// peers attach() names, and each kicked peer polls (peek, which follows the
// links). Then traffic flows both ways again.
TEST(VnetLink, CrashedNodeReattachesWithAFreshPortAndTrafficFlowsBothWays) {
    Net net(3, kRing);
    net.attach_all();
    EXPECT_TRUE(send(net, 0, 2, 1));
    EXPECT_TRUE(send(net, 2, 0, 2));
    EXPECT_EQ(drain(net, 2), (Got{{0, 1}}));
    EXPECT_EQ(drain(net, 0), (Got{{2, 2}}));
    // Node 2's receiver asked for kicks before it crashed.
    EXPECT_FALSE(net[2].enable_notify());
    EXPECT_FALSE(net[0].enable_notify());

    ASSERT_TRUE(net.segment.force_down(N2).ok());   // the host, at the crash
    EXPECT_FALSE(send(net, 0, 2, 3));
    net.ports[2] = std::make_unique<Port>();          // a new kernel
    const NodeSet kick = net.attach(2);
    EXPECT_TRUE(kick.contains(N0));
    EXPECT_TRUE(kick.contains(N1));
    // Kicked: NAPI polls.
    net[0].disable_notify();
    EXPECT_TRUE(drain(net, 0).empty());
    EXPECT_TRUE(send(net, 0, 2, 4));
    EXPECT_TRUE(send(net, 2, 0, 5));
    EXPECT_EQ(drain(net, 2), (Got{{0, 4}}));
    EXPECT_EQ(drain(net, 0), (Got{{2, 5}}));
}

}  // namespace
}  // namespace atl::vnet
