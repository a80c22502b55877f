// libFuzzer: the input is what a hostile or broken peer left in vnet shared
// memory, and the receive path (and the send path, which trusts the
// receiver's tail no more) must never step outside the ring.
//
// Ring mode: the input is one ring's control block, its sender's node entry
// and its data, each in an allocation of exactly its size (ASan's redzones
// catch any access past it), plus scribbles applied between operations, as
// a peer writing concurrently would. Every frame handed out is also checked
// to lie inside the data and is read whole.
// Patch mode: a formatted segment with attached nodes and frames in flight,
// then the input as byte patches over all of it (header included), then
// every node receives, re-opens and sends.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "atoll/vnet/port.hpp"
#include "atoll/vnet/rx_ring.hpp"
#include "atoll/vnet/segment.hpp"
#include "atoll/vnet/tx_ring.hpp"

using namespace atl;
using namespace atl::vnet;

namespace {

// Reads the input front to back; zeros once it runs out.
struct Input {
    const std::uint8_t* p;
    std::size_t left;

    std::uint8_t byte() {
        if (left == 0)
            return 0;
        --left;
        return *p++;
    }
    std::uint64_t u64() {
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i)
            v |= std::uint64_t{byte()} << (8 * i);
        return v;
    }
    void fill(void* dst, std::size_t n) {
        const std::size_t k = n < left ? n : left;
        std::memcpy(dst, p, k);
        std::memset(static_cast<std::uint8_t*>(dst) + k, 0, n - k);
        p += k;
        left -= k;
    }
};

void* alloc(std::size_t n) {
    void* m = nullptr;
    return posix_memalign(&m, 64, n) == 0 ? m : nullptr;
}

void check_frame(const Frame& f, const std::uint8_t* data, std::uint32_t size, std::uint32_t max_frame) {
    if (f.empty())
        return;
    const auto* p = reinterpret_cast<const std::uint8_t*>(f.data.data());
    if (p < data || p + f.data.size() > data + size || f.data.size() > max_frame ||
        f.data.size() < ATOLL_VNET_MIN_FRAME)
        __builtin_trap();
    volatile std::uint8_t sum = 0;
    for (const std::byte b : f.data)
        sum = static_cast<std::uint8_t>(sum + static_cast<std::uint8_t>(b));
}

void ring_mode(Input in) {
    const std::uint32_t size = ATOLL_VNET_MIN_RING << (in.byte() % 3);   // 4, 8 or 16 KiB
    const std::uint32_t max_frame = max_frame_for(size);
    auto* ring = static_cast<atoll_vnet_ring*>(alloc(sizeof(atoll_vnet_ring)));
    auto* node = static_cast<atoll_vnet_node*>(alloc(sizeof(atoll_vnet_node)));
    auto* data = static_cast<std::uint8_t*>(alloc(size));
    if (ring != nullptr && node != nullptr && data != nullptr) {
        in.fill(ring, sizeof *ring);
        in.fill(node, sizeof *node);
        in.fill(data, size / 4);   // the rest of the data stays as the input left it: zero
        std::memset(data + size / 4, 0, size - size / 4);

        RxRing rx;
        rx.attach(ring, data, size, max_frame, node, PartitionId{1});
        TxRing tx;   // the same ring, seen by a producer that trusts nothing either
        const bool with_tx = (node->link & 2) != 0;
        if (with_tx)
            tx.reset(ring, data, size, max_frame, ATOLL_VNET_LINK_GEN(node->link));
        std::uint8_t frame[2048] = {};
        for (int step = 0; step < 64 && in.left > 0; ++step) {
            switch (in.byte() % 8) {
            case 0: ring->head = in.u64(); break;
            case 1: node->link = in.u64(); break;
            case 2: {   // scribble 8 bytes anywhere in the data
                const std::uint32_t at = static_cast<std::uint32_t>(in.u64() % (size - 7));
                in.fill(data + at, 8);
                break;
            }
            case 3: ring->tail = in.u64(); ring->tail_gen = in.u64(); break;
            case 4:
                if (with_tx) {
                    const std::uint32_t len = in.byte() * 8u + in.byte();
                    (void)tx.post({reinterpret_cast<const std::byte*>(frame), len < sizeof frame ? len : sizeof frame});
                }
                break;
            case 5: (void)rx.enable_notify(); break;
            case 6: (void)rx.sync(); break;
            default:   // the periodic link check, both ends (issue 16)
                (void)rx.link_check();
                (void)rx.space_kick();
                if (with_tx)
                    (void)tx.link_check();
                ring->kick_at = in.u64();
                break;
            }
            for (int i = 0; i < 4; ++i) {
                const Frame f = rx.peek();
                check_frame(f, data, size, max_frame);
                if (f.empty())
                    break;
                rx.release();
            }
        }
        rx.disable_notify();
        rx.detach();
    }
    std::free(data);
    std::free(node);
    std::free(ring);
}

void patch_mode(Input in) {
    const std::uint32_t nodes = 2 + in.byte() % 2;
    const std::uint32_t ring_size = ATOLL_VNET_MIN_RING;
    const auto g = geometry_for(nodes, ring_size);
    if (!g)
        return;
    const std::size_t len = g->segment_size;
    auto* mem = static_cast<std::uint8_t*>(alloc(len));
    if (mem == nullptr)
        return;
    std::span<std::byte> area(reinterpret_cast<std::byte*>(mem), len);
    auto seg = Segment::format(area, nodes, ring_size);
    static Port ports[3];   // a few KiB each: not on the stack
    if (seg) {
        for (std::uint32_t n = 0; n < nodes; ++n)
            (void)ports[n].attach(*seg, PartitionId{n}, KickTarget{Virq{n}, CpuSlot{n}});
        for (std::uint32_t n = 0; n < nodes; ++n)
            (void)ports[n].sync_links();
        std::uint8_t frame[600];
        std::memset(frame, 0xff, sizeof frame);   // broadcast
        for (int i = 0; i < 6; ++i)
            for (std::uint32_t n = 0; n < nodes; ++n)
                (void)ports[n].send({reinterpret_cast<const std::byte*>(frame), 60u + 97u * i});
        // The hostile part: patches (24-bit offset, value) over everything.
        while (in.left >= 4) {
            const std::size_t at = (std::size_t{in.byte()} | std::size_t{in.byte()} << 8 |
                                    std::size_t{in.byte()} << 16) % len;
            mem[at] = in.byte();
        }
        for (int round = 0; round < 3; ++round) {
            for (std::uint32_t n = 0; n < nodes; ++n) {
                for (int i = 0; i < 16; ++i) {
                    const Frame f = ports[n].rx_peek();
                    if (f.empty())
                        break;
                    const auto* d = seg->ring_data(f.source, PartitionId{n});
                    if (d == nullptr)
                        __builtin_trap();
                    check_frame(f, d, ring_size, g->max_frame);
                    ports[n].rx_release();
                }
                (void)ports[n].enable_notify();
                (void)ports[n].link_check();
                (void)ports[n].send({reinterpret_cast<const std::byte*>(frame), 100});
            }
        }
        auto again = Segment::open(area);   // the header may be anything now
        if (again) {
            (void)again->kick_target(PartitionId{0});
            (void)ports[0].attach(*again, PartitionId{0}, KickTarget{});
            for (int i = 0; i < 4; ++i) {
                const Frame f = ports[0].rx_peek();
                if (f.empty())
                    break;
                check_frame(f, again->ring_data(f.source, PartitionId{0}), again->geometry().ring_size,
                            again->geometry().max_frame);
                ports[0].rx_release();
            }
        }
        for (auto& p : ports)
            p.detach();
    }
    std::free(mem);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    Input in{data + 1, size - 1};
    if ((data[0] & 1) != 0)
        patch_mode(in);
    else
        ring_mode(in);
    return 0;
}
