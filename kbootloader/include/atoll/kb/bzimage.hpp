// A bzImage, parsed and checked against what the Atoll bootloader needs:
// a 64-bit, relocatable kernel speaking boot protocol 2.12 or later, which
// we load at an address of our choosing inside partition RAM and enter at
// its 64-bit entry point. Parsing never writes and never trusts a length
// it has not checked against the image's size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/abi/bootparams.h"
#include "atoll/core/result.hpp"
#include "atoll/nk/fmt.hpp"

namespace atl::kb {

// Why an image was refused, in the order parse_bzimage() checks.
enum class ImageError : std::uint8_t {
    none,
    too_small,          // shorter than the setup header (got size, want bytes)
    bad_boot_flag,      // 0x1fe is not 0xAA55 (got)
    bad_header_magic,   // 0x202 is not "HdrS" (got)
    old_protocol,       // version < 2.12 (got, want)
    bad_header_length,  // header end outside [0x264, 0x290] (got)
    not_bzimage,        // loadflags lacks LOADED_HIGH: a zImage (got loadflags)
    not_64bit,          // xloadflags lacks XLF_KERNEL_64 (got xloadflags)
    not_relocatable,    // relocatable_kernel == 0: CONFIG_RELOCATABLE is off
    empty_payload,      // syssize == 0
    truncated,          // payload needs more bytes than the image has (got, want)
    bad_init_size,      // init_size smaller than the payload (got, want)
    bad_alignment,      // kernel_alignment not a power of two >= 4 KiB (got)
    bad_cmdline_size,   // cmdline_size == 0
};

struct ImageRefusal {
    ImageError reason = ImageError::none;
    std::uint64_t got = 0;
    std::uint64_t want = 0;
};

// What the loader needs from an accepted image. The spans point into the
// caller's image buffer, which must outlive the descriptor.
struct BzImage {
    std::span<const std::byte> setup_header{};  // image bytes [0x1f1, header end): goes into boot_params
    std::span<const std::byte> payload{};       // protected-mode kernel: copied to the load address
    std::uint64_t payload_offset = 0;           // payload's offset in the image: (setup_sects + 1) * 512
    std::uint64_t pref_address = 0;             // the kernel moves itself here if loaded lower
    std::uint32_t init_size = 0;                // bytes needed from the load address, >= payload
    std::uint32_t alignment = 0;                // kernel_alignment: power of two >= 4 KiB
    std::uint32_t cmdline_size = 0;             // command line chars, NUL excluded
    std::uint32_t initrd_addr_max = 0;          // highest initrd byte, for images below 4 GiB only
    std::uint16_t version = 0;                  // boot protocol, 0x020c = 2.12
    std::uint16_t xloadflags = 0;               // ATOLL_BP_XLF_*
    std::uint8_t loadflags = 0;                 // ATOLL_BP_LF_* as the image has them
    std::uint8_t min_alignment_log2 = 0;        // 0 when the image does not say

    [[nodiscard]] constexpr bool can_load_above_4g() const {
        return (xloadflags & ATOLL_BP_XLF_CAN_BE_LOADED_ABOVE_4G) != 0;
    }
};

// Parses and checks `image` (a whole bzImage file). On failure `why` names
// the first rule broken and the result carries image_error_code(reason);
// on success `why` is cleared.
[[nodiscard]] Result<BzImage> parse_bzimage(std::span<const std::byte> image, ImageRefusal& why);

// The generic error code a refusal surfaces as.
[[nodiscard]] Error image_error_code(ImageError e);

// Short kebab-case name ("not-relocatable"), for logs and tests.
[[nodiscard]] const char* image_error_name(ImageError e);

// One line for people, with the offending values, e.g.
// "not a bzImage: boot sector signature 0x0 (want 0xaa55)".
void describe(const ImageRefusal& r, nk::TextWriter& out);

}  // namespace atl::kb
