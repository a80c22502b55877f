// A bzImage, parsed and checked against what the Atoll bootloader needs:
// a 64-bit, relocatable kernel speaking boot protocol 2.12 or later, which
// we load at an address of our choosing inside partition RAM and enter at
// its 64-bit entry point (where its decompressor starts). Parsing never
// writes and never trusts a length it has not checked against the image's
// size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/kb/kernel_image.hpp"

namespace atl::kb {

// Parses and checks `image` (a whole bzImage file). On failure `why` names
// the first rule broken and the result carries image_error_code(reason);
// on success `why` is cleared.
[[nodiscard]] Result<KernelImage> parse_bzimage(std::span<const std::byte> image, ImageRefusal& why);

}  // namespace atl::kb
