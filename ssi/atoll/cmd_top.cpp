// `atoll top`: a live view of the whole cluster, through atolld.
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>
#include <tuple>
#include <vector>

#include "atoll/ssi/failure.hpp"
#include "atoll/wire/messages.hpp"
#include "cli.hpp"
#include "daemon_link.hpp"
#include "json_text.hpp"
#include "vcon_cli.hpp"

namespace atl::cli {
namespace {

void print_help() {
    std::cout <<
R"(NAME
    atoll top - a live view of the cluster: nodes, load, memory, busiest processes

SYNOPSIS
    atoll top [--interval SECONDS] [-n COUNT]
    atoll top --once [--json] [-n COUNT]

DESCRIPTION
    Every SECONDS (default 2) shows, in place, one line per node (state,
    CPUs, load averages, available and total memory, uptime) and the COUNT
    (default 15) busiest processes of the whole cluster as NODE:PID, by the
    CPU they used since the previous refresh (% of one CPU). Leave with q
    (or Ctrl-C). Nodes come from atoll nodes; processes from every node that
    is up.

    --once takes two samples a second apart, prints one view and exits;
    with --json it prints {"nodes": [...], "processes": [...]} for scripts.

EXIT STATUS
    0 on success; 1 the local atolld does not answer; 2 usage error
)";
}

struct Sample {
    wire::Nodes nodes;
    std::map<std::uint32_t, wire::Processes> ps;   // by node id
};

Sample sample() {
    Sample s;
    s.nodes = node_table();
    for (const auto& n : s.nodes.nodes) {
        if (n.state != ATOLL_NODE_UP)
            continue;
        try {
            auto link = routed_link(n.id);
            if (auto p = wire::Processes::decode(ask(*link, ATOLL_WIRE_PS_REQ, {}, ATOLL_WIRE_PS).payload))
                s.ps[n.id] = std::move(*p);
        } catch (const ssi::Failure&) {
            // gone between the table and the question: shown without processes
        }
    }
    return s;
}

struct Busy {
    std::string node;
    wire::Process p;
    double cpu = 0;   // % of one CPU over the interval
};

std::vector<Busy> busiest(const Sample& before, const Sample& now, std::size_t count) {
    std::vector<Busy> out;
    for (const auto& n : now.nodes.nodes) {
        const auto it = now.ps.find(n.id);
        if (it == now.ps.end())
            continue;
        const auto old = before.ps.find(n.id);
        // By pid: a reported start time is derived from two clocks and may
        // move by a second between samples; a pid reused within one
        // interval at worst shows a small rate for one refresh.
        std::map<std::uint32_t, std::uint64_t> was;   // pid -> cpu_ms
        if (old != before.ps.end())
            for (const auto& p : old->second.list)
                was[p.pid] = p.cpu_ms;
        const double span =
            old != before.ps.end() && it->second.clock_ms > old->second.clock_ms
                ? static_cast<double>(it->second.clock_ms - old->second.clock_ms)
                : 0;
        for (const auto& p : it->second.list) {
            const auto w = was.find(p.pid);
            const double used = w != was.end() && p.cpu_ms >= w->second ? static_cast<double>(p.cpu_ms - w->second) : 0;
            out.push_back({n.name, p, span > 0 ? 100.0 * used / span : 0});
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const Busy& a, const Busy& b) {
        return std::tie(a.cpu, a.p.rss_kib) > std::tie(b.cpu, b.p.rss_kib);
    });
    if (out.size() > count)
        out.resize(count);
    return out;
}


std::string view(const Sample& now, const std::vector<Busy>& top, bool tty) {
    std::ostringstream o;
    char line[512];
    const std::time_t t = std::time(nullptr);
    char when[16];
    std::strftime(when, sizeof when, "%H:%M:%S", std::localtime(&t));
    const char* nl = tty ? "\r\n" : "\n";
    o << "atoll top - " << when << ", " << now.nodes.nodes.size() << " nodes" << (tty ? " (q quits)" : "") << nl
      << nl;
    std::snprintf(line, sizeof line, "%-8s %-12s %4s %-17s %20s", "NODE", "STATE", "CPUS", "LOAD 1 5 15",
                  "MEMORY (avail/total)");
    o << line << nl;
    for (const auto& n : now.nodes.nodes) {
        if (n.state != ATOLL_NODE_UP) {
            std::snprintf(line, sizeof line, "%-8s %-12s", n.name.c_str(), node_state_word(n.state));
        } else {
            char load[32], mem[40];
            std::snprintf(load, sizeof load, "%.2f %.2f %.2f", n.status.load1 / 100.0, n.status.load5 / 100.0,
                          n.status.load15 / 100.0);
            std::snprintf(mem, sizeof mem, "%llu/%llu MiB",
                          static_cast<unsigned long long>(n.status.mem_available_kib / 1024),
                          static_cast<unsigned long long>(n.status.mem_total_kib / 1024));
            std::snprintf(line, sizeof line, "%-8s %-12s %4u %-17s %20s", n.name.c_str(), "up", n.status.cpus, load,
                          mem);
        }
        o << line << nl;
    }
    o << nl;
    std::snprintf(line, sizeof line, "%-12s %-8s %6s %9s %s", "NODE:PID", "USER", "%CPU", "RSS", "COMMAND");
    o << line << nl;
    for (const auto& b : top) {
        const std::string id = b.node + ":" + std::to_string(b.p.pid);
        std::snprintf(line, sizeof line, "%-12s %-8s %6.1f %8lluK %.80s", id.c_str(), b.p.user.c_str(), b.cpu,
                      static_cast<unsigned long long>(b.p.rss_kib), b.p.command.c_str());
        o << line << nl;
    }
    return o.str();
}

std::string json(const Sample& now, const std::vector<Busy>& top) {
    std::ostringstream o;
    o << "{\"nodes\": [";
    for (std::size_t i = 0; i < now.nodes.nodes.size(); ++i) {
        const auto& n = now.nodes.nodes[i];
        o << (i ? ", " : "") << "{\"name\": " << json_string(n.name) << ", \"state\": \"" << node_state_word(n.state)
          << "\"";
        if (n.state == ATOLL_NODE_UP)
            o << ", \"cpus\": " << n.status.cpus << ", \"load1\": " << n.status.load1 / 100.0
              << ", \"mem_total_kib\": " << n.status.mem_total_kib
              << ", \"mem_available_kib\": " << n.status.mem_available_kib;
        o << "}";
    }
    o << "],\n \"processes\": [";
    for (std::size_t i = 0; i < top.size(); ++i) {
        const auto& b = top[i];
        char cpu[16];
        std::snprintf(cpu, sizeof cpu, "%.1f", b.cpu);
        o << (i ? ",\n  " : "\n  ") << "{\"node\": " << json_string(b.node) << ", \"pid\": " << b.p.pid
          << ", \"user\": " << json_string(b.p.user) << ", \"cpu_percent\": " << cpu << ", \"rss_kib\": "
          << b.p.rss_kib << ", \"command\": " << json_string(b.p.command) << "}";
    }
    o << "\n]}\n";
    return o.str();
}

// Raw keyboard for q, restored on every way out.
class Keys {
public:
    Keys() {
        if (::isatty(0) == 0 || ::tcgetattr(0, &saved_) != 0)
            return;
        termios raw = saved_;
        raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO));
        active_ = ::tcsetattr(0, TCSANOW, &raw) == 0;
    }
    ~Keys() {
        if (active_)
            ::tcsetattr(0, TCSANOW, &saved_);
    }
    // Waits up to `ms` for a key: true when it was q.
    bool quit_within(int ms) {
        pollfd p{0, POLLIN, 0};
        if (::poll(&p, 1, ms) <= 0)
            return false;
        char c = 0;
        return ::read(0, &c, 1) <= 0 || c == 'q' || c == 'Q';
    }

private:
    termios saved_{};
    bool active_ = false;
};

int run_top(const Args& args) {
    bool once = false, as_json = false;
    int interval_s = 2;
    std::size_t count = 15;
    ArgReader r(args);
    while (!r.done()) {
        if (r.flag("--help") || r.flag("-h")) {
            print_help();
            return exit_ok;
        } else if (r.flag("--once")) {
            once = true;
        } else if (r.flag("--json")) {
            as_json = true;
        } else if (auto v = r.option("--interval")) {
            interval_s = static_cast<int>(count_argument("--interval", *v));
        } else if (auto n = r.option("-n")) {
            count = count_argument("-n", *n);
        } else {
            r.unknown();
        }
    }
    if (as_json && !once)
        throw UsageError("--json goes with --once");
    if (interval_s < 1)
        throw UsageError("--interval is at least 1 second");
    Sample before = sample();
    if (once) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        const Sample now = sample();
        const auto top = busiest(before, now, count);
        std::cout << (as_json ? json(now, top) : view(now, top, false));
        return exit_ok;
    }
    install_stop_signals();
    Keys keys;
    for (;;) {
        if (keys.quit_within(interval_s * 1000) || stop_requested())
            break;
        const Sample now = sample();
        std::cout << "\x1b[H\x1b[2J" << view(now, busiest(before, now, count), true) << std::flush;
        before = now;
    }
    return exit_ok;
}

}  // namespace

const Command top_command{"top", "a live view of the cluster: nodes, load, memory, busiest processes", run_top};

}  // namespace atl::cli
