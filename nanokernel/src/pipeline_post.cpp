// Posting a virq to a CPU slot: the sending half of the pipeline.
//
// No lost wakeup, the argument. A post does, all seq_cst:
//   (P1) word.fetch_or(bit)   (P2) summary.fetch_or(wbit)   (P3) load stall
// and the owner's unstall does, all seq_cst:
//   (U1) stall.fetch_and(~sbit)   (U2) summary.exchange(0), words...
// seq_cst operations have one total order S. If P3 precedes U1 in S, the
// poster saw the stage stalled and sends nothing, but then P2 < P3 < U1 < U2
// so the owner's sync sees the summary bit and replays the virq. If U1
// precedes P3, the poster sees the stage unstalled and raises the IPI, and
// the IPI's dispatch finds the bit. Either way the virq runs. (Acquire/
// release alone would allow both sides to read the old value: a Dekker
// pattern needs the store->load order that only seq_cst gives.)
//
// Suppression: a poster that finds the bit already set sends nothing. The
// bit was set by an earlier post that has not been taken yet; that post's
// own IPI (or the owner's replay) will run it, and this post with it.
#include <atomic>
#include <cstdint>

#include "atoll/abi/lagoon.h"
#include "atoll/nk/pipeline.hpp"
#include "atoll/nk/shared_word.hpp"
#include "atoll/nk/virq_table.hpp"

namespace atl::nk {

namespace {

// x2APIC broadcast: never a single CPU, whatever a slot claims.
constexpr std::uint32_t apic_broadcast = 0xffffffffu;

}  // namespace

Status Pipeline::post(CpuSlot target, Virq v) {
    if (v.value() >= ATOLL_VIRQ_COUNT)
        return Error::out_of_range;
    auto slot = lagoon_.cpu_slot(target);
    if (!slot)
        return slot.error();

    // Decode: every value is read once, validated, then used.
    auto info = virq_lookup(lagoon_, v);
    if (!info) {
        ++stats_.dropped;
        return info.error();
    }
    atoll_cpu_slot* s = *slot;
    if ((shared(s->flags).load(std::memory_order_acquire) & ATOLL_CPU_SLOT_F_ASSIGNED) == 0) {
        ++stats_.dropped;
        return Error::not_found;
    }
    const std::uint32_t owner = shared(s->partition_id).load(std::memory_order_relaxed);
    const std::uint32_t apic = shared(s->apic_id).load(std::memory_order_relaxed);
    if (owner != info->owner.value()) {
        ++stats_.dropped;
        return Error::invalid_argument;   // this CPU does not receive that virq
    }
    if (apic == apic_broadcast) {
        ++stats_.dropped;
        return Error::corrupt;
    }

    // Commit.
    const std::uint32_t stage = info->stage.value();
    atoll_stage_log& log = s->logs[stage];
    const std::uint32_t w = v.value() / 64;
    const std::uint64_t bit = std::uint64_t{1} << (v.value() % 64);
    ++stats_.posted;
    if ((shared(log.words[w]).fetch_or(bit, std::memory_order_seq_cst) & bit) != 0) {
        ++stats_.suppressed_pending;
        return Error::ok;
    }
    shared(log.summary).fetch_or(std::uint64_t{1} << w, std::memory_order_seq_cst);
    if ((shared(s->stall).load(std::memory_order_seq_cst) & (std::uint64_t{1} << stage)) != 0) {
        ++stats_.suppressed_stalled;
        return Error::ok;
    }
    ++stats_.ipis_sent;
    ipi_.fn(ipi_.ctx, ApicId{apic});
    return Error::ok;
}

}  // namespace atl::nk
