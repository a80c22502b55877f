// This node's STATUS (local_status.hpp).
#include "local_status.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "atoll/ssi/control.hpp"
#include "atoll/ssi/probe.hpp"

namespace atl::atolld {

namespace {

std::uint64_t meminfo(const std::string& key) {
    std::ifstream in("/proc/meminfo");
    std::string k;
    std::uint64_t v = 0;
    std::string unit;
    while (in >> k >> v) {
        std::getline(in, unit);
        if (k == key + ":")
            return v;
    }
    return 0;
}

}  // namespace

wire::Status local_status(const Config& cfg, const std::optional<std::vector<wire::PartitionState>>& table) {
    wire::Status s;
    s.node = cfg.self;
    s.name = cfg.name;
    const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
    s.cpus = cpus > 0 ? static_cast<std::uint32_t>(cpus) : 0;
    s.mem_total_kib = meminfo("MemTotal");
    s.mem_available_kib = meminfo("MemAvailable");
    double l1 = 0, l5 = 0, l15 = 0;
    std::ifstream("/proc/loadavg") >> l1 >> l5 >> l15;
    s.load1 = static_cast<std::uint32_t>(l1 * 100 + 0.5);
    s.load5 = static_cast<std::uint32_t>(l5 * 100 + 0.5);
    s.load15 = static_cast<std::uint32_t>(l15 * 100 + 0.5);
    double up = 0;
    std::ifstream("/proc/uptime") >> up;
    s.uptime_s = static_cast<std::uint64_t>(up);
    if (cfg.host) {
        // Read once: the boot CPU never moves. A partition leaves it
        // unknown (its kernel sees one made-up node); the host's partition
        // table says where each partition is.
        static const std::uint32_t node = ssi::boot_cpu_numa_node().value_or(ATOLL_NUMA_UNKNOWN);
        s.numa_node = node;
        s.partitions = table.value_or(std::vector<wire::PartitionState>{});
    }
    return s;
}

std::optional<std::vector<wire::PartitionState>> local_partition_table() {
    try {
        const ssi::Control ctl;
        const auto l = ctl.list();
        std::vector<wire::PartitionState> out;
        for (std::uint32_t i = 0; i < l.count; i++)
            out.push_back({l.partitions[i].partition_id, l.partitions[i].state, l.partitions[i].numa_node});
        return out;
    } catch (const std::exception&) {
        return std::nullopt;   // no /dev/atoll: not an Atoll host
    }
}

}  // namespace atl::atolld
