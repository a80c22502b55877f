// `atoll`: the command line of an Atoll machine. Dispatches to one
// subcommand per file (cmd_*.cpp); add a subcommand by adding its file and
// one line to `commands` below.
#include <cstdio>
#include <exception>
#include <iostream>
#include <span>

#include "atoll/ssi/failure.hpp"
#include "cli.hpp"

namespace atl::cli {
namespace {

// The dispatch table: name -> Command, in the order `--help` lists them.
const Command* const commands[] = {
    &plan_command,
    &boot_command,
    &list_command,
    &stop_command,
    &restart_command,
    &release_command,
    &nodes_command,
    &exec_command,
    &ps_command,
    &kill_command,
    &cp_command,
    &top_command,
    &mpirun_command,
    &slurm_command,
    &start_command,
    &workloads_command,
    &migrate_command,
    &freeze_command,
    &checkpoint_command,
    &thaw_command,
    &log_command,
    &console_command,
    &run_command,
    &ping_command,
    &workload_command,
};

void print_help() {
    std::cout <<
R"(NAME
    atoll - partition one SMP machine among several Linux kernels

SYNOPSIS
    atoll [--help | --version]
    atoll COMMAND [OPTIONS]
    atoll COMMAND --help

DESCRIPTION
    Atoll runs several independent Linux kernels side by side on one x86-64
    machine, without virtualization. The kernel that booted first is the
    host (partition 0): it owns the devices and a pool of RAM reserved at its
    boot. Partitions 1 to 15 each get whole CPU cores (named by APIC ID), RAM
    from the pool on one NUMA node, and virtual devices over the lagoon, a
    window of shared RAM every kernel maps.

    A plan says which CPUs and which RAM each partition gets, where the pool
    and the lagoon lie. Every plan is validated as a whole against the
    machine before anything is applied.

COMMANDS
)";
    for (const Command* c : commands) {
        std::string name(c->name);
        name.resize(10, ' ');
        std::cout << "    " << name << c->summary << "\n";
    }
    std::cout <<
R"(
    Run 'atoll COMMAND --help' for a command's options.

OPTIONS
    --help       print this help and exit
    --version    print the version and exit

EXIT STATUS
    0    success
    1    refused: a plan that breaks a rule, a request the machine cannot
         hold, an unreadable file or machine description
    2    usage error: an unknown command or option, a malformed value
)";
}

int run(std::span<char*> argv) {
    if (argv.size() < 2) {
        print_help();
        return exit_usage;
    }
    const std::string_view first = argv[1];
    if (first == "--help" || first == "-h" || first == "help") {
        print_help();
        return exit_ok;
    }
    if (first == "--version") {
        std::cout << "atoll " << ATOLL_VERSION << "\n";
        return exit_ok;
    }
    for (const Command* c : commands) {
        if (c->name == first) {
            const Args args(argv.begin() + 2, argv.end());
            return c->run(args);
        }
    }
    throw UsageError("unknown command '" + std::string(first) + "'");
}

}  // namespace
}  // namespace atl::cli

int main(int argc, char** argv) {
    using namespace atl::cli;
    try {
        return run(std::span<char*>(argv, static_cast<std::size_t>(argc)));
    } catch (const UsageError& e) {
        std::cerr << "atoll: " << e.what() << "\nTry 'atoll --help'.\n";
        return exit_usage;
    } catch (const atl::ssi::Failure& e) {
        std::cerr << "atoll: " << e.what() << "\n";
        return exit_refused;
    } catch (const std::exception& e) {
        std::cerr << "atoll: " << e.what() << "\n";
        return exit_refused;
    }
}
