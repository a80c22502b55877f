// A structural check of an initramfs before it is placed: non-empty, and a
// format the kernel's initramfs unpacker recognises by its magic. This is
// not an integrity check: decompressing it is work for user space (the
// `atoll` tool does it before handing the image over), not for the host
// kernel with interrupts and a CPU's worth of time at stake. Whether the
// partition kernel was built with the matching CONFIG_RD_* decompressor
// cannot be told from the bzImage; the tool checks that too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/core/result.hpp"
#include "atoll/nk/fmt.hpp"

namespace atl::kb {

enum class InitrdFormat : std::uint8_t {
    cpio_newc,      // "070701" (or "070702", newc with checksums): uncompressed
    gzip,           // 1f 8b 08
    bzip2,          // "BZh1".."BZh9"
    xz,             // fd "7zXZ" 00
    zstd,           // 28 b5 2f fd
    lz4_legacy,     // 02 21 4c 18 (the kernel's lz4 is the legacy frame)
};

enum class InitrdError : std::uint8_t {
    none,
    empty,            // zero bytes
    unknown_format,   // no magic we know (got = first bytes, big-endian)
    truncated,        // shorter than its format's smallest valid file (got, want)
    gzip_method,      // gzip compression method is not deflate (got)
    gzip_flags,       // gzip header sets reserved flag bits (got)
};

struct InitrdRefusal {
    InitrdError reason = InitrdError::none;
    std::uint64_t got = 0;
    std::uint64_t want = 0;
};

// On failure `why` names the reason; on success it is cleared.
[[nodiscard]] Result<InitrdFormat> check_initrd(std::span<const std::byte> initrd, InitrdRefusal& why);

[[nodiscard]] const char* initrd_format_name(InitrdFormat f);
[[nodiscard]] const char* initrd_error_name(InitrdError e);
[[nodiscard]] Error initrd_error_code(InitrdError e);
void describe(const InitrdRefusal& r, nk::TextWriter& out);

}  // namespace atl::kb
