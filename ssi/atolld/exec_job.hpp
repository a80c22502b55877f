// One remote command (EXEC): a child in its own session and process group,
// its standard streams on pipes (or, with ATOLL_EXEC_F_PTY, on a
// pseudo-terminal that is its controlling terminal), its end reported once
// it exited and its output is drained. Everything it starts is kept in a
// cgroup of its own (job_group.hpp; its session where there is no cgroup
// v2), and dies with the job: what is left when the command's end is
// reported, and everything when the session that asked for it ends for any
// reason (client gone, link lost, daemon stopping), so no orphan survives.
#pragma once

#include <sys/types.h>

#include "asio.hpp"

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "atoll/wire/messages.hpp"
#include "job_group.hpp"

namespace atl::atolld {

namespace asio = boost::asio;

class ExecJob : public std::enable_shared_from_this<ExecJob> {
public:
    struct Sink {
        std::function<void(std::uint16_t type, std::span<const std::uint8_t>)> output;   // STDOUT / STDERR
        std::function<void(const wire::Exit&)> exit;
        std::function<std::size_t()> backlog;   // bytes queued towards the client
    };

    // Starts `req`; nullptr with `why` and the status a shell would give
    // (127: not found, 126: cannot run) when it cannot.
    static std::shared_ptr<ExecJob> start(asio::io_context& io, const wire::Exec& req, Sink sink, std::string& why,
                                          int& status);
    ~ExecJob();

    void stdin_data(std::span<const std::uint8_t> data);
    void stdin_eof();
    // WINSIZE: the client's terminal changed size (a pty job only).
    void resize(std::uint32_t rows, std::uint32_t cols);
    void signal(int signo);
    // The session is over: kill what is left of the group.
    void end();

    [[nodiscard]] pid_t pid() const { return pid_; }

    // From the daemon's SIGCHLD handling.
    static void reap_children();
    // The daemon is stopping: every job ends (its group is killed).
    static void end_all();

private:
    ExecJob(asio::io_context& io, pid_t pid, int in, int out, int err, Sink sink, std::optional<JobGroup> group);
    void pump(asio::posix::stream_descriptor& d, std::uint16_t type, bool& done);
    void write_stdin();
    void exited(int wait_status);
    void maybe_finish();

    asio::io_context& io_;
    pid_t pid_;
    bool pty_;   // in_ and out_ are the terminal's master side; no err_
    asio::posix::stream_descriptor in_, out_, err_;
    Sink sink_;
    std::deque<std::vector<std::uint8_t>> stdin_q_;
    bool stdin_writing_ = false, stdin_eof_ = false, stdin_broken_ = false;
    bool out_done_ = false, err_done_ = false;
    bool reaped_ = false, reported_ = false, ended_ = false;
    bool session_empty_ = false;   // the leader is reaped and nothing is left in its session
    int wait_status_ = 0;
    std::array<std::uint8_t, 32 * 1024> out_buf_{}, err_buf_{};
    std::optional<JobGroup> group_;   // nullopt: the session stands for the job
    asio::steady_timer drain_timer_;
    asio::steady_timer slow_timer_;

    static std::map<pid_t, std::weak_ptr<ExecJob>>& live();
};

}  // namespace atl::atolld
