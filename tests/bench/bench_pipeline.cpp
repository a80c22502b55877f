// Cross-kernel interrupt pipeline benchmarks, with threads pinned to
// different cores standing in for CPUs of different kernels:
//   AtomicPingPong      the physical floor: one cache line bounced A->B->A
//   DoorbellPingPong    the floor of the pipeline's protocol with no pipeline
//                       logic: per direction, an RMW on the receiver's
//                       message line and a store to its doorbell line; the
//                       receiver clears both (the same lines, the same
//                       accesses as PipelineRoundTrip)
//   PipelineRoundTrip   A posts to B, B's fake IPI (a flag line it spins on)
//                       wakes its dispatch, B's handler posts back to A, A
//                       dispatches: same unit
//   PipelineRoundTripPolled  the same, but the IPI is free, as an APIC
//                       message is to the caches: each CPU polls its own
//                       pending log (Pipeline::work_pending()) and the fake
//                       IpiSender only counts, on the sender's own line.
//                       Cache-line traffic: the two logs, as on hardware.
//   PostSuppressed      posts to an already-pending virq (no IPI): rate
//   PostNewlyPendingAndDispatch  post + dispatch on one thread (no bouncing)
// The round trips report time per round trip, in the same run. None of
// them includes the APIC's delivery latency (roughly a microsecond on
// hardware). Each CPU's private state (its Pipeline, handler context,
// counters) sits on cache lines of its own, as per-CPU data does in a
// kernel: sharing a line with the other CPU's would add false-sharing
// misses to every round trip.
#include <benchmark/benchmark.h>

#include "bench_affinity.hpp"

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <thread>

#include "atoll/nk/lagoon.hpp"
#include "atoll/nk/pipeline.hpp"
#include "bench_pipeline_fixture.hpp"

using namespace atl;
using namespace atl::nk;

namespace {

using namespace atl::bench;

void AtomicPingPong(benchmark::State& state) {
    Line ball;
    std::atomic<bool> stop{false};
    std::thread peer([&] {
        pin_to(1);
        std::uint64_t expect = 1;
        while (!stop.load(std::memory_order_relaxed))
            bare_answer(ball, expect);
    });
    pin_to(0);
    std::uint64_t next = 1;
    for (auto _ : state)
        bare_round_trip(ball, next);
    stop.store(true);
    peer.join();
    unpin();
    state.SetLabel("per round trip");
}
BENCHMARK(AtomicPingPong)->UseRealTime();

void DoorbellPingPong(benchmark::State& state) {
    Line msg_a, msg_b, bell_a, bell_b;   // A's and B's message and doorbell lines
    OwnLines<std::atomic<bool>> stop;
    std::thread peer([&] {
        pin_to(1);
        while (!stop.v.load(std::memory_order_relaxed)) {
            if (!take_doorbell(bell_b))
                continue;
            if (msg_b.v.exchange(0, std::memory_order_seq_cst) != 0) {
                msg_a.v.fetch_or(1, std::memory_order_seq_cst);
                bell_a.v.store(1, std::memory_order_release);
            }
        }
    });
    pin_to(0);
    for (auto _ : state) {
        msg_b.v.fetch_or(1, std::memory_order_seq_cst);
        bell_b.v.store(1, std::memory_order_release);
        while (bell_a.v.load(std::memory_order_acquire) == 0) {
        }
        bell_a.v.store(0, std::memory_order_relaxed);
        benchmark::DoNotOptimize(msg_a.v.exchange(0, std::memory_order_seq_cst));
    }
    stop.v.store(true);
    peer.join();
    unpin();
    state.SetLabel("per round trip");
}
BENCHMARK(DoorbellPingPong)->UseRealTime();

void PipelineRoundTrip(benchmark::State& state) {
    RoundTrip rt;
    TwoCpus& cpus = rt.cpus;
    std::thread cpu_b([&] {
        pin_to(1);
        while (!rt.stop.v.load(std::memory_order_relaxed)) {
            if (take_doorbell(cpus.ipi_b_from_a)) {
                while (cpus.b.v.dispatch()) {
                }
            }
        }
    });
    pin_to(0);
    for (auto _ : state) {
        if (!cpus.a.v.post(CpuSlot{1}, rt.to_b).ok())
            std::abort();
        while (cpus.ipi_a_from_b.v.load(std::memory_order_acquire) == 0) {
        }
        cpus.ipi_a_from_b.v.store(0, std::memory_order_relaxed);
        while (cpus.a.v.dispatch()) {
        }
    }
    rt.stop.v.store(true);
    cpu_b.join();
    rt.finish(state);
}
BENCHMARK(PipelineRoundTrip)->UseRealTime();

// Counts IPIs on the sender's own line: no cache-line transfer.
struct alignas(64) IpiCount {
    std::uint64_t n = 0;
    static void send(void* ctx, ApicId) { ++static_cast<IpiCount*>(ctx)->n; }
};

void PipelineRoundTripPolled(benchmark::State& state) {
    IpiCount sent_by_a, sent_by_b;
    RoundTrip rt(IpiSender{&IpiCount::send, &sent_by_a}, IpiSender{&IpiCount::send, &sent_by_b});
    TwoCpus& cpus = rt.cpus;
    std::thread cpu_b([&] {
        pin_to(1);
        while (!rt.stop.v.load(std::memory_order_relaxed)) {
            if (cpus.b.v.work_pending()) {
                while (cpus.b.v.dispatch()) {
                }
            }
        }
    });
    pin_to(0);
    for (auto _ : state) {
        if (!cpus.a.v.post(CpuSlot{1}, rt.to_b).ok())
            std::abort();
        while (!cpus.a.v.work_pending()) {
        }
        while (cpus.a.v.dispatch()) {
        }
    }
    rt.stop.v.store(true);
    cpu_b.join();
    rt.finish(state);
    // Every post found its bit newly pending: the pipeline asked for an
    // IPI each time, it just cost nothing to deliver.
    state.counters["ipis_a"] = static_cast<double>(sent_by_a.n);
    if (sent_by_a.n != static_cast<std::uint64_t>(state.iterations()))
        state.SkipWithError("an IPI was not requested");
}
BENCHMARK(PipelineRoundTripPolled)->UseRealTime();

void PostSuppressed(benchmark::State& state) {
    TwoCpus cpus;
    const Virq v = *cpus.a.v.allocate(StageId{0}, PartitionId{1});
    if (!cpus.a.v.post(CpuSlot{1}, v).ok())   // now pending: every later post coalesces
        std::abort();
    for (auto _ : state)
        benchmark::DoNotOptimize(cpus.a.v.post(CpuSlot{1}, v).ok());
    state.SetItemsProcessed(state.iterations());
    state.counters["ipis"] = static_cast<double>(cpus.a.v.stats().ipis_sent);
}
BENCHMARK(PostSuppressed);

// The unsuppressed path on one thread: a post that makes the bit newly
// pending (and "sends" an IPI), then the owner's dispatch that takes it and
// runs the handler. No cache-line transfer: the pipeline's instruction cost.
void PostNewlyPendingAndDispatch(benchmark::State& state) {
    TwoCpus cpus;
    const Virq v = *cpus.a.v.allocate(StageId{0}, PartitionId{1});
    Returned handled;
    if (!cpus.b.v.register_stage(StageId{0}, 1, VirqHandler{&Returned::on_a, &handled}).ok())
        std::abort();
    for (auto _ : state) {
        benchmark::DoNotOptimize(cpus.a.v.post(CpuSlot{1}, v).ok());
        benchmark::DoNotOptimize(cpus.b.v.dispatch());
    }
    state.SetItemsProcessed(state.iterations());
    if (handled.count != static_cast<std::uint64_t>(state.iterations()))
        state.SkipWithError("lost a virq");
}
BENCHMARK(PostNewlyPendingAndDispatch);

}  // namespace
