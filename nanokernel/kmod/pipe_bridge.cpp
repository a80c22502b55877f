// The extern "C" side of pipe_bridge.h.
#include "pipe_bridge.h"

#include <new>

#include "atoll/abi/lagoon.h"
#include "atoll/nk/lagoon.hpp"
#include "atoll/nk/pipeline.hpp"

namespace {

using namespace atl;

struct PipeMem {
    nk::LagoonView view;
    nk::Pipeline pipe;
    CpuSlot self;
    void (*send)(atoll_u32);
    void (*control)(atoll_u32);
    void (*vnet)(atoll_u32);
};
static_assert(sizeof(PipeMem) <= ATOLL_PIPE_MEM);

int code(Error e) { return -static_cast<int>(e); }

void send_ipi(void* ctx, ApicId apic) { static_cast<PipeMem*>(ctx)->send(apic.value()); }

nk::Decision on_control(void* ctx, Virq v) {
    auto* m = static_cast<PipeMem*>(ctx);
    if (m->control)
        m->control(v.value());
    return nk::Decision::accept;
}

nk::Decision on_vnet(void* ctx, Virq v) {
    auto* m = static_cast<PipeMem*>(ctx);
    if (m->vnet)
        m->vnet(v.value());
    return nk::Decision::accept;
}

}  // namespace

extern "C" int atoll_pipe_stage(void* mem, atoll_u32 stage, atoll_u32 priority,
                                void (*handler)(atoll_u32)) {
    auto* m = static_cast<PipeMem*>(mem);
    // Only the stages the glue registers this way (control has its own call).
    if (stage != ATOLL_STAGE_VNET)
        return code(Error::invalid_argument);
    m->vnet = handler;
    Status st = m->pipe.register_stage(StageId{stage}, priority, nk::VirqHandler{on_vnet, m});
    return st ? 0 : code(st.error());
}

extern "C" int atoll_pipe_alloc_stage(void* mem, atoll_u32 stage, atoll_u32 owner) {
    if (stage >= ATOLL_STAGE_COUNT)
        return code(Error::out_of_range);
    auto v = static_cast<PipeMem*>(mem)->pipe.allocate(StageId{stage}, PartitionId{owner});
    return v ? static_cast<int>(v->value()) : code(v.error());
}

extern "C" atoll_u32 atoll_pipe_self_slot(void* mem) {
    return static_cast<PipeMem*>(mem)->self.value();
}

extern "C" int atoll_pipe_post_slot(void* mem, atoll_u32 slot, atoll_u32 virq) {
    Status st = static_cast<PipeMem*>(mem)->pipe.post(CpuSlot{slot}, Virq{virq});
    return st ? 0 : code(st.error());
}

extern "C" int atoll_pipe_open(void* mem, void* lagoon, unsigned long size, atoll_u32 self_apic,
                               void (*send)(atoll_u32)) {
    auto view = nk::LagoonView::open(lagoon, size);
    if (!view)
        return code(view.error());
    auto slot = view->find_cpu(ApicId{self_apic});
    if (!slot)
        return code(slot.error());
    auto* m = new (mem) PipeMem{};
    m->view = view.value();
    m->self = slot.value();
    m->send = send;
    auto pipe = nk::Pipeline::create(view.value(), slot.value(), nk::IpiSender{send_ipi, m});
    if (!pipe)
        return code(pipe.error());
    m->pipe = pipe.value();
    return 0;
}

extern "C" int atoll_pipe_control(void* mem, void (*handler)(atoll_u32)) {
    auto* m = static_cast<PipeMem*>(mem);
    m->control = handler;
    Status st = m->pipe.register_stage(StageId{ATOLL_STAGE_CONTROL}, 100,
                                       nk::VirqHandler{on_control, m});
    return st ? 0 : code(st.error());
}

extern "C" int atoll_pipe_alloc(void* mem, atoll_u32 owner) {
    return atoll_pipe_alloc_stage(mem, ATOLL_STAGE_CONTROL, owner);
}

extern "C" int atoll_pipe_release(void* mem, atoll_u32 virq) {
    Status st = static_cast<PipeMem*>(mem)->pipe.release(Virq{virq});
    return st ? 0 : code(st.error());
}

extern "C" int atoll_pipe_post(void* mem, atoll_u32 target_apic, atoll_u32 virq) {
    auto* m = static_cast<PipeMem*>(mem);
    // The target's slot, found by scanning the lagoon (never indexed by APIC ID).
    auto slot = m->view.find_cpu(ApicId{target_apic});
    if (!slot)
        return code(slot.error());
    Status st = m->pipe.post(slot.value(), Virq{virq});
    return st ? 0 : code(st.error());
}

extern "C" int atoll_pipe_dispatch(void* mem) {
    return static_cast<PipeMem*>(mem)->pipe.dispatch() ? 1 : 0;
}
