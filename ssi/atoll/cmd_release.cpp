// `atoll release`: a stopped partition's CPUs go back to the host.
#include <iostream>
#include <optional>

#include "atoll/ssi/control.hpp"
#include "cli.hpp"
#include "vcon_cli.hpp"

namespace atl::cli {
namespace {

void print_help() {
    std::cout <<
R"(NAME
    atoll release - give a stopped partition's CPUs back to the host

SYNOPSIS
    atoll release N

DESCRIPTION
    Brings partition N's parked CPUs back online in the host (CPU hotplug
    starts them with Linux's own trampoline) and forgets the partition: its
    id, CPUs and memory can then be used by a new atoll boot. The partition
    must be stopped (atoll stop N).

EXIT STATUS
    0 released; 1 refused (no such partition, not stopped); 2 usage error.
)";
}

int run(const Args& args) {
    std::optional<PartitionId> id;
    for (std::string_view a : args) {
        if (a == "--help" || a == "-h") {
            print_help();
            return exit_ok;
        } else {
            positional_partition(id, a);
        }
    }
    required_partition(id, "atoll release N");
    ssi::Control ctl;
    ctl.stop(id->value(), ATOLL_STOP_RELEASE);
    std::cout << "partition " << id->value() << ": released; its CPUs are the host's again\n";
    return exit_ok;
}

}  // namespace

const Command release_command{"release", "give a stopped partition's CPUs back to the host", run};

}  // namespace atl::cli
