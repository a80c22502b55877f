// The `atoll` command's skeleton: each subcommand is one file defining one
// Command; main.cpp lists them in its dispatch table. Subcommands throw
// UsageError for bad command lines (exit 2) and ssi::Failure for things
// that cannot be done (exit 1).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace atl::cli {

#ifndef ATOLL_VERSION
#define ATOLL_VERSION "0.1.0"
#endif

enum Exit : int {
    exit_ok = 0,
    exit_refused = 1,   // a plan refused, a check failed, a file or the machine unreadable
    exit_usage = 2,     // the command line is wrong
};

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using Args = std::vector<std::string_view>;

struct Command {
    std::string_view name;
    std::string_view summary;   // one line for `atoll --help`
    int (*run)(const Args& args);   // args after the subcommand's name
};

// Walks a subcommand's arguments: flags, and options as "--opt VALUE" or
// "--opt=VALUE".
class ArgReader {
public:
    explicit ArgReader(const Args& args) : args_(args) {}

    [[nodiscard]] bool done() const { return next_ >= args_.size(); }
    // The next argument is `name` (a flag): consume it.
    bool flag(std::string_view name);
    // The next argument is option `name`: consume it and return its value.
    std::optional<std::string> option(std::string_view name);
    // Nothing matched: the current argument is unknown.
    [[noreturn]] void unknown() const;

private:
    const Args& args_;
    std::size_t next_ = 0;
};

// Parses a SIZE argument of `option`, or throws UsageError.
std::uint64_t size_argument(std::string_view option, const std::string& value);
std::uint32_t count_argument(std::string_view option, const std::string& value);
// "NODE[,NODE...]" to its names, or throws UsageError (an empty name).
std::vector<std::string> node_list(const std::string& list);

extern const Command plan_command;
extern const Command boot_command;
extern const Command list_command;
extern const Command log_command;
extern const Command console_command;
extern const Command run_command;
extern const Command ping_command;
extern const Command stop_command;
extern const Command restart_command;
extern const Command release_command;
extern const Command nodes_command;
extern const Command exec_command;
extern const Command ps_command;
extern const Command kill_command;
extern const Command cp_command;
extern const Command top_command;
extern const Command mpirun_command;
extern const Command slurm_command;
extern const Command start_command;
extern const Command workloads_command;
extern const Command migrate_command;
extern const Command freeze_command;
extern const Command checkpoint_command;
extern const Command thaw_command;
extern const Command workload_command;

}  // namespace atl::cli
