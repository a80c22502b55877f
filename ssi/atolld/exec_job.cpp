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
#include <charconv>
#include <cstdio>
#include <cstring>
#include <vector>

#include "spawn.hpp"

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

// Processes still alive in session `sid` (ours: setsid() made the
// leader's pid the session id), after the leader is gone and its pid may
// be reused. Read with plain read(2): this runs at the end of every exec,
// over every process of the kernel.
std::vector<pid_t> session_members(pid_t sid) {
    std::vector<pid_t> out;
    DIR* d = ::opendir("/proc");
    if (d == nullptr)
        return out;
    while (dirent* e = ::readdir(d)) {
        pid_t pid = 0;
        const char* n = e->d_name;
        const auto [end, ec] = std::from_chars(n, n + std::strlen(n), pid);
        if (ec != std::errc() || *end != '\0' || pid <= 0)
            continue;
        char path[32], buf[512];
        std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
        const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        const ssize_t len = ::read(fd, buf, sizeof buf - 1);
        ::close(fd);
        if (len <= 0)
            continue;
        buf[len] = '\0';
        // "pid (comm) state ppid pgrp session ...": comm may hold anything.
        const char* close = std::strrchr(buf, ')');
        if (close == nullptr || close[1] == '\0')
            continue;
        char state = 0;
        long ppid = 0, pgrp = 0, session = 0;
        if (std::sscanf(close + 2, "%c %ld %ld %ld", &state, &ppid, &pgrp, &session) == 4 && session == sid &&
            state != 'Z' && state != 'X')
            out.push_back(pid);
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
    if (!s.open(req, why))
        return status = 126, nullptr;
    std::string no_group;
    std::optional<JobGroup> group = JobGroup::make(no_group);
    SpawnRequest sr;
    sr.cgroup_procs = group ? group->procs_fd() : -1;
    sr.argv = req.argv;
    sr.env = environment(req);
    sr.cwd = req.cwd;
    sr.in = s.child_in();
    sr.out = s.child_out();
    sr.err = s.child_err();
    sr.controlling_tty = (req.flags & ATOLL_EXEC_F_PTY) != 0;
    const SpawnResult r = spawn(sr);
    s.close_child_ends();
    if (r.stage != SpawnResult::Stage::started) {
        for (int fd : {s.our_in(), s.our_out(), s.our_err()})
            if (fd >= 0)
                ::close(fd);
        const int e = r.error;
        if (r.stage == SpawnResult::Stage::cgroup) {
            status = 126;
            why = std::string("cannot join the job's cgroup: ") + std::strerror(e);
        } else if (r.stage == SpawnResult::Stage::cwd) {
            status = 126;
            why = "cannot enter '" + req.cwd + "': " + std::strerror(e);
        } else {
            status = e == ENOENT ? 127 : 126;
            why = "cannot run '" + req.argv[0] + "': " + (e == ENOENT ? "command not found" : std::strerror(e));
        }
        return nullptr;
    }
    const pid_t pid = r.pid;
    std::shared_ptr<ExecJob> job(new ExecJob(io, pid, s.our_in(), s.our_out(), s.our_err(), std::move(sink), std::move(group)));
    live()[pid] = job;
    job->pump(job->out_, ATOLL_WIRE_STDOUT, job->out_done_);
    if (job->pty_)
        job->err_done_ = true;
    else
        job->pump(job->err_, ATOLL_WIRE_STDERR, job->err_done_);
    return job;
}

ExecJob::ExecJob(asio::io_context& io, pid_t pid, int in, int out, int err, Sink sink,
                 std::optional<JobGroup> group)
    : io_(io), pid_(pid), pty_(err < 0), in_(io, in), out_(io, out), err_(io), sink_(std::move(sink)),
      group_(std::move(group)), drain_timer_(io), slow_timer_(io) {
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
    // Nothing left, once the leader was reaped, is nothing left for good:
    // only a member can add a member (of the cgroup, or of the session).
    if (group_) {
        session_empty_ = !group_->populated();
        if (!session_empty_)
            group_->kill();
    } else {
        const auto left = session_members(pid_);
        for (pid_t p : left)
            ::kill(p, SIGKILL);
        session_empty_ = left.empty();
    }
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
    if (!session_empty_ && group_)
        group_->kill();
    else if (!session_empty_)
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
