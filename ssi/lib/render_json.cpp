// The plan as JSON for tools; hand-written, no dependency.
#include "atoll/ssi/render.hpp"
#include "atoll/ssi/size.hpp"

namespace atl::ssi {

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                static constexpr char hex[] = "0123456789abcdef";
                out += "\\u00";
                out += hex[(c >> 4) & 0xf];
                out += hex[c & 0xf];
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

namespace {

std::string range_json(const PhysRange& r) {
    return "{\"start\": " + json_string(format_hex(r.start.value())) +
           ", \"end\": " + json_string(format_hex(r.end.value())) +
           ", \"size\": " + std::to_string(r.size()) + "}";
}

template <class Range, class F>
std::string array_json(const Range& items, F f) {
    std::string out = "[";
    for (const auto& i : items)
        out += (out.size() > 1 ? ", " : "") + f(i);
    return out + "]";
}

std::string machine_json(const nk::Topology& topo) {
    std::string out = "{\"boot_apic\": " + std::to_string(topo.boot_cpu.value()) + ", \"cpus\": ";
    out += array_json(topo.cpu_list(), [](const nk::Cpu& c) {
        return "{\"apic\": " + std::to_string(c.apic.value()) +
               ", \"node\": " + std::to_string(c.node.value()) + ", \"core\": " +
               (c.core == nk::unknown_core ? std::string("null") : std::to_string(c.core.value())) + "}";
    });
    out += ", \"nodes\": ";
    out += array_json(topo.node_list(), [](const nk::NumaNode& n) {
        return "{\"id\": " + std::to_string(n.id.value()) +
               ", \"ram\": " + array_json(n.ram(), range_json) + "}";
    });
    return out + "}";
}

std::string partition_json(const nk::Partition& p) {
    return "{\"id\": " + std::to_string(p.id.value()) + ", \"node\": " + std::to_string(p.node.value()) +
           ", \"cpus\": " +
           array_json(p.cpu_list(), [](ApicId a) { return std::to_string(a.value()); }) +
           ", \"memory_bytes\": " + std::to_string(p.memory_bytes()) +
           ", \"memory\": " + array_json(p.memory_list(), range_json) + "}";
}

}  // namespace

std::string render_plan_json(const nk::Topology& topo, const nk::Plan& plan) {
    std::string out = "{\n  \"machine\": " + machine_json(topo) + ",\n";
    out += "  \"plan\": {\"lagoon\": " + range_json(plan.lagoon) +
           ", \"pool\": " + array_json(plan.pool_list(), range_json) +
           ", \"partitions\": " + array_json(plan.partition_list(), partition_json) + "},\n";
    out += "  \"host_kernel_parameters\": " + array_json(host_kernel_params(topo, plan), json_string) + ",\n";
    out += "  \"host_kernel_parameters_note\": " +
           json_string("memmap=SIZE$ADDRESS reserves each pool range at the host's boot; "
                       "atoll.lagoon= and atoll.pool= tell atoll.ko where the lagoon and "
                       "the pool (by NUMA node) are; the box adds them all to the host's "
                       "command line") + "\n}\n";
    return out;
}

std::string render_refusals_json(const nk::Refusals& refusals) {
    std::string out = "{\"valid\": " + std::string(refusals.empty() ? "true" : "false") + ", \"refusals\": ";
    out += array_json(refusals.list(), [](const nk::Refusal& r) {
        return "{\"rule\": " + json_string(nk::rule_name(r.rule)) +
               ", \"message\": " + json_string(r.message) + "}";
    });
    return out + ", \"dropped\": " + std::to_string(refusals.dropped()) + "}\n";
}

std::string render_error_json(const std::string& message) {
    return "{\"error\": " + json_string(message) + "}\n";
}

}  // namespace atl::ssi
