// `atoll run N -- CMD...`: run one command on a partition's console shell.
#include <chrono>
#include <iostream>
#include <optional>

#include "atoll/abi/ioctl.h"
#include "atoll/ssi/device.hpp"
#include "atoll/ssi/failure.hpp"
#include "atoll/ssi/vcon_session.hpp"
#include "cli.hpp"
#include "vcon_cli.hpp"

namespace atl::cli {
namespace {

constexpr int exit_timeout = 124;   // as timeout(1)

void print_help() {
    std::cout <<
R"(NAME
    atoll run - run a command on a partition's console shell

SYNOPSIS
    atoll run N [--timeout SECONDS] -- COMMAND [ARG]...

DESCRIPTION
    Types one line into partition N's console (the shell that its init runs
    on /dev/vcon0), waits for the command to finish, prints only what the
    command printed and exits with the command's exit status. Not
    interactive: for that, see atoll console.

    COMMAND and its ARGs are joined with single spaces and interpreted by
    the partition's shell, so quote for that shell:
        atoll run 1 -- 'cat /proc/cpuinfo | grep -c processor'

    How: the line typed is
        echo @@B$((1+1))-NONCE@@; COMMAND; echo "@@E$((1+1))-NONCE $?@@"
    with a fresh random NONCE. The shell's echo of the typed line keeps
    $((1+1)) unevaluated, so only the executed echos produce the markers
    @@B2-NONCE@@ and @@E2-NONCE STATUS@@; the output between them is the
    command's. CR LF is turned into LF.

    The command shares the console with anyone attached by atoll console,
    and runs in that shell: a command that reads the terminal, or changes
    the shell's state (cd, exit), does so there.

OPTIONS
    --timeout SECONDS  give up after this many seconds (default 30); the
                       command may still be running on the partition
    --help             print this help and exit

EXIT STATUS
    the command's exit status, when it finished
    1      no such partition, no console, or /dev/atoll unusable
    2      usage error
    124    timeout: no shell on the console, or the command did not finish
           in time; 'atoll log N' shows what the console holds
)";
}

int run_run(const Args& args) {
    std::optional<PartitionId> id;
    unsigned timeout_s = 30;
    std::string cmd;
    std::size_t i = 0;
    for (; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (a == "--help" || a == "-h") {
            print_help();
            return exit_ok;
        }
        if (a == "--")
            break;
        if (a == "--timeout" || a.starts_with("--timeout=")) {
            std::string v;
            if (a == "--timeout") {
                if (i + 1 >= args.size())
                    throw UsageError("option --timeout needs a value");
                v = std::string(args[++i]);
            } else {
                v = std::string(a.substr(10));
            }
            timeout_s = count_argument("--timeout", v);
            if (timeout_s == 0)
                throw UsageError("--timeout wants 1 or more seconds");
        } else if (a.starts_with("-")) {
            throw UsageError("unknown option '" + std::string(a) + "'");
        } else if (!id) {
            id = partition_argument(a);
        } else {
            throw UsageError("put -- before the command: atoll run N -- COMMAND");
        }
    }
    if (!id)
        throw UsageError("which partition? atoll run N -- COMMAND");
    for (++i; i < args.size(); ++i) {
        if (!cmd.empty())
            cmd += ' ';
        cmd += args[i];
    }
    if (cmd.empty())
        throw UsageError("no command: atoll run N -- COMMAND");
    if (cmd.find_first_of("\r\n") != std::string::npos)
        throw UsageError("the command must be one line");

    const auto lagoon = ssi::LagoonMap::open_device(ATOLL_DEVICE_PATH);
    const auto r = ssi::run_on_console(lagoon.console(*id), *id, cmd, std::chrono::seconds(timeout_s),
                                       ssi::make_nonce());
    std::cout << r.output << std::flush;
    if (!r.finished) {
        std::cerr << "atoll run: partition " << id->value() << " did not "
                  << (r.output.empty() ? "answer" : "finish the command") << " within " << timeout_s
                  << " s; see 'atoll log " << id->value() << "'\n";
        return exit_timeout;
    }
    return r.status;
}

}  // namespace

const Command run_command{"run", "run a command on a partition's console shell, print its output", run_run};

}  // namespace atl::cli
