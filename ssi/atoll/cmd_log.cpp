// `atoll log N`: print a partition's console buffer (and follow it).
#include <chrono>
#include <iostream>
#include <optional>
#include <thread>

#include "atoll/abi/ioctl.h"
#include "atoll/ssi/device.hpp"
#include "atoll/ssi/failure.hpp"
#include "atoll/ssi/vcon_session.hpp"
#include "cli.hpp"
#include "vcon_cli.hpp"

namespace atl::cli {
namespace {

void print_help() {
    std::cout <<
R"(NAME
    atoll log - print a partition's console output

SYNOPSIS
    atoll log N [--follow]

DESCRIPTION
    Prints what partition N's kernel and its /dev/vcon0 tty wrote to its
    console (vcon): the kernel log from the first boot message on, then
    everything written to the tty. The console is a ring in the lagoon that
    keeps the most recent bytes (about the console area's size, see
    doc/vcon.md); older output is gone.

    The buffer survives the partition: after a crash, a stop or a panic,
    atoll log still shows its last words. When the partition restarts with
    the same lagoon, its new output continues the same stream.

    With --follow, keeps printing new output until interrupted. When the
    partition wrote faster than atoll could read, a line
    "[vcon: N bytes lost]" marks the gap; "[vcon: console restarted]" marks
    a restart of the partition.

    Reading the lagoon needs root (/dev/atoll).

OPTIONS
    --follow, -f    keep printing new output (Ctrl-C to stop)
    --help          print this help and exit

EXIT STATUS
    0    printed
    1    no such partition, no console yet, or /dev/atoll unusable
    2    usage error
)";
}

int run_log(const Args& args) {
    std::optional<PartitionId> id;
    bool follow = false;
    for (std::string_view a : args) {
        if (a == "--help" || a == "-h") {
            print_help();
            return exit_ok;
        }
        if (a == "--follow" || a == "-f")
            follow = true;
        else
            positional_partition(id, a);
    }
    required_partition(id, "atoll log N");

    const auto lagoon = ssi::LagoonMap::open_device(ATOLL_DEVICE_PATH);
    ssi::ConsoleFollower console(lagoon.console(*id), *id);
    if (!console.attach() && !follow)
        throw ssi::Failure(ssi::console_error(*id, Error::bad_signature));
    std::cout << console.snapshot() << std::flush;
    if (!follow)
        return exit_ok;
    install_stop_signals();
    while (!stop_requested()) {
        const std::string text = console.poll();
        if (!text.empty())
            std::cout << text << std::flush;
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return exit_ok;
}

}  // namespace

const Command log_command{"log", "print a partition's console output (--follow to keep printing)", run_log};

}  // namespace atl::cli
