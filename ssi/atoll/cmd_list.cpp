// `atoll list`: the partitions and their state.
#include <cstdio>
#include <iostream>
#include <sstream>

#include "atoll/ssi/control.hpp"
#include "atoll/ssi/size.hpp"
#include "cli.hpp"

namespace atl::cli {
namespace {

void print_help() {
    std::cout <<
R"(NAME
    atoll list - show the partitions of this box

SYNOPSIS
    atoll list [--json]

DESCRIPTION
    One line per partition the host has started: its id, state, CPUs (APIC
    IDs), NUMA node, memory and uptime. States:

      booting   the CPU was started; the partition kernel has not attached
                to the lagoon yet
      running   the partition's heartbeat is seen in the lagoon
      stopped   the partition's CPUs are parked; REASON says why

    With --json, prints one JSON object {"partitions": [...]} with the same
    fields (memory as [start, end) ranges of hex strings, sizes in bytes,
    uptime in seconds) for scripts.

EXIT STATUS
    0 on success, 1 when the host's atoll module cannot be reached.
)";
}

std::string cpus_of(const atoll_partition_info& p) {
    std::string s;
    for (std::uint32_t i = 0; i < p.cpu_count; i++)
        s += (i ? "," : "") + std::to_string(p.apic_ids[i]);
    return s;
}

std::uint64_t bytes_of(const atoll_partition_info& p) {
    std::uint64_t n = 0;
    for (std::uint32_t i = 0; i < p.mem_range_count; i++)
        n += p.mem_ranges[i].end - p.mem_ranges[i].start;
    return n;
}

std::string hex(std::uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "\"0x%llx\"", static_cast<unsigned long long>(v));
    return b;
}

void print_json(const atoll_list& l) {
    std::ostringstream o;
    o << "{\"partitions\": [";
    for (std::uint32_t i = 0; i < l.count; i++) {
        const auto& p = l.partitions[i];
        o << (i ? ", " : "") << "{\"id\": " << p.partition_id << ", \"state\": \""
          << ssi::state_name(p.state) << "\", \"reason\": \"" << ssi::reason_name(p.reason)
          << "\", \"cpus\": [" << cpus_of(p) << "], \"node\": " << p.numa_node
          << ", \"memory_bytes\": " << bytes_of(p) << ", \"memory\": [";
        for (std::uint32_t m = 0; m < p.mem_range_count; m++)
            o << (m ? ", " : "") << "[" << hex(p.mem_ranges[m].start) << ", "
              << hex(p.mem_ranges[m].end) << "]";
        o << "], \"uptime_s\": " << p.uptime_ns / 1000000000ull << "." << (p.uptime_ns / 1000000ull) % 1000 / 100
          << ", \"heartbeat\": " << p.heartbeat << "}";
    }
    o << "]}\n";
    std::cout << o.str();
}

int run(const Args& args) {
    ArgReader in(args);
    bool json = false;
    while (!in.done()) {
        if (in.flag("--help")) {
            print_help();
            return exit_ok;
        } else if (in.flag("--json")) {
            json = true;
        } else {
            in.unknown();
        }
    }
    ssi::Control ctl;
    auto l = ctl.list();
    if (json) {
        print_json(l);
        return exit_ok;
    }
    std::printf("%-3s %-8s %-8s %-5s %-8s %-10s %s\n", "ID", "STATE", "CPUS", "NODE", "MEMORY",
                "UPTIME", "REASON");
    for (std::uint32_t i = 0; i < l.count; i++) {
        const auto& p = l.partitions[i];
        char up[32] = "-";
        if (p.uptime_ns)
            std::snprintf(up, sizeof up, "%llu.%llus",
                          static_cast<unsigned long long>(p.uptime_ns / 1000000000ull),
                          static_cast<unsigned long long>(p.uptime_ns / 100000000ull % 10));
        std::printf("%-3u %-8s %-8s %-5u %-8s %-10s %s\n", p.partition_id,
                    ssi::state_name(p.state), cpus_of(p).c_str(), p.numa_node,
                    ssi::format_size(bytes_of(p)).c_str(), up, ssi::reason_name(p.reason));
    }
    if (l.count == 0)
        std::printf("(no partitions; start some with atoll boot)\n");
    return exit_ok;
}

}  // namespace

const Command list_command{"list", "show the partitions, their state, CPUs, memory and uptime", run};

}  // namespace atl::cli
