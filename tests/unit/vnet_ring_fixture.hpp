// The fixture of the one-ring tests: two nodes, attached and synchronised;
// node 0 sends numbered test frames to node 1 (vnet_test_support.hpp), in a
// segment between guard pages.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "atoll/vnet/port.hpp"
#include "atoll/vnet/record.hpp"
#include "vnet_test_support.hpp"

namespace atl::vnet::test {

inline constexpr std::uint32_t kRing = 4096;   // max frame 2032
inline constexpr std::uint32_t kMax = kRing / 2 - 16;

// Two nodes, attached and synchronised; node 0 sends to node 1.
struct VnetRing : ::testing::Test {
    VnetRing() : net(2, kRing) { net.attach_all(); }

    Port& tx() { return net[0]; }
    Port& rx() { return net[1]; }
    atoll_vnet_ring* ring() const { return net.ring(0, 1); }
    std::uint8_t* data() const { return net.data(0, 1); }
    const RxStats& rs() { return rx().rx(PartitionId{0}).stats(); }
    const TxStats& ts() { return tx().tx(PartitionId{1}).stats(); }

    // Sends test frame `n` of `length` bytes; the error, if any.
    Error send(std::uint64_t n, std::size_t length) {
        auto f = make_frame(length, mac_of(PartitionId{1}), mac_of(PartitionId{0}), n);
        auto s = tx().send(f);
        if (!s)
            return s.error();
        return s->delivered.contains(PartitionId{1}) ? Error::ok : Error::exhausted;
    }

    bool inside(const Frame& f) const {
        auto* p = reinterpret_cast<const std::uint8_t*>(f.data.data());
        return p >= data() && p + f.data.size() <= data() + kRing;
    }

    // Receives one frame: its number, or -1 when there is none; -2 when it
    // is damaged or lies outside the ring.
    std::int64_t receive() {
        const Frame f = rx().rx_peek();
        if (f.empty())
            return -1;
        std::uint64_t n = 0;
        const bool good = inside(f) && frame_ok(f.data, &n) && f.source == PartitionId{0};
        rx().rx_release();
        return good ? static_cast<std::int64_t>(n) : -2;
    }

    std::vector<std::int64_t> drain() {
        std::vector<std::int64_t> got;
        for (std::int64_t n; (n = receive()) != -1;)
            got.push_back(n);
        return got;
    }

    // Forges a record with a valid check word at ring offset `at`.
    void forge(std::uint64_t at, std::uint32_t length, std::uint16_t kind, std::uint16_t flags, std::uint32_t seq) {
        record::store_at(data() + at, record::make(length, kind, flags, seq));
    }

    Net net;
};

}  // namespace atl::vnet::test
