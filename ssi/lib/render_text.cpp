// The plan as text for people.
#include <map>
#include <sstream>

#include "atoll/ssi/render.hpp"
#include "atoll/ssi/size.hpp"

namespace atl::ssi {

namespace {

std::string apic_list(const std::vector<std::uint32_t>& ids) {
    std::string out;
    for (const auto id : ids)
        out += (out.empty() ? "" : ",") + std::to_string(id);
    return out.empty() ? "-" : out;
}

// For people: exact in the largest unit that fits when it divides (512M),
// else about, to a tenth of that unit (~24.0G).
std::string human_size(std::uint64_t bytes) {
    constexpr struct {
        std::uint64_t unit;
        char suffix;
    } units[] = {{1024 * GiB, 'T'}, {GiB, 'G'}, {MiB, 'M'}, {KiB, 'K'}};
    for (const auto& u : units) {
        if (bytes < u.unit)
            continue;
        if (bytes % u.unit == 0)
            return format_size(bytes);
        const std::uint64_t tenths = bytes / (u.unit / 1024) * 10 / 1024;
        return "~" + std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + u.suffix;
    }
    return format_size(bytes);
}

std::string range_text(const PhysRange& r) {
    return "[" + format_hex(r.start.value()) + ", " + format_hex(r.end.value()) + ")  " +
           human_size(r.size());
}

}  // namespace

std::string render_machine_text(const nk::Topology& topo) {
    std::ostringstream out;
    std::uint64_t ram = 0;
    for (const auto& n : topo.node_list())
        ram += n.ram_bytes();
    out << "machine: " << topo.cpu_list().size() << " CPUs, " << topo.node_list().size()
        << (topo.node_list().size() == 1 ? " NUMA node, " : " NUMA nodes, ") << human_size(ram)
        << " of RAM; the host boots on APIC " << topo.boot_cpu.value() << "\n";
    for (const auto& n : topo.node_list()) {
        std::vector<std::uint32_t> apics;
        for (const auto& c : topo.cpu_list())
            if (c.node == n.id)
                apics.push_back(c.apic.value());
        out << "  node " << n.id.value() << ": APIC " << apic_list(apics) << "\n";
        for (const auto& r : n.ram())
            out << "    RAM " << range_text(r) << "\n";
    }
    // SMT cores with more than one thread, so the reader sees why CPUs go together.
    std::map<std::uint32_t, std::vector<std::uint32_t>> cores;
    for (const auto& c : topo.cpu_list())
        if (c.core != nk::unknown_core)
            cores[c.core.value()].push_back(c.apic.value());
    bool any_smt = false;
    for (const auto& [core, apics] : cores)
        if (apics.size() > 1) {
            out << (any_smt ? ", " : "  SMT siblings: ") << "{" << apic_list(apics) << "}";
            any_smt = true;
        }
    if (any_smt)
        out << "\n";
    return out.str();
}

std::string render_plan_text(const nk::Topology& topo, const nk::Plan& plan) {
    std::ostringstream out;
    out << render_machine_text(topo) << "\n";
    const auto parts = plan.partition_list();
    out << "plan: " << parts.size() << (parts.size() == 1 ? " partition" : " partitions")
        << ", pool " << human_size(plan.pool_bytes()) << "\n";
    std::vector<std::uint32_t> host_cpus;
    for (const auto& c : topo.cpu_list()) {
        bool taken = false;
        for (const auto& p : parts)
            taken = taken || p.holds(c.apic);
        if (!taken)
            host_cpus.push_back(c.apic.value());
    }
    std::uint64_t ram = 0;
    for (const auto& n : topo.node_list())
        ram += n.ram_bytes();
    out << "  host (partition 0): APIC " << apic_list(host_cpus) << "; memory: all RAM outside the pool ("
        << human_size(ram > plan.pool_bytes() ? ram - plan.pool_bytes() : 0) << ")\n";
    out << "  lagoon: " << range_text(plan.lagoon) << "\n";
    for (const auto& r : plan.pool_list())
        out << "  pool:   " << range_text(r) << "\n";
    for (const auto& p : parts) {
        std::vector<std::uint32_t> apics;
        for (const auto a : p.cpu_list())
            apics.push_back(a.value());
        out << "  partition " << p.id.value() << ": node " << p.node.value() << ", APIC "
            << apic_list(apics) << ", " << human_size(p.memory_bytes()) << "\n";
        for (const auto& r : p.memory_list())
            out << "    memory " << range_text(r) << "\n";
    }
    out << "\nhost kernel parameters (reserve the pool at the host's boot; the box adds\n"
           "them to the host's command line, and in a GRUB config write \\$ for $):\n ";
    for (const auto& p : host_kernel_params(topo, plan))
        out << " " << p;
    out << "\n";
    return out.str();
}

std::string render_refusals_text(const nk::Refusals& refusals) {
    std::string out;
    for (const auto& r : refusals.list())
        out += std::string(r.message) + "\n";
    if (refusals.dropped() > 0)
        out += "(" + std::to_string(refusals.dropped()) + " more refusals not shown)\n";
    return out;
}

}  // namespace atl::ssi
