// What a node's own side of workloads (`atoll workload ...`) works with on
// this kernel: the records, the cgroups, the directory of a move's
// incoming images, and CRIU started in the background. Used by the verbs
// of workload_node.cpp (start, list, restore, ...) and workload_postcopy.cpp
// (a move's post-copy halves).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/ssi/migrate_plan.hpp"

namespace atl::cli::here {

// A workload here is a record, records/NAME/{pid,cmd[,ip,moving]}, and a
// cgroup, groups/NAME, that holds every one of its processes: outside
// atolld's job groups, so that the `atoll exec` that started it ends
// without ending it; and one place to count, stop, resume or kill all of
// them.
extern const std::filesystem::path records;
extern const std::filesystem::path groups;
// A move's images arriving here, in RAM (a tmpfs), so that the restore
// reads none of them over NFS during the downtime: incoming/NAME/ROUND.
extern const std::filesystem::path incoming;
// CRIU's action script for a restore with --ip: `atoll workload criu-hook`
// (CRIU runs a path with no arguments; the atoll package installs it).
extern const char* const criu_hook_path;

// The group of what receives a move here (page server, lazy-pages daemon)
// and of what sends one from here (a post-copy dump): outside atolld's job
// (the exec that started it ends first) and not the workload's own; '@' is
// in no workload name.
[[nodiscard]] std::string incoming_group(const std::string& name);
[[nodiscard]] std::string outgoing_group(const std::string& name);

// Before an exec: nothing but 0-2 goes on (atolld's sockets, which its
// commands inherit, would make CRIU refuse the workload: "Connected TCP
// socket").
void cloexec_all_but_stdio();

[[nodiscard]] std::string trimmed(std::string s);
void write_file(const std::filesystem::path& p, const std::string& text);
// A TCP port as a command line gives it: 1 to 5 digits.
[[nodiscard]] bool valid_port(std::string_view p);
// NAME, checked (UsageError otherwise).
[[nodiscard]] std::string checked_name(std::string_view n);
[[nodiscard]] std::string joined(const std::vector<std::string>& argv);

[[nodiscard]] std::vector<pid_t> group_pids(const std::string& group);
[[nodiscard]] bool group_populated(const std::string& group);
// The group made (or found empty); throws when it holds processes.
void make_group(const std::string& group);
// The calling process joins the group (throws ssi::Failure).
void join_group(const std::string& group);
// Kills whatever the group holds, waits for it to empty, removes it.
void remove_group(const std::string& group);

// running, stopped (every process in T) or gone.
[[nodiscard]] std::string state_of(pid_t pid, const std::string& name);
[[nodiscard]] std::optional<ssi::WorkloadRecord> record_of(const std::string& name);
void write_record(const std::string& name, pid_t pid, const std::string& cmd, const std::string& address);
// The workload's processes, record, address and group go.
void forget(const std::string& name);
// A workload here of that name that is not gone: refuse to make another.
void refuse_if_here(const std::string& name);

// In a child: execs argv (searched in PATH), or exits 127.
[[noreturn]] void exec_or_exit(const std::vector<std::string>& argv);

// The last lines of a CRIU log that say what went wrong, "  criu: ..." each.
[[nodiscard]] std::string log_errors(const std::filesystem::path& log);

// Starts `argv` (a CRIU command given `--status-fd 3`) in its own session
// and in `group`, standard streams on /dev/null, and waits until CRIU
// says it is ready (it listens; for a dump: its images are written).
// Returns true then, the command running on; false when it ended first
// (it is reaped).
[[nodiscard]] bool start_detached(const std::string& group, const std::vector<std::string>& argv);

}  // namespace atl::cli::here
