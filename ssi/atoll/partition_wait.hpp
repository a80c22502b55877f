// Waiting for a partition to reach a state, shared by boot, restart, stop.
#pragma once

#include <cstdint>
#include <optional>

#include "atoll/ssi/control.hpp"

namespace atl::cli {

// The partition's entry in `atoll list`, if it exists.
[[nodiscard]] std::optional<atoll_partition_info> find_partition(const ssi::Control& ctl,
                                                                 std::uint32_t id);

// Until the partition's kernel has attached (running); prints progress.
// False, with a message naming `atoll log N`, if it stopped or timed out.
[[nodiscard]] bool wait_running(const ssi::Control& ctl, std::uint32_t id, int timeout_s);

// Until the partition is stopped; false (with a message) on timeout.
[[nodiscard]] bool wait_stopped(const ssi::Control& ctl, std::uint32_t id, int timeout_s);

}  // namespace atl::cli
