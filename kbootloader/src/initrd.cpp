// Initramfs format recognition by magic (see initrd.hpp for what this is not).
#include "atoll/kb/initrd.hpp"

#include <array>

#include "atoll/kb/le.hpp"

namespace atl::kb {

namespace {

struct Magic {
    InitrdFormat format;
    std::uint8_t length;
    std::array<std::uint8_t, 6> bytes;
    std::uint32_t min_size;   // smallest file of this format worth handing over
};

// Smallest sizes: a newc header is 110 bytes; a gzip member has a 10-byte
// header and an 8-byte trailer; the others at least their magic and a
// little. They only catch a file cut short right after its magic.
constexpr std::array<Magic, 7> magics{{
    {InitrdFormat::cpio_newc, 6, {'0', '7', '0', '7', '0', '1'}, 110},
    {InitrdFormat::cpio_newc, 6, {'0', '7', '0', '7', '0', '2'}, 110},
    {InitrdFormat::gzip, 2, {0x1f, 0x8b}, 18},
    {InitrdFormat::bzip2, 3, {'B', 'Z', 'h'}, 14},
    {InitrdFormat::xz, 6, {0xfd, '7', 'z', 'X', 'Z', 0x00}, 32},
    {InitrdFormat::zstd, 4, {0x28, 0xb5, 0x2f, 0xfd}, 9},
    {InitrdFormat::lz4_legacy, 4, {0x02, 0x21, 0x4c, 0x18}, 8},
}};

constexpr std::uint8_t gzip_deflate = 8;
constexpr std::uint8_t gzip_reserved_flags = 0xe0;   // bits 5..7 must be zero (RFC 1952)

bool matches(const Magic& m, std::span<const std::byte> d) {
    if (d.size() < m.length)
        return false;
    for (std::size_t i = 0; i < m.length; ++i)
        if (load_u8(d, i) != m.bytes[i])
            return false;
    return true;
}

std::uint64_t leading_bytes(std::span<const std::byte> d) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 4 && i < d.size(); ++i)
        v = (v << 8) | load_u8(d, i);
    return v;
}

Error refuse(InitrdRefusal& why, InitrdError e, std::uint64_t got = 0, std::uint64_t want = 0) {
    why = InitrdRefusal{e, got, want};
    return initrd_error_code(e);
}

}  // namespace

Result<InitrdFormat> check_initrd(std::span<const std::byte> initrd, InitrdRefusal& why) {
    if (initrd.empty())
        return refuse(why, InitrdError::empty);
    const Magic* found = nullptr;
    for (const Magic& m : magics)
        if (matches(m, initrd)) {
            found = &m;
            break;
        }
    // bzip2's fourth byte is the block size digit '1'..'9'.
    if (found != nullptr && found->format == InitrdFormat::bzip2 &&
        (initrd.size() < 4 || load_u8(initrd, 3) < '1' || load_u8(initrd, 3) > '9'))
        found = nullptr;
    if (found == nullptr)
        return refuse(why, InitrdError::unknown_format, leading_bytes(initrd));
    if (initrd.size() < found->min_size)
        return refuse(why, InitrdError::truncated, initrd.size(), found->min_size);
    if (found->format == InitrdFormat::gzip) {
        if (const std::uint8_t method = load_u8(initrd, 2); method != gzip_deflate)
            return refuse(why, InitrdError::gzip_method, method, gzip_deflate);
        if (const std::uint8_t flags = load_u8(initrd, 3); (flags & gzip_reserved_flags) != 0)
            return refuse(why, InitrdError::gzip_flags, flags);
    }
    why = InitrdRefusal{};
    return found->format;
}

const char* initrd_format_name(InitrdFormat f) {
    switch (f) {
    case InitrdFormat::cpio_newc: return "cpio (newc)";
    case InitrdFormat::gzip: return "gzip";
    case InitrdFormat::bzip2: return "bzip2";
    case InitrdFormat::xz: return "xz";
    case InitrdFormat::zstd: return "zstd";
    case InitrdFormat::lz4_legacy: return "lz4 (legacy)";
    }
    return "unknown";
}

const char* initrd_error_name(InitrdError e) {
    switch (e) {
    case InitrdError::none: return "none";
    case InitrdError::empty: return "empty";
    case InitrdError::unknown_format: return "unknown-format";
    case InitrdError::truncated: return "truncated";
    case InitrdError::gzip_method: return "gzip-method";
    case InitrdError::gzip_flags: return "gzip-flags";
    }
    return "unknown";
}

Error initrd_error_code(InitrdError e) {
    switch (e) {
    case InitrdError::none: return Error::ok;
    case InitrdError::empty:
    case InitrdError::truncated: return Error::bad_size;
    case InitrdError::unknown_format:
    case InitrdError::gzip_method: return Error::bad_signature;
    case InitrdError::gzip_flags: return Error::corrupt;
    }
    return Error::invalid_argument;
}

void describe(const InitrdRefusal& r, nk::TextWriter& out) {
    switch (r.reason) {
    case InitrdError::none:
        out.str("initramfs accepted");
        return;
    case InitrdError::empty:
        out.str("initramfs is empty");
        return;
    case InitrdError::unknown_format:
        out.str("initramfs format not recognised (starts ").hex(r.got)
            .str("; want cpio newc, gzip, bzip2, xz, zstd or lz4)");
        return;
    case InitrdError::truncated:
        out.str("initramfs truncated: ").dec(r.got).str(" bytes, its format needs at least ").dec(r.want);
        return;
    case InitrdError::gzip_method:
        out.str("initramfs gzip method ").dec(r.got).str(" is not deflate (").dec(r.want).ch(')');
        return;
    case InitrdError::gzip_flags:
        out.str("initramfs gzip header sets reserved flags (").hex(r.got).ch(')');
        return;
    }
    out.str("initramfs refused: ").str(initrd_error_name(r.reason));
}

}  // namespace atl::kb
