// `atoll ps`: every process of every kernel, as NODE:PID.
#include <cstdio>
#include <ctime>
#include <iostream>
#include <optional>
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
    atoll ps - list the processes of every kernel of the cluster

SYNOPSIS
    atoll ps [--node NODE] [-u USER] [--workload NAME] [--json]

DESCRIPTION
    One line per process of every node that is up (atoll nodes), asked
    through atolld: NODE:PID (what atoll kill takes), user, state (a /proc
    state letter: R running, S sleeping, D disk wait, Z zombie, T stopped,
    I idle), CPU use since the process started (%, of one CPU), resident
    memory, start time, the workload it belongs to (atoll start; "-" for
    none) and command line. Kernel threads show their name in brackets.
    A workload's processes show under its name on whichever node it runs,
    also after atoll migrate moved it.

    Nodes that are not up are named on standard error and skipped.

OPTIONS
    --node NODE   only this node (a name or an id)
    -u USER       only this user's processes
    --workload NAME
                  only the processes of workload NAME
    --json        {"processes": [...]} for scripts (start in seconds since
                  the epoch, rss in KiB, cpu_percent as a number, workload
                  "" for none)
    --help        print this help and exit

EXIT STATUS
    0 listed; 1 the local atolld does not answer, or an unknown node; 2 usage
)";
}

std::string start_text(std::uint64_t t) {
    const std::time_t when = static_cast<std::time_t>(t), now = std::time(nullptr);
    char b[32];
    std::tm tm{};
    ::localtime_r(&when, &tm);
    std::strftime(b, sizeof b, now - when < 86400 ? "%H:%M" : "%b%d", &tm);
    return b;
}

int run_ps(const Args& args) {
    std::optional<std::string> node, user, workload;
    bool json = false;
    ArgReader r(args);
    while (!r.done()) {
        if (r.flag("--help") || r.flag("-h")) {
            print_help();
            return exit_ok;
        } else if (r.flag("--json")) {
            json = true;
        } else if (auto v = r.option("--node")) {
            node = *v;
        } else if (auto u = r.option("-u")) {
            user = *u;
        } else if (auto w = r.option("--workload")) {
            workload = *w;
        } else {
            r.unknown();
        }
    }
    const wire::Nodes table = node_table();
    std::vector<wire::NodeEntry> nodes;
    if (node)
        nodes.push_back(find_node(table, *node));
    else
        for (const auto& e : table.nodes)
            if (e.state == ATOLL_NODE_UP)
                nodes.push_back(e);
    std::ostringstream js;
    js << "{\"processes\": [";
    bool first = true;
    if (!json)
        std::printf("%-12s %-8s %s %5s %9s %-6s %-10s %s\n", "NODE:PID", "USER", "S", "%CPU", "RSS", "START",
                    "WORKLOAD", "COMMAND");
    for (const auto& n : nodes) {
        std::optional<wire::Processes> ps;
        try {
            auto link = routed_link(n.id);
            ps = wire::Processes::decode(ask(*link, ATOLL_WIRE_PS_REQ, {}, ATOLL_WIRE_PS).payload);
        } catch (const ssi::Failure& e) {
            std::cerr << "atoll ps: " << n.name << ": " << e.what() << "\n";
            continue;
        }
        if (!ps) {
            std::cerr << "atoll ps: " << n.name << ": a malformed answer\n";
            continue;
        }
        for (const auto& p : ps->list) {
            if ((user && p.user != *user) || (workload && p.workload != *workload))
                continue;
            const std::string id = n.name + ":" + std::to_string(p.pid);
            if (json) {
                js << (first ? "\n  " : ",\n  ") << "{\"node\": " << json_string(n.name) << ", \"pid\": " << p.pid
                   << ", \"user\": " << json_string(p.user) << ", \"state\": \"" << static_cast<char>(p.state)
                   << "\", \"cpu_percent\": " << p.cpu_permille / 10 << "." << p.cpu_permille % 10
                   << ", \"rss_kib\": " << p.rss_kib << ", \"start\": " << p.start
                   << ", \"workload\": " << json_string(p.workload) << ", \"command\": " << json_string(p.command)
                   << "}";
                first = false;
                continue;
            }
            std::printf("%-12s %-8s %c %3u.%u %7lluK %-6s %-10s %s\n", id.c_str(), p.user.c_str(),
                        static_cast<char>(p.state), p.cpu_permille / 10, p.cpu_permille % 10,
                        static_cast<unsigned long long>(p.rss_kib), start_text(p.start).c_str(),
                        p.workload.empty() ? "-" : p.workload.c_str(), p.command.c_str());
        }
    }
    for (const auto& e : table.nodes)
        if (!node && e.state != ATOLL_NODE_UP)
            std::cerr << "atoll ps: " << e.name << " skipped (not up)\n";
    if (json)
        std::cout << js.str() << "\n]}\n";
    return exit_ok;
}

}  // namespace

const Command ps_command{"ps", "list the processes of every kernel as NODE:PID (through atolld)", run_ps};

}  // namespace atl::cli
