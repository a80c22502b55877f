// The node side's records, groups and background CRIU (workload_here.hpp).
#include "workload_here.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "atoll/ssi/failure.hpp"
#include "cli.hpp"
#include "workload_net.hpp"
#include "workload_ops.hpp"

namespace fs = std::filesystem;

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)   // Linux 5.11
#endif

namespace atl::cli::here {

// Before an exec: nothing but 0-2 goes on (atolld's sockets, which its
// commands inherit, would make CRIU refuse the workload: "Connected TCP
// socket").
void cloexec_all_but_stdio() {
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
        for (int fd = 3; fd < 4096; ++fd)
            (void)::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

const fs::path records = "/run/atoll/workloads";
const fs::path groups = "/sys/fs/cgroup/atoll-workloads";
const fs::path incoming = "/run/atoll/incoming";
const char* const criu_hook_path = "/usr/lib/atoll/criu-hook";

std::string incoming_group(const std::string& name) { return name + "@in"; }

bool valid_port(std::string_view p) {
    return !p.empty() && p.size() <= 5 && p.find_first_not_of("0123456789") == std::string_view::npos;
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

void write_file(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::trunc);
    out << text;
    if (!out.flush())
        throw ssi::Failure("cannot write " + p.string());
}

std::string checked_name(std::string_view n) {
    if (!ssi::valid_workload_name(n))
        throw UsageError("'" + std::string(n) + "' is not a workload name (1 to 32 of A-Z a-z 0-9 _ . -)");
    return std::string(n);
}

std::vector<pid_t> group_pids(const std::string& name) {
    std::vector<pid_t> out;
    std::istringstream in(read_text_file(groups / name / "cgroup.procs"));
    for (long p; in >> p;)
        out.push_back(static_cast<pid_t>(p));
    return out;
}

bool group_populated(const std::string& name) {
    return read_text_file(groups / name / "cgroup.events").find("populated 1") != std::string::npos;
}

// The group made (or found empty); throws when it holds processes of a
// workload still here.
void make_group(const std::string& name) {
    std::error_code ec;
    fs::create_directories(groups, ec);
    if (!fs::create_directory(groups / name, ec) && ec)
        throw ssi::Failure("cannot make the cgroup " + (groups / name).string() + ": " + ec.message() +
                           " (cgroup v2 at /sys/fs/cgroup?)");
    if (group_populated(name))
        throw ssi::Failure("the cgroup of '" + name + "' still holds processes");
}

void join_group(const std::string& name) {
    const int fd = ::open((groups / name / "cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::write(fd, "0", 1) != 1) {
        const int e = errno;
        if (fd >= 0)
            ::close(fd);
        throw ssi::Failure("cannot join the cgroup of '" + name + "': " + std::strerror(e));
    }
    ::close(fd);
}

// Kills whatever the group holds, waits for it to empty, removes it.
void remove_group(const std::string& name) {
    const fs::path g = groups / name;
    if (!fs::exists(g))
        return;
    std::ofstream(g / "cgroup.kill") << "1";
    for (int i = 0; i < 100 && group_populated(name); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ::rmdir(g.c_str());
}

// running, stopped (every process in T: CRIU's --leave-stopped, or a
// SIGSTOP) or gone.
std::string state_of(pid_t pid, const std::string& name) {
    const std::string stat = read_text_file("/proc/" + std::to_string(pid) + "/stat");
    const auto rp = stat.rfind(')');
    if (stat.empty() || rp == std::string::npos || rp + 2 >= stat.size() || stat[rp + 2] == 'Z' ||
        stat[rp + 2] == 'X')
        return "gone";
    const auto pids = group_pids(name);
    bool all_stopped = !pids.empty();
    for (const pid_t p : pids) {
        const std::string s = read_text_file("/proc/" + std::to_string(p) + "/stat");
        const auto r = s.rfind(')');
        if (r == std::string::npos || r + 2 >= s.size() || (s[r + 2] != 'T' && s[r + 2] != 't'))
            all_stopped = false;
    }
    return all_stopped ? "stopped" : "running";
}

std::uint64_t rss_kib(const std::string& name) {
    std::uint64_t total = 0;
    for (const pid_t p : group_pids(name)) {
        std::istringstream in(read_text_file("/proc/" + std::to_string(p) + "/status"));
        for (std::string line; std::getline(in, line);)
            if (line.rfind("VmRSS:", 0) == 0)
                total += std::stoull(line.substr(6));
    }
    return total;
}

std::optional<ssi::WorkloadRecord> record_of(const std::string& name) {
    const fs::path d = records / name;
    const std::string pid_text = trimmed(read_text_file(d / "pid"));
    if (pid_text.empty())
        return std::nullopt;
    ssi::WorkloadRecord r;
    r.name = name;
    r.pid = std::stoll(pid_text);
    r.state = state_of(static_cast<pid_t>(r.pid), name);
    r.rss_kib = r.state == "gone" ? 0 : rss_kib(name);
    r.moving = fs::exists(d / "moving");
    r.address = trimmed(read_text_file(d / "ip"));
    r.command = trimmed(read_text_file(d / "cmd"));
    if (r.command.empty())
        r.command = "?";
    return r;
}

void write_record(const std::string& name, pid_t pid, const std::string& cmd, const std::string& address) {
    const fs::path d = records / name;
    fs::create_directories(d);
    write_file(d / "cmd", cmd + "\n");
    if (!address.empty())
        write_file(d / "ip", address + "\n");
    write_file(d / "pid", std::to_string(pid) + "\n");   // last: a record with a pid is whole
}

void forget(const std::string& name) {
    // Its namespace goes with its last process, and the pair and the /32
    // route with it; the ARP answer on the uplink is the node's to remove.
    if (const std::string a = trimmed(read_text_file(records / name / "ip")); !a.empty()) {
        try {
            net_unroute(workload_net(a));
        } catch (const std::exception&) {
        }
    }
    remove_group(name);
    std::error_code ec;
    fs::remove_all(records / name, ec);
}

// A workload here of that name that is not gone: refuse to make another.
void refuse_if_here(const std::string& name) {
    if (const auto r = record_of(name); r && r->state != "gone")
        throw ssi::Failure("a workload named '" + name + "' runs here already (pid " + std::to_string(r->pid) + ")");
    forget(name);
}

std::string joined(const std::vector<std::string>& argv) {
    std::string s;
    for (const auto& a : argv)
        s += (s.empty() ? "" : " ") + a;
    return s;
}

std::string log_errors(const fs::path& log) {
    std::string out;
    for (const auto& line : ssi::criu_error_lines(read_text_file(log), 4))
        out += "  criu: " + line + "\n";
    return out;
}

std::string outgoing_group(const std::string& name) { return name + "@out"; }

void exec_or_exit(const std::vector<std::string>& argv) {
    std::vector<char*> cargv;
    for (const auto& a : argv)
        cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    ::execvp(cargv[0], cargv.data());
    ::_exit(127);
}

bool start_detached(const std::string& group, const std::vector<std::string>& argv) {
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0)
        throw ssi::Failure(std::string("pipe: ") + std::strerror(errno));
    const pid_t c = ::fork();
    if (c < 0)
        throw ssi::Failure(std::string("fork: ") + std::strerror(errno));
    if (c == 0) {
        try {
            join_group(group);
        } catch (...) {
            ::_exit(125);
        }
        ::setsid();
        const int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(null, 2);
        cloexec_all_but_stdio();
        ::dup2(ready[1], 3);   // dup2 clears FD_CLOEXEC: CRIU writes here once ready
        exec_or_exit(argv);
    }
    ::close(ready[1]);
    char b = 0;
    ssize_t n;
    while ((n = ::read(ready[0], &b, 1)) < 0 && errno == EINTR) {
    }
    ::close(ready[0]);
    if (n == 1)
        return true;   // it runs on, in its group, reaped by init once this ends
    int ws = 0;
    while (::waitpid(c, &ws, 0) < 0 && errno == EINTR) {
    }
    return false;
}

}  // namespace atl::cli::here
