// This kernel's processes for `atoll ps` (PS), read from /proc.
#pragma once

#include "atoll/wire/messages.hpp"

namespace atl::atolld {

[[nodiscard]] wire::Processes list_processes();

}  // namespace atl::atolld
