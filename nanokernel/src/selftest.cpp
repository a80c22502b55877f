// The core self-test driver and its lagoon, hand-off and plan sections.
// The pipeline and vnet sections are in selftest_pipeline.cpp and
// selftest_vnet.cpp.
//
// Scratch layout (selftest_scratch_size = 2 MiB, caller-zeroed or not):
//   [0, 512K)      the lagoon, laid out for the maximum counts
//   [512K, 1M)     a copy of it, corrupted on purpose
//   [1M, 2M)       objects too big for a kernel stack (pipelines, the
//                  topology and plan), constructed with placement new
// Each section runs in its own non-inlined function so that the compiler
// cannot merge their frames into one over the kernel's 2 KiB limit.
#include <cstddef>
#include <cstdint>
#include <new>

#include "atoll/abi/handoff.h"
#include "atoll/abi/lagoon.h"
#include "atoll/nk/handoff.hpp"
#include "atoll/nk/lagoon.hpp"
#include "atoll/nk/plan.hpp"
#include "atoll/nk/plan_validate.hpp"
#include "atoll/nk/selftest.hpp"
#include "atoll/nk/topology.hpp"
#include "atoll/nk/selftest_check.hpp"

namespace atl::nk {

namespace {

using selftest::Checker;

constexpr std::size_t lagoon_area = 512 * 1024;
constexpr std::size_t copy_offset = lagoon_area;
constexpr std::size_t arena_offset = 2 * lagoon_area;
constexpr std::size_t arena_size = selftest_scratch_size - arena_offset;
static_assert(arena_offset < selftest_scratch_size);

constexpr std::uint32_t apic_a = 10, apic_b = 20, apic_c = 30;   // sparse, as on hardware

// --------------------------------------------------------------- lagoon

[[gnu::noinline]] bool check_lagoon(Checker& c, std::byte* scratch, LagoonView& out) {
    c.section("lagoon");
    LagoonSpec spec;   // the maximum counts: the biggest CPU and partition tables
    spec.max_partitions = ATOLL_MAX_PARTITIONS;
    spec.max_cpus = ATOLL_MAX_CPUS;
    spec.console_size = 4096;
    spec.vnet_size = 64 * 1024;
    spec.generation = 3;
    auto need = lagoon_required_size(spec);
    if (!c.expect(need.ok() && *need <= lagoon_area, "a maximal lagoon fits its scratch area"))
        return false;
    const std::size_t size = static_cast<std::size_t>(*need);
    if (!c.expect_error(lagoon_format(scratch, size, spec).error(), Error::ok, "format"))
        return false;

    auto view = LagoonView::open(scratch, size);
    if (!c.expect_error(view.error(), Error::ok, "open the formatted lagoon"))
        return false;
    const LagoonLayout& l = view->layout();
    auto console = view->console(PartitionId{ATOLL_MAX_PARTITIONS - 1});
    if (!c.expect(l.max_cpus == ATOLL_MAX_CPUS && l.max_partitions == ATOLL_MAX_PARTITIONS &&
                      l.generation == 3 && console.ok() && console->size() == 4096 &&
                      view->vnet().ok() && !view->console(PartitionId{ATOLL_MAX_PARTITIONS}).ok(),
                  "layout as specified, accessors bounded"))
        return false;

    // Three CPUs with sparse APIC IDs; slots are dense, never APIC IDs.
    const bool assigned = view->assign_cpu(CpuSlot{0}, ApicId{apic_a}, PartitionId{1}).ok() &&
                          view->assign_cpu(CpuSlot{1}, ApicId{apic_b}, PartitionId{1}).ok() &&
                          view->assign_cpu(CpuSlot{2}, ApicId{apic_c}, PartitionId{2}).ok();
    auto found = view->find_cpu(ApicId{apic_b});
    if (!c.expect(assigned && found.ok() && *found == CpuSlot{1} &&
                      !view->find_cpu(ApicId{1}).ok(),
                  "assign CPU slots, find them by APIC ID"))
        return false;
    if (!c.expect_error(view->assign_cpu(CpuSlot{3}, ApicId{apic_b}, PartitionId{1}).error(),
                        Error::busy, "an APIC ID assigned twice is refused"))
        return false;

    // A corrupted copy: a reader must refuse it, and the original must
    // still open (the copy shares nothing with it).
    std::byte* copy = scratch + copy_offset;
    __builtin_memcpy(copy, scratch, size);
    auto* hdr = reinterpret_cast<atoll_lagoon_header*>(copy);
    hdr->signature ^= 0xff;
    if (!c.expect_error(LagoonView::open(copy, size).error(), Error::bad_signature,
                        "a copy with a bad signature is refused"))
        return false;
    hdr->signature ^= 0xff;
    hdr->regions[1].offset = hdr->regions[0].offset;   // CPUS over PARTITIONS
    if (!c.expect_error(LagoonView::open(copy, size).error(), Error::overlap,
                        "a copy with overlapping regions is refused"))
        return false;
    hdr->regions[1].offset = reinterpret_cast<const atoll_lagoon_header*>(scratch)->regions[1].offset;
    hdr->lagoon_size = size + ATOLL_LAGOON_ALIGN;   // claims more than is mapped
    if (!c.expect_error(LagoonView::open(copy, size).error(), Error::bad_size,
                        "a copy claiming more than the mapped size is refused"))
        return false;
    if (!c.expect(LagoonView::open(scratch, size).ok(), "the original still opens"))
        return false;
    out = *view;
    return true;
}

// -------------------------------------------------------------- hand-off

// A record is 536 bytes and each Result<atoll_handoff> another copy: these
// helpers keep them out of check_handoff()'s frame.
[[gnu::noinline]] Error build_into(const HandoffSpec& spec, void* raw) {
    auto built = handoff_build(spec);
    if (built.ok())
        __builtin_memcpy(raw, &*built, sizeof(atoll_handoff));
    return built.error();
}

[[gnu::noinline]] Error parse_error(const void* raw, std::size_t len) {
    return handoff_parse(raw, len).error();
}

// The record parsed from raw bytes matches what check_handoff() built.
[[gnu::noinline]] bool parses_back(const void* raw, std::uint32_t host, std::uint32_t cpu0,
                                   std::uint32_t cpu1) {
    auto h = handoff_parse(raw, sizeof(atoll_handoff));
    return h.ok() && h->partition_id == 1 && h->cpu_count == 2 && h->apic_ids[0] == cpu0 &&
           h->apic_ids[1] == cpu1 && h->apic_ids[2] == 0 && h->host_apic_id == host &&
           h->numa_node == 1 && h->mem_range_count == 2 &&
           h->mem_ranges[1].end == 5 * GiB + 256 * MiB && h->lagoon_phys == GiB &&
           h->lagoon_size == 2 * MiB && h->tsc_khz == 2'400'000 &&
           h->flags == ATOLL_HANDOFF_F_TSC_RELIABLE;
}

[[gnu::noinline]] bool check_handoff(Checker& c, std::byte* raw) {
    c.section("handoff");
    const ApicId cpus[] = {ApicId{apic_b}, ApicId{apic_c}};
    const PhysRange memory[] = {range_at(4 * GiB, 512 * MiB), range_at(5 * GiB, 256 * MiB)};
    HandoffSpec spec;
    spec.partition = PartitionId{1};
    spec.cpus = cpus;
    spec.host_apic = ApicId{apic_a};
    spec.numa_node = NodeId{1};
    spec.memory = memory;
    spec.lagoon = range_at(GiB, 2 * MiB);
    spec.tsc_khz = 2'400'000;
    spec.lapic_timer_hz = 1'000'000'000;
    spec.wallclock_sec = 1'700'000'000;
    spec.flags = ATOLL_HANDOFF_F_TSC_RELIABLE;
    spec.ap_start = PhysAddr{0x9c000};
    if (!c.expect_error(build_into(spec, raw), Error::ok, "build a hand-off record"))
        return false;
    // Parsed back from raw bytes, as the partition finds it in setup_data.
    if (!c.expect(parses_back(raw, apic_a, apic_b, apic_c), "parse it back, field for field"))
        return false;

    auto* h = reinterpret_cast<atoll_handoff*>(raw);
    h->signature ^= 1;
    if (!c.expect_error(parse_error(raw, sizeof(atoll_handoff)), Error::bad_signature,
                        "a record with a bad signature is refused"))
        return false;
    h->signature ^= 1;
    h->apic_ids[1] = apic_a;   // the host's own CPU
    if (!c.expect_error(parse_error(raw, sizeof(atoll_handoff)), Error::invalid_argument,
                        "a record giving away the host's CPU is refused"))
        return false;
    return c.expect_error(parse_error(raw, sizeof(atoll_handoff) - 8), Error::bad_size,
                          "a truncated record is refused");
}

// ------------------------------------------------------------------ plan

struct PlanArena {
    Topology topo;
    Plan plan;
    Refusals refusals;
    ValidatedPlan validated;
};

// A synthetic two-node machine: node n has 2 cores of 2 SMT threads with
// APIC IDs n*16 + core*2 + thread, and 4 GiB of RAM at n * 8 GiB (node 0
// from 1 MiB). The plan gives node 1's second core to partition 1.
bool build_machine(Topology& t, Plan& p) {
    t.boot_cpu = ApicId{0};
    for (std::uint32_t n = 0; n < 2; ++n) {
        if (!t.add_node(NodeId{n}).ok())
            return false;
        for (std::uint32_t core = 0; core < 2; ++core)
            for (std::uint32_t thread = 0; thread < 2; ++thread) {
                const std::uint32_t apic = n * 16 + core * 2 + thread;
                if (!t.add_cpu(Cpu{ApicId{apic}, NodeId{n}, CoreId{n * 16 + core * 2}}).ok())
                    return false;
            }
        const std::uint64_t base = n == 0 ? MiB : 8 * GiB;
        if (!t.add_ram(NodeId{n}, PhysRange{PhysAddr{base}, PhysAddr{n * 8 * GiB + 4 * GiB}}).ok())
            return false;
    }
    p.lagoon = range_at(3 * GiB, 4 * MiB);
    if (!p.add_pool(range_at(3 * GiB, 512 * MiB)).ok() || !p.add_pool(range_at(9 * GiB, 2 * GiB)).ok())
        return false;
    auto part = p.add_partition(PartitionId{1}, NodeId{1});
    return part.ok() && (*part)->add_cpu(ApicId{18}).ok() && (*part)->add_cpu(ApicId{19}).ok() &&
           (*part)->add_memory(range_at(9 * GiB, GiB)).ok();
}

[[gnu::noinline]] bool check_plan_section(Checker& c, void* arena) {
    c.section("plan");
    auto* a = ::new (arena) PlanArena{};
    if (!c.expect(build_machine(a->topo, a->plan), "build a synthetic machine and plan"))
        return false;
    const Status s = validate_plan(a->topo, a->plan, a->refusals, a->validated);
    if (!c.expect(s.ok() && a->refusals.empty() && a->validated.plan().partition_count == 1,
                  "a sound plan validates")) {
        if (!a->refusals.list().empty())
            c.detail().str(": ").str(a->refusals.list()[0].message);
        return false;
    }
    // Half a core: APIC 19 leaves, its sibling 18 stays. Refused by name,
    // and the validated plan is emptied.
    a->plan.partitions[0].cpu_count = 1;
    const Status bad = validate_plan(a->topo, a->plan, a->refusals, a->validated);
    const auto list = a->refusals.list();
    return c.expect(!bad.ok() && list.size() == 1 && list[0].rule == Rule::split_core &&
                        text_equal(list[0].message,
                                   "rule split-core: partition 1 holds APIC 18 but not its SMT "
                                   "sibling APIC 19, which the host keeps") &&
                        a->validated.empty(),
                    "a plan splitting an SMT core is refused, naming the rule");
}

}  // namespace

int core_selftest(void* scratch, std::size_t size, TextWriter& msg) {
    Checker c(msg);
    c.section("scratch");
    auto* bytes = static_cast<std::byte*>(scratch);
    if (c.expect(scratch != nullptr && (reinterpret_cast<std::uintptr_t>(scratch) & 63) == 0 &&
                     size >= selftest_scratch_size,
                 "64-byte aligned scratch of selftest_scratch_size bytes")) {
        LagoonView lagoon;
        (void)(check_lagoon(c, bytes, lagoon) && check_handoff(c, bytes + arena_offset) &&
               selftest::check_pipeline(c, lagoon, bytes + arena_offset, arena_size) &&
               check_plan_section(c, bytes + arena_offset) &&
               selftest::check_vnet(c, bytes + arena_offset, arena_size));
    }
    return c.finish();
}

}  // namespace atl::nk
