// The two-CPU fixture of the pipeline benchmarks (bench_pipeline.cpp,
// bench_interleaved.cpp): a heap lagoon with two CPU slots of one
// partition, each CPU's Pipeline and handler context on lines of its own,
// and a fake APIC that raises the other CPU's doorbell line.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "atoll/nk/lagoon.hpp"
#include "atoll/nk/pipeline.hpp"
#include "bench_affinity.hpp"

namespace atl::bench {

using namespace atl::nk;

struct alignas(64) Line {
    std::atomic<std::uint64_t> v{0};
};

// Pads T to whole cache lines of its own.
template <class T>
struct alignas(64) OwnLines {
    T v{};
};

// The bare ping-pong, the physical floor every ratio is taken against: one
// line bounced between the two CPUs. A sends odd values, B answers each
// with the next even one.
inline void bare_round_trip(Line& ball, std::uint64_t& next) {   // A
    ball.v.store(next, std::memory_order_release);
    while (ball.v.load(std::memory_order_acquire) != next + 1) {
    }
    next += 2;
}
inline void bare_answer(Line& ball, std::uint64_t& expect) {     // B, one poll
    if (ball.v.load(std::memory_order_acquire) == expect) {
        ball.v.store(expect + 1, std::memory_order_release);
        expect += 2;
    }
}

// Takes a raised doorbell (fake IPI) line: looks, then clears; true when
// it was raised.
inline bool take_doorbell(Line& bell) {
    return bell.v.load(std::memory_order_acquire) != 0 &&
           bell.v.exchange(0, std::memory_order_acq_rel) != 0;
}

// min / median / max of per-round figures as NAME_min, NAME_median,
// NAME_max counters.
inline void put_spread(benchmark::State& state, const char* name, std::vector<double> v) {
    std::sort(v.begin(), v.end());
    state.counters[std::string(name) + "_min"] = v.front();
    state.counters[std::string(name) + "_median"] = v[v.size() / 2];
    state.counters[std::string(name) + "_max"] = v.back();
}

// Two CPU slots of one partition in a heap lagoon, and their fake APIC.
struct TwoCpus {
    static constexpr std::uint32_t apic_a = 2, apic_b = 6;   // sparse, as on hardware

    // By default each Pipeline's IPI raises the other CPU's doorbell;
    // `from_a`/`from_b` replace those senders.
    explicit TwoCpus(IpiSender from_a = {}, IpiSender from_b = {}) {
        LagoonSpec spec;
        spec.max_partitions = 2;
        spec.max_cpus = 2;
        size = static_cast<std::size_t>(*lagoon_required_size(spec));
        mem = std::aligned_alloc(64, (size + 63) / 64 * 64);
        if (!lagoon_format(mem, size, spec).ok())
            std::abort();
        view = *LagoonView::open(mem, size);
        if (!view.assign_cpu(CpuSlot{0}, ApicId{apic_a}, PartitionId{1}).ok() ||
            !view.assign_cpu(CpuSlot{1}, ApicId{apic_b}, PartitionId{1}).ok())
            std::abort();
        if (from_a.fn == nullptr)
            from_a = IpiSender{&send, &ipi_b_from_a};
        if (from_b.fn == nullptr)
            from_b = IpiSender{&send, &ipi_a_from_b};
        a.v = *Pipeline::create(view, CpuSlot{0}, from_a);
        b.v = *Pipeline::create(view, CpuSlot{1}, from_b);
    }
    ~TwoCpus() { std::free(mem); }

    // The fake APIC: raises the target's doorbell. Each Pipeline sends
    // only to the other CPU, so the context is that CPU's doorbell line.
    static void send(void* ctx, ApicId) {
        static_cast<Line*>(ctx)->v.store(1, std::memory_order_release);
    }

    std::size_t size = 0;
    void* mem = nullptr;
    LagoonView view;
    OwnLines<Pipeline> a, b;      // per-CPU: A's and B's pipelines
    Line ipi_a_from_b, ipi_b_from_a;   // doorbells: B -> A and A -> B
};

// Handler contexts, one per CPU, each on its own lines.
struct alignas(64) Bounce {
    Pipeline* back = nullptr;   // B: posts the reply with its own pipeline
    Virq to_a{};
    static Decision on_b(void* ctx, Virq) {
        auto* self = static_cast<Bounce*>(ctx);
        (void)self->back->post(CpuSlot{0}, self->to_a);
        return Decision::accept;
    }
};

struct alignas(64) Returned {
    std::uint64_t count = 0;   // A: replies seen
    static Decision on_a(void* ctx, Virq) {
        ++static_cast<Returned*>(ctx)->count;
        return Decision::accept;
    }
};

// Sets up A and B (one stage each, a virq each way) for a round trip.
struct RoundTrip {
    explicit RoundTrip(IpiSender from_a = {}, IpiSender from_b = {}) : cpus(from_a, from_b) {
        to_b = *cpus.a.v.allocate(StageId{0}, PartitionId{1});
        bounce.back = &cpus.b.v;
        bounce.to_a = *cpus.a.v.allocate(StageId{0}, PartitionId{1});
        if (!cpus.b.v.register_stage(StageId{0}, 1, VirqHandler{&Bounce::on_b, &bounce}).ok() ||
            !cpus.a.v.register_stage(StageId{0}, 1, VirqHandler{&Returned::on_a, &returned}).ok())
            std::abort();
    }

    // After the B thread has been joined.
    void finish(benchmark::State& state) {
        unpin();
        if (returned.count != static_cast<std::uint64_t>(state.iterations()))
            state.SkipWithError("lost a round trip");
        state.counters["ipis_a"] = static_cast<double>(cpus.a.v.stats().ipis_sent);
        state.SetLabel("per round trip");
    }

    TwoCpus cpus;
    Virq to_b{};
    Bounce bounce;
    Returned returned;
    OwnLines<std::atomic<bool>> stop;
};

}  // namespace atl::bench
