// What `atoll log`, `console` and `run` share: the partition argument and
// the device.
#pragma once

#include <string_view>

#include "atoll/core/strong.hpp"

namespace atl::cli {

// Parses a partition id 1..ATOLL_MAX_PARTITIONS-1 (0, the host, has no vcon),
// or throws UsageError.
PartitionId partition_argument(std::string_view value);

// Set by SIGINT, SIGTERM, SIGHUP, SIGQUIT once install_stop_signals() ran.
bool stop_requested();
void install_stop_signals();

}  // namespace atl::cli
