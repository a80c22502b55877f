// workload_ops.hpp.
#include "workload_ops.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "atoll/ssi/failure.hpp"
#include "remote.hpp"

namespace fs = std::filesystem;

namespace atl::cli {

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string fixed(double v, int digits) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

std::string mib(std::uint64_t bytes) {
    return fixed(static_cast<double>(bytes) / (1024.0 * 1024.0), 1) + " MiB";
}

std::string read_text_file(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<Placed> collect(const wire::Nodes& table, std::vector<std::string>& unreached) {
    std::vector<Placed> out;
    for (const auto& n : table.nodes) {
        if (n.state != ATOLL_NODE_UP)
            continue;
        RemoteResult r;
        try {
            r = run_on(n.name, {"atoll", "workload", "list"});
        } catch (const ssi::Failure& e) {
            r.lost = e.what();
        }
        if (!r.ok()) {
            unreached.push_back(n.name + " (" + r.reason() + ")");
            continue;
        }
        std::size_t other = 0;
        for (auto& rec : ssi::parse_workload_records(r.out, &other))
            out.push_back({n.name, std::move(rec)});
        if (other != 0)   // its workloads are there, but cannot be read: say so
            unreached.push_back(n.name + " (it runs another revision of atoll: records it sends are not w2)");
    }
    return out;
}

std::map<std::string, std::string> taken_addresses(const wire::Nodes& table, const std::vector<Placed>& running) {
    std::map<std::string, std::string> taken;
    for (const auto& n : table.nodes)
        taken.emplace(n.address, "node " + n.name + "'s address");
    for (const auto& p : running)
        if (!p.record.address.empty())
            taken.emplace(p.record.address, "the address of workload " + p.record.name + " on " + p.node);
    return taken;
}

fs::path stamped_dir(const fs::path& base, const std::string& name) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    const fs::path dir = base / (name + "." + std::to_string(ms));
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw ssi::Failure("cannot make " + dir.string() + " (/home shared by every node?): " + ec.message());
    return dir;
}

std::uint64_t pages_bytes(const fs::path& dir) {
    std::uint64_t total = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().filename().string().starts_with("pages-"))
            total += e.file_size(ec);
    return total;
}

std::string criu_errors(const fs::path& log) {
    std::string out;
    for (const auto& line : ssi::criu_error_lines(read_text_file(log), 3))
        out += "\n  criu: " + line;
    return out;
}

std::string keep_logs(const fs::path& dir) {
    const fs::path to = fs::path("/var/log/atoll/migrate") / dir.filename();
    std::error_code ec;
    fs::create_directories(to, ec);
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (it->path().extension() != ".log")
            continue;
        std::string flat = fs::relative(it->path(), dir, ec).string();
        for (char& c : flat)
            if (c == '/')
                c = '-';
        fs::copy_file(it->path(), to / flat, fs::copy_options::overwrite_existing, ec);
    }
    ec.clear();
    fs::remove_all(dir, ec);
    char host[256] = "";
    (void)::gethostname(host, sizeof host - 1);
    return to.string() + " on " + host;
}

int run_local(const std::vector<std::string>& argv, std::string& err) {
    int pipe_err[2];
    if (::pipe2(pipe_err, O_CLOEXEC) != 0)
        return 127;
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(pipe_err[1], 2);
        const int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        ::dup2(null, 1);
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    ::close(pipe_err[1]);
    char buf[4096];
    for (ssize_t n; (n = ::read(pipe_err[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR);)
        if (n > 0)
            err.append(buf, static_cast<std::size_t>(n));
    ::close(pipe_err[0]);
    if (pid < 0)
        return 127;
    int ws = 0;
    while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

namespace {
volatile std::sig_atomic_t stop_signal = 0;
void note_stop_signal(int s) { stop_signal = s; }
}  // namespace

void defer_stop_signals() {
    struct sigaction sa{};
    sa.sa_handler = note_stop_signal;
    sigemptyset(&sa.sa_mask);
    for (const int s : {SIGINT, SIGTERM, SIGHUP})
        ::sigaction(s, &sa, nullptr);
}

std::string interruption() {
    const int s = stop_signal;
    return s ? std::string("interrupted by SIG") + sigabbrev_np(s) : std::string();
}

}  // namespace atl::cli
