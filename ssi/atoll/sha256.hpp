// SHA-256 of what a command copied or saved (atoll cp, freeze, thaw), as
// lower-case hex, through libsodium.
#pragma once

#include <filesystem>
#include <string>

namespace atl::cli {

// Reads `fd` to its end; throws ssi::Failure when a read fails.
[[nodiscard]] std::string sha256_of_fd(int fd);
// Throws ssi::Failure when `p` cannot be opened or read.
[[nodiscard]] std::string sha256_of_file(const std::filesystem::path& p);

}  // namespace atl::cli
