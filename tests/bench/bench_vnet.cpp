// vnet ring throughput between two threads pinned to different cores
// (standing in for CPUs of two kernels), one ring, 1 MiB of ring data:
//   VnetRing/<size>     frames of <size> bytes through Port::send (copy in)
//                       and rx_peek/rx_release with a copy out, the way
//                       the kernel glue copies into an skb; each send makes
//                       its kick decision (a full barrier per frame)
//   VnetRingBatched/<size>  the same in batches of 16 (xmit_more): one
//                       decision per batch
//   MemcpyBaseline/<size>  the same two copies through a plain SPSC ring of
//                       fixed slots (one atomic index each way, no
//                       validation, no records): the floor for copying
//                       frames between two cores
// Both report frames/s (items) and bytes/s for 64 B, 1500 B and 64 KiB
// frames, in the same run.
#include <benchmark/benchmark.h>

#include "bench_affinity.hpp"

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "atoll/vnet/port.hpp"
#include "atoll/vnet/segment.hpp"

using namespace atl;
using namespace atl::vnet;

namespace {

constexpr std::uint32_t kRing = 1u << 20;

using atl::bench::pin_to;
using atl::bench::unpin;

template <class T>
struct alignas(64) OwnLines {
    T v{};
};

// A two-node segment on the heap, both ports attached and synchronised.
struct TwoNodes {
    TwoNodes() {
        const auto g = geometry_for(2, kRing).value();
        size = g.segment_size;
        mem = std::aligned_alloc(64, size);
        std::memset(mem, 0, size);
        auto s = Segment::format({static_cast<std::byte*>(mem), size}, 2, kRing);
        if (!s)
            std::abort();
        segment = *s;
        if (!a->attach(segment, PartitionId{0}, KickTarget{}) || !b->attach(segment, PartitionId{1}, KickTarget{}))
            std::abort();
        (void)a->sync_links();
        (void)b->sync_links();
    }
    ~TwoNodes() { std::free(mem); }

    std::size_t size = 0;
    void* mem = nullptr;
    Segment segment;
    std::unique_ptr<Port> a = std::make_unique<Port>();   // sender, node 0
    std::unique_ptr<Port> b = std::make_unique<Port>();   // receiver, node 1
};

void run_vnet(benchmark::State& state, std::uint64_t batch) {
    const auto length = static_cast<std::size_t>(state.range(0));
    TwoNodes net;
    std::vector<std::byte> frame(length, std::byte{0x5a});
    const Mac to = mac_of(PartitionId{1});
    std::memcpy(frame.data(), to.b, 6);
    OwnLines<std::atomic<bool>> stop;
    OwnLines<std::atomic<std::uint64_t>> received;
    std::thread receiver([&] {
        pin_to(1);
        std::vector<std::byte> skb(65536);
        std::uint64_t n = 0;
        while (!stop.v.load(std::memory_order_relaxed)) {
            const Frame f = net.b->rx_peek();
            if (f.empty())
                continue;
            std::memcpy(skb.data(), f.data.data(), f.data.size());
            benchmark::DoNotOptimize(skb.data());
            net.b->rx_release();
            received.v.store(++n, std::memory_order_release);
        }
    });
    pin_to(0);
    std::uint64_t sent = 0, full = 0;
    for (auto _ : state) {
        const bool more = (sent + 1) % batch != 0;
        for (;;) {
            auto s = net.a->send(frame, 0, more);
            if (s && !s->delivered.empty())
                break;
            ++full;
        }
        ++sent;
    }
    (void)net.a->tx_flush(PartitionId{1});
    while (received.v.load(std::memory_order_acquire) != sent) {
    }
    stop.v.store(true);
    receiver.join();
    unpin();
    state.SetItemsProcessed(static_cast<std::int64_t>(sent));
    state.SetBytesProcessed(static_cast<std::int64_t>(sent * length));
    state.counters["full_retries"] = static_cast<double>(full);
}
void VnetRing(benchmark::State& state) { run_vnet(state, 1); }
BENCHMARK(VnetRing)->Arg(64)->Arg(1500)->Arg(65536)->UseRealTime();

void VnetRingBatched(benchmark::State& state) { run_vnet(state, 16); }
BENCHMARK(VnetRingBatched)->Arg(64)->Arg(1500)->Arg(65536)->UseRealTime();

// The floor: fixed slots of the frame size in the same 1 MiB, one copy in
// and one copy out, indices on their own lines.
void MemcpyBaseline(benchmark::State& state) {
    const auto length = static_cast<std::size_t>(state.range(0));
    const std::size_t slots = kRing / length;
    auto* ring = static_cast<std::byte*>(std::aligned_alloc(64, kRing));
    std::memset(ring, 0, kRing);
    std::vector<std::byte> frame(length, std::byte{0x5a});
    OwnLines<std::atomic<std::uint64_t>> head, tail;
    OwnLines<std::atomic<bool>> stop;
    std::thread receiver([&] {
        pin_to(1);
        std::vector<std::byte> skb(65536);
        std::uint64_t t = 0;
        while (!stop.v.load(std::memory_order_relaxed)) {
            if (head.v.load(std::memory_order_acquire) == t)
                continue;
            std::memcpy(skb.data(), ring + (t % slots) * length, length);
            benchmark::DoNotOptimize(skb.data());
            tail.v.store(++t, std::memory_order_release);
        }
    });
    pin_to(0);
    std::uint64_t h = 0;
    for (auto _ : state) {
        while (h - tail.v.load(std::memory_order_acquire) == slots) {
        }
        std::memcpy(ring + (h % slots) * length, frame.data(), length);
        head.v.store(++h, std::memory_order_release);
    }
    while (tail.v.load(std::memory_order_acquire) != h) {
    }
    stop.v.store(true);
    receiver.join();
    unpin();
    std::free(ring);
    state.SetItemsProcessed(static_cast<std::int64_t>(h));
    state.SetBytesProcessed(static_cast<std::int64_t>(h * length));
}
BENCHMARK(MemcpyBaseline)->Arg(64)->Arg(1500)->Arg(65536)->UseRealTime();

}  // namespace
