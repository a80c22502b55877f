// Writing the plan file: parse_plan(write_plan(p)) gives p back.
#include <fstream>

#include "atoll/ssi/planfile.hpp"
#include "atoll/ssi/size.hpp"

namespace atl::ssi {

namespace {

std::string range_text(const PhysRange& r) {
    return format_hex(r.start.value()) + " " + format_size(r.size());
}

// Runs of consecutive ascending APIC IDs become "a-b"; the order is kept.
std::string cpus_text(std::span<const ApicId> cpus) {
    std::string out;
    for (std::size_t i = 0; i < cpus.size();) {
        std::size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1].value() == cpus[j].value() + 1)
            ++j;
        if (!out.empty())
            out += ",";
        out += std::to_string(cpus[i].value());
        if (j > i)
            out += "-" + std::to_string(cpus[j].value());
        i = j + 1;
    }
    return out;
}

}  // namespace

std::string write_plan(const nk::Plan& plan) {
    std::string out = "# atoll plan, revision " + std::to_string(plan_file_revision) + "\n";
    out += "# CPUs are APIC IDs; sizes are binary (1G = 2^30 bytes); ranges are ADDRESS SIZE.\n";
    out += "# The pool is reserved from the host at boot; the lagoon lies inside it.\n";
    out += "lagoon " + range_text(plan.lagoon) + "\n";
    for (const auto& r : plan.pool_list())
        out += "pool " + range_text(r) + "\n";
    for (const auto& p : plan.partition_list()) {
        out += "partition " + std::to_string(p.id.value()) + " node " +
               std::to_string(p.node.value()) + " cpus " + cpus_text(p.cpu_list()) + " memory ";
        bool first = true;
        for (const auto& r : p.memory_list()) {
            out += (first ? "" : ", ") + range_text(r);
            first = false;
        }
        out += "\n";
    }
    return out;
}

void write_plan_file(const std::filesystem::path& path, const nk::Plan& plan) {
    std::ofstream out(path);
    out << write_plan(plan);
    out.close();
    if (!out)
        throw Failure("cannot write the plan file " + path.string());
}

}  // namespace atl::ssi
