// `atoll stop`: stop a partition cleanly, or force it.
#include <iostream>
#include <optional>

#include "atoll/ssi/control.hpp"
#include "cli.hpp"
#include "partition_wait.hpp"
#include "vcon_cli.hpp"

namespace atl::cli {
namespace {

void print_help() {
    std::cout <<
R"(NAME
    atoll stop - stop a partition

SYNOPSIS
    atoll stop [--force] [--timeout SECONDS] N

DESCRIPTION
    Without --force, asks partition N to shut down cleanly: the host posts a
    stop command to the partition's control stage; its kernel runs
    /sbin/poweroff, its init ends its processes and syncs, and the kernel
    parks the CPU and reports it. Waits until the partition is stopped.

    With --force, the host sends INIT to the partition's CPUs, which works
    whatever they are doing, interrupts off included, and touches no other
    partition. Use it for a partition that is hung or ignores a clean stop.

    A stopped partition's CPUs wait, parked, until it is restarted
    (atoll restart N) or released to the host (atoll release N). Its console
    log stays readable (atoll log N).

OPTIONS
    --force              INIT the CPUs instead of asking
    --timeout SECONDS    how long a clean stop may take (default 30)
    --help               print this help and exit

EXIT STATUS
    0 stopped; 1 refused (no such partition, already stopped) or not stopped
    in time (the partition keeps running); 2 usage error.
)";
}

int run(const Args& args) {
    std::optional<PartitionId> id;
    bool force = false;
    int timeout_s = 30;
    for (std::size_t i = 0; i < args.size(); i++) {
        std::string_view a = args[i];
        if (a == "--help" || a == "-h") {
            print_help();
            return exit_ok;
        } else if (a == "--force" || a == "-f") {
            force = true;
        } else if (a == "--timeout") {
            if (i + 1 == args.size())
                throw UsageError("--timeout needs a number of seconds");
            timeout_s = static_cast<int>(count_argument("--timeout", std::string(args[++i])));
        } else {
            positional_partition(id, a);
        }
    }
    required_partition(id, "atoll stop N");
    ssi::Control ctl;
    ctl.stop(id->value(), force ? ATOLL_STOP_FORCE : ATOLL_STOP_CLEAN);
    if (!wait_stopped(ctl, id->value(), force ? 5 : timeout_s))
        return exit_refused;
    const auto p = find_partition(ctl, id->value());
    std::cout << "partition " << id->value() << ": stopped"
              << (p ? std::string(" (") + ssi::reason_name(p->reason) + ")" : "") << "\n";
    return exit_ok;
}

}  // namespace

const Command stop_command{"stop", "stop a partition cleanly, or --force it with INIT", run};

}  // namespace atl::cli
