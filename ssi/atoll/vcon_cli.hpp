// What `atoll log`, `console` and `run` share: the partition argument and
// the device.
#pragma once

#include <optional>

#include <string_view>

#include "atoll/core/strong.hpp"

namespace atl::cli {

// Parses a partition id 1..ATOLL_MAX_PARTITIONS-1 (0, the host, has no vcon),
// or throws UsageError.
PartitionId partition_argument(std::string_view value);

// An argument that is no known option: an unknown option is a usage error,
// the first bare word is the partition, a second one is a usage error.
void positional_partition(std::optional<PartitionId>& id, std::string_view arg);
// The partition, or a usage error saying how the command is used.
PartitionId required_partition(const std::optional<PartitionId>& id, std::string_view usage);

// Set by SIGINT, SIGTERM, SIGHUP, SIGQUIT once install_stop_signals() ran.
bool stop_requested();
void install_stop_signals();

}  // namespace atl::cli
