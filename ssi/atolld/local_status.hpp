// What this node reports about itself (STATUS): CPUs, memory, load,
// uptime, and on the host the partition table (through /dev/atoll).
#pragma once

#include "atoll/wire/messages.hpp"
#include "config.hpp"

namespace atl::atolld {

[[nodiscard]] wire::Status local_status(const Config& cfg);

}  // namespace atl::atolld
