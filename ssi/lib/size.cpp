// Size and number parsing/formatting for the plan file and the command line.
#include "atoll/ssi/size.hpp"

#include <cctype>
#include <charconv>

#include "atoll/core/strong.hpp"

namespace atl::ssi {

std::optional<std::uint64_t> parse_number(std::string_view text) {
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    if (text.empty())
        return std::nullopt;
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
    if (ec != std::errc{} || end != text.data() + text.size())
        return std::nullopt;
    return v;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
    std::uint64_t unit = 1;
    if (!text.empty()) {
        switch (std::toupper(static_cast<unsigned char>(text.back()))) {
        case 'K': unit = KiB; break;
        case 'M': unit = MiB; break;
        case 'G': unit = GiB; break;
        case 'T': unit = 1024 * GiB; break;
        default: break;
        }
        // A trailing hex digit is not a suffix in 0x numbers; K/M/G/T are not hex digits.
        if (unit != 1)
            text.remove_suffix(1);
    }
    const auto n = parse_number(text);
    if (!n || (*n != 0 && *n > UINT64_MAX / unit))
        return std::nullopt;
    return *n * unit;
}

std::string format_size(std::uint64_t bytes) {
    constexpr struct {
        std::uint64_t unit;
        char suffix;
    } units[] = {{1024 * GiB, 'T'}, {GiB, 'G'}, {MiB, 'M'}, {KiB, 'K'}};
    for (const auto& u : units)
        if (bytes != 0 && bytes % u.unit == 0)
            return std::to_string(bytes / u.unit) + u.suffix;
    return std::to_string(bytes);
}

std::string format_hex(std::uint64_t value) {
    char buf[19] = "0x";
    const auto [end, ec] = std::to_chars(buf + 2, buf + sizeof buf, value, 16);
    (void)ec;
    return std::string(buf, end);
}

}  // namespace atl::ssi
