// Starting the command of an EXEC: a child in a new session (and so its own
// process group), its standard streams on the descriptors given, the
// environment and working directory asked for and nothing inherited.
//
// The child is made with clone(CLONE_VM | CLONE_VFORK), as posix_spawn
// does: the daemon's memory is not copied. Under the box's TCG a fork of
// the daemon copied its page tables and then took copy-on-write faults on
// everything the daemon touched next, a large part of an exec's cost. The
// daemon is suspended (by the kernel) until the child has exec'd or failed,
// so the child reports a failure through shared memory instead of a pipe.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace atl::atolld {

struct SpawnRequest {
    std::vector<std::string> argv;   // argv[0] is looked up in PATH unless it has a '/'
    std::vector<std::string> env;    // the whole environment, "K=V" (PATH from here)
    std::string cwd;                 // "" = "/"
    int in = -1, out = -1, err = -1; // become 0, 1 and 2
    bool controlling_tty = false;    // `in` is a terminal that becomes the session's own
    int cgroup_procs = -1;           // a cgroup.procs to join first (-1: none)
};

struct SpawnResult {
    enum class Stage { started, cgroup, cwd, command };
    pid_t pid = -1;                  // started: the session (and group) leader
    Stage stage = Stage::started;    // otherwise what failed, with `error` (an errno)
    int error = 0;
};

[[nodiscard]] SpawnResult spawn(const SpawnRequest& req);

// The file execvp would run for `command` with this PATH (a relative PATH
// entry counts from `cwd`): the command itself when it holds a '/', the
// first executable regular file otherwise. Empty, with `error` ENOENT or
// EACCES (a match that is not executable), when there is none.
[[nodiscard]] std::string find_command(const std::string& command, const std::string& path,
                                       const std::string& cwd, int& error);

}  // namespace atl::atolld
