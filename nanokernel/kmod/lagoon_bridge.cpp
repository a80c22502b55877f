// The extern "C" side of lagoon_bridge.h.
#include "lagoon_bridge.h"

#include "atoll/abi/lagoon.h"
#include "atoll/nk/fmt.hpp"
#include "atoll/nk/lagoon.hpp"
#include "atoll/nk/shared_word.hpp"

namespace {

using namespace atl;

int code(Error e) { return -static_cast<int>(e); }

// Partition @pid's state record in a freshly validated view of the lagoon.
Result<atoll_partition_state*> state_of(void* base, unsigned long size, atoll_u32 pid) {
    auto view = nk::LagoonView::open(base, size);
    if (!view)
        return view.error();
    return view->partition_state(PartitionId{pid});
}

// What the host lays out: every partition id a console, one vnet area with
// what is left (vnet defines its contents later).
nk::LagoonSpec spec_for(unsigned long size) {
    nk::LagoonSpec spec{};
    spec.console_size = ATOLL_LAGOON_CONSOLE_SIZE;
    spec.vnet_size = 0;
    auto base_need = nk::lagoon_required_size(spec);
    if (base_need && base_need.value() + (64u << 10) <= size)
        spec.vnet_size = (size - base_need.value() - (64u << 10)) & ~std::uint64_t{0xfff};
    return spec;
}

}  // namespace

extern "C" int atoll_lagoon_format(void* base, unsigned long size, const atoll_u32* apic_ids,
                                   unsigned int cpu_count, char* err, unsigned long errlen) {
    nk::TextWriter out(err, errlen);
    auto spec = spec_for(size);
    auto need = nk::lagoon_required_size(spec);
    if (!need || need.value() > size) {
        out.str("lagoon of ").size(size).str(" is too small: the layout needs ")
            .size(need ? need.value() : 0);
        return code(Error::exhausted);
    }
    if (cpu_count > spec.max_cpus) {
        out.str("the machine has ").dec(cpu_count).str(" CPUs, the lagoon holds ").dec(spec.max_cpus);
        return code(Error::exhausted);
    }
    Status st = nk::lagoon_format(base, size, spec);
    if (!st) {
        out.str("lagoon format failed: ").str(error_name(st.error()));
        return code(st.error());
    }
    auto view = nk::LagoonView::open(base, size);
    if (!view) {
        out.str("lagoon does not validate after format: ").str(error_name(view.error()));
        return code(view.error());
    }
    for (unsigned int i = 0; i < cpu_count; i++) {
        st = view->assign_cpu(CpuSlot{i}, ApicId{apic_ids[i]}, PartitionId{0});
        if (!st) {
            out.str("CPU slot for APIC ").dec(apic_ids[i]).str(": ").str(error_name(st.error()));
            return code(st.error());
        }
    }
    return 0;
}

extern "C" int atoll_lagoon_console(void* base, unsigned long size, atoll_u32 pid, void** area,
                                    unsigned long* len) {
    auto view = nk::LagoonView::open(base, size);
    if (!view)
        return code(view.error());
    auto c = view->console(PartitionId{pid});
    if (!c)
        return code(c.error());
    *area = c->data();
    *len = c->size();
    return 0;
}

extern "C" int atoll_lagoon_assign(void* base, unsigned long size, atoll_u32 pid,
                                   const atoll_u32* apic_ids, unsigned int count) {
    auto view = nk::LagoonView::open(base, size);
    if (!view)
        return code(view.error());
    // Validate every CPU first, then commit.
    for (unsigned int i = 0; i < count; i++)
        if (!view->find_cpu(ApicId{apic_ids[i]}))
            return code(Error::not_found);
    for (unsigned int i = 0; i < count; i++) {
        auto slot = view->find_cpu(ApicId{apic_ids[i]});
        Status st = view->assign_cpu(slot.value(), ApicId{apic_ids[i]}, PartitionId{pid});
        if (!st)
            return code(st.error());
    }
    return 0;
}

extern "C" int atoll_lagoon_set_state(void* base, unsigned long size, atoll_u32 pid,
                                      atoll_u32 state, atoll_u32 reason, atoll_u32 cpu_count,
                                      atoll_u64 boot_tsc) {
    auto p = state_of(base, size, pid);
    if (!p)
        return code(p.error());
    atoll_partition_state* s = p.value();
    nk::shared(s->reason).store(reason, std::memory_order_relaxed);
    nk::shared(s->cpu_count).store(cpu_count, std::memory_order_relaxed);
    if (state == ATOLL_PSTATE_BOOTING) {   // a new life: new start time, no beats yet
        nk::shared(s->boot_tsc).store(boot_tsc, std::memory_order_relaxed);
        nk::shared(s->heartbeat).store(0, std::memory_order_relaxed);
        nk::shared(s->parked).store(0, std::memory_order_relaxed);
        nk::shared(s->fault).store(ATOLL_PFAULT_NONE, std::memory_order_relaxed);
        nk::shared(s->command).store(ATOLL_COMMAND_PING, std::memory_order_relaxed);
        nk::shared(s->control_virq).store(0, std::memory_order_relaxed);
    }
    nk::shared(s->state).store(state, std::memory_order_release);
    return 0;
}

extern "C" int atoll_lagoon_get_state(void* base, unsigned long size, atoll_u32 pid,
                                      atoll_u32* state, atoll_u32* reason, atoll_u64* heartbeat) {
    auto p = state_of(base, size, pid);
    if (!p)
        return code(p.error());
    atoll_partition_state* s = p.value();
    *state = nk::shared(s->state).load(std::memory_order_acquire);
    *reason = nk::shared(s->reason).load(std::memory_order_relaxed);
    *heartbeat = nk::shared(s->heartbeat).load(std::memory_order_relaxed);
    return 0;
}

extern "C" int atoll_lagoon_heartbeat(void* base, unsigned long size, atoll_u32 pid) {
    auto p = state_of(base, size, pid);
    if (!p)
        return code(p.error());
    nk::shared(p.value()->heartbeat).fetch_add(1, std::memory_order_release);
    return 0;
}

extern "C" int atoll_lagoon_set_control_virq(void* base, unsigned long size, atoll_u32 pid,
                                             atoll_u32 virq) {
    auto p = state_of(base, size, pid);
    if (!p)
        return code(p.error());
    if (virq >= ATOLL_VIRQ_COUNT)
        return code(Error::out_of_range);
    nk::shared(p.value()->control_virq).store(ATOLL_CONTROL_VIRQ_VALID | virq,
                                              std::memory_order_release);
    return 0;
}

extern "C" int atoll_lagoon_get_control_virq(void* base, unsigned long size, atoll_u32 pid) {
    auto p = state_of(base, size, pid);
    if (!p)
        return code(p.error());
    atoll_u32 v = nk::shared(p.value()->control_virq).load(std::memory_order_acquire);
    // Published by another kernel: checked like everything read from the lagoon.
    if (!(v & ATOLL_CONTROL_VIRQ_VALID) || (v & ~ATOLL_CONTROL_VIRQ_VALID) >= ATOLL_VIRQ_COUNT)
        return code(Error::not_found);
    return static_cast<int>(v & ~ATOLL_CONTROL_VIRQ_VALID);
}

namespace {

// One u32 field of partition @pid's state record.
template <atoll_u32 atoll_partition_state::*Field>
int store_field(void* base, unsigned long size, atoll_u32 pid, atoll_u32 v) {
    auto p = state_of(base, size, pid);
    if (!p)
        return code(p.error());
    nk::shared(p.value()->*Field).store(v, std::memory_order_release);
    return 0;
}

template <atoll_u32 atoll_partition_state::*Field>
int load_field(void* base, unsigned long size, atoll_u32 pid, atoll_u32* v) {
    auto p = state_of(base, size, pid);
    if (!p)
        return code(p.error());
    *v = nk::shared(p.value()->*Field).load(std::memory_order_acquire);
    return 0;
}

}  // namespace

extern "C" int atoll_lagoon_set_parked(void* base, unsigned long size, atoll_u32 pid, atoll_u32 why) {
    return store_field<&atoll_partition_state::parked>(base, size, pid, why);
}

extern "C" int atoll_lagoon_get_parked(void* base, unsigned long size, atoll_u32 pid, atoll_u32* why) {
    return load_field<&atoll_partition_state::parked>(base, size, pid, why);
}

extern "C" int atoll_lagoon_set_fault(void* base, unsigned long size, atoll_u32 pid, atoll_u32 fault) {
    return store_field<&atoll_partition_state::fault>(base, size, pid, fault);
}

extern "C" int atoll_lagoon_get_fault(void* base, unsigned long size, atoll_u32 pid, atoll_u32* fault) {
    return load_field<&atoll_partition_state::fault>(base, size, pid, fault);
}

extern "C" int atoll_lagoon_set_command(void* base, unsigned long size, atoll_u32 pid,
                                        atoll_u32 command) {
    return store_field<&atoll_partition_state::command>(base, size, pid, command);
}

extern "C" int atoll_lagoon_get_command(void* base, unsigned long size, atoll_u32 pid,
                                        atoll_u32* command) {
    return load_field<&atoll_partition_state::command>(base, size, pid, command);
}

extern "C" int atoll_lagoon_clear_control_virq(void* base, unsigned long size, atoll_u32 pid) {
    return store_field<&atoll_partition_state::control_virq>(base, size, pid, 0);
}
