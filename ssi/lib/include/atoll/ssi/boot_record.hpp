// What a partition was last booted with (kernel, initramfs, command line),
// so that `atoll restart N` without options boots it the same way: a
// partition booted with `--cmdline atoll.busy_read=200` keeps it across
// restarts. Kept in /run/atoll (forgotten at the host's reboot, as the
// partitions are); written only after the host accepted a boot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "atoll/ssi/control.hpp"

namespace atl::ssi {

inline constexpr const char* boot_record_dir = "/run/atoll";

// Records `images` for partition `id`; a failure to write is not an error
// of the boot (the record only sets later defaults), so it returns false.
bool remember_boot(std::uint32_t id, const BootImages& images, const std::string& dir = boot_record_dir);

// The images of the partition's last accepted boot, if recorded and whole.
[[nodiscard]] std::optional<BootImages> last_boot(std::uint32_t id, const std::string& dir = boot_record_dir);

}  // namespace atl::ssi
