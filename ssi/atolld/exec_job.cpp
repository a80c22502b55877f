// A remote command (exec_job.hpp).
#include "exec_job.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace atl::atolld {

namespace {

constexpr std::size_t max_backlog = 1 << 20;   // then output waits for the client
constexpr auto drain_grace = std::chrono::seconds(2);   // output after the leader exited

// The environment a command starts with: a sane base, then what was asked.
std::vector<std::string> environment(const wire::Exec& req) {
    std::vector<std::string> env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                    "HOME=/root", "USER=root", "LOGNAME=root", "SHELL=/bin/sh"};
    for (const auto& kv : req.env) {
        const auto key = kv.substr(0, kv.find('=') + 1);
        std::erase_if(env, [&](const std::string& e) { return e.starts_with(key); });
        env.push_back(kv);
    }
    return env;
}

// With a pseudo-terminal, in, out and err are all its slave side, which
// becomes the new session's controlling terminal.
[[noreturn]] void child(const wire::Exec& req, int in, int out, int err, int status) {
    ::setsid();
    if ((req.flags & ATOLL_EXEC_F_PTY) != 0)
        (void)::ioctl(in, TIOCSCTTY, 0);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s = 1; s < NSIG; ++s)
        ::signal(s, SIG_DFL);
    // Why it failed, for the parent: {stage, errno} (stage 1: the working
    // directory, 2: the command).
    auto fail = [&](int stage, int e) {
        const int why[2] = {stage, e};
        (void)!::write(status, why, sizeof why);
        ::_exit(e == ENOENT && stage == 2 ? 127 : 126);
    };
    if (!req.cwd.empty() && ::chdir(req.cwd.c_str()) != 0)
        fail(1, errno);
    if (req.cwd.empty())
        (void)!::chdir("/");
    auto env = environment(req);
    std::vector<char*> envp, argv;
    for (auto& e : env)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = req.argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    environ = envp.data();
    ::execvp(argv[0], argv.data());
    fail(2, errno);
    ::_exit(126);   // (fail does not return)
}

// Processes still in session `sid` (ours: setsid() made the leader's pid
// the session id), after the leader is gone and its pid may be reused.
std::vector<pid_t> session_members(pid_t sid) {
    std::vector<pid_t> out;
    DIR* d = ::opendir("/proc");
    if (d == nullptr)
        return out;
    while (dirent* e = ::readdir(d)) {
        char* end = nullptr;
        const long pid = std::strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 0)
            continue;
        std::ifstream in("/proc/" + std::string(e->d_name) + "/stat");
        std::string line;
        std::getline(in, line);
        const auto close = line.rfind(')');
        if (close == std::string::npos)
            continue;
        std::istringstream rest(line.substr(close + 2));
        char state = 0;
        long ppid = 0, pgrp = 0, session = 0;
        rest >> state >> ppid >> pgrp >> session;
        if (session == sid)
            out.push_back(static_cast<pid_t>(pid));
    }
    ::closedir(d);
    return out;
}

}  // namespace

std::map<pid_t, std::weak_ptr<ExecJob>>& ExecJob::live() {
    static std::map<pid_t, std::weak_ptr<ExecJob>> jobs;
    return jobs;
}

namespace {

// The command's standard streams: three pipes, or one pseudo-terminal.
// [0] is the command's end, [1] the daemon's; err[1] is -1 with a terminal
// (everything comes back as STDOUT).
struct Streams {
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};

    [[nodiscard]] bool open(const wire::Exec& req, std::string& why) {
        if ((req.flags & ATOLL_EXEC_F_PTY) != 0) {
            int master = -1, slave = -1;
            winsize ws{};
            ws.ws_row = static_cast<unsigned short>(req.rows);
            ws.ws_col = static_cast<unsigned short>(req.cols);
            if (::openpty(&master, &slave, nullptr, nullptr, &ws) != 0)
                return why = std::string("cannot open a pseudo-terminal: ") + std::strerror(errno), false;
            const int writer = ::fcntl(master, F_DUPFD_CLOEXEC, 0);
            ::fcntl(master, F_SETFD, FD_CLOEXEC);
            ::fcntl(slave, F_SETFD, FD_CLOEXEC);
            if (writer < 0) {
                why = std::string("dup: ") + std::strerror(errno);
                ::close(master);
                ::close(slave);
                return false;
            }
            // One slave descriptor serves as 0, 1 and 2 in the child.
            in[0] = slave;
            in[1] = writer;
            out[1] = master;
            return true;
        }
        if (::pipe2(in, O_CLOEXEC) == 0 && ::pipe2(out, O_CLOEXEC) == 0 && ::pipe2(err, O_CLOEXEC) == 0)
            return true;
        why = std::string("pipe: ") + std::strerror(errno);
        close_all();
        return false;
    }
    [[nodiscard]] bool pty() const { return out[0] == -1; }
    // The command's ends, in the command: 0, 1, 2.
    [[nodiscard]] int child_in() const { return in[0]; }
    [[nodiscard]] int child_out() const { return pty() ? in[0] : out[1]; }
    [[nodiscard]] int child_err() const { return pty() ? in[0] : err[1]; }
    // The daemon's ends.
    [[nodiscard]] int our_in() const { return in[1]; }
    [[nodiscard]] int our_out() const { return pty() ? out[1] : out[0]; }
    [[nodiscard]] int our_err() const { return pty() ? -1 : err[0]; }
    void close_child_ends() {
        for (int fd : {child_in(), pty() ? -1 : out[1], pty() ? -1 : err[1]})
            if (fd >= 0)
                ::close(fd);
    }
    void close_all() {
        for (int* fd : {&in[0], &in[1], &out[0], &out[1], &err[0], &err[1]})
            if (*fd >= 0)
                ::close(*fd), *fd = -1;
    }
};

}  // namespace

std::shared_ptr<ExecJob> ExecJob::start(asio::io_context& io, const wire::Exec& req, Sink sink, std::string& why,
                                        int& status) {
    Streams s;
    int st[2];
    if (!s.open(req, why))
        return status = 126, nullptr;
    if (::pipe2(st, O_CLOEXEC) != 0) {
        why = std::string("pipe: ") + std::strerror(errno);
        s.close_all();
        return status = 126, nullptr;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        why = std::string("fork: ") + std::strerror(errno);
        status = 126;
        s.close_all();
        ::close(st[0]);
        ::close(st[1]);
        return nullptr;
    }
    if (pid == 0)
        child(req, s.child_in(), s.child_out(), s.child_err(), st[1]);
    s.close_child_ends();
    ::close(st[1]);
    // The child's exec closes the status pipe (CLOEXEC): 0 bytes is success,
    // an errno is why it could not run.
    int why_failed[2] = {0, 0};
    ssize_t n;
    do
        n = ::read(st[0], why_failed, sizeof why_failed);
    while (n < 0 && errno == EINTR);
    ::close(st[0]);
    if (n == static_cast<ssize_t>(sizeof why_failed)) {
        int ws = 0;
        while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
        }
        for (int fd : {s.our_in(), s.our_out(), s.our_err()})
            if (fd >= 0)
                ::close(fd);
        const int stage = why_failed[0], e = why_failed[1];
        if (stage == 1) {
            status = 126;
            why = "cannot enter '" + req.cwd + "': " + std::strerror(e);
        } else {
            status = e == ENOENT ? 127 : 126;
            why = "cannot run '" + req.argv[0] + "': " + (e == ENOENT ? "command not found" : std::strerror(e));
        }
        return nullptr;
    }
    std::shared_ptr<ExecJob> job(new ExecJob(io, pid, s.our_in(), s.our_out(), s.our_err(), std::move(sink)));
    live()[pid] = job;
    job->pump(job->out_, ATOLL_WIRE_STDOUT, job->out_done_);
    if (job->pty_)
        job->err_done_ = true;
    else
        job->pump(job->err_, ATOLL_WIRE_STDERR, job->err_done_);
    return job;
}

ExecJob::ExecJob(asio::io_context& io, pid_t pid, int in, int out, int err, Sink sink)
    : io_(io), pid_(pid), pty_(err < 0), in_(io, in), out_(io, out), err_(io), sink_(std::move(sink)),
      drain_timer_(io), slow_timer_(io) {
    if (err >= 0)
        err_.assign(err);
}

ExecJob::~ExecJob() {
    end();
    live().erase(pid_);
}

void ExecJob::pump(asio::posix::stream_descriptor& d, std::uint16_t type, bool& done) {
    if (sink_.backlog && sink_.backlog() > max_backlog) {
        // The client reads slower than the command writes: wait for it.
        slow_timer_.expires_after(std::chrono::milliseconds(10));
        slow_timer_.async_wait([w = weak_from_this(), &d, type, &done](const boost::system::error_code& ec) {
            if (auto self = w.lock(); self && !ec && !self->ended_)
                self->pump(d, type, done);
        });
        return;
    }
    auto& buf = type == ATOLL_WIRE_STDOUT ? out_buf_ : err_buf_;
    d.async_read_some(asio::buffer(buf), [w = weak_from_this(), &d, &buf, type, &done](
                                             const boost::system::error_code& ec, std::size_t n) {
        auto self = w.lock();
        if (!self || self->ended_)
            return;
        if (ec) {
            done = true;
            self->maybe_finish();
            return;
        }
        if (self->sink_.output)
            self->sink_.output(type, std::span(buf).first(n));
        self->pump(d, type, done);
    });
}

void ExecJob::stdin_data(std::span<const std::uint8_t> data) {
    if (stdin_eof_ || stdin_broken_ || ended_ || data.empty())
        return;
    stdin_q_.emplace_back(data.begin(), data.end());
    if (!stdin_writing_)
        write_stdin();
}

void ExecJob::stdin_eof() {
    if (pty_) {
        // A terminal has no end of input: type its end-of-file character
        // (what Ctrl-D at the start of a line does).
        termios t{};
        const std::uint8_t eof = ::tcgetattr(in_.native_handle(), &t) == 0 ? t.c_cc[VEOF] : 4;
        stdin_data(std::span(&eof, 1));
        return;
    }
    stdin_eof_ = true;
    if (!stdin_writing_) {
        boost::system::error_code ignored;
        in_.close(ignored);
    }
}

void ExecJob::write_stdin() {
    if (stdin_q_.empty()) {
        stdin_writing_ = false;
        if (stdin_eof_) {
            boost::system::error_code ignored;
            in_.close(ignored);
        }
        return;
    }
    stdin_writing_ = true;
    asio::async_write(in_, asio::buffer(stdin_q_.front()),
                      [w = weak_from_this()](const boost::system::error_code& ec, std::size_t) {
                          auto self = w.lock();
                          if (!self || self->ended_)
                              return;
                          if (ec) {   // the command closed its input: drop the rest
                              self->stdin_broken_ = true;
                              self->stdin_q_.clear();
                              self->stdin_writing_ = false;
                              return;
                          }
                          self->stdin_q_.pop_front();
                          self->write_stdin();
                      });
}

void ExecJob::resize(std::uint32_t rows, std::uint32_t cols) {
    if (!pty_ || ended_)
        return;
    winsize ws{};
    ws.ws_row = static_cast<unsigned short>(rows);
    ws.ws_col = static_cast<unsigned short>(cols);
    // The kernel tells the terminal's foreground group (SIGWINCH).
    (void)::ioctl(out_.native_handle(), TIOCSWINSZ, &ws);
}

void ExecJob::signal(int signo) {
    if (!reaped_ && signo > 0 && signo < NSIG)
        ::killpg(pid_, signo);
}

void ExecJob::exited(int wait_status) {
    reaped_ = true;
    if (ended_)
        return;
    wait_status_ = wait_status;
    // Output still in the pipes is reported first; a background process
    // that keeps them open gets a grace period, then the job ends without it.
    drain_timer_.expires_after(drain_grace);
    drain_timer_.async_wait([w = weak_from_this()](const boost::system::error_code& ec) {
        if (auto self = w.lock(); self && !ec) {
            self->out_done_ = self->err_done_ = true;
            self->maybe_finish();
        }
    });
    maybe_finish();
}

void ExecJob::maybe_finish() {
    if (reported_ || !reaped_ || !out_done_ || !err_done_)
        return;
    reported_ = true;
    drain_timer_.cancel();
    // What the command left in its session goes before its end is
    // reported (it would go with the session anyway): a client that sees
    // EXIT sees nothing of the command running any more.
    for (pid_t p : session_members(pid_))
        ::kill(p, SIGKILL);
    wire::Exit e;
    if (WIFSIGNALED(wait_status_)) {
        e.signal = static_cast<std::uint32_t>(WTERMSIG(wait_status_));
        e.status = 128 + e.signal;
    } else {
        e.status = static_cast<std::uint32_t>(WEXITSTATUS(wait_status_));
    }
    if (sink_.exit)
        sink_.exit(e);
}

void ExecJob::end() {
    if (ended_)
        return;
    ended_ = true;
    // The group, and whatever of the session left it (its own groups,
    // job control); after the leader was reaped its pid may be reused, but
    // not as the session id of anything but what it started.
    if (!reaped_)
        ::killpg(pid_, SIGKILL);
    for (pid_t p : session_members(pid_))
        ::kill(p, SIGKILL);
    boost::system::error_code ignored;
    in_.close(ignored);
    out_.close(ignored);
    err_.close(ignored);
    drain_timer_.cancel();
    slow_timer_.cancel();
    sink_ = Sink{};
}

void ExecJob::end_all() {
    for (auto& [pid, w] : live())
        if (auto job = w.lock())
            job->end();
}

void ExecJob::reap_children() {
    for (;;) {
        int ws = 0;
        const pid_t pid = ::waitpid(-1, &ws, WNOHANG);
        if (pid <= 0)
            return;
        auto it = live().find(pid);
        if (it == live().end())
            continue;
        if (auto job = it->second.lock())
            job->exited(ws);
    }
}

}  // namespace atl::atolld
