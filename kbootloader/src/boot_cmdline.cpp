// Command line checks and the NUL-terminated copy.
#include "atoll/kb/boot_cmdline.hpp"

namespace atl::kb {

Status check_cmdline(std::span<const char> text, std::uint32_t max_chars, CmdlineRefusal& why) {
    if (text.size() > max_chars) {
        why = CmdlineRefusal{CmdlineError::too_long, text.size(), max_chars};
        return Error::bad_size;
    }
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\0') {
            why = CmdlineRefusal{CmdlineError::embedded_nul, i, 0};
            return Error::invalid_argument;
        }
    why = CmdlineRefusal{};
    return Error::ok;
}

Status write_cmdline(std::span<const char> text, std::span<std::byte> dst) {
    if (dst.size() < cmdline_bytes(text))
        return Error::bad_size;
    for (std::size_t i = 0; i < text.size(); ++i)
        dst[i] = static_cast<std::byte>(text[i]);
    dst[text.size()] = std::byte{0};
    return Error::ok;
}

const char* cmdline_error_name(CmdlineError e) {
    switch (e) {
    case CmdlineError::none: return "none";
    case CmdlineError::too_long: return "too-long";
    case CmdlineError::embedded_nul: return "embedded-nul";
    }
    return "unknown";
}

void describe(const CmdlineRefusal& r, nk::TextWriter& out) {
    switch (r.reason) {
    case CmdlineError::none:
        out.str("command line accepted");
        return;
    case CmdlineError::too_long:
        out.str("command line too long: ").dec(r.got).str(" chars, the kernel takes at most ").dec(r.want);
        return;
    case CmdlineError::embedded_nul:
        out.str("command line contains a NUL at offset ").dec(r.got);
        return;
    }
    out.str("command line refused: ").str(cmdline_error_name(r.reason));
}

}  // namespace atl::kb
