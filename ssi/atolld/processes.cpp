// /proc to PS (processes.hpp).
#include "processes.hpp"

#include <dirent.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>

namespace atl::atolld {

namespace {

std::map<std::uint32_t, std::string> user_names() {
    std::map<std::uint32_t, std::string> out;
    std::ifstream in("/etc/passwd");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string name, pw, uid;
        if (std::getline(f, name, ':') && std::getline(f, pw, ':') && std::getline(f, uid, ':'))
            out[static_cast<std::uint32_t>(std::strtoul(uid.c_str(), nullptr, 10))] = name;
    }
    return out;
}

// The workload whose cgroup holds a process (`atoll workload spawn` and
// restore put every process of workload NAME in /atoll-workloads/NAME),
// from /proc/PID/cgroup ("0::/atoll-workloads/NAME"); "" if none.
std::string workload_of(const std::string& cgroups) {
    static constexpr std::string_view mark = ":/atoll-workloads/";
    const auto at = cgroups.find(mark);
    if (at == std::string::npos)
        return {};
    const auto from = at + mark.size();
    const auto end = cgroups.find_first_of("/\n", from);
    return cgroups.substr(from, (end == std::string::npos ? cgroups.size() : end) - from).substr(0, 64);
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

wire::Processes list_processes() {
    wire::Processes out;
    const auto users = user_names();
    const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
    const long page_kib = ::sysconf(_SC_PAGESIZE) / 1024;
    double uptime = 0;
    std::ifstream("/proc/uptime") >> uptime;
    const double boot = static_cast<double>(std::time(nullptr)) - uptime;
    DIR* d = ::opendir("/proc");
    if (d == nullptr)
        return out;
    while (dirent* e = ::readdir(d)) {
        char* end = nullptr;
        const unsigned long pid = std::strtoul(e->d_name, &end, 10);
        if (*end != '\0' || pid == 0)
            continue;
        const std::string dir = std::string("/proc/") + e->d_name;
        const std::string stat = slurp(dir + "/stat");
        const auto close = stat.rfind(')');
        const auto open = stat.find('(');
        if (close == std::string::npos || open == std::string::npos)
            continue;   // gone meanwhile
        std::istringstream f(stat.substr(close + 2));
        wire::Process p;
        p.pid = static_cast<std::uint32_t>(pid);
        char state = '?';
        f >> state;
        p.state = static_cast<std::uint8_t>(state);
        std::string skip;
        for (int i = 0; i < 10; ++i)   // ppid .. cmajflt (fields 4-13)
            f >> skip;
        unsigned long long utime = 0, stime = 0, start = 0, rss = 0;
        f >> utime >> stime;
        for (int i = 0; i < 6; ++i)    // cutime .. itrealvalue (fields 16-21)
            f >> skip;
        f >> start >> skip >> rss;     // starttime, vsize, rss (pages)
        const double started = static_cast<double>(start) / hz;
        const double alive = uptime - started;
        p.cpu_permille = alive > 0 ? static_cast<std::uint32_t>(1000.0 * static_cast<double>(utime + stime) / hz /
                                                                 alive)
                                   : 0;
        p.rss_kib = rss * static_cast<unsigned long long>(page_kib);
        p.cpu_ms = static_cast<std::uint64_t>(1000.0 * static_cast<double>(utime + stime) / hz);
        p.start = static_cast<std::uint64_t>(boot + started);
        std::istringstream status(slurp(dir + "/status"));
        for (std::string line; std::getline(status, line);)
            if (line.rfind("Uid:", 0) == 0) {
                p.uid = static_cast<std::uint32_t>(std::strtoul(line.c_str() + 4, nullptr, 10));
                break;
            }
        const auto u = users.find(p.uid);
        p.user = u != users.end() ? u->second : std::to_string(p.uid);
        std::string cmd = slurp(dir + "/cmdline");
        while (!cmd.empty() && cmd.back() == '\0')
            cmd.pop_back();
        for (auto& c : cmd)
            if (c == '\0')
                c = ' ';
        // Kernel threads have no command line: their name, in brackets, as ps shows them.
        p.command = cmd.empty() ? "[" + stat.substr(open + 1, close - open - 1) + "]" : cmd.substr(0, 4096);
        p.workload = workload_of(slurp(dir + "/cgroup"));
        out.list.push_back(std::move(p));
    }
    ::closedir(d);
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    out.clock_ms = static_cast<std::uint64_t>(now.tv_sec) * 1000 + static_cast<std::uint64_t>(now.tv_nsec) / 1000000;
    return out;
}

}  // namespace atl::atolld
