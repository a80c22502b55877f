// Where the processes of one EXEC are kept track of: a cgroup v2 of their
// own (/sys/fs/cgroup/atolld/job-PID-N), joined by the command before it
// execs. Everything the command starts stays in it, whatever it does with
// sessions, process groups or double forks; whether anything is left is
// one small read (cgroup.events), and cgroup.kill ends all of it at once,
// with no window for a fork to slip through.
//
// Without cgroup v2 (a kernel without it, or nothing mounted there) the
// job falls back to its session, found by scanning /proc: slower (under
// the box's TCG the scan took 13-26 ms of every exec) and blind to a
// process that made a session of its own.
#pragma once

#include <optional>
#include <set>
#include <string>

namespace atl::atolld {

class JobGroup {
public:
    // A new, empty group; nullopt when cgroup v2 is not there (or the
    // directory cannot be made). `why` then says what was missing.
    [[nodiscard]] static std::optional<JobGroup> make(std::string& why);

    JobGroup(JobGroup&& o) noexcept;
    JobGroup& operator=(JobGroup&&) = delete;
    JobGroup(const JobGroup&) = delete;
    ~JobGroup();   // kills what is left and removes the group (or leaves it to sweep())

    // The group's cgroup.procs, open for writing (close-on-exec): the child
    // writes "0" to it to join before it execs.
    [[nodiscard]] int procs_fd() const { return procs_; }
    // Whether any process is still in the group.
    [[nodiscard]] bool populated() const;
    // SIGKILL to every process in the group.
    void kill() const;

    // Groups of jobs that are over (or of a daemon that died): killed and
    // removed. The daemon calls it at start and every second.
    static void sweep();

private:
    JobGroup(std::string name, int dir, int procs) : name_(std::move(name)), dir_(dir), procs_(procs) {}
    static std::set<std::string>& live();

    std::string name_;   // job-DAEMONPID-N
    int dir_ = -1;     // the group's directory
    int procs_ = -1;
};

}  // namespace atl::atolld
