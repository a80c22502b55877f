// Dispatching the own slot's pending logs: the receiving half of the
// pipeline, plus stall/unstall (whose ordering argument is in
// pipeline_post.cpp).
//
// Taking bits: summary.exchange(0) first, then words[w].exchange(0) for each
// summary bit. A post racing with this either lands in a word before it is
// taken (handled now) or after (its summary bit is set again by the poster,
// who also raises an IPI: handled by the next dispatch). A summary bit whose
// word turned out empty is harmless.
#include <atomic>
#include <bit>
#include <cstdint>

#include "atoll/abi/lagoon.h"
#include "atoll/nk/pipeline.hpp"
#include "atoll/nk/shared_word.hpp"
#include "atoll/nk/virq_table.hpp"

namespace atl::nk {

namespace {

constexpr std::uint64_t summary_mask =
    ATOLL_LOG_WORDS == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << ATOLL_LOG_WORDS) - 1;

constexpr std::uint64_t stage_bit(std::uint32_t stage) { return std::uint64_t{1} << stage; }

// Put untaken bits back: words first, then their summary bits (the log
// invariant in abi/lagoon.h).
void relog(atoll_stage_log& log, std::uint32_t w, std::uint64_t bits, std::uint64_t summary) {
    if (bits != 0) {
        shared(log.words[w]).fetch_or(bits, std::memory_order_seq_cst);
        summary |= std::uint64_t{1} << w;
    }
    if (summary != 0)
        shared(log.summary).fetch_or(summary, std::memory_order_seq_cst);
}

}  // namespace

bool Pipeline::stage_stalled(std::uint32_t stage) const {
    return (shared(slot_->stall).load(std::memory_order_seq_cst) & stage_bit(stage)) != 0;
}

bool Pipeline::stalled(StageId stage) const {
    return slot_ != nullptr && stage.value() < ATOLL_STAGE_COUNT && stage_stalled(stage.value());
}

// A bit found in our own log is only handed to a handler if the virq is
// (still) allocated, well-formed, and received by this partition.
bool Pipeline::deliverable(Virq v) const {
    auto info = virq_lookup(lagoon_, v);
    return info && info->owner == partition_;
}

void Pipeline::propagate_below(std::uint32_t stage, Virq v) {
    std::uint32_t i = 0;
    while (i < order_count_ && order_[i] != stage)
        ++i;
    if (i + 1 >= order_count_) {
        ++stats_.dropped;   // nobody below: propagated off the end
        return;
    }
    relog(slot_->logs[order_[i + 1]], v.value() / 64, std::uint64_t{1} << (v.value() % 64), 0);
}

Pipeline::Walk Pipeline::run_stage(std::uint32_t stage) {
    atoll_stage_log& log = slot_->logs[stage];
    const VirqHandler handler = stages_[stage].handler;
    // Look before taking: an empty log costs a load of a line this CPU
    // usually holds, not a locked RMW. A poster whose summary bit lands
    // after this load sends its own IPI (or, stalled, is replayed by
    // unstall), exactly as if it had landed after the exchange below. In
    // unstall()'s replay this seq_cst load plays U2 of the argument in
    // pipeline_post.cpp: P2 precedes U1 precedes it in S, so it sees P2.
    if (shared(log.summary).load(std::memory_order_seq_cst) == 0)
        return Walk::next;
    std::uint64_t summary = shared(log.summary).exchange(0, std::memory_order_seq_cst);
    if ((summary & ~summary_mask) != 0) {
        ++stats_.dropped;   // bits for words that do not exist: scribbled
        summary &= summary_mask;
    }
    while (summary != 0) {
        const auto w = static_cast<std::uint32_t>(std::countr_zero(summary));
        summary &= summary - 1;
        std::uint64_t bits = shared(log.words[w]).exchange(0, std::memory_order_seq_cst);
        while (bits != 0) {
            const auto b = static_cast<std::uint32_t>(std::countr_zero(bits));
            bits &= bits - 1;
            const Virq v{w * 64 + b};
            if (!deliverable(v)) {
                ++stats_.dropped;
                continue;
            }
            ++stats_.handled;
            const Decision d = handler.fn(handler.ctx, v);
            if (d == Decision::propagate)
                propagate_below(stage, v);
            const bool stop = d == Decision::terminate;
            // A handler that stalled its own stage wants no more calls:
            // keep the rest logged for the unstall replay.
            if (stop || stage_stalled(stage)) {
                relog(log, w, bits, summary);
                return stop ? Walk::stop : Walk::next;
            }
        }
    }
    return Walk::next;
}

bool Pipeline::work_pending() const {
    for (std::uint32_t i = 0; i < order_count_; ++i) {
        const std::uint32_t s = order_[i];
        if (!stage_stalled(s) &&
            shared(slot_->logs[s].summary).load(std::memory_order_seq_cst) != 0)
            return true;
    }
    return false;
}

void Pipeline::publish_stats() {
    shared(slot_->stats[ATOLL_CPU_STAT_DISPATCHES]).store(stats_.dispatches, std::memory_order_relaxed);
    shared(slot_->stats[ATOLL_CPU_STAT_HANDLED]).store(stats_.handled, std::memory_order_relaxed);
    shared(slot_->stats[ATOLL_CPU_STAT_DROPPED]).store(stats_.dropped, std::memory_order_relaxed);
}

bool Pipeline::dispatch() {
    if (slot_ == nullptr)
        return false;
    ++depth_;
    ++stats_.dispatches;
    for (std::uint32_t i = 0; i < order_count_; ++i) {
        const std::uint32_t s = order_[i];
        if (stage_stalled(s))
            continue;
        if (run_stage(s) == Walk::stop)
            break;
    }
    --depth_;
    publish_stats();
    return work_pending();
}

Status Pipeline::stall(StageId stage) {
    if (stage.value() >= ATOLL_STAGE_COUNT)
        return Error::invalid_argument;
    if (slot_ == nullptr)
        return Error::not_found;
    shared(slot_->stall).fetch_or(stage_bit(stage.value()), std::memory_order_seq_cst);
    return Error::ok;
}

Result<bool> Pipeline::unstall(StageId stage) {
    if (stage.value() >= ATOLL_STAGE_COUNT)
        return Error::invalid_argument;
    if (slot_ == nullptr)
        return Error::not_found;
    shared(slot_->stall).fetch_and(~stage_bit(stage.value()), std::memory_order_seq_cst);
    // Inside a handler the running walk (or its work_pending() answer)
    // picks the replay up; recursion into dispatch() would reorder stages.
    if (depth_ != 0)
        return work_pending();
    return dispatch();
}

}  // namespace atl::nk
