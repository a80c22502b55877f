// One node's vnet endpoint: the rings it produces (to every peer) and the
// rings it consumes (from every peer), its link word, and routing by
// destination MAC. This is what the kernel glue drives.
//
// Threading: one transmit context (tx_*, send) and one receive context
// (rx_*, sync_links, *_notify) may run at the same time on different CPUs;
// each is single-threaded. attach, detach and link_check exclude both.
//
// Size: two ring ends per possible peer (a few KiB): the glue keeps it in
// static or allocated storage and attaches it in place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/abi/vnet.h"
#include "atoll/core/result.hpp"
#include "atoll/core/strong.hpp"
#include "atoll/vnet/mac.hpp"
#include "atoll/vnet/node_set.hpp"
#include "atoll/vnet/rx_ring.hpp"
#include "atoll/vnet/segment.hpp"
#include "atoll/vnet/tx_ring.hpp"

namespace atl::vnet {

// Where one frame went: `delivered` into those peers' rings, `dropped` for
// those it was routed to but could not enter (full, peer not synchronised,
// corrupt tail), `kick` the delivered peers that asked for a kick.
struct Sent {
    NodeSet delivered{};
    NodeSet dropped{};
    NodeSet kick{};
};

// What the link check found: peers to kick, and whether this node's own
// receive path should poll (news no kick announced).
struct LinkCheck {
    NodeSet kick{};
    bool poll = false;
};

// Sums over every ring end of a port.
struct PortStats {
    TxStats tx{};
    RxStats rx{};
    std::uint64_t tx_no_route = 0;   // send(): no peer up for the destination MAC
};

class Port {
public:
    constexpr Port() = default;
    Port(const Port&) = delete;
    Port& operator=(const Port&) = delete;

    // Attaches node `self` (its own partition id) to `segment`: stores its
    // link DOWN, resets its outgoing rings to a new generation, takes over
    // its incoming rings, publishes `kick`, then stores the link UP. The
    // value: the peers that are up, to be kicked so they pick up the new
    // generation (until a peer acknowledges it, sends to it are dropped).
    [[nodiscard]] Result<NodeSet> attach(const Segment& segment, PartitionId self, KickTarget kick);

    // Link DOWN (peers stop sending and discard our rings), no more kicks.
    void detach();

    [[nodiscard]] bool attached() const { return attached_; }
    [[nodiscard]] PartitionId self() const { return self_; }
    [[nodiscard]] std::uint64_t generation() const { return generation_; }
    [[nodiscard]] const Segment& segment() const { return segment_; }
    [[nodiscard]] Mac mac() const { return mac_of(self_); }
    // Largest frame (Ethernet header included): the glue's MTU + 14.
    [[nodiscard]] std::uint32_t max_frame() const { return segment_.geometry().max_frame; }

    // --- transmit -------------------------------------------------------

    // Peers a frame to `dst` goes to: route() restricted to peers up now.
    [[nodiscard]] NodeSet route(const Mac& dst) const;

    // Zero-copy unicast: room for `length` bytes in the ring to `dst`, then
    // commit. not_found when `dst` is not a peer or is down; the rest as
    // TxRing::reserve. tx_commit returns whether to kick `dst`; with `more`
    // (xmit_more) the decision is left to a later commit or tx_flush().
    [[nodiscard]] Result<std::span<std::byte>> tx_reserve(PartitionId dst, std::uint32_t length);
    [[nodiscard]] bool tx_commit(PartitionId dst, std::uint16_t flags = 0, bool more = false);
    [[nodiscard]] bool tx_flush(PartitionId dst);
    // After tx_reserve() said exhausted: TxRing::request_space on the ring
    // to `dst` (true: room now, retry; also for a peer that is not one).
    [[nodiscard]] bool tx_request_space(PartitionId dst, std::uint32_t length);

    // Copies `frame` into the ring of every peer route() names.
    // invalid_argument: shorter than an Ethernet header or above
    // max_frame(); not_found: nobody to send to (unknown unicast, peer down).
    // `more` as tx_commit; without it, every routed ring's pending decision
    // is made, also where this frame was dropped.
    [[nodiscard]] Result<Sent> send(std::span<const std::byte> frame, std::uint16_t flags = 0, bool more = false);

    // --- receive --------------------------------------------------------

    // Follows every peer's link (acknowledge new generations, discard dead
    // rings). The value: peers whose rings are readable. rx_peek() does
    // this lazily; the glue calls it when kicked after a peer's attach.
    NodeSet sync_links();

    // The next frame from any peer, round robin (one frame per peer in
    // turn), or empty. Peeking again before rx_release() returns the same.
    [[nodiscard]] Frame rx_peek();
    void rx_release();

    // After rx_release() (each one, or a batch): the senders that asked for
    // room and now have it (RxRing::space_kick on every incoming ring that
    // moved): kick them.
    [[nodiscard]] NodeSet rx_space_kicks();

    // Before sleeping (NAPI complete): kick requests on every incoming
    // ring. True when a frame arrived meanwhile: poll again.
    [[nodiscard]] bool enable_notify();
    void disable_notify();

    // --- the link check -------------------------------------------------

    // Run periodically by the glue (every VNET_LINK_POLL_MS), with both
    // paths excluded: on every ring to a peer that is up, TxRing::link_check
    // (restore our head, kick a receiver with something to repair); on
    // every incoming ring, RxRing::link_check (restore our tail, poll when
    // there is news). Whatever single index a scribbler changed, traffic
    // flows again after one check and one round trip (doc/vnet.md).
    [[nodiscard]] LinkCheck link_check();

    // --- per ring, for statistics and tests -----------------------------

    [[nodiscard]] const TxRing& tx(PartitionId peer) const { return tx_[index(peer)]; }
    [[nodiscard]] const RxRing& rx(PartitionId peer) const { return rx_[index(peer)]; }
    [[nodiscard]] PortStats stats() const;

private:
    [[nodiscard]] bool is_peer(PartitionId n) const {
        return attached_ && n.value() < segment_.node_count() && n != self_;
    }
    // Ids beyond the table map to its last slot, which is never bound.
    [[nodiscard]] static std::uint32_t index(PartitionId n) {
        return n.value() < ATOLL_VNET_MAX_NODES ? n.value() : ATOLL_VNET_MAX_NODES;
    }

    Segment segment_{};
    PartitionId self_{};
    std::uint64_t generation_ = 0;
    bool attached_ = false;
    std::uint32_t rx_next_ = 0;              // round robin: first peer to try
    std::uint32_t rx_current_ = ATOLL_VNET_MAX_NODES;   // peer of the peeked frame; MAX: none
    std::uint64_t tx_no_route_ = 0;
    TxRing tx_[ATOLL_VNET_MAX_NODES + 1]{};  // [peer]; [self] and [MAX] stay unbound
    RxRing rx_[ATOLL_VNET_MAX_NODES + 1]{};
};

}  // namespace atl::vnet
