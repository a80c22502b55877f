// The machine probe: see probe.hpp for what it reads and why.
#include "atoll/ssi/probe.hpp"

#include "atoll/ssi/control.hpp"

#include <numa.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "atoll/ssi/failure.hpp"
#include "atoll/ssi/probe_parse.hpp"
#include "atoll/ssi/size.hpp"

namespace atl::ssi {

namespace {

namespace fs = std::filesystem;

std::optional<std::string> read_optional(const fs::path& p) {
    std::ifstream in(p);
    if (!in)
        return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string read_file(const fs::path& p) {
    auto text = read_optional(p);
    if (!text)
        throw Failure("cannot read " + p.string());
    return *text;
}

// Node -> its logical CPUs.
using NodeCpus = std::map<unsigned, std::vector<unsigned>>;

std::optional<NodeCpus> nodes_from_libnuma() {
    if (numa_available() < 0)
        return std::nullopt;
    NodeCpus nodes;
    bitmask* cpus = numa_allocate_cpumask();
    for (int n = 0; n <= numa_max_node(); ++n) {
        if (!numa_bitmask_isbitset(numa_nodes_ptr, static_cast<unsigned>(n)))
            continue;
        auto& list = nodes[static_cast<unsigned>(n)];
        if (numa_node_to_cpus(n, cpus) == 0)
            for (unsigned c = 0; c < cpus->size; ++c)
                if (numa_bitmask_isbitset(cpus, c))
                    list.push_back(c);
    }
    numa_free_cpumask(cpus);
    return nodes;
}

std::optional<NodeCpus> nodes_from_sysfs(const fs::path& root) {
    const fs::path dir = root / "sys/devices/system/node";
    const auto online = read_optional(dir / "online");
    if (!online)
        return std::nullopt;
    NodeCpus nodes;
    for (const unsigned n : parse_id_list(*online))
        nodes[n] = parse_id_list(read_file(dir / ("node" + std::to_string(n)) / "cpulist"));
    return nodes;
}

}  // namespace

std::optional<unsigned> boot_cpu_numa_node(const fs::path& root) {
    try {
        const auto nodes = nodes_from_sysfs(root);
        if (!nodes)
            return std::nullopt;
        for (const auto& [n, cpus] : *nodes)
            if (std::find(cpus.begin(), cpus.end(), 0u) != cpus.end())
                return n;
    } catch (const Failure&) {
    }
    return std::nullopt;
}

namespace {

// Core id of a logical CPU: its lowest SMT sibling, or unknown.
nk::CoreId core_of(const fs::path& root, unsigned cpu) {
    const auto text = read_optional(root / "sys/devices/system/cpu" / ("cpu" + std::to_string(cpu)) /
                                    "topology/thread_siblings_list");
    if (!text)
        return nk::unknown_core;
    const auto siblings = parse_id_list(*text);
    if (siblings.empty())
        return nk::unknown_core;
    return nk::CoreId{*std::min_element(siblings.begin(), siblings.end())};
}

void check(Status s, const std::string& what) {
    if (!s)
        throw Failure(what + ": " + error_name(s.error()));
}

}  // namespace

nk::Topology probe_machine(const fs::path& root) {
    const auto cpuinfo = parse_cpuinfo(read_file(root / "proc/cpuinfo"));
    std::map<unsigned, ApicId> apic_of;
    for (const auto& c : cpuinfo)
        apic_of[c.processor] = c.apic;
    if (!apic_of.contains(0))
        throw Failure("/proc/cpuinfo has no processor 0, the boot CPU");

    std::optional<NodeCpus> nodes;
    std::error_code ec;
    if (fs::equivalent(root, "/", ec))
        nodes = nodes_from_libnuma();
    if (!nodes)
        nodes = nodes_from_sysfs(root);
    if (!nodes) {   // a kernel without NUMA: one node holds everything
        nodes.emplace();
        for (const auto& c : cpuinfo)
            (*nodes)[0].push_back(c.processor);
    }

    const auto ram = parse_iomem_ram(read_file(root / "proc/iomem"));
    if (ram.empty())
        throw Failure("/proc/iomem lists no System RAM");
    if (std::all_of(ram.begin(), ram.end(), [](const PhysRange& r) { return r.start.value() == 0; }))
        throw Failure("/proc/iomem shows zero addresses: run as root to read the machine's RAM");
    const auto spans = parse_zoneinfo(read_file(root / "proc/zoneinfo"));
    for (const auto& s : spans)
        (*nodes)[s.node];   // a node with memory and no CPU is a node too

    auto topo = nk::Topology{};
    topo.boot_cpu = apic_of.at(0);
    for (const auto& [node, cpus] : *nodes) {
        check(topo.add_node(NodeId{node}), "node " + std::to_string(node));
        for (const unsigned cpu : cpus) {
            const auto apic = apic_of.find(cpu);
            if (apic == apic_of.end())
                continue;   // offline: not in /proc/cpuinfo, not ours to plan
            check(topo.add_cpu(nk::Cpu{apic->second, NodeId{node}, core_of(root, cpu)}),
                  "cpu " + std::to_string(cpu) + " (APIC " + std::to_string(apic->second.value()) + ")");
        }
    }
    for (const auto& s : spans)
        for (const auto& r : ram) {
            const PhysRange part{std::max(r.start, s.span.start), std::min(r.end, s.span.end)};
            if (!part.empty())
                check(topo.add_ram(NodeId{s.node}, part),
                      "RAM at " + format_hex(part.start.value()) + " of node " + std::to_string(s.node));
        }
    if (topo.find_cpu(topo.boot_cpu) == nullptr)
        throw Failure("the boot CPU (processor 0) is on no NUMA node");
    // A running Atoll host: plan the whole machine, lent parts included.
    if (fs::equivalent(root, "/", ec) && fs::exists(ATOLL_DEVICE_PATH))
        add_lent_resources(topo, Control().machine());
    return topo;
}

void add_lent_resources(nk::Topology& topo, const atoll_machine& m) {
    for (std::uint32_t i = 0; i < std::min(m.cpu_count, ATOLL_MACHINE_MAX_CPUS); i++) {
        const auto& c = m.cpus[i];
        if (topo.find_cpu(ApicId{c.apic_id}))
            continue;
        if (!topo.find_node(NodeId{c.node}))
            check(topo.add_node(NodeId{c.node}), "node " + std::to_string(c.node));
        check(topo.add_cpu(nk::Cpu{ApicId{c.apic_id}, NodeId{c.node}, nk::CoreId{c.core}}),
              "lent CPU (APIC " + std::to_string(c.apic_id) + ")");
    }
    for (std::uint32_t i = 0; i < std::min(m.pool_count, ATOLL_MAX_POOL_RANGES); i++) {
        const auto& p = m.pool[i];
        if (!topo.find_node(NodeId{p.node}))
            check(topo.add_node(NodeId{p.node}), "node " + std::to_string(p.node));
        check(topo.add_ram(NodeId{p.node}, {PhysAddr{p.start}, PhysAddr{p.end}}),
              "pool RAM at " + format_hex(p.start) + " of node " + std::to_string(p.node));
    }
}

}  // namespace atl::ssi
