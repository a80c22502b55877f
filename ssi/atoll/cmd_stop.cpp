// `atoll stop`: stop a partition cleanly, or force it.
#include <iostream>
#include <optional>
#include <vector>

#include "atoll/abi/lagoon.h"
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
    atoll stop --all [--force] [--timeout SECONDS]

DESCRIPTION
    Without --force, asks partition N to shut down cleanly: the host posts a
    stop command to the partition's control stage; its kernel runs
    /sbin/poweroff, its init ends its processes and syncs, and the kernel
    parks the CPU and reports it. Waits until the partition is stopped.

    With --force, the host sends INIT to the partition's CPUs, which works
    whatever they are doing, interrupts off included, and touches no other
    partition. Use it for a partition that is hung or ignores a clean stop.

    With --all, stops every partition that is not stopped yet, all at once
    (the host refuses to reboot or power off while any runs).

    A stopped partition's CPUs wait, parked, until it is restarted
    (atoll restart N) or released to the host (atoll release N). Its console
    log stays readable (atoll log N).

OPTIONS
    --force              INIT the CPUs instead of asking
    --all                every partition that is not stopped
    --timeout SECONDS    how long a clean stop may take (default 30)
    --help               print this help and exit

EXIT STATUS
    0 stopped; 1 refused (no such partition, already stopped) or not stopped
    in time (the partition keeps running); 2 usage error.
)";
}

// Every partition that is not stopped: post all the stops, then wait for all.
int stop_all(const ssi::Control& ctl, bool force, int timeout_s) {
    const atoll_list l = ctl.list();
    std::vector<std::uint32_t> ids;
    for (std::uint32_t i = 0; i < l.count && i < ATOLL_MAX_PARTITIONS; i++)
        if (l.partitions[i].state != ATOLL_PSTATE_STOPPED)
            ids.push_back(l.partitions[i].partition_id);
    for (const std::uint32_t id : ids) {
        const auto p = find_partition(ctl, id);
        if (!force && p && p->state == ATOLL_PSTATE_STOPPING)
            continue;   // asked already: wait for it below
        ctl.stop(id, force ? ATOLL_STOP_FORCE : ATOLL_STOP_CLEAN);
    }
    bool all = true;
    for (const std::uint32_t id : ids) {
        if (!wait_stopped(ctl, id, force ? 5 : timeout_s)) {
            all = false;
            continue;
        }
        std::cout << "partition " << id << ": stopped\n";
    }
    if (ids.empty())
        std::cout << "no partition to stop\n";
    return all ? exit_ok : exit_refused;
}

int run(const Args& args) {
    std::optional<PartitionId> id;
    bool force = false, all = false;
    int timeout_s = 30;
    for (std::size_t i = 0; i < args.size(); i++) {
        std::string_view a = args[i];
        if (a == "--help" || a == "-h") {
            print_help();
            return exit_ok;
        } else if (a == "--force" || a == "-f") {
            force = true;
        } else if (a == "--all") {
            all = true;
        } else if (a == "--timeout") {
            if (i + 1 == args.size())
                throw UsageError("--timeout needs a number of seconds");
            timeout_s = static_cast<int>(count_argument("--timeout", std::string(args[++i])));
        } else {
            positional_partition(id, a);
        }
    }
    if (all && id)
        throw UsageError("give a partition or --all, not both");
    ssi::Control ctl;
    if (all)
        return stop_all(ctl, force, timeout_s);
    required_partition(id, "atoll stop N");
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
