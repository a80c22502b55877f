// Pipeline semantics on one thread: posting, suppression, priority,
// accept/propagate/terminate, stall and replay, virq allocation, and
// corrupt lagoon contents.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "atoll/nk/pipeline.hpp"
#include "atoll/nk/shared_word.hpp"
#include "atoll/nk/virq_table.hpp"
#include "lagoon_test_support.hpp"

namespace atl::nk {
namespace {

using Event = std::pair<std::uint32_t, std::uint32_t>;   // (stage, virq)

struct StageRec {
    std::uint32_t stage = 0;
    std::vector<Event>* events = nullptr;
    std::function<Decision(Virq)> decide;

    static Decision call(void* ctx, Virq v) {
        auto* self = static_cast<StageRec*>(ctx);
        self->events->push_back({self->stage, v.value()});
        return self->decide ? self->decide(v) : Decision::accept;
    }
};

struct IpiLog {
    std::vector<std::uint32_t> apics;
    static void send(void* ctx, ApicId target) {
        static_cast<IpiLog*>(ctx)->apics.push_back(target.value());
    }
};

class PipelineSemantics : public ::testing::Test {
protected:
    void SetUp() override {
        LagoonSpec spec;
        spec.max_partitions = 4;
        spec.max_cpus = 4;
        ASSERT_TRUE(lagoon_format(buf.data(), buf.size(), spec).ok());
        auto v = LagoonView::open(buf.data(), buf.size());
        ASSERT_TRUE(v.ok());
        view = *v;
        ASSERT_TRUE(view.assign_cpu(CpuSlot{0}, ApicId{10}, PartitionId{1}).ok());
        ASSERT_TRUE(view.assign_cpu(CpuSlot{1}, ApicId{20}, PartitionId{1}).ok());
        ASSERT_TRUE(view.assign_cpu(CpuSlot{2}, ApicId{30}, PartitionId{2}).ok());
        auto a = Pipeline::create(view, CpuSlot{0}, IpiSender{&IpiLog::send, &ipis});
        auto b = Pipeline::create(view, CpuSlot{1}, IpiSender{&IpiLog::send, &ipis});
        ASSERT_TRUE(a.ok() && b.ok());
        sender = *a;
        target = *b;
        for (std::uint32_t s = 0; s < ATOLL_STAGE_COUNT; ++s)
            recs[s] = StageRec{s, &events, {}};
    }

    void add_stage(std::uint32_t stage, std::uint32_t prio) {
        ASSERT_TRUE(target.register_stage(StageId{stage}, prio, VirqHandler{&StageRec::call, &recs[stage]}).ok());
    }

    Virq alloc(std::uint32_t stage, std::uint32_t owner = 1) {
        auto v = sender.allocate(StageId{stage}, PartitionId{owner});
        EXPECT_TRUE(v.ok());
        return *v;
    }

    void post(Virq v, std::uint32_t slot = 1) { ASSERT_TRUE(sender.post(CpuSlot{slot}, v).ok()); }

    atoll_cpu_slot* slot(std::uint32_t i) { return *view.cpu_slot(CpuSlot{i}); }

    test::AlignedBuffer buf{64 * 1024};
    LagoonView view;
    IpiLog ipis;
    Pipeline sender;
    Pipeline target;
    std::vector<Event> events;
    StageRec recs[ATOLL_STAGE_COUNT];
};

TEST_F(PipelineSemantics, CreateRefusesBadSlots) {
    IpiSender ipi{&IpiLog::send, &ipis};
    EXPECT_EQ(Pipeline::create(view, CpuSlot{3}, ipi).error(), Error::not_found);   // unassigned
    EXPECT_EQ(Pipeline::create(view, CpuSlot{4}, ipi).error(), Error::out_of_range);
    EXPECT_EQ(Pipeline::create(view, CpuSlot{0}, IpiSender{}).error(), Error::invalid_argument);
    EXPECT_EQ(Pipeline::create(LagoonView{}, CpuSlot{0}, ipi).error(), Error::not_found);
    EXPECT_EQ(target.partition(), PartitionId{1});
}

TEST_F(PipelineSemantics, RegisterStageErrors) {
    VirqHandler h{&StageRec::call, &recs[0]};
    EXPECT_TRUE(target.register_stage(StageId{0}, 1, h).ok());
    EXPECT_EQ(target.register_stage(StageId{0}, 2, h).error(), Error::busy);
    EXPECT_EQ(target.register_stage(StageId{8}, 1, h).error(), Error::invalid_argument);
    EXPECT_EQ(target.register_stage(StageId{1}, 1, VirqHandler{}).error(), Error::invalid_argument);
    EXPECT_TRUE(target.unregister_stage(StageId{0}).ok());
    EXPECT_EQ(target.unregister_stage(StageId{0}).error(), Error::not_found);
    EXPECT_TRUE(target.register_stage(StageId{0}, 1, h).ok());
}

TEST_F(PipelineSemantics, VirqAllocReleaseExhaustion) {
    EXPECT_EQ(alloc(0).value(), 0u);
    EXPECT_EQ(alloc(3, 2).value(), 1u);
    auto info = virq_lookup(view, Virq{1});
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->stage, StageId{3});
    EXPECT_EQ(info->owner, PartitionId{2});
    for (std::uint32_t i = 2; i < ATOLL_VIRQ_COUNT; ++i)
        ASSERT_EQ(alloc(0).value(), i);
    EXPECT_EQ(sender.allocate(StageId{0}, PartitionId{1}).error(), Error::exhausted);
    ASSERT_TRUE(sender.release(Virq{500}).ok());
    EXPECT_EQ(sender.release(Virq{500}).error(), Error::not_found);
    EXPECT_EQ(alloc(1).value(), 500u);   // lowest free again
    EXPECT_EQ(sender.release(Virq{ATOLL_VIRQ_COUNT}).error(), Error::out_of_range);
    EXPECT_EQ(sender.allocate(StageId{8}, PartitionId{1}).error(), Error::invalid_argument);
    EXPECT_EQ(sender.allocate(StageId{0}, PartitionId{4}).error(), Error::invalid_argument);
}

TEST_F(PipelineSemantics, AllocationSkipsCorruptEntries) {
    shared(*view.virq_entry(Virq{0}).value()).store(0x1234);   // garbage, not "free"
    EXPECT_EQ(alloc(0).value(), 1u);
    EXPECT_EQ(sender.release(Virq{0}).error(), Error::corrupt);
}

TEST_F(PipelineSemantics, PostRaisesIpiAtTargetApic) {
    add_stage(0, 1);
    const Virq v = alloc(0);
    post(v);
    ASSERT_EQ(ipis.apics.size(), 1u);
    EXPECT_EQ(ipis.apics[0], 20u);
    EXPECT_FALSE(target.dispatch());
    EXPECT_EQ(events, (std::vector<Event>{{0, v.value()}}));
    EXPECT_EQ(sender.stats().posted, 1u);
    EXPECT_EQ(sender.stats().ipis_sent, 1u);
    EXPECT_EQ(target.stats().handled, 1u);
    EXPECT_EQ(slot(1)->stats[ATOLL_CPU_STAT_HANDLED], 1u);   // published in the lagoon
}

TEST_F(PipelineSemantics, SuppressedWhilePending) {
    add_stage(0, 1);
    const Virq v = alloc(0);
    post(v);
    post(v);
    post(v);
    EXPECT_EQ(ipis.apics.size(), 1u);
    EXPECT_EQ(sender.stats().suppressed_pending, 2u);
    EXPECT_FALSE(target.dispatch());
    EXPECT_EQ(events.size(), 1u);   // coalesced
    post(v);                        // taken: a new edge
    EXPECT_EQ(ipis.apics.size(), 2u);
}

TEST_F(PipelineSemantics, StalledNoIpiThenReplayLowestFirst) {
    add_stage(2, 1);
    std::vector<Virq> v;
    for (int i = 0; i < 200; ++i)
        v.push_back(alloc(2));
    ASSERT_TRUE(target.stall(StageId{2}).ok());
    EXPECT_TRUE(target.stalled(StageId{2}));
    for (const std::uint32_t i : {130u, 5u, 64u, 3u, 199u})
        post(v[i]);
    EXPECT_TRUE(ipis.apics.empty());
    EXPECT_EQ(sender.stats().suppressed_stalled, 5u);
    EXPECT_FALSE(target.dispatch());   // stalled: nothing runs, no unstalled work
    EXPECT_TRUE(events.empty());
    auto more = target.unstall(StageId{2});
    ASSERT_TRUE(more.ok());
    EXPECT_FALSE(*more);
    EXPECT_EQ(events, (std::vector<Event>{{2, 3}, {2, 5}, {2, 64}, {2, 130}, {2, 199}}));
    EXPECT_TRUE(ipis.apics.empty());
}

TEST_F(PipelineSemantics, PriorityOrderAcrossStages) {
    add_stage(1, 10);
    add_stage(6, 30);
    add_stage(3, 20);
    const Virq low = alloc(1), high = alloc(6), mid = alloc(3);
    post(low);
    post(mid);
    post(high);
    EXPECT_FALSE(target.dispatch());
    EXPECT_EQ(events, (std::vector<Event>{{6, high.value()}, {3, mid.value()}, {1, low.value()}}));
}

TEST_F(PipelineSemantics, EqualPrioritiesByStageId) {
    add_stage(4, 5);
    add_stage(2, 5);
    const Virq a = alloc(4), b = alloc(2);
    post(a);
    post(b);
    EXPECT_FALSE(target.dispatch());
    EXPECT_EQ(events, (std::vector<Event>{{2, b.value()}, {4, a.value()}}));
}

TEST_F(PipelineSemantics, PropagateLogsIntoNextLowerStage) {
    add_stage(0, 30);
    add_stage(5, 20);
    add_stage(7, 10);
    recs[0].decide = [](Virq) { return Decision::propagate; };
    recs[5].decide = [](Virq) { return Decision::propagate; };
    recs[7].decide = [](Virq) { return Decision::propagate; };   // off the end
    const Virq v = alloc(0);
    post(v);
    EXPECT_FALSE(target.dispatch());
    EXPECT_EQ(events, (std::vector<Event>{{0, v.value()}, {5, v.value()}, {7, v.value()}}));
    EXPECT_EQ(target.stats().dropped, 1u);
}

TEST_F(PipelineSemantics, PropagateIntoStalledStageWaitsForUnstall) {
    add_stage(0, 30);
    add_stage(5, 20);
    recs[0].decide = [](Virq) { return Decision::propagate; };
    ASSERT_TRUE(target.stall(StageId{5}).ok());
    const Virq v = alloc(0);
    post(v);
    EXPECT_FALSE(target.dispatch());
    EXPECT_EQ(events.size(), 1u);
    auto more = target.unstall(StageId{5});
    ASSERT_TRUE(more.ok());
    EXPECT_EQ(events, (std::vector<Event>{{0, v.value()}, {5, v.value()}}));
}

TEST_F(PipelineSemantics, TerminateEndsWalkLowerStagesStayLogged) {
    add_stage(0, 30);
    add_stage(5, 20);
    recs[0].decide = [](Virq) { return Decision::terminate; };
    const Virq a = alloc(0), b = alloc(0), low = alloc(5);
    post(low);
    post(b);
    post(a);
    EXPECT_TRUE(target.dispatch());   // work remains: the glue self-IPIs
    EXPECT_EQ(events, (std::vector<Event>{{0, a.value()}}));
    EXPECT_TRUE(target.dispatch());
    EXPECT_EQ(events, (std::vector<Event>{{0, a.value()}, {0, b.value()}}));
    EXPECT_FALSE(target.dispatch());
    EXPECT_EQ(events.back(), (Event{5, low.value()}));
    EXPECT_EQ(target.stats().handled, 3u);
}

TEST_F(PipelineSemantics, HandlerStallingItsStageStopsTheBatch) {
    add_stage(1, 10);
    add_stage(0, 5);
    Pipeline* t = &target;
    recs[1].decide = [t](Virq v) {
        if (v.value() == 0) {
            EXPECT_TRUE(t->stall(StageId{1}).ok());
        }
        return Decision::accept;
    };
    const Virq v0 = alloc(1), v1 = alloc(1), v2 = alloc(1), other = alloc(0);
    post(v2);
    post(v0);
    post(v1);
    post(other);
    EXPECT_FALSE(target.dispatch());   // stage 1 stalled; stage 0 still ran
    EXPECT_EQ(events, (std::vector<Event>{{1, v0.value()}, {0, other.value()}}));
    events.clear();
    recs[1].decide = {};
    auto more = target.unstall(StageId{1});
    ASSERT_TRUE(more.ok());
    EXPECT_FALSE(*more);
    EXPECT_EQ(events, (std::vector<Event>{{1, v1.value()}, {1, v2.value()}}));
}

TEST_F(PipelineSemantics, UnstallInsideHandlerDoesNotRecurse) {
    add_stage(0, 20);
    add_stage(1, 10);
    ASSERT_TRUE(target.stall(StageId{1}).ok());
    const Virq low = alloc(1), high = alloc(0);
    post(low);
    Pipeline* t = &target;
    int depth = 0;
    recs[0].decide = [t, &depth](Virq) {
        ++depth;
        auto more = t->unstall(StageId{1});
        EXPECT_TRUE(more.ok());
        EXPECT_TRUE(*more);   // stage 1 has work; the running walk takes it
        --depth;
        return Decision::accept;
    };
    recs[1].decide = [&depth](Virq) {
        EXPECT_EQ(depth, 0);   // not called from inside stage 0's handler
        return Decision::accept;
    };
    post(high);
    EXPECT_FALSE(target.dispatch());
    EXPECT_EQ(events, (std::vector<Event>{{0, high.value()}, {1, low.value()}}));
}

TEST_F(PipelineSemantics, StallArgumentsChecked) {
    EXPECT_EQ(target.stall(StageId{8}).error(), Error::invalid_argument);
    EXPECT_EQ(target.unstall(StageId{8}).error(), Error::invalid_argument);
    EXPECT_FALSE(target.stalled(StageId{8}));
    Pipeline unusable;
    EXPECT_EQ(unusable.stall(StageId{0}).error(), Error::not_found);
    EXPECT_FALSE(unusable.dispatch());
}

TEST_F(PipelineSemantics, PostRefusesAndCountsBadTargetsAndEntries) {
    add_stage(0, 1);
    const Virq ok = alloc(0);
    const Virq other_owner = alloc(0, 2);
    EXPECT_EQ(sender.post(CpuSlot{4}, ok).error(), Error::out_of_range);
    EXPECT_EQ(sender.post(CpuSlot{1}, Virq{ATOLL_VIRQ_COUNT}).error(), Error::out_of_range);
    EXPECT_EQ(sender.post(CpuSlot{1}, Virq{900}).error(), Error::not_found);      // unallocated
    EXPECT_EQ(sender.post(CpuSlot{3}, ok).error(), Error::not_found);            // unassigned slot
    EXPECT_EQ(sender.post(CpuSlot{1}, other_owner).error(), Error::invalid_argument);
    EXPECT_TRUE(sender.post(CpuSlot{2}, other_owner).ok());                      // its owner's CPU

    std::uint32_t& entry = *view.virq_entry(ok).value();
    const std::uint32_t saved = entry;
    for (const std::uint32_t bad : {ATOLL_VIRQ_ALLOCATED | 9u,                    // stage 9
                                    ATOLL_VIRQ_ALLOCATED | (7u << 8),             // owner 7 >= 4
                                    ATOLL_VIRQ_ALLOCATED | 0x10000u,              // reserved bit
                                    0x5u}) {                                      // not allocated
        shared(entry).store(bad);
        EXPECT_EQ(sender.post(CpuSlot{1}, ok).error(), Error::corrupt) << bad;
    }
    shared(entry).store(saved);
    shared(slot(1)->apic_id).store(0xffffffffu);
    EXPECT_EQ(sender.post(CpuSlot{1}, ok).error(), Error::corrupt);
    EXPECT_EQ(sender.stats().dropped, 8u);
    EXPECT_EQ(sender.stats().posted, 1u);
    EXPECT_EQ(ipis.apics, (std::vector<std::uint32_t>{30}));
    // Nothing was logged at slot 1 by any refused post.
    for (const auto& log : slot(1)->logs) {
        EXPECT_EQ(log.summary, 0u);
    }
}

TEST_F(PipelineSemantics, DispatchDropsCorruptLogContents) {
    add_stage(0, 1);
    const Virq good = alloc(0);
    const Virq released = alloc(0);
    const Virq foreign = alloc(0, 2);   // received by partition 2, not us
    post(released);
    ASSERT_TRUE(sender.release(released).ok());
    atoll_stage_log& log = slot(1)->logs[0];
    // Another kernel scribbles: a foreign virq's bit, summary bits for
    // words that do not exist, a word bit without its summary bit.
    shared(log.words[foreign.value() / 64]).fetch_or(1ull << (foreign.value() % 64));
    shared(log.summary).fetch_or(~0ull << ATOLL_LOG_WORDS);
    shared(log.words[9]).fetch_or(1ull << 5);   // virq 581: unallocated, no summary bit
    post(good);
    EXPECT_FALSE(target.dispatch());
    EXPECT_EQ(events, (std::vector<Event>{{0, good.value()}}));
    EXPECT_EQ(target.stats().dropped, 3u);   // released, foreign, summary garbage
    EXPECT_EQ(log.words[9], 1ull << 5);      // invisible until its summary bit is set
}

TEST_F(PipelineSemantics, UnregisteredStageKeepsItsLog) {
    const Virq v = alloc(4);
    post(v);
    EXPECT_FALSE(target.dispatch());
    EXPECT_TRUE(events.empty());
    add_stage(4, 1);
    EXPECT_FALSE(target.dispatch());
    EXPECT_EQ(events, (std::vector<Event>{{4, v.value()}}));
}

TEST_F(PipelineSemantics, HandlerMayPostBack) {
    // B's handler posts to A: the round trip the benchmark measures.
    Pipeline* t = &target;
    const Virq to_a = alloc(0);
    recs[0].decide = [t, to_a](Virq) {
        EXPECT_TRUE(t->post(CpuSlot{0}, to_a).ok());
        return Decision::accept;
    };
    add_stage(0, 1);
    const Virq to_b = alloc(0);
    post(to_b);
    EXPECT_FALSE(target.dispatch());
    EXPECT_EQ(ipis.apics, (std::vector<std::uint32_t>{20, 10}));
    EXPECT_EQ(slot(0)->logs[0].summary, 1ull);
}

}  // namespace
}  // namespace atl::nk
