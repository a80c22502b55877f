// Cross-kernel interrupt pipeline benchmarks, with threads pinned to
// different cores standing in for CPUs of different kernels:
//   AtomicPingPong      the physical floor: one cache line bounced A->B->A
//   PipelineRoundTrip   A posts to B, B's fake IPI wakes its dispatch, B's
//                       handler posts back to A, A dispatches: same unit
//   PostSuppressed      posts to an already-pending virq (no IPI): rate
//   PostNewlyPendingAndDispatch  post + dispatch on one thread (no bouncing)
// Both round trips report time per round trip, in the same run. The fake
// IPI is a spun-on flag, so these measure the pipeline's own cost, not the
// APIC's delivery latency (which adds roughly a microsecond on hardware).
#include <benchmark/benchmark.h>

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <thread>

#include "atoll/nk/lagoon.hpp"
#include "atoll/nk/pipeline.hpp"

using namespace atl;
using namespace atl::nk;

namespace {

// Pin the calling thread to one CPU; false when the machine lacks it.
bool pin_to(unsigned cpu) {
    if (cpu >= std::thread::hardware_concurrency())
        return false;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

void unpin() {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (unsigned i = 0; i < std::thread::hardware_concurrency(); ++i)
        CPU_SET(i, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

struct alignas(64) Line {
    std::atomic<std::uint64_t> v{0};
};

void AtomicPingPong(benchmark::State& state) {
    Line ball;
    std::atomic<bool> stop{false};
    std::thread peer([&] {
        pin_to(1);
        std::uint64_t expect = 1;
        while (!stop.load(std::memory_order_relaxed)) {
            if (ball.v.load(std::memory_order_acquire) == expect) {
                ball.v.store(expect + 1, std::memory_order_release);
                expect += 2;
            }
        }
    });
    pin_to(0);
    std::uint64_t next = 1;
    for (auto _ : state) {
        ball.v.store(next, std::memory_order_release);
        while (ball.v.load(std::memory_order_acquire) != next + 1) {
        }
        next += 2;
    }
    stop.store(true);
    peer.join();
    unpin();
    state.SetLabel("per round trip");
}
BENCHMARK(AtomicPingPong)->UseRealTime();

// Two CPU slots of one partition in a heap lagoon, and their fake APIC.
struct TwoCpus {
    static constexpr std::uint32_t apic_a = 2, apic_b = 6;   // sparse, as on hardware

    TwoCpus() {
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
        a = *Pipeline::create(view, CpuSlot{0}, IpiSender{&send, this});
        b = *Pipeline::create(view, CpuSlot{1}, IpiSender{&send, this});
    }
    ~TwoCpus() { std::free(mem); }

    static void send(void* ctx, ApicId target) {
        auto* self = static_cast<TwoCpus*>(ctx);
        (target.value() == apic_a ? self->ipi_a : self->ipi_b).v.store(1, std::memory_order_release);
    }

    std::size_t size = 0;
    void* mem = nullptr;
    LagoonView view;
    Pipeline a, b;
    Line ipi_a, ipi_b;
};

struct Bounce {
    Pipeline* back;
    Virq to_a;
    static Decision on_b(void* ctx, Virq) {
        auto* self = static_cast<Bounce*>(ctx);
        (void)self->back->post(CpuSlot{0}, self->to_a);
        return Decision::accept;
    }
    static Decision on_a(void* ctx, Virq) {
        ++*static_cast<std::uint64_t*>(ctx);
        return Decision::accept;
    }
};

void PipelineRoundTrip(benchmark::State& state) {
    TwoCpus cpus;
    const Virq to_b = *cpus.a.allocate(StageId{0}, PartitionId{1});
    const Virq to_a = *cpus.a.allocate(StageId{0}, PartitionId{1});
    Bounce bounce{&cpus.b, to_a};
    std::uint64_t returned = 0;
    if (!cpus.b.register_stage(StageId{0}, 1, VirqHandler{&Bounce::on_b, &bounce}).ok() ||
        !cpus.a.register_stage(StageId{0}, 1, VirqHandler{&Bounce::on_a, &returned}).ok())
        std::abort();

    std::atomic<bool> stop{false};
    std::thread cpu_b([&] {
        pin_to(1);
        while (!stop.load(std::memory_order_relaxed)) {
            if (cpus.ipi_b.v.load(std::memory_order_acquire) != 0 &&
                cpus.ipi_b.v.exchange(0, std::memory_order_acq_rel) != 0) {
                while (cpus.b.dispatch()) {
                }
            }
        }
    });
    pin_to(0);
    for (auto _ : state) {
        if (!cpus.a.post(CpuSlot{1}, to_b).ok())
            std::abort();
        while (cpus.ipi_a.v.load(std::memory_order_acquire) == 0) {
        }
        cpus.ipi_a.v.store(0, std::memory_order_relaxed);
        while (cpus.a.dispatch()) {
        }
    }
    stop.store(true);
    cpu_b.join();
    unpin();
    if (returned != static_cast<std::uint64_t>(state.iterations()))
        state.SkipWithError("lost a round trip");
    state.counters["ipis_a"] = static_cast<double>(cpus.a.stats().ipis_sent);
    state.SetLabel("per round trip");
}
BENCHMARK(PipelineRoundTrip)->UseRealTime();

void PostSuppressed(benchmark::State& state) {
    TwoCpus cpus;
    const Virq v = *cpus.a.allocate(StageId{0}, PartitionId{1});
    if (!cpus.a.post(CpuSlot{1}, v).ok())   // now pending: every later post coalesces
        std::abort();
    for (auto _ : state)
        benchmark::DoNotOptimize(cpus.a.post(CpuSlot{1}, v).ok());
    state.SetItemsProcessed(state.iterations());
    state.counters["ipis"] = static_cast<double>(cpus.a.stats().ipis_sent);
}
BENCHMARK(PostSuppressed);

// The unsuppressed path on one thread: a post that makes the bit newly
// pending (and "sends" an IPI), then the owner's dispatch that takes it and
// runs the handler. No cache-line transfer: the pipeline's instruction cost.
void PostNewlyPendingAndDispatch(benchmark::State& state) {
    TwoCpus cpus;
    const Virq v = *cpus.a.allocate(StageId{0}, PartitionId{1});
    std::uint64_t handled = 0;
    if (!cpus.b.register_stage(StageId{0}, 1, VirqHandler{&Bounce::on_a, &handled}).ok())
        std::abort();
    for (auto _ : state) {
        benchmark::DoNotOptimize(cpus.a.post(CpuSlot{1}, v).ok());
        benchmark::DoNotOptimize(cpus.b.dispatch());
    }
    state.SetItemsProcessed(state.iterations());
    if (handled != static_cast<std::uint64_t>(state.iterations()))
        state.SkipWithError("lost a virq");
}
BENCHMARK(PostNewlyPendingAndDispatch);

}  // namespace
