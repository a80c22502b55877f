// The self-test's pipeline section: the semantics of post and dispatch on
// two CPU slots of one partition, with a fake IPI that counts. Single
// threaded: the concurrency arguments are exercised by the host stress
// tests under ThreadSanitizer; this proves the kernel build behaves the same.
#include <cstddef>
#include <cstdint>
#include <new>

#include "atoll/abi/lagoon.h"
#include "atoll/nk/pipeline.hpp"
#include "atoll/nk/virq_table.hpp"
#include "atoll/nk/selftest_check.hpp"

namespace atl::nk::selftest {

namespace {

constexpr std::uint32_t apic_target = 20;   // slot 1, see check_pipeline()
constexpr std::uint32_t no_virq = 0xffffffffu;

// What the handlers saw, in call order.
struct Trace {
    static constexpr std::uint32_t capacity = 16;
    struct Event {
        std::uint32_t stage;
        std::uint32_t virq;
    };
    Event events[capacity] = {};
    std::uint32_t count = 0;
    std::uint32_t overflow = 0;

    void add(std::uint32_t stage, std::uint32_t virq) {
        if (count < capacity)
            events[count++] = Event{stage, virq};
        else
            ++overflow;
    }
    void clear() { count = overflow = 0; }

    // Exactly these (stage, virq) pairs, in this order.
    bool is(const Event* want, std::uint32_t n) const {
        if (overflow != 0 || count != n)
            return false;
        for (std::uint32_t i = 0; i < n; ++i)
            if (events[i].stage != want[i].stage || events[i].virq != want[i].virq)
                return false;
        return true;
    }
};

// The fake APIC: counts IPIs and remembers the last target.
struct IpiCounter {
    std::uint32_t count = 0;
    std::uint32_t last_apic = 0;

    static void send(void* ctx, ApicId target) {
        auto* self = static_cast<IpiCounter*>(ctx);
        ++self->count;
        self->last_apic = target.value();
    }
};

// A stage handler that records its calls and answers `decision` for
// virq `on` (accept for every other one).
struct Probe {
    Trace* trace = nullptr;
    std::uint32_t stage = 0;
    Decision decision = Decision::accept;
    std::uint32_t on = no_virq;

    static Decision call(void* ctx, Virq v) {
        auto* self = static_cast<Probe*>(ctx);
        self->trace->add(self->stage, v.value());
        return v.value() == self->on ? self->decision : Decision::accept;
    }
};

struct Arena {
    Pipeline sender;   // slot 0 (APIC 10)
    Pipeline target;   // slot 1 (APIC 20), same partition
    IpiCounter ipis;
    Trace trace;
    Probe probes[ATOLL_STAGE_COUNT];
};

// The message after a failed trace check: what the handlers did see.
bool describe(Checker& c, const Trace& t) {
    TextWriter& w = c.detail();
    w.str(": handlers saw");
    for (std::uint32_t i = 0; i < t.count; ++i)
        w.str(" (stage ").dec(t.events[i].stage).str(", virq ").dec(t.events[i].virq).ch(')');
    if (t.count == 0)
        w.str(" nothing");
    return false;
}

// One check: the side conditions `also` hold and the handlers saw `want`.
bool expect_trace(Checker& c, bool also, const Trace& t, const Trace::Event* want,
                  std::uint32_t n, const char* what) {
    return c.expect(also && t.is(want, n), what) || (c.failed() && describe(c, t));
}

// Posts that must succeed; false if any did not.
bool post_all(Pipeline& from, const Virq* vs, std::uint32_t n) {
    for (std::uint32_t i = 0; i < n; ++i)
        if (!from.post(CpuSlot{1}, vs[i]).ok())
            return false;
    return true;
}

}  // namespace

bool check_pipeline(Checker& c, const LagoonView& lagoon, void* arena, std::size_t arena_size) {
    c.section("pipeline");
    static_assert(sizeof(Arena) <= 64 * 1024);
    if (!c.expect(arena_size >= sizeof(Arena), "the pipeline objects fit the arena"))
        return false;
    auto* a = ::new (arena) Arena{};
    const IpiSender ipi{&IpiCounter::send, &a->ipis};

    // 1. Pipelines on assigned slots only.
    {
        auto s = Pipeline::create(lagoon, CpuSlot{0}, ipi);
        auto t = Pipeline::create(lagoon, CpuSlot{1}, ipi);
        if (!c.expect(s.ok() && t.ok(), "create pipelines on two assigned slots"))
            return false;
        a->sender = *s;
        a->target = *t;
    }
    if (!c.expect_error(Pipeline::create(lagoon, CpuSlot{3}, ipi).error(), Error::not_found,
                        "a pipeline on an unassigned slot is refused"))
        return false;

    // 2. Three stages, registered out of priority order.
    for (std::uint32_t s = 0; s < ATOLL_STAGE_COUNT; ++s)
        a->probes[s] = Probe{&a->trace, s, Decision::accept, no_virq};
    Pipeline& tp = a->target;
    const auto handler = [a](std::uint32_t s) { return VirqHandler{&Probe::call, &a->probes[s]}; };
    const bool registered = tp.register_stage(StageId{1}, 10, handler(1)).ok() &&
                            tp.register_stage(StageId{6}, 30, handler(6)).ok() &&
                            tp.register_stage(StageId{3}, 20, handler(3)).ok();
    if (!c.expect(registered && tp.register_stage(StageId{6}, 5, handler(6)).error() == Error::busy,
                  "register stages 1, 6, 3 (priorities 10, 30, 20); twice is refused"))
        return false;

    // 3. Virqs: the lowest free number first, decoded as allocated.
    auto low = a->sender.allocate(StageId{1}, PartitionId{1});
    auto high = a->sender.allocate(StageId{6}, PartitionId{1});
    auto mid = a->sender.allocate(StageId{3}, PartitionId{1});
    auto other = a->sender.allocate(StageId{1}, PartitionId{2});   // received by partition 2
    auto info = virq_lookup(lagoon, high.ok() ? *high : Virq{no_virq});
    if (!c.expect(low.ok() && high.ok() && mid.ok() && other.ok() && low->value() == 0 &&
                      high->value() == 1 && mid->value() == 2 && other->value() == 3 &&
                      info.ok() && info->stage == StageId{6} && info->owner == PartitionId{1},
                  "allocate virqs lowest first, entries decode to stage and owner"))
        return false;
    const std::uint32_t vl = low->value(), vh = high->value(), vm = mid->value();

    // 4. Each newly pending, unstalled virq raises one IPI at the target's APIC.
    const Virq three[] = {*low, *mid, *high};
    if (!c.expect(post_all(a->sender, three, 3) && a->ipis.count == 3 &&
                      a->ipis.last_apic == apic_target,
                  "each newly pending virq raises one IPI at the target APIC"))
        return false;

    // 5. Dispatch walks stages by priority: 6 (30), 3 (20), 1 (10).
    {
        const bool more = a->target.dispatch();
        const Trace::Event want[] = {{6, vh}, {3, vm}, {1, vl}};
        if (!expect_trace(c, !more, a->trace, want, 3,
                          "dispatch in priority order, nothing left after the walk"))
            return false;
    }

    // 6. Propagate: stage 6 hands the virq on to the next stage below (3),
    // which sees it in the same walk.
    a->trace.clear();
    a->probes[6].decision = Decision::propagate;
    a->probes[6].on = vh;
    {
        const bool ok = a->sender.post(CpuSlot{1}, *high).ok();
        const bool more = a->target.dispatch();
        const Trace::Event want[] = {{6, vh}, {3, vh}};
        if (!expect_trace(c, ok && !more, a->trace, want, 2,
                          "propagate runs the virq in the next lower stage"))
            return false;
    }

    // 7. Terminate ends the walk; lower stages keep their bits logged and
    // dispatch asks to be called again.
    a->trace.clear();
    a->probes[6].decision = Decision::terminate;
    {
        const Virq two[] = {*high, *low};
        const bool ok = post_all(a->sender, two, 2);
        const bool more = a->target.dispatch();
        const Trace::Event first[] = {{6, vh}};
        if (!expect_trace(c, ok && more, a->trace, first, 1,
                          "terminate ends the walk and dispatch reports work left"))
            return false;
        a->trace.clear();
        const bool again = a->target.dispatch();
        const Trace::Event rest[] = {{1, vl}};
        if (!expect_trace(c, !again, a->trace, rest, 1, "the next dispatch runs the rest"))
            return false;
    }
    a->probes[6].decision = Decision::accept;
    a->probes[6].on = no_virq;

    // 8. Stall: posts to a stalled stage are logged without an IPI and do
    // not run. Virqs spread over two log words.
    Virq many[70];
    bool allocated = true;
    for (Virq& v : many) {
        auto r = a->sender.allocate(StageId{1}, PartitionId{1});
        allocated = allocated && r.ok();
        v = r.ok() ? *r : Virq{0};
    }
    const Virq v_hi = many[69], v_lo = many[6], v_mid = many[36];   // 73, 10, 40
    const std::uint32_t ipis_before = a->ipis.count;
    const std::uint64_t stalled_before = a->sender.stats().suppressed_stalled;
    a->trace.clear();
    {
        const bool ok = allocated && a->target.stall(StageId{1}).ok() &&
                        a->target.stalled(StageId{1});
        const Virq order[] = {v_hi, v_lo, v_mid};
        const bool posted = ok && post_all(a->sender, order, 3);
        const bool more = a->target.dispatch();
        if (!c.expect(posted && v_hi.value() == 73 && a->ipis.count == ipis_before && !more &&
                          a->trace.count == 0 &&
                          a->sender.stats().suppressed_stalled == stalled_before + 3,
                      "a stalled stage logs posts without an IPI and does not run"))
            return false;
    }

    // 9. Unstall replays the log, lowest virq first, still without an IPI.
    {
        auto more = a->target.unstall(StageId{1});
        const Trace::Event want[] = {{1, v_lo.value()}, {1, v_mid.value()}, {1, v_hi.value()}};
        const bool ok = more.ok() && !*more && !a->target.stalled(StageId{1}) &&
                        a->ipis.count == ipis_before;
        if (!expect_trace(c, ok, a->trace, want, 3, "unstall replays lowest virq first, no IPI"))
            return false;
    }

    // 10. Suppression: a second post while the bit is pending sends nothing
    // and coalesces into one handler call.
    a->trace.clear();
    {
        const std::uint64_t pending_before = a->sender.stats().suppressed_pending;
        const Virq twice[] = {*mid, *mid};
        const bool ok = post_all(a->sender, twice, 2) && a->ipis.count == ipis_before + 1 &&
                        a->sender.stats().suppressed_pending == pending_before + 1;
        const bool more = a->target.dispatch();
        const Trace::Event want[] = {{3, vm}};
        if (!expect_trace(c, ok && !more, a->trace, want, 1,
                          "a second post while pending sends no IPI and runs once"))
            return false;
    }

    // 11. A virq received by another partition is refused for this slot.
    {
        const std::uint64_t dropped = a->sender.stats().dropped;
        if (!c.expect_error(a->sender.post(CpuSlot{1}, *other).error(), Error::invalid_argument,
                            "a post to a CPU of the wrong partition is refused") ||
            !c.expect_eq(a->sender.stats().dropped, dropped + 1, "the refusal is counted"))
            return false;
    }

    // 12. The counters add up and match the fake APIC.
    const PipelineStats& st = a->sender.stats();
    if (!c.expect(st.posted == st.suppressed_pending + st.suppressed_stalled + st.ipis_sent &&
                      st.ipis_sent == a->ipis.count,
                  "posted = suppressed + IPIs, IPIs as the APIC counted"))
        return false;

    // 13. Release: the entry is free again, posts to it are refused, and
    // the number is the next one handed out.
    a->trace.clear();
    const bool released = a->sender.release(*mid).ok();
    if (!c.expect(released && a->sender.release(*mid).error() == Error::not_found &&
                      a->sender.post(CpuSlot{1}, *mid).error() == Error::not_found &&
                      !a->target.dispatch() && a->trace.count == 0,
                  "a released virq is free and posts to it are refused"))
        return false;
    auto again = a->sender.allocate(StageId{3}, PartitionId{1});
    return c.expect(again.ok() && again->value() == vm, "a released number is reused lowest first");
}

}  // namespace atl::nk::selftest
