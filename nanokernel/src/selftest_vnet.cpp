// The self-test's vnet section: the ring core moving frames between three
// ports on a segment in scratch memory, and refusing a corrupt index, with
// the flags of whichever build runs it (kernel object or host tests).
#include <cstddef>
#include <cstdint>
#include <new>

#include "atoll/nk/selftest_check.hpp"
#include "atoll/vnet/geometry.hpp"
#include "atoll/vnet/mac.hpp"
#include "atoll/vnet/port.hpp"
#include "atoll/vnet/segment.hpp"

namespace atl::nk::selftest {

namespace {

constexpr std::uint32_t nodes = 3;
constexpr std::uint32_t ring_size = 4096;
constexpr std::size_t frame_len = 200;

struct VnetArena {
    vnet::Port ports[nodes];
    alignas(64) std::byte segment[64 * 1024];
};

bool same_frame(const vnet::Frame& f, const std::byte* want, std::size_t len) {
    if (f.data.size() != len)
        return false;
    for (std::size_t i = 0; i < len; ++i)
        if (f.data[i] != want[i])
            return false;
    return true;
}

}  // namespace

bool check_vnet(Checker& c, void* arena, std::size_t arena_size) {
    c.section("vnet");
    if (!c.expect(arena_size >= sizeof(VnetArena), "the vnet objects fit the arena"))
        return false;
    auto* a = ::new (arena) VnetArena{};
    const auto geo = vnet::geometry_for(nodes, ring_size);
    if (!c.expect(geo.ok() && geo->segment_size <= sizeof a->segment, "a 3-node segment fits"))
        return false;
    auto seg = vnet::Segment::format(std::span<std::byte>(a->segment, sizeof a->segment), nodes, ring_size);
    if (!c.expect_error(seg.error(), Error::ok, "format a segment"))
        return false;
    for (std::uint32_t n = 0; n < nodes; ++n) {
        const vnet::KickTarget kick{Virq{n + 1}, CpuSlot{n}};
        if (!c.expect_error(a->ports[n].attach(*seg, PartitionId{n}, kick).error(), Error::ok,
                            "attach a port"))
            return false;
    }
    for (auto& p : a->ports)
        (void)p.sync_links();   // what a kick makes the glue do

    // A broadcast from node 0 reaches nodes 1 and 2, byte for byte.
    std::byte frame[frame_len];
    for (std::size_t i = 0; i < frame_len; ++i)
        frame[i] = std::byte(i * 7 + 1);
    for (std::size_t i = 0; i < 6; ++i)
        frame[i] = std::byte{0xff};
    const vnet::Mac src = vnet::mac_of(PartitionId{0});
    for (std::size_t i = 0; i < 6; ++i)
        frame[6 + i] = std::byte{src.b[i]};
    auto sent = a->ports[0].send(std::span<const std::byte>(frame, frame_len));
    if (!c.expect(sent.ok() && sent->delivered.bits == ((1u << 1) | (1u << 2)),
                  "a broadcast is delivered to both peers"))
        return false;
    for (std::uint32_t n = 1; n < nodes; ++n) {
        const vnet::Frame f = a->ports[n].rx_peek();
        if (!c.expect(same_frame(f, frame, frame_len) && f.source == PartitionId{0},
                      "each peer receives it intact, from node 0"))
            return false;
        a->ports[n].rx_release();
        if (!c.expect(a->ports[n].rx_peek().empty(), "and nothing more"))
            return false;
    }

    // A head written far past the ring (a buggy peer or a test tool): node 2
    // drops and counts, reads nothing outside the ring, and recovers.
    atoll_vnet_ring* r = seg->ring(PartitionId{1}, PartitionId{2});
    if (!c.expect(r != nullptr, "find ring 1 -> 2"))
        return false;
    __atomic_store_n(&r->head, std::uint64_t{1} << 40, __ATOMIC_RELEASE);
    const bool nothing = a->ports[2].rx_peek().empty();
    if (!c.expect(nothing && a->ports[2].stats().rx.bad_index == 1,
                  "a corrupt head is dropped and counted"))
        return false;
    for (std::size_t i = 0; i < 6; ++i)
        frame[i] = std::byte{vnet::mac_of(PartitionId{2}).b[i]};
    sent = a->ports[0].send(std::span<const std::byte>(frame, frame_len));
    const vnet::Frame f = a->ports[2].rx_peek();
    if (!c.expect(sent.ok() && same_frame(f, frame, frame_len), "the port still receives after it"))
        return false;
    a->ports[2].rx_release();
    for (auto& p : a->ports)
        p.detach();
    return true;
}

}  // namespace atl::nk::selftest
