// What this node reports about itself (STATUS): CPUs, memory, load,
// uptime, and on the host the partition table (through /dev/atoll).
#pragma once

#include <optional>
#include <vector>

#include "atoll/wire/messages.hpp"
#include "config.hpp"

namespace atl::atolld {

// `table`: the host's partition table (local_partition_table()), which the
// host's STATUS carries.
[[nodiscard]] wire::Status local_status(const Config& cfg,
                                        const std::optional<std::vector<wire::PartitionState>>& table);

// The host's partition table through /dev/atoll; nullopt when this kernel
// is not an Atoll host (no device).
[[nodiscard]] std::optional<std::vector<wire::PartitionState>> local_partition_table();

}  // namespace atl::atolld
