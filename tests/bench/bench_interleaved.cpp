// RoundTripsInterleaved: the pipeline round trip and the doorbell
// ping-pong as multiples of the bare ping-pong, each ratio taken within one
// round, and rounds repeated.
//
// Why: on the build machine (a VM of 2 vCPUs) the bare ping-pong itself
// moves between about 90 and 500 ns from one run to the next, as the
// hypervisor places the two vCPUs near each other or not. Benchmarks run
// one after the other then compare figures from different placements. Here
// the same two pinned threads run a short block of each kind in turn
// (bare, doorbell, pipeline, then again), so a ratio compares blocks a few
// milliseconds apart; the counters give min / median / max of the per-round
// ratios, and the median bare ping-pong of the rounds.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_pipeline_fixture.hpp"

using namespace atl;
using namespace atl::bench;

namespace {

enum class Kind : std::uint32_t { idle, bare, doorbell, pipeline, stop };

constexpr int rounds = 41;
constexpr int per_block = 20000;   // round trips per block: 1-10 ms

// Everything both threads touch, each part on lines of its own.
struct Shared {
    OwnLines<std::atomic<Kind>> kind;   // read-mostly: written between blocks
    Line ball;                          // bare
    Line msg_a, msg_b, bell_a, bell_b;  // doorbell
    RoundTrip rt;                       // pipeline
};

// The peer (CPU B): serves whichever kind the main thread runs.
void serve(Shared& s) {
    pin_to(1);
    std::uint64_t expect = 1;   // bare: the next odd value A sends
    for (;;) {
        const Kind k = s.kind.v.load(std::memory_order_acquire);
        if (k == Kind::stop)
            return;
        if (k == Kind::bare) {
            bare_answer(s.ball, expect);
        } else if (k == Kind::doorbell) {
            if (take_doorbell(s.bell_b) && s.msg_b.v.exchange(0, std::memory_order_seq_cst) != 0) {
                s.msg_a.v.fetch_or(1, std::memory_order_seq_cst);
                s.bell_a.v.store(1, std::memory_order_release);
            }
        } else if (k == Kind::pipeline) {
            if (take_doorbell(s.rt.cpus.ipi_b_from_a)) {
                while (s.rt.cpus.b.v.dispatch()) {
                }
            }
        }
    }
}

// One block of `per_block` round trips of kind k on CPU A: ns per round trip.
double block(Shared& s, Kind k, std::uint64_t& next) {
    s.kind.v.store(k, std::memory_order_release);
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < per_block; ++i) {
        if (k == Kind::bare) {
            bare_round_trip(s.ball, next);
        } else if (k == Kind::doorbell) {
            s.msg_b.v.fetch_or(1, std::memory_order_seq_cst);
            s.bell_b.v.store(1, std::memory_order_release);
            while (s.bell_a.v.load(std::memory_order_acquire) == 0) {
            }
            s.bell_a.v.store(0, std::memory_order_relaxed);
            benchmark::DoNotOptimize(s.msg_a.v.exchange(0, std::memory_order_seq_cst));
        } else {
            if (!s.rt.cpus.a.v.post(CpuSlot{1}, s.rt.to_b).ok())
                std::abort();
            while (s.rt.cpus.ipi_a_from_b.v.load(std::memory_order_acquire) == 0) {
            }
            s.rt.cpus.ipi_a_from_b.v.store(0, std::memory_order_relaxed);
            while (s.rt.cpus.a.v.dispatch()) {
            }
        }
    }
    const auto t1 = std::chrono::steady_clock::now();
    s.kind.v.store(Kind::idle, std::memory_order_release);
    return std::chrono::duration<double, std::nano>(t1 - t0).count() / per_block;
}

void RoundTripsInterleaved(benchmark::State& state) {
    auto s = std::make_unique<Shared>();
    std::thread peer(serve, std::ref(*s));
    pin_to(0);
    std::vector<double> bare, doorbell, pipeline;
    std::uint64_t next = 1;
    for (auto _ : state) {
        for (int r = 0; r < rounds; ++r) {
            const double b = block(*s, Kind::bare, next);
            const double d = block(*s, Kind::doorbell, next);
            const double p = block(*s, Kind::pipeline, next);
            bare.push_back(b);
            doorbell.push_back(d / b);
            pipeline.push_back(p / b);
        }
    }
    s->kind.v.store(Kind::stop, std::memory_order_release);
    peer.join();
    unpin();
    if (s->rt.returned.count != static_cast<std::uint64_t>(state.iterations()) * rounds * per_block)
        state.SkipWithError("lost a round trip");
    put_spread(state, "bare_ns", bare);
    put_spread(state, "doorbell_x", doorbell);
    put_spread(state, "pipeline_x", pipeline);
    state.SetLabel("ratios to the bare ping-pong of the same round");
}
BENCHMARK(RoundTripsInterleaved)->Iterations(1)->UseRealTime();

}  // namespace
