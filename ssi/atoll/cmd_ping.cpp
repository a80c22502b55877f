// `atoll ping`: a round trip through the cross-kernel interrupt pipeline.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <thread>

#include "atoll/ssi/control.hpp"
#include "atoll/ssi/failure.hpp"
#include "cli.hpp"
#include "vcon_cli.hpp"

namespace atl::cli {
namespace {

void print_help() {
    std::cout <<
R"(NAME
    atoll ping - check that a partition's kernel answers interrupts

SYNOPSIS
    atoll ping N [--count C]

DESCRIPTION
    The host posts a virtual interrupt to partition N's control stage
    through the nanokernel pipeline (a bit in the partition CPU's pending
    log in the lagoon, then the Atoll IPI); the partition's kernel
    dispatches it and posts the host's control virq back. Prints the round
    trip time as the host measured it. No answer within 1 s is an error.

OPTIONS
    --count C    send C pings, one every 200 ms (default 1)
    --help       print this help and exit

EXIT STATUS
    0 every ping was answered; 1 otherwise (the message says why).
)";
}

int run(const Args& args) {
    std::optional<PartitionId> id;
    std::uint32_t count = 1;
    for (std::size_t i = 0; i < args.size(); i++) {
        std::string_view a = args[i];
        if (a == "--help" || a == "-h") {
            print_help();
            return exit_ok;
        } else if (a == "--count") {
            if (i + 1 == args.size())
                throw UsageError("--count needs a number");
            count = count_argument("--count", std::string(args[++i]));
        } else {
            positional_partition(id, a);
        }
    }
    required_partition(id, "atoll ping N");
    ssi::Control ctl;
    for (std::uint32_t n = 0; n < count; n++) {
        if (n)
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        const auto ns = ctl.ping(id->value());
        std::printf("partition %u: answered in %llu.%03llu us\n", id->value(),
                    static_cast<unsigned long long>(ns / 1000),
                    static_cast<unsigned long long>(ns % 1000));
        std::fflush(stdout);
    }
    return exit_ok;
}

}  // namespace

const Command ping_command{"ping", "round trip to a partition through the interrupt pipeline", run};

}  // namespace atl::cli
