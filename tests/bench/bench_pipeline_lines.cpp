// PipelineLinesInterleaved: which of the pipeline's memory accesses makes a
// round trip cost more than the doorbell's (doc/results.md, "Cross-kernel
// interrupt pipeline": the rest scales with the cross-core transfer time,
// so it is cache-line traffic).
//
// The pipeline's own round trip is rebuilt by hand on the same lagoon, one
// group of accesses at a time, each kind a step further than the one
// before; every kind runs a block in each round beside the bare ping-pong,
// and its ratio is taken within the round (as RoundTripsInterleaved does):
//   logs      the pending-log protocol alone on the lagoon's log lines: the
//             poster sets the word bit and the summary bit of the target's
//             log and raises its fake IPI line; the owner takes the IPI,
//             looks at the summary, takes it and the word
//   identity  + the poster reads the target slot's identity line (flags,
//             partition, APIC ID) and stall word, and the owner its own
//             stall word, as post() and dispatch() do
//   virq      + both read the virq's table entry (post()'s decode,
//             dispatch()'s deliverable check)
//   stats     + the owner publishes its three statistics after the walk
//   pipeline  Pipeline::post() and Pipeline::dispatch() themselves
// A kind whose ratio jumps over the one before it names the access.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "atoll/abi/lagoon.h"
#include "atoll/nk/shared_word.hpp"
#include "bench_pipeline_fixture.hpp"

using namespace atl;
using namespace atl::bench;

namespace {

enum class Kind : std::uint32_t { idle, bare, logs, identity, virq, stats, pipeline, stop };
constexpr Kind steps[] = {Kind::logs, Kind::identity, Kind::virq, Kind::stats, Kind::pipeline};
constexpr const char* step_names[] = {"logs", "identity", "virq", "stats", "pipeline"};

constexpr int rounds = 21;
constexpr int per_block = 10000;

struct Shared {
    OwnLines<std::atomic<Kind>> kind;
    Line ball;
    RoundTrip rt;
    atoll_cpu_slot* slot[2] = {};      // A's (0) and B's (1)
    std::uint32_t* entry[2] = {};      // the virq table entries of to_a and to_b

    Shared() {
        for (std::uint32_t i = 0; i < 2; ++i)
            slot[i] = *rt.cpus.view.cpu_slot(CpuSlot{i});
        entry[0] = *rt.cpus.view.virq_entry(rt.bounce.to_a);
        entry[1] = *rt.cpus.view.virq_entry(rt.to_b);
    }
};

// The poster's side of kind k: target slot t, its fake IPI line.
void post_by_hand(Shared& s, Kind k, std::uint32_t t, Line& ipi) {
    atoll_cpu_slot* target = s.slot[t];
    std::uint64_t sink = 0;
    if (k >= Kind::virq)
        sink += nk::shared(*s.entry[t]).load(std::memory_order_acquire);
    if (k >= Kind::identity) {
        sink += nk::shared(target->flags).load(std::memory_order_acquire);
        sink += nk::shared(target->partition_id).load(std::memory_order_relaxed);
        sink += nk::shared(target->apic_id).load(std::memory_order_relaxed);
    }
    atoll_stage_log& log = target->logs[0];
    if ((nk::shared(log.words[0]).fetch_or(1, std::memory_order_seq_cst) & 1) == 0) {
        nk::shared(log.summary).fetch_or(1, std::memory_order_seq_cst);
        if (k >= Kind::identity)
            sink += nk::shared(target->stall).load(std::memory_order_seq_cst);
        ipi.v.store(1, std::memory_order_release);
    }
    benchmark::DoNotOptimize(sink);
}

// The owner's side of kind k on slot o: true when a message was taken.
bool take_by_hand(Shared& s, Kind k, std::uint32_t o) {
    atoll_cpu_slot* own = s.slot[o];
    std::uint64_t sink = 0;
    if (k >= Kind::identity)
        sink += nk::shared(own->stall).load(std::memory_order_seq_cst);
    atoll_stage_log& log = own->logs[0];
    if (nk::shared(log.summary).load(std::memory_order_seq_cst) == 0)
        return false;
    nk::shared(log.summary).exchange(0, std::memory_order_seq_cst);
    const std::uint64_t bits = nk::shared(log.words[0]).exchange(0, std::memory_order_seq_cst);
    if (k >= Kind::virq)
        sink += nk::shared(*s.entry[o]).load(std::memory_order_acquire);
    if (k >= Kind::stats)
        for (std::uint32_t i = 0; i < 3; ++i)
            nk::shared(own->stats[i]).store(sink + i, std::memory_order_relaxed);
    benchmark::DoNotOptimize(sink);
    return bits != 0;
}

void serve(Shared& s) {
    pin_to(1);
    std::uint64_t expect = 1;
    TwoCpus& c = s.rt.cpus;
    for (;;) {
        const Kind k = s.kind.v.load(std::memory_order_acquire);
        if (k == Kind::stop)
            return;
        if (k == Kind::bare) {
            bare_answer(s.ball, expect);
        } else if (k != Kind::idle && take_doorbell(c.ipi_b_from_a)) {
            if (k == Kind::pipeline) {
                while (c.b.v.dispatch()) {
                }
            } else if (take_by_hand(s, k, 1)) {
                post_by_hand(s, k, 0, c.ipi_a_from_b);
            }
        }
    }
}

double block(Shared& s, Kind k, std::uint64_t& next) {
    TwoCpus& c = s.rt.cpus;
    s.kind.v.store(k, std::memory_order_release);
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < per_block; ++i) {
        if (k == Kind::bare) {
            bare_round_trip(s.ball, next);
            continue;
        }
        if (k == Kind::pipeline) {
            if (!c.a.v.post(CpuSlot{1}, s.rt.to_b).ok())
                std::abort();
        } else {
            post_by_hand(s, k, 1, c.ipi_b_from_a);
        }
        while (c.ipi_a_from_b.v.load(std::memory_order_acquire) == 0) {
        }
        c.ipi_a_from_b.v.store(0, std::memory_order_relaxed);
        if (k == Kind::pipeline) {
            while (c.a.v.dispatch()) {
            }
        } else if (!take_by_hand(s, k, 0)) {
            std::abort();   // the reply's bit must be there
        }
    }
    const auto t1 = std::chrono::steady_clock::now();
    s.kind.v.store(Kind::idle, std::memory_order_release);
    return std::chrono::duration<double, std::nano>(t1 - t0).count() / per_block;
}

void PipelineLinesInterleaved(benchmark::State& state) {
    auto s = std::make_unique<Shared>();
    std::thread peer(serve, std::ref(*s));
    pin_to(0);
    std::vector<double> bare;
    std::vector<std::vector<double>> ratio(std::size(steps));
    std::uint64_t next = 1;
    for (auto _ : state) {
        for (int r = 0; r < rounds; ++r) {
            const double b = block(*s, Kind::bare, next);
            bare.push_back(b);
            for (std::size_t i = 0; i < std::size(steps); ++i)
                ratio[i].push_back(block(*s, steps[i], next) / b);
        }
    }
    s->kind.v.store(Kind::stop, std::memory_order_release);
    peer.join();
    unpin();
    put_spread(state, "bare_ns", bare);
    for (std::size_t i = 0; i < std::size(steps); ++i)
        put_spread(state, (std::string(step_names[i]) + "_x").c_str(), ratio[i]);
    state.SetLabel("ratios to the bare ping-pong of the same round");
}
BENCHMARK(PipelineLinesInterleaved)->Iterations(1)->UseRealTime();

}  // namespace
