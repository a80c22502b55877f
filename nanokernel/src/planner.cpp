// The planner's policy, step by step; see planner.hpp for the policy and
// planner_memory.cpp for the carving of RAM.
#include "atoll/nk/planner.hpp"

#include "atoll/nk/plan_validate.hpp"
#include "planner_memory.hpp"

namespace atl::nk {

namespace {

using planner_detail::FreeRam;

struct NodeWork {
    const NumaNode* node = nullptr;
    FreeRam free;
    std::uint32_t cores = 0;      // free cores (sibling groups) on this node
    std::uint32_t assigned = 0;   // partitions placed on this node
};

struct Work {
    NodeWork nodes[max_nodes];
    std::uint32_t node_count = 0;
    bool host[max_cpus] = {};     // CPU index kept by the host (boot core)
    bool leader[max_cpus] = {};   // first free CPU of its core: one per free core
    std::uint32_t free_cores = 0;
    PhysRange lagoon{};
};

NodeWork* work_node(Work& w, NodeId id) {
    for (std::uint32_t i = 0; i < w.node_count; ++i)
        if (w.nodes[i].node->id == id)
            return &w.nodes[i];
    return nullptr;
}

Status check_request(const PlanRequest& rq, TextWriter& why) {
    if (rq.partitions < 1 || rq.partitions > max_partitions) {
        why.str("cannot plan ").dec(rq.partitions).str(" partitions: 1 to ")
            .dec(max_partitions).str(" are possible");
        return Error::invalid_argument;
    }
    const struct {
        const char* name;
        std::uint64_t value;
    } sizes[] = {{"partition memory", rq.memory_per_partition},
                 {"host memory", rq.host_memory},
                 {"lagoon size", rq.lagoon_size}};
    for (const auto& s : sizes) {
        if (s.value % plan_alignment != 0) {
            why.str(s.name).ch(' ').size(s.value).str(" is not a multiple of ").size(plan_alignment);
            return Error::invalid_argument;
        }
    }
    if (rq.memory_per_partition != 0 && rq.memory_per_partition < min_partition_memory) {
        why.str("partition memory ").size(rq.memory_per_partition).str(" is below the minimum of ")
            .size(min_partition_memory);
        return Error::invalid_argument;
    }
    return Error::ok;
}

// The host's core, and one leader per free core; counts free cores per node.
Status find_cores(const Topology& topo, Work& w, TextWriter& why) {
    const auto cpus = topo.cpu_list();
    const Cpu* boot = topo.find_cpu(topo.boot_cpu);
    if (boot == nullptr) {
        why.str("the host's boot CPU (APIC ").dec(topo.boot_cpu.value())
            .str(") is not among the machine's CPUs");
        return Error::invalid_argument;
    }
    for (std::size_t i = 0; i < cpus.size(); ++i) {
        w.host[i] = cpus[i].apic == boot->apic || topo.siblings(cpus[i], *boot);
        if (w.host[i])
            continue;
        bool first = true;
        for (std::size_t j = 0; j < i; ++j)
            first = first && !topo.siblings(cpus[j], cpus[i]);
        w.leader[i] = first;
        if (!first)
            continue;
        NodeWork* n = work_node(w, cpus[i].node);
        if (n == nullptr) {
            why.str("CPU APIC ").dec(cpus[i].apic.value()).str(" is on node ")
                .dec(cpus[i].node.value()).str(", which the machine does not list");
            return Error::invalid_argument;
        }
        ++n->cores;
        ++w.free_cores;
    }
    return Error::ok;
}

// Free RAM per node: the host's share and the lagoon come off its node.
Status find_memory(const Topology& topo, const PlanRequest& rq, Work& w, TextWriter& why) {
    const NodeId host_node = topo.find_cpu(topo.boot_cpu)->node;
    for (std::uint32_t i = 0; i < w.node_count; ++i) {
        NodeWork& n = w.nodes[i];
        const bool host = n.node->id == host_node;
        if (!n.free.init(*n.node, host ? rq.host_memory : 0)) {
            why.str("the host's node ").dec(host_node.value()).str(" has ")
                .size(n.node->ram_bytes()).str(" of RAM, less than the ")
                .size(rq.host_memory).str(" the host keeps");
            return Error::exhausted;
        }
        if (host && !n.free.take_contiguous(rq.lagoon_size, w.lagoon)) {
            why.str("no ").size(rq.lagoon_size).str(" of contiguous RAM is left for the lagoon on node ")
                .dec(host_node.value()).str(" after the host's ").size(rq.host_memory);
            return Error::exhausted;
        }
    }
    return Error::ok;
}

void describe_nodes(const Work& w, std::uint64_t need, TextWriter& why) {
    why.str("; each needs a free core and ").size(need).str(" on one node; free:");
    for (std::uint32_t i = 0; i < w.node_count; ++i) {
        const NodeWork& n = w.nodes[i];
        why.str(i == 0 ? " " : ", ").str("node ").dec(n.node->id.value()).ch(' ')
            .dec(n.cores).str(n.cores == 1 ? " core " : " cores ").size(n.free.bytes());
    }
}

// Spreads partitions over nodes in proportion to their free cores: each
// goes where free cores per partition stay highest, ties to the lower node.
Status place(const PlanRequest& rq, Work& w, TextWriter& why) {
    const std::uint64_t need = rq.memory_per_partition != 0 ? rq.memory_per_partition
                                                            : min_partition_memory;
    for (std::uint32_t k = 0; k < rq.partitions; ++k) {
        NodeWork* best = nullptr;
        for (std::uint32_t i = 0; i < w.node_count; ++i) {
            NodeWork& n = w.nodes[i];
            const std::uint64_t more = n.assigned + 1;
            if (n.cores < more || n.free.bytes() / more < need)
                continue;
            // n.cores / more > best.cores / (best.assigned + 1), in integers.
            if (best == nullptr ||
                std::uint64_t{n.cores} * (best->assigned + 1) > std::uint64_t{best->cores} * more)
                best = &n;
        }
        if (best == nullptr) {
            why.str("partition ").dec(k + 1).str(" of ").dec(rq.partitions).str(" fits on no node");
            describe_nodes(w, need, why);
            return Error::exhausted;
        }
        ++best->assigned;
    }
    return Error::ok;
}

// The CPUs of the free core led by CPU index `lead` join p.
Status give_core(const Topology& topo, std::size_t lead, Partition& p) {
    const auto cpus = topo.cpu_list();
    for (std::size_t j = 0; j < cpus.size(); ++j)
        if (j == lead || topo.siblings(cpus[lead], cpus[j]))
            ATOLL_TRY(p.add_cpu(cpus[j].apic));
    return Error::ok;
}

void sort_cpus(Partition& p) {
    for (std::uint32_t i = 1; i < p.cpu_count; ++i)
        for (std::uint32_t j = i; j > 0 && p.cpus[j] < p.cpus[j - 1]; --j) {
            const ApicId t = p.cpus[j];
            p.cpus[j] = p.cpus[j - 1];
            p.cpus[j - 1] = t;
        }
}

// One node's partitions: its free cores in blocks, its free RAM in equal
// shares (or the requested size each). Ids continue the plan's count.
Status fill_node(const Topology& topo, const PlanRequest& rq, const Work& w, NodeWork& n,
                 Plan& plan, TextWriter& why) {
    const auto cpus = topo.cpu_list();
    const std::uint64_t share = rq.memory_per_partition != 0
                                    ? rq.memory_per_partition
                                    : (n.free.bytes() / n.assigned) & ~(plan_alignment - 1);
    std::size_t i = 0;        // cursor over the CPU list
    std::uint32_t core = 0;   // free cores of this node handed out so far
    for (std::uint32_t k = 0; k < n.assigned; ++k) {
        auto made = plan.add_partition(PartitionId{plan.partition_count + 1}, n.node->id);
        if (!made)
            return made.error();
        Partition& p = **made;
        const std::uint32_t end = (k + 1) * n.cores / n.assigned;   // >= core + 1: cores >= assigned
        for (; i < cpus.size() && core < end; ++i) {
            if (!w.leader[i] || cpus[i].node != n.node->id)
                continue;
            if (!give_core(topo, i, p)) {
                why.str("partition ").dec(p.id.value()).str(" would get more than ")
                    .dec(max_partition_cpus).str(" CPUs; plan more partitions");
                return Error::exhausted;
            }
            ++core;
        }
        sort_cpus(p);
        if (!n.free.take_into(share, p)) {
            why.str("node ").dec(n.node->id.value()).str("'s free RAM is in more than ")
                .dec(max_partition_ranges).str(" pieces for partition ").dec(p.id.value());
            return Error::exhausted;
        }
    }
    return Error::ok;
}

// The pool is exactly what the host gives up: the lagoon and every
// partition's memory, sorted, with touching ranges merged.
Status build_pool(const Work& w, Plan& plan, TextWriter& why) {
    PhysRange all[1 + max_partitions * max_partition_ranges];
    std::size_t n = 0;
    all[n++] = w.lagoon;
    for (const auto& p : plan.partition_list())
        for (const auto& r : p.memory_list())
            all[n++] = r;
    for (std::size_t a = 1; a < n; ++a)
        for (std::size_t b = a; b > 0 && all[b].start < all[b - 1].start; --b) {
            const PhysRange t = all[b];
            all[b] = all[b - 1];
            all[b - 1] = t;
        }
    plan.pool_count = 0;
    for (std::size_t a = 0; a < n; ++a) {
        if (plan.pool_count > 0 && plan.pool[plan.pool_count - 1].end == all[a].start) {
            plan.pool[plan.pool_count - 1].end = all[a].end;
            continue;
        }
        if (!plan.add_pool(all[a])) {
            why.str("the pool would need more than ").dec(max_pool_ranges).str(" ranges");
            return Error::exhausted;
        }
    }
    return Error::ok;
}

}  // namespace

Status make_plan(const Topology& topo, const PlanRequest& request, Plan& plan, TextWriter& why) {
    PlanRequest rq = request;
    if (rq.host_memory == 0)
        rq.host_memory = default_host_memory;
    if (rq.lagoon_size == 0)
        rq.lagoon_size = default_lagoon_size;
    ATOLL_TRY(check_request(rq, why));

    Work w;
    for (const auto& n : topo.node_list())
        w.nodes[w.node_count++].node = &n;
    ATOLL_TRY(find_cores(topo, w, why));
    if (w.free_cores < rq.partitions) {
        why.dec(rq.partitions).str(rq.partitions == 1 ? " partition needs " : " partitions need ")
            .dec(rq.partitions).str(rq.partitions == 1 ? " free core" : " free cores")
            .str(", the machine has ").dec(w.free_cores).str(" besides the host's");
        return Error::exhausted;
    }
    ATOLL_TRY(find_memory(topo, rq, w, why));
    ATOLL_TRY(place(rq, w, why));

    plan = Plan{};
    plan.lagoon = w.lagoon;
    for (std::uint32_t i = 0; i < w.node_count; ++i)
        if (w.nodes[i].assigned > 0)
            ATOLL_TRY(fill_node(topo, rq, w, w.nodes[i], plan, why));
    ATOLL_TRY(build_pool(w, plan, why));

    // The planner's output must pass the rules like any other plan.
    Refusals refusals;
    if (!check_plan(topo, plan, refusals)) {
        why.str("internal error: the planner's plan fails validation: ")
            .str(refusals.list().empty() ? "?" : refusals.list()[0].message);
        return Error::corrupt;
    }
    return Error::ok;
}

}  // namespace atl::nk
