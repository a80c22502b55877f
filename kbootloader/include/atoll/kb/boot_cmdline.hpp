// The partition kernel's command line: checked against the image's limit,
// then written NUL-terminated into the bytes that will sit at
// boot_params.cmd_line_ptr.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/core/result.hpp"
#include "atoll/nk/fmt.hpp"

namespace atl::kb {

enum class CmdlineError : std::uint8_t {
    none,
    too_long,       // more chars than the image's cmdline_size (got, want)
    embedded_nul,   // a NUL inside would cut the line short (got = index)
};

struct CmdlineRefusal {
    CmdlineError reason = CmdlineError::none;
    std::uint64_t got = 0;
    std::uint64_t want = 0;
};

// `text` excludes the terminating NUL; `max_chars` is the image's cmdline_size.
[[nodiscard]] Status check_cmdline(std::span<const char> text, std::uint32_t max_chars, CmdlineRefusal& why);

// Bytes the line takes in memory: text and its NUL.
[[nodiscard]] constexpr std::uint64_t cmdline_bytes(std::span<const char> text) { return text.size() + 1; }

// Writes text and NUL at the start of `dst`, after checking it fits.
[[nodiscard]] Status write_cmdline(std::span<const char> text, std::span<std::byte> dst);

[[nodiscard]] const char* cmdline_error_name(CmdlineError e);
void describe(const CmdlineRefusal& r, nk::TextWriter& out);

}  // namespace atl::kb
