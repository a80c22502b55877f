// The cross-kernel interrupt pipeline (Adeos / I-pipe concepts across
// kernels). One Pipeline per CPU: it posts virqs to any CPU slot's pending
// log in the lagoon and dispatches its own slot's logs to local stage
// handlers in priority order.
//
// Threading: a Pipeline object belongs to its CPU. post() may run anywhere
// on that CPU (also from a handler); dispatch(), stall() and unstall() only
// act on the own slot. Other kernels touch the same lagoon words through
// their own Pipelines; everything shared is accessed atomically.
#pragma once

#include <cstdint>

#include "atoll/abi/lagoon.h"
#include "atoll/core/result.hpp"
#include "atoll/core/strong.hpp"
#include "atoll/nk/lagoon.hpp"

namespace atl::nk {

enum class Decision : std::uint8_t {
    accept,      // handled and consumed
    propagate,   // log it in the next lower-priority registered stage of this CPU
    terminate,   // consumed, and end this dispatch walk; the rest stays logged
};

// A stage handler. Called with the virq number only: the handler owns the
// meaning (ring to drain, request to serve) and must tolerate spurious calls.
struct VirqHandler {
    Decision (*fn)(void* ctx, Virq v) = nullptr;
    void* ctx = nullptr;
};

// Raises the Atoll IPI vector at one CPU. The glue supplies the APIC write;
// tests supply a flag.
struct IpiSender {
    void (*fn)(void* ctx, ApicId target) = nullptr;
    void* ctx = nullptr;
};

// Per-Pipeline counters, written only by the owning CPU. Plain integers: a
// nested post from an interrupt may in theory lose an increment in the
// kernel; they are statistics, not state.
// Invariant: posted == suppressed_pending + suppressed_stalled + ipis_sent.
struct PipelineStats {
    std::uint64_t posted = 0;               // posts that set (or found set) a pending bit
    std::uint64_t suppressed_pending = 0;   // bit already pending: coalesced, no IPI
    std::uint64_t suppressed_stalled = 0;   // newly pending, stage stalled: replay on unstall
    std::uint64_t ipis_sent = 0;
    std::uint64_t dropped = 0;      // corrupt/unowned entries, propagate off the end, refused posts
    std::uint64_t handled = 0;      // handler invocations
    std::uint64_t dispatches = 0;   // dispatch walks
};

class Pipeline {
public:
    Pipeline() = default;   // unusable until assigned from create()

    // `self` must be an assigned slot of the lagoon; its partition id is
    // read once here and is the owner this CPU accepts virqs for.
    [[nodiscard]] static Result<Pipeline> create(const LagoonView& lagoon, CpuSlot self,
                                                 IpiSender ipi);

    // Local stage table. Higher priority dispatches first; equal
    // priorities dispatch by lower StageId. Not allowed during a dispatch.
    [[nodiscard]] Status register_stage(StageId stage, std::uint32_t priority, VirqHandler handler);
    [[nodiscard]] Status unregister_stage(StageId stage);

    // Virq table (shared by all kernels), see virq_table.hpp.
    [[nodiscard]] Result<Virq> allocate(StageId stage, PartitionId owner) const;
    [[nodiscard]] Status release(Virq v) const;

    // Mark `v` pending on `target` for the stage recorded in its entry and
    // raise an IPI unless the bit was already pending or the stage is
    // stalled there. Refuses (and counts as dropped) a virq that is not
    // allocated, whose entry is corrupt, or whose owner is not the target
    // slot's partition; and an unassigned target slot.
    [[nodiscard]] Status post(CpuSlot target, Virq v);

    // The IPI handler's body: run pending virqs of every registered,
    // unstalled stage of the own slot, highest priority first, lowest virq
    // first within a stage. Returns true when unstalled work remains (new
    // posts, a terminated walk): the caller must dispatch again (self-IPI).
    [[nodiscard]] bool dispatch();

    // Stall bits of the own slot. unstall() replays what was logged while
    // stalled (a full dispatch; inside a handler it only clears the bit and
    // the running walk picks the work up) and returns dispatch()'s answer.
    [[nodiscard]] Status stall(StageId stage);
    [[nodiscard]] Result<bool> unstall(StageId stage);
    [[nodiscard]] bool stalled(StageId stage) const;

    // True when a registered, unstalled stage of the own slot has logged
    // work: what dispatch() returns. Read-only (loads of the own slot's
    // stall word and summaries), so a polling loop (NAPI-style, an idle
    // loop, the benchmarks) may spin on it instead of waiting for the IPI.
    [[nodiscard]] bool work_pending() const;

    [[nodiscard]] const PipelineStats& stats() const { return stats_; }
    [[nodiscard]] CpuSlot self() const { return self_; }
    [[nodiscard]] PartitionId partition() const { return partition_; }

private:
    enum class Walk : std::uint8_t { next, stop };

    struct StageEntry {
        VirqHandler handler{};
        std::uint32_t priority = 0;
        bool registered = false;
    };

    [[nodiscard]] Walk run_stage(std::uint32_t stage);
    [[nodiscard]] bool stage_stalled(std::uint32_t stage) const;
    [[nodiscard]] bool deliverable(Virq v) const;
    void propagate_below(std::uint32_t stage, Virq v);
    void publish_stats();

    LagoonView lagoon_{};
    atoll_cpu_slot* slot_ = nullptr;   // own slot, validated in create()
    CpuSlot self_{};
    PartitionId partition_{};
    IpiSender ipi_{};
    StageEntry stages_[ATOLL_STAGE_COUNT] = {};   // indexed by StageId
    std::uint8_t order_[ATOLL_STAGE_COUNT] = {};  // registered stages, dispatch order
    std::uint32_t order_count_ = 0;
    std::uint32_t depth_ = 0;                     // dispatch nesting on this CPU
    PipelineStats stats_{};
};

}  // namespace atl::nk
