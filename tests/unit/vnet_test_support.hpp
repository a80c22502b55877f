// Test support for vnet: a segment placed against PROT_NONE guard pages
// (any access outside it faults), test frames that carry their own number
// and checksum, and a formatted segment with attached ports.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

#include "atoll/vnet/port.hpp"
#include "guarded_memory.hpp"
#include "atoll/vnet/segment.hpp"

namespace atl::vnet::test {

using atl::test::GuardedMemory;

inline constexpr std::uint16_t kEtherType = 0x88b5;   // IEEE local experimental
inline constexpr std::size_t kFrameHeader = 14 + 8 + 4;   // Ethernet, number, checksum

inline std::uint32_t fnv1a(const std::byte* p, std::size_t n) {
    std::uint32_t h = 2166136261u;
    for (std::size_t i = 0; i < n; ++i)
        h = (h ^ static_cast<std::uint8_t>(p[i])) * 16777619u;
    return h;
}

// A frame of `length` bytes (>= kFrameHeader) from `src` to `dst` carrying
// number `n`: Ethernet header, n, FNV-1a of the payload after it, payload
// bytes derived from n.
// Shorter frames (down to an Ethernet header) carry no number: frame_ok()
// refuses them.
inline void fill_frame(std::span<std::byte> out, const Mac& dst, const Mac& src, std::uint64_t n) {
    if (out.size() < 14)
        return;
    std::memcpy(out.data(), dst.b, 6);
    std::memcpy(out.data() + 6, src.b, 6);
    out[12] = std::byte{kEtherType >> 8};
    out[13] = std::byte{kEtherType & 0xff};
    if (out.size() < kFrameHeader)
        return;
    std::memcpy(out.data() + 14, &n, 8);
    std::uint64_t x = n * 0x9e3779b97f4a7c15ull + out.size();
    for (std::size_t i = kFrameHeader; i < out.size(); ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out[i] = static_cast<std::byte>(x);
    }
    const std::uint32_t sum = fnv1a(out.data() + kFrameHeader, out.size() - kFrameHeader);
    std::memcpy(out.data() + 22, &sum, 4);
}

inline std::vector<std::byte> make_frame(std::size_t length, const Mac& dst, const Mac& src, std::uint64_t n) {
    std::vector<std::byte> f(length);
    fill_frame(f, dst, src, n);
    return f;
}

// The number a test frame carries, if its checksum holds.
inline bool frame_ok(std::span<const std::byte> f, std::uint64_t* n = nullptr) {
    if (f.size() < kFrameHeader)
        return false;
    std::uint32_t sum = 0;
    std::memcpy(&sum, f.data() + 22, 4);
    if (n != nullptr)
        std::memcpy(n, f.data() + 14, 8);
    return sum == fnv1a(f.data() + kFrameHeader, f.size() - kFrameHeader);
}

// A frame of `length` bytes whose only meaningful part is its destination.
inline std::vector<std::byte> frame_to(const Mac& dst, std::size_t length = 60, std::uint8_t fill = 0x5a) {
    std::vector<std::byte> f(length, std::byte{fill});
    std::memcpy(f.data(), dst.b, 6);
    return f;
}

inline KickTarget kick_of(std::uint32_t node) { return KickTarget{Virq{100 + node}, CpuSlot{node}}; }

// A formatted segment in guarded memory and one port per node (not attached).
struct Net {
    Net(std::uint32_t nodes, std::uint32_t ring_size)
        : mem(geometry_for(nodes, ring_size).value().segment_size), ports(nodes) {
        auto s = Segment::format(mem.span(), nodes, ring_size);
        if (!s)
            throw std::runtime_error("format");
        segment = *s;
        for (auto& p : ports)
            p = std::make_unique<Port>();
    }

    Port& operator[](std::uint32_t n) { return *ports[n]; }

    NodeSet attach(std::uint32_t n) {
        auto r = ports[n]->attach(segment, PartitionId{n}, kick_of(n));
        if (!r)
            throw std::runtime_error("attach");
        return *r;
    }

    // Attach all, then let everyone acknowledge everyone.
    void attach_all() {
        for (std::uint32_t n = 0; n < ports.size(); ++n)
            attach(n);
        for (auto& p : ports)
            (void)p->sync_links();
    }

    atoll_vnet_ring* ring(std::uint32_t from, std::uint32_t to) const {
        return segment.ring(PartitionId{from}, PartitionId{to});
    }
    std::uint8_t* data(std::uint32_t from, std::uint32_t to) const {
        return segment.ring_data(PartitionId{from}, PartitionId{to});
    }

    GuardedMemory mem;
    Segment segment;
    std::vector<std::unique_ptr<Port>> ports;
};

}  // namespace atl::vnet::test
