// The plan rules, checked as a whole. Every refusal names its rule and the
// offending values; checking goes on after a refusal so that one run lists
// every problem (up to max_refusals).
#include "atoll/nk/plan_validate.hpp"

namespace atl::nk {

namespace {

constexpr bool aligned_range(const PhysRange& r) {
    return r.start.aligned(plan_alignment) && r.end.aligned(plan_alignment);
}

// Who holds a CPU: the partition at `index`, or the host (index < 0).
int owner_of(const Plan& plan, ApicId apic) {
    const auto parts = plan.partition_list();
    for (std::size_t i = 0; i < parts.size(); ++i)
        if (parts[i].holds(apic))
            return static_cast<int>(i);
    return -1;
}

// Counts beyond capacity would make every other check read garbage, so
// this one alone stops validation.
bool check_capacity(const Plan& plan, Refusals& out) {
    bool ok = true;
    if (plan.partition_count > max_partitions) {
        out.add(Rule::capacity).str("the plan lists ").dec(plan.partition_count)
            .str(" partitions, at most ").dec(max_partitions);
        ok = false;
    }
    if (plan.pool_count > max_pool_ranges) {
        out.add(Rule::capacity).str("the pool lists ").dec(plan.pool_count)
            .str(" ranges, at most ").dec(max_pool_ranges);
        ok = false;
    }
    for (const auto& p : plan.partition_list()) {
        if (p.cpu_count > max_partition_cpus) {
            out.add(Rule::capacity).str("partition ").dec(p.id.value()).str(" lists ")
                .dec(p.cpu_count).str(" CPUs, at most ").dec(max_partition_cpus);
            ok = false;
        }
        if (p.range_count > max_partition_ranges) {
            out.add(Rule::capacity).str("partition ").dec(p.id.value()).str(" lists ")
                .dec(p.range_count).str(" memory ranges, at most ").dec(max_partition_ranges);
            ok = false;
        }
    }
    return ok;
}

// Shape of one range: non-empty and 2 MiB aligned. `what` names it.
// Returns false when the range is unusable for further checks.
bool check_shape(const PhysRange& r, Refusals& out, const auto& what) {
    if (r.empty()) {
        what(out.add(Rule::empty_range)).ch(' ').range(r).str(" is empty");
        return false;
    }
    if (!aligned_range(r)) {
        what(out.add(Rule::alignment)).ch(' ').range(r).str(" is not ").size(plan_alignment)
            .str("-aligned (start and size must be multiples of ").size(plan_alignment).ch(')');
    }
    return true;
}

void check_pool_and_lagoon(const Topology& topo, const Plan& plan, Refusals& out) {
    const auto pool = plan.pool_list();
    for (std::size_t i = 0; i < pool.size(); ++i) {
        const auto name = [](TextWriter w) { return w.str("pool range"); };
        if (!check_shape(pool[i], out, name))
            continue;
        if (!covered_by_ram(pool[i], topo))
            out.add(Rule::outside_ram).str("pool range ").range(pool[i])
                .str(" is not inside the machine's RAM");
        for (std::size_t j = 0; j < i; ++j)
            if (pool[i].overlaps(pool[j]))
                out.add(Rule::overlap).str("pool range ").range(pool[i])
                    .str(" overlaps pool range ").range(pool[j]);
    }

    const auto lagoon_name = [](TextWriter w) { return w.str("the lagoon"); };
    if (!check_shape(plan.lagoon, out, lagoon_name))
        return;
    if (!covered_by_ram(plan.lagoon, topo))
        out.add(Rule::outside_ram).str("the lagoon ").range(plan.lagoon)
            .str(" is not inside the machine's RAM");
    else if (!covered_by(plan.lagoon, pool))
        out.add(Rule::outside_pool).str("the lagoon ").range(plan.lagoon)
            .str(" is not inside the pool (the host would keep using it)");
}

void check_ids(const Plan& plan, Refusals& out) {
    const auto parts = plan.partition_list();
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto id = parts[i].id.value();
        if (id < first_partition_id || id > last_partition_id) {
            out.add(Rule::partition_id).str("partition ").dec(id).str(" is outside ")
                .dec(first_partition_id).str("..").dec(last_partition_id)
                .str(" (0 is the host)");
        }
        for (std::size_t j = 0; j < i; ++j)
            if (parts[j].id == parts[i].id)
                out.add(Rule::partition_id).str("partition ").dec(id)
                    .str(" appears more than once");
    }
}

void check_memory(const Topology& topo, const Plan& plan, std::size_t index, Refusals& out) {
    const Partition& p = plan.partition_list()[index];
    const auto id = p.id.value();
    const NumaNode* node = topo.find_node(p.node);
    const auto mem = p.memory_list();
    if (mem.empty()) {
        out.add(Rule::no_memory).str("partition ").dec(id).str(" has no memory");
        return;
    }
    for (std::size_t i = 0; i < mem.size(); ++i) {
        const PhysRange& r = mem[i];
        const auto name = [id](TextWriter w) { return w.str("partition ").dec(id).str(" memory"); };
        if (!check_shape(r, out, name))
            continue;
        if (!covered_by(r, plan.pool_list()))
            out.add(Rule::outside_pool).str("partition ").dec(id).str(" memory ").range(r)
                .str(" is not inside the pool (memory outside the pool is the host's)");
        if (r.overlaps(plan.lagoon))
            out.add(Rule::overlap).str("partition ").dec(id).str(" memory ").range(r)
                .str(" overlaps the lagoon ").range(plan.lagoon);
        if (node != nullptr && !covered_by(r, node->ram()))
            out.add(Rule::wrong_node).str("partition ").dec(id).str(" memory ").range(r)
                .str(" is not RAM of its node ").dec(p.node.value());
        for (std::size_t j = 0; j < i; ++j)
            if (r.overlaps(mem[j]))
                out.add(Rule::overlap).str("partition ").dec(id).str(" memory ").range(r)
                    .str(" overlaps its own range ").range(mem[j]);
        // Other partitions: each pair reported once, from the later one.
        for (std::size_t k = 0; k < index; ++k) {
            const Partition& q = plan.partition_list()[k];
            for (const auto& s : q.memory_list())
                if (!s.empty() && r.overlaps(s))
                    out.add(Rule::overlap).str("partition ").dec(id).str(" memory ").range(r)
                        .str(" overlaps partition ").dec(q.id.value()).str(" memory ").range(s);
        }
    }
    if (p.memory_bytes() < min_partition_memory)
        out.add(Rule::min_memory).str("partition ").dec(id).str(" has ").size(p.memory_bytes())
            .str(" of memory, at least ").size(min_partition_memory).str(" is needed");
}

void check_split_core(const Topology& topo, const Plan& plan, std::size_t index,
                      const Cpu& cpu, Refusals& out) {
    const Partition& p = plan.partition_list()[index];
    for (const auto& s : topo.cpu_list()) {
        if (!topo.siblings(cpu, s))
            continue;
        const int owner = owner_of(plan, s.apic);
        if (owner == static_cast<int>(index))
            continue;
        if (owner < 0) {
            out.add(Rule::split_core).str("partition ").dec(p.id.value()).str(" holds APIC ")
                .dec(cpu.apic.value()).str(" but not its SMT sibling APIC ").dec(s.apic.value())
                .str(", which the host keeps");
        } else if (owner > static_cast<int>(index)) {   // the pair once, from the earlier side
            out.add(Rule::split_core).str("partition ").dec(p.id.value()).str(" holds APIC ")
                .dec(cpu.apic.value()).str(" but its SMT sibling APIC ").dec(s.apic.value())
                .str(" is in partition ").dec(plan.partition_list()[owner].id.value());
        }
    }
}

void check_cpus(const Topology& topo, const Plan& plan, std::size_t index, Refusals& out) {
    const Partition& p = plan.partition_list()[index];
    const auto id = p.id.value();
    const auto cpus = p.cpu_list();
    if (cpus.empty()) {
        out.add(Rule::no_cpu).str("partition ").dec(id).str(" has no CPU");
        return;
    }
    for (std::size_t i = 0; i < cpus.size(); ++i) {
        const ApicId apic = cpus[i];
        bool repeated = false;
        for (std::size_t j = 0; j < i; ++j)
            repeated = repeated || cpus[j] == apic;
        if (repeated) {
            out.add(Rule::duplicate_cpu).str("partition ").dec(id).str(" lists APIC ")
                .dec(apic.value()).str(" more than once");
            continue;
        }
        for (std::size_t k = 0; k < index; ++k) {
            const Partition& q = plan.partition_list()[k];
            if (q.holds(apic))
                out.add(Rule::duplicate_cpu).str("APIC ").dec(apic.value())
                    .str(" is in partition ").dec(id).str(" and in partition ").dec(q.id.value());
        }
        if (apic == topo.boot_cpu) {
            out.add(Rule::host_cpu).str("partition ").dec(id).str(" lists APIC ")
                .dec(apic.value()).str(", the host's boot CPU");
            continue;
        }
        const Cpu* cpu = topo.find_cpu(apic);
        if (cpu == nullptr) {
            out.add(Rule::unknown_cpu).str("partition ").dec(id).str(" lists APIC ")
                .dec(apic.value()).str(", which the machine does not have");
            continue;
        }
        if (topo.find_node(p.node) != nullptr && cpu->node != p.node)
            out.add(Rule::wrong_node).str("partition ").dec(id).str(" (node ")
                .dec(p.node.value()).str(") lists APIC ").dec(apic.value())
                .str(", which is on node ").dec(cpu->node.value());
        check_split_core(topo, plan, index, *cpu, out);
    }
}

}  // namespace

bool check_plan(const Topology& topo, const Plan& plan, Refusals& out) {
    out.clear();
    if (!check_capacity(plan, out))
        return false;
    if (plan.partition_list().empty())
        out.add(Rule::no_partitions).str("the plan starts no partition");
    check_pool_and_lagoon(topo, plan, out);
    check_ids(plan, out);
    const auto parts = plan.partition_list();
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (topo.find_node(parts[i].node) == nullptr)
            out.add(Rule::unknown_node).str("partition ").dec(parts[i].id.value())
                .str(" is declared on node ").dec(parts[i].node.value())
                .str(", which the machine does not have");
        check_cpus(topo, plan, i, out);
        check_memory(topo, plan, i, out);
    }
    return out.empty();
}

Status validate_plan(const Topology& topo, const Plan& plan, Refusals& refusals,
                     ValidatedPlan& out) {
    if (!check_plan(topo, plan, refusals)) {
        out.plan_.partition_count = 0;   // empty, without a Plan temporary on the stack
        out.plan_.pool_count = 0;
        out.plan_.lagoon = PhysRange{};
        return Error::invalid_argument;
    }
    out.plan_ = plan;
    return Error::ok;
}

}  // namespace atl::nk
