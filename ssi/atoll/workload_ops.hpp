// What the commands that handle workloads across nodes share (atoll start,
// workloads, migrate, freeze, checkpoint, thaw): the cluster's list of
// workloads, CRIU's logs and images under /home, numbers for people.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "atoll/ssi/migrate_plan.hpp"
#include "atoll/wire/messages.hpp"

namespace atl::cli {

using Clock = std::chrono::steady_clock;
[[nodiscard]] double seconds_since(Clock::time_point t0);
[[nodiscard]] std::string fixed(double v, int digits = 2);
[[nodiscard]] std::string mib(std::uint64_t bytes);

struct Placed {
    std::string node;
    ssi::WorkloadRecord record;
};
// Every workload of every up node (`atoll workload list` on each);
// `unreached` names the up nodes that did not answer.
[[nodiscard]] std::vector<Placed> collect(const wire::Nodes& table, std::vector<std::string>& unreached);

// Every address the cluster answers for, each with who holds it ("node
// p1's address", "the address of workload srv on p2"): the nodes' own and
// the workloads' (atoll start --ip, atoll thaw).
[[nodiscard]] std::map<std::string, std::string> taken_addresses(const wire::Nodes& table,
                                                                 const std::vector<Placed>& running);

// A whole file's text ("" when it cannot be read: a record or log that is
// not there reads as empty).
[[nodiscard]] std::string read_text_file(const std::filesystem::path& p);

// A new directory BASE/NAME.MILLISECONDS for one operation's images
// (/home: every node sees it); throws ssi::Failure when /home cannot hold it.
[[nodiscard]] std::filesystem::path stamped_dir(const std::filesystem::path& base, const std::string& name);
// The size of CRIU's page images in `dir`.
[[nodiscard]] std::uint64_t pages_bytes(const std::filesystem::path& dir);
// The last error lines of a CRIU log, each on a line "  criu: ..." after a newline.
[[nodiscard]] std::string criu_errors(const std::filesystem::path& log);
// A failed operation's images go (they are as large as the workload);
// every CRIU log under `dir` is kept in /var/log/atoll/migrate/DIRNAME of
// this node. Returns where, for a message.
std::string keep_logs(const std::filesystem::path& dir);

// SIGINT, SIGTERM and SIGHUP while an operation holds a workload (from
// its lock on): noted, not fatal, so that the operation undoes what it did
// instead of leaving the workload locked and stopped. interruption() is
// "interrupted by SIGINT" and the like once one came, "" before.
void defer_stop_signals();
[[nodiscard]] std::string interruption();

// Runs `argv` here (tar) and waits: its exit status (128+N for signal N,
// 127 when it cannot run); its standard error in `err`.
int run_local(const std::vector<std::string>& argv, std::string& err);

}  // namespace atl::cli
