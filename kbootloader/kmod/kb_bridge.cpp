// The extern "C" side of kb_bridge.h: plan validation and boot planning by
// the freestanding core, for the bootloader's C glue.
#include "kb_bridge.h"

#include <new>

#include "atoll/kb/boot_plan.hpp"
#include "atoll/nk/fmt.hpp"
#include "atoll/nk/plan.hpp"
#include "atoll/nk/plan_validate.hpp"
#include "atoll/nk/topology.hpp"

namespace {

using namespace atl;

struct PlanScratch {
    nk::Topology topo;
    nk::Plan plan;
    nk::Refusals refusals;
    nk::ValidatedPlan validated;
};

struct BootScratch {
    ApicId cpus[ATOLL_MAX_PARTITION_CPUS];
    PhysRange mem[ATOLL_MAX_MEM_RANGES];
    kb::BootRequest request;
    kb::BootRefusal why;
    kb::BootPlan plan;
};

static_assert(sizeof(PlanScratch) <= ATOLL_KB_SCRATCH);
static_assert(sizeof(BootScratch) <= ATOLL_KB_SCRATCH);

PhysRange range(const atoll_mem_range& r) { return {PhysAddr{r.start}, PhysAddr{r.end}}; }

Status add_partition(nk::Plan& plan, const atoll_kb_partition& p) {
    auto part = plan.add_partition(PartitionId{p.id}, NodeId{p.node});
    if (!part)
        return part.error();
    for (atoll_u32 i = 0; i < p.cpu_count; i++)
        ATOLL_TRY(part.value()->add_cpu(ApicId{p.apic_ids[i]}));
    for (atoll_u32 i = 0; i < p.mem_count; i++)
        ATOLL_TRY(part.value()->add_memory(range(p.mem[i])));
    return Error::ok;
}

Status build(PlanScratch& s, const atoll_kb_machine& m, const atoll_kb_partition& p) {
    s.topo.boot_cpu = ApicId{m.boot_apic_id};
    for (atoll_u32 i = 0; i < m.cpu_count; i++) {
        const auto& c = m.cpus[i];
        if (!s.topo.find_node(NodeId{c.node}))
            ATOLL_TRY(s.topo.add_node(NodeId{c.node}));
        ATOLL_TRY(s.topo.add_cpu({ApicId{c.apic_id}, NodeId{c.node}, nk::CoreId{c.core}}));
    }
    // The kernel cannot see where its lent RAM lies by node once it is
    // reserved; the pool ranges, tagged with their node at boot, stand in
    // for the node's RAM.
    for (atoll_u32 i = 0; i < m.pool_count; i++) {
        const auto& p = m.pool[i];
        const PhysRange r{PhysAddr{p.start}, PhysAddr{p.end}};
        if (!s.topo.find_node(NodeId{p.node}))
            ATOLL_TRY(s.topo.add_node(NodeId{p.node}));
        ATOLL_TRY(s.topo.add_ram(NodeId{p.node}, r));
        ATOLL_TRY(s.plan.add_pool(r));
    }
    s.plan.lagoon = range(m.lagoon);
    for (atoll_u32 i = 0; i < m.partition_count; i++)
        ATOLL_TRY(add_partition(s.plan, m.partitions[i]));
    return add_partition(s.plan, p);
}

}  // namespace

extern "C" int atoll_kb_check_plan(const atoll_kb_machine* m, const atoll_kb_partition* p,
                                   void* scratch, char* err, unsigned long errlen) {
    auto* s = new (scratch) PlanScratch{};
    nk::TextWriter out(err, errlen);
    Status st = build(*s, *m, *p);
    if (!st) {
        out.str("cannot describe the request: ").str(error_name(st.error()));
        return -1;
    }
    if (validate_plan(s->topo, s->plan, s->refusals, s->validated))
        return 0;
    bool first = true;
    for (const auto& r : s->refusals.list()) {
        if (!first)
            out.str("; ");
        out.str(r.message);
        first = false;
    }
    return -1;
}

extern "C" int atoll_kb_plan(const atoll_kb_input* in, void* scratch, atoll_kb_layout* out,
                             char* err, unsigned long errlen) {
    auto* s = new (scratch) BootScratch{};
    nk::TextWriter msg(err, errlen);
    if (in->part.cpu_count > ATOLL_MAX_PARTITION_CPUS || in->part.mem_count > ATOLL_MAX_MEM_RANGES) {
        msg.str("too many CPUs or memory ranges");
        return -1;
    }
    for (atoll_u32 i = 0; i < in->part.cpu_count; i++)
        s->cpus[i] = ApicId{in->part.apic_ids[i]};
    for (atoll_u32 i = 0; i < in->part.mem_count; i++)
        s->mem[i] = range(in->part.mem[i]);

    auto& r = s->request;
    r.kernel = {static_cast<const std::byte*>(in->kernel), in->kernel_size};
    r.initrd = {static_cast<const std::byte*>(in->initrd), in->initrd_size};
    r.cmdline = {in->cmdline, in->cmdline_len};
    auto& h = r.handoff;
    h.partition = PartitionId{in->part.id};
    h.cpus = {s->cpus, in->part.cpu_count};
    h.host_apic = ApicId{in->host_apic_id};
    h.numa_node = NodeId{in->part.node};
    h.memory = {s->mem, in->part.mem_count};
    h.lagoon = range(in->lagoon);
    h.tsc_khz = in->tsc_khz;
    h.lapic_timer_hz = in->lapic_timer_hz;
    h.wallclock_sec = in->wallclock_sec;
    h.wallclock_nsec = in->wallclock_nsec;
    h.tsc_at_wallclock = in->tsc_at_wallclock;
    h.flags = in->handoff_flags;
    h.ap_start = PhysAddr{in->ap_start_phys};

    auto plan = kb::plan_boot(r, s->why);
    if (!plan) {
        kb::describe(s->why, msg);
        return -1;
    }
    s->plan = plan.value();
    const auto& l = s->plan.layout();
    out->kernel_start = l.kernel.start.value();
    out->kernel_end = l.kernel.end.value();
    out->entry = l.entry.value();
    out->initrd_start = l.initrd.start.value();
    out->initrd_end = l.initrd.end.value();
    out->boot_params = l.boot_params.start.value();
    out->cmdline_start = l.cmdline.start.value();
    out->cmdline_end = l.cmdline.end.value();
    out->setup_data_start = l.setup_data.start.value();
    out->setup_data_end = l.setup_data.end.value();
    static_assert(kb::max_kernel_segments == ATOLL_KB_MAX_SEGMENTS);
    out->elf = s->plan.image().format == kb::KernelFormat::elf ? 1 : 0;
    out->segment_count = 0;
    for (const kb::KernelSegment& seg : s->plan.segments())
        out->segments[out->segment_count++] = {seg.bytes.data(), seg.bytes.size(), seg.offset, seg.size};
    return 0;
}

extern "C" int atoll_kb_write(void* scratch, void* params_page, unsigned long params_len,
                              void* setup_data, unsigned long setup_len, void* cmdline,
                              unsigned long cmdline_len) {
    auto* s = static_cast<BootScratch*>(scratch);
    Status st = kb::write_boot_params(s->plan, {static_cast<std::byte*>(params_page), params_len},
                                      {static_cast<std::byte*>(setup_data), setup_len});
    if (!st)
        return -static_cast<int>(st.error());
    st = kb::write_boot_cmdline(s->plan, {static_cast<std::byte*>(cmdline), cmdline_len});
    return st ? 0 : -static_cast<int>(st.error());
}
