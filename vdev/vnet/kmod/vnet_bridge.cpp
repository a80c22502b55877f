// The extern "C" side of vnet_bridge.h: the ring core (vdev/vnet/src) for
// the kernel glue (vnet.c).
#include "vnet_bridge.h"

#include <new>

#include "atoll/nk/lagoon.hpp"
#include "atoll/vnet/geometry.hpp"
#include "atoll/vnet/mac.hpp"
#include "atoll/vnet/port.hpp"
#include "atoll/vnet/segment.hpp"

namespace {

using namespace atl;

struct VnetMem {
    vnet::Port port;
    vnet::Frame peeked;
};
static_assert(sizeof(VnetMem) <= ATOLL_VNET_MEM);

int code(Error e) { return -static_cast<int>(e); }

VnetMem& of(void* mem) { return *static_cast<VnetMem*>(mem); }

Result<std::span<std::byte>> vnet_area(void* lagoon, unsigned long size) {
    auto view = nk::LagoonView::open(lagoon, size);
    if (!view)
        return view.error();
    return view->vnet();
}

}  // namespace

extern "C" int atoll_vnet_format(void* lagoon, unsigned long lagoon_size) {
    auto area = vnet_area(lagoon, lagoon_size);
    if (!area)
        return code(area.error());
    auto ring = vnet::ring_size_for(area->size(), ATOLL_VNET_MAX_NODES);
    if (!ring)
        return code(ring.error());
    auto seg = vnet::Segment::format(*area, ATOLL_VNET_MAX_NODES, *ring);
    return seg ? 0 : code(seg.error());
}

extern "C" int atoll_vnet_attach(void* mem, void* lagoon, unsigned long lagoon_size, atoll_u32 self,
                                 atoll_u32 virq, atoll_u32 cpu_slot, atoll_u32* kick) {
    auto area = vnet_area(lagoon, lagoon_size);
    if (!area)
        return code(area.error());
    auto seg = vnet::Segment::open(*area);
    if (!seg)
        return code(seg.error());
    auto* m = new (mem) VnetMem{};
    auto peers = m->port.attach(*seg, PartitionId{self}, vnet::KickTarget{Virq{virq}, CpuSlot{cpu_slot}});
    if (!peers)
        return code(peers.error());
    *kick = peers->bits;
    return 0;
}

extern "C" void atoll_vnet_detach(void* mem) { of(mem).port.detach(); }

extern "C" void atoll_vnet_force_down(void* mem, atoll_u32 n) {
    (void)of(mem).port.segment().force_down(PartitionId{n});
}

extern "C" int atoll_vnet_kick_target(void* mem, atoll_u32 n, atoll_u32* virq, atoll_u32* cpu_slot) {
    auto k = of(mem).port.segment().kick_target(PartitionId{n});
    if (!k)
        return code(k.error());
    *virq = k->virq.value();
    *cpu_slot = k->cpu.value();
    return 0;
}

extern "C" atoll_u32 atoll_vnet_max_frame(void* mem) { return of(mem).port.max_frame(); }

extern "C" void atoll_vnet_mac(void* mem, atoll_u8 mac[6]) {
    const vnet::Mac m = of(mem).port.mac();
    for (int i = 0; i < 6; ++i)
        mac[i] = m.b[i];
}

extern "C" atoll_u32 atoll_vnet_peers_up(void* mem) {
    const auto& p = of(mem).port;
    atoll_u32 bits = 0;
    for (atoll_u32 n = 0; n < p.segment().node_count(); ++n)
        if (n != p.self().value() && p.segment().up(PartitionId{n}))
            bits |= 1u << n;
    return bits;
}

extern "C" int atoll_vnet_send(void* mem, const void* frame, atoll_u32 len, atoll_u16 flags,
                               atoll_u32* delivered, atoll_u32* kick) {
    auto sent = of(mem).port.send(std::span<const std::byte>(static_cast<const std::byte*>(frame), len), flags);
    if (!sent)
        return code(sent.error());
    *delivered = sent->delivered.bits;
    *kick = sent->kick.bits;
    return 0;
}

extern "C" int atoll_vnet_unicast_peer(void* mem, const atoll_u8 dst_mac[6]) {
    vnet::Mac dst;
    for (int i = 0; i < 6; ++i)
        dst.b[i] = dst_mac[i];
    if (vnet::is_group(dst))
        return -1;
    const vnet::NodeSet to = of(mem).port.route(dst);
    for (atoll_u32 n = 0; n < ATOLL_VNET_MAX_NODES; ++n)
        if (to.contains(PartitionId{n}))
            return static_cast<int>(n);   // unicast: at most one
    return -1;
}

extern "C" void* atoll_vnet_tx_reserve(void* mem, atoll_u32 peer, atoll_u32 len, int* full) {
    auto room = of(mem).port.tx_reserve(PartitionId{peer}, len);
    *full = !room && room.error() == Error::exhausted ? 1 : 0;
    return room ? room->data() : nullptr;
}

extern "C" int atoll_vnet_tx_request_space(void* mem, atoll_u32 peer, atoll_u32 len) {
    return of(mem).port.tx_request_space(PartitionId{peer}, len) ? 1 : 0;
}

extern "C" atoll_u32 atoll_vnet_rx_space_kicks(void* mem) { return of(mem).port.rx_space_kicks().bits; }

extern "C" int atoll_vnet_tx_commit(void* mem, atoll_u32 peer, atoll_u16 flags) {
    return of(mem).port.tx_commit(PartitionId{peer}, flags) ? 1 : 0;
}

extern "C" int atoll_vnet_tx_flush(void* mem, atoll_u32 peer) {
    return of(mem).port.tx_flush(PartitionId{peer}) ? 1 : 0;
}

extern "C" void atoll_vnet_counters(void* mem, struct atoll_vnet_counters* c) {
    const vnet::PortStats s = of(mem).port.stats();
    c->rx_bad_index = s.rx.bad_index;
    c->rx_bad_record = s.rx.bad_record;
    c->tx_full = s.tx.full;
    c->tx_waits = s.tx.waits;
    c->tx_not_ready = s.tx.not_ready;
    c->tx_bad_tail = s.tx.bad_tail;
    c->tx_bad_line = s.tx.bad_line;
    c->tx_no_route = s.tx_no_route;
}

extern "C" atoll_u32 atoll_vnet_peek(void* mem, const void** data, atoll_u32* source, atoll_u16* flags) {
    VnetMem& m = of(mem);
    m.peeked = m.port.rx_peek();
    if (m.peeked.empty())
        return 0;
    *data = m.peeked.data.data();
    *source = m.peeked.source.value();
    *flags = m.peeked.flags;
    return static_cast<atoll_u32>(m.peeked.data.size());
}

extern "C" void atoll_vnet_release(void* mem) { of(mem).port.rx_release(); }

extern "C" atoll_u32 atoll_vnet_link_check(void* mem, int* poll) {
    const vnet::LinkCheck c = of(mem).port.link_check();
    *poll = c.poll ? 1 : 0;
    return c.kick.bits;
}

extern "C" int atoll_vnet_enable_notify(void* mem) { return of(mem).port.enable_notify() ? 1 : 0; }

extern "C" void atoll_vnet_disable_notify(void* mem) { of(mem).port.disable_notify(); }
