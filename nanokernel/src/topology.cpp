// Topology building and look-ups; see topology.hpp for the invariants.
#include "atoll/nk/topology.hpp"

namespace atl::nk {

namespace {
template <class T, std::size_t N>
std::span<const T> clamped(const std::array<T, N>& a, std::uint32_t count) {
    return std::span<const T>(a.data(), count < N ? count : N);
}
}  // namespace

std::span<const PhysRange> NumaNode::ram() const { return clamped(ranges, range_count); }

std::uint64_t NumaNode::ram_bytes() const {
    std::uint64_t sum = 0;
    for (const auto& r : ram())
        sum += r.size();
    return sum;
}

std::span<const Cpu> Topology::cpu_list() const { return clamped(cpus, cpu_count); }
std::span<const NumaNode> Topology::node_list() const { return clamped(nodes, node_count); }

const Cpu* Topology::find_cpu(ApicId apic) const {
    for (const auto& c : cpu_list())
        if (c.apic == apic)
            return &c;
    return nullptr;
}

const NumaNode* Topology::find_node(NodeId id) const {
    for (const auto& n : node_list())
        if (n.id == id)
            return &n;
    return nullptr;
}

Status Topology::add_node(NodeId id) {
    if (find_node(id) != nullptr)
        return Error::invalid_argument;
    if (node_count >= max_nodes)
        return Error::exhausted;
    nodes[node_count] = NumaNode{};
    nodes[node_count].id = id;
    ++node_count;
    return Error::ok;
}

Status Topology::add_cpu(const Cpu& cpu) {
    if (find_node(cpu.node) == nullptr)
        return Error::not_found;
    if (find_cpu(cpu.apic) != nullptr)
        return Error::invalid_argument;
    if (cpu_count >= max_cpus)
        return Error::exhausted;
    cpus[cpu_count++] = cpu;
    return Error::ok;
}

Status Topology::add_ram(NodeId id, PhysRange range) {
    if (range.empty())
        return Error::invalid_argument;
    NumaNode* node = nullptr;
    for (std::uint32_t i = 0; i < node_count && i < max_nodes; ++i)
        if (nodes[i].id == id)
            node = &nodes[i];
    if (node == nullptr)
        return Error::not_found;
    for (const auto& n : node_list())
        for (const auto& r : n.ram())
            if (r.overlaps(range))
                return Error::overlap;
    if (node->range_count >= max_node_ranges)
        return Error::exhausted;
    // Insertion keeps the ranges sorted by start address.
    std::uint32_t at = node->range_count;
    while (at > 0 && range.start < node->ranges[at - 1].start) {
        node->ranges[at] = node->ranges[at - 1];
        --at;
    }
    node->ranges[at] = range;
    ++node->range_count;
    return Error::ok;
}

namespace {
// Advances a cursor through whichever range holds it; each step moves the
// cursor strictly forward, so it ends within `limit` steps (the number of
// ranges). for_each(f) calls f(range) for every range and stops when f
// returns true.
template <class ForEach>
bool covered(const PhysRange& r, std::size_t limit, ForEach for_each) {
    PhysAddr cursor = r.start;
    for (std::size_t step = 0; step <= limit && cursor < r.end; ++step) {
        bool moved = false;
        for_each([&](const PhysRange& s) {
            if (!(cursor < s.start) && cursor < s.end) {
                cursor = s.end;
                moved = true;
            }
            return moved;
        });
        if (!moved)
            return false;
    }
    return !(cursor < r.end);
}
}  // namespace

bool covered_by(const PhysRange& r, std::span<const PhysRange> ranges) {
    return covered(r, ranges.size(), [&](auto f) {
        for (const auto& s : ranges)
            if (f(s))
                return;
    });
}

bool covered_by_ram(const PhysRange& r, const Topology& topo) {
    return covered(r, max_nodes * max_node_ranges, [&](auto f) {
        for (const auto& n : topo.node_list())
            for (const auto& s : n.ram())
                if (f(s))
                    return;
    });
}

}  // namespace atl::nk
