// Shared pieces of the console commands (see vcon_cli.hpp).
#include "vcon_cli.hpp"

#include <csignal>
#include <string>

#include "atoll/abi/abi.h"
#include "atoll/ssi/size.hpp"
#include "cli.hpp"

namespace atl::cli {

namespace {
volatile std::sig_atomic_t g_stop = 0;   // async-signal-safe flag
void on_stop(int) { g_stop = 1; }
}  // namespace

PartitionId partition_argument(std::string_view value) {
    const auto v = ssi::parse_number(value);
    if (!v || *v == 0 || *v >= ATOLL_MAX_PARTITIONS)
        throw UsageError("a partition is a number from 1 to " + std::to_string(ATOLL_MAX_PARTITIONS - 1) +
                         ", not '" + std::string(value) + "'");
    return PartitionId{static_cast<std::uint32_t>(*v)};
}

bool stop_requested() { return g_stop != 0; }

void install_stop_signals() {
    struct sigaction sa{};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT})
        sigaction(s, &sa, nullptr);
}

void positional_partition(std::optional<PartitionId>& id, std::string_view arg) {
    if (arg.starts_with("-"))
        throw UsageError("unknown option '" + std::string(arg) + "'");
    if (id)
        throw UsageError("unexpected argument '" + std::string(arg) + "'");
    id = partition_argument(arg);
}

PartitionId required_partition(const std::optional<PartitionId>& id, std::string_view usage) {
    if (!id)
        throw UsageError("which partition? " + std::string(usage));
    return *id;
}

}  // namespace atl::cli
