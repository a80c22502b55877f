// Sizes and addresses as people write them: 4096, 0x1000, 4K, 512M, 1G, 2T.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atl::ssi {

// A byte count with an optional K/M/G/T suffix (binary, case-insensitive);
// the number is decimal or 0x-hex. nullopt when malformed or over 2^64.
[[nodiscard]] std::optional<std::uint64_t> parse_size(std::string_view text);

// A plain number, decimal or 0x-hex, no suffix.
[[nodiscard]] std::optional<std::uint64_t> parse_number(std::string_view text);

// The exact inverse of parse_size: largest unit that divides (1G, 512M),
// else the plain decimal byte count.
[[nodiscard]] std::string format_size(std::uint64_t bytes);

// 0x-prefixed lower-case hex.
[[nodiscard]] std::string format_hex(std::uint64_t value);

}  // namespace atl::ssi
