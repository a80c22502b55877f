// `atoll nodes`: every kernel of the cluster, from the local atolld's
// membership table.
#include <cstdio>
#include <iostream>
#include <sstream>

#include "atoll/ssi/failure.hpp"
#include "atoll/wire/messages.hpp"
#include "cli.hpp"
#include "daemon_link.hpp"
#include "json_text.hpp"

namespace atl::cli {
namespace {

void print_help() {
    std::cout <<
R"(NAME
    atoll nodes - show every kernel of the cluster

SYNOPSIS
    atoll nodes [--json]

DESCRIPTION
    One line per kernel (node): the host and every partition, from the
    local atolld, which asks each node's daemon for its status every second:
    its id, name, address, state, CPUs, the host NUMA node its CPUs and
    RAM are on (a partition's from the partition table, the host's that of
    its boot CPU; - when unknown), available and total memory, load
    averages (1, 5, 15 minutes) and uptime. States:

      up            its daemon answered within the last 3 seconds
      daemon-down   its kernel runs (the partition table says so) but its
                    daemon does not answer
      stopped       the partition is stopped, or not booted
      unreachable   no answer, and nothing says why (a partition does not
                    see the host's table while the host is silent)

    A node that stops answering is marked within about 3 seconds; it is up
    again with its first answer.

    With --json, prints {"nodes": [...]} with the same fields (memory in
    KiB, loads as numbers, uptime in seconds, numa_node: null if unknown,
    last_answer_ms: since its daemon last answered, null if never) for
    scripts.

EXIT STATUS
    0 on success; 1 when the local atolld does not answer; 2 usage error
)";
}


std::string load(std::uint32_t x100) {
    char b[16];
    std::snprintf(b, sizeof b, "%u.%02u", x100 / 100, x100 % 100);
    return b;
}

std::string uptime(std::uint64_t s) {
    char b[32];
    if (s >= 86400)
        std::snprintf(b, sizeof b, "%llud%02lluh", static_cast<unsigned long long>(s / 86400),
                      static_cast<unsigned long long>(s % 86400 / 3600));
    else if (s >= 3600)
        std::snprintf(b, sizeof b, "%lluh%02llum", static_cast<unsigned long long>(s / 3600),
                      static_cast<unsigned long long>(s % 3600 / 60));
    else
        std::snprintf(b, sizeof b, "%llum%02llus", static_cast<unsigned long long>(s / 60),
                      static_cast<unsigned long long>(s % 60));
    return b;
}

std::string numa_json(std::uint32_t node) { return node == ATOLL_NUMA_UNKNOWN ? "null" : std::to_string(node); }

std::string numa_text(std::uint32_t node) { return node == ATOLL_NUMA_UNKNOWN ? "-" : std::to_string(node); }

void print_json(const wire::Nodes& n) {
    std::ostringstream o;
    o << "{\"nodes\": [";
    for (std::size_t i = 0; i < n.nodes.size(); ++i) {
        const auto& e = n.nodes[i];
        const bool known = e.since_ms != UINT64_MAX;
        o << (i ? ",\n  " : "\n  ") << "{\"id\": " << e.id << ", \"name\": " << json_string(e.name)
          << ", \"address\": " << json_string(e.address) << ", \"state\": \"" << node_state_word(e.state) << "\"";
        if (known)
            o << ", \"cpus\": " << e.status.cpus << ", \"numa_node\": " << numa_json(e.status.numa_node)
              << ", \"mem_total_kib\": " << e.status.mem_total_kib
              << ", \"mem_available_kib\": " << e.status.mem_available_kib << ", \"load\": [" << load(e.status.load1)
              << ", " << load(e.status.load5) << ", " << load(e.status.load15) << "], \"uptime_s\": "
              << e.status.uptime_s << ", \"last_answer_ms\": " << e.since_ms;
        else
            o << ", \"cpus\": null, \"numa_node\": " << numa_json(e.status.numa_node) << ", \"mem_total_kib\": null, \"mem_available_kib\": null, \"load\": null, "
                 "\"uptime_s\": null, \"last_answer_ms\": null";
        o << "}";
    }
    o << "\n]}\n";
    std::cout << o.str();
}

void print_text(const wire::Nodes& n) {
    std::printf("%-3s %-8s %-16s %-12s %4s %4s %20s %-16s %s\n", "ID", "NAME", "ADDRESS", "STATE", "CPUS",
                "NUMA", "MEMORY (avail/total)", "LOAD 1 5 15", "UPTIME");
    for (const auto& e : n.nodes) {
        if (e.since_ms == UINT64_MAX || e.state != ATOLL_NODE_UP) {   // last values are history
            std::printf("%-3u %-8s %-16s %-12s %4s %4s %20s %-16s %s\n", e.id, e.name.c_str(), e.address.c_str(),
                        node_state_word(e.state), "-", numa_text(e.status.numa_node).c_str(), "-", "-", "-");
            continue;
        }
        char mem[40];
        std::snprintf(mem, sizeof mem, "%llu/%llu MiB",
                      static_cast<unsigned long long>(e.status.mem_available_kib / 1024),
                      static_cast<unsigned long long>(e.status.mem_total_kib / 1024));
        const std::string l = load(e.status.load1) + " " + load(e.status.load5) + " " + load(e.status.load15);
        std::printf("%-3u %-8s %-16s %-12s %4u %4s %20s %-16s %s\n", e.id, e.name.c_str(), e.address.c_str(),
                    node_state_word(e.state), e.status.cpus, numa_text(e.status.numa_node).c_str(), mem, l.c_str(),
                    uptime(e.status.uptime_s).c_str());
    }
}

int run_nodes(const Args& args) {
    bool json = false;
    for (std::string_view a : args) {
        if (a == "--help" || a == "-h") {
            print_help();
            return exit_ok;
        }
        if (a == "--json")
            json = true;
        else
            throw UsageError("unknown argument '" + std::string(a) + "'");
    }
    DaemonLink link;
    const wire::Frame f = ask(link, ATOLL_WIRE_NODES_REQ, {}, ATOLL_WIRE_NODES);
    const auto nodes = wire::Nodes::decode(f.payload);
    if (!nodes)
        throw ssi::Failure("atolld sent a malformed node table");
    if (json)
        print_json(*nodes);
    else
        print_text(*nodes);
    return exit_ok;
}

}  // namespace

const Command nodes_command{"nodes", "show every kernel of the cluster (from atolld)", run_nodes};

}  // namespace atl::cli
