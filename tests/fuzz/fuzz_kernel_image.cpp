// libFuzzer: arbitrary bytes as a partition kernel (vmlinux or bzImage).
// parse_kernel must refuse or accept without reading past `size`; an
// accepted image's segments must lie inside the file and inside the RAM
// the kernel asks for, and its entry point inside that RAM too, since the
// kernel glue copies and jumps by these numbers without checking again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "atoll/abi/elf.h"
#include "atoll/kb/kernel_image.hpp"

using namespace atl;
using namespace atl::kb;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Exact-size heap copy so ASan sees any over-read.
    auto* copy = static_cast<std::byte*>(std::malloc(size == 0 ? 1 : size));
    if (copy == nullptr)
        return 0;
    if (size != 0)
        std::memcpy(copy, data, size);
    // Help the fuzzer past the ELF magic half of the time.
    if (size >= 64 && (data[size - 1] & 1) != 0) {
        const std::uint32_t magic = ATOLL_ELF_MAGIC;
        std::memcpy(copy, &magic, 4);
    }
    const std::span<const std::byte> image{copy, size};
    ImageRefusal why;
    const auto k = parse_kernel(image, why);
    if (!k.ok()) {
        if (why.reason == ImageError::none || k.error() != image_error_code(why.reason))
            std::abort();
        std::free(copy);
        return 0;
    }
    if (k->segment_count == 0 || k->segment_count > max_kernel_segments || k->setup_header.empty())
        std::abort();
    for (const KernelSegment& s : k->loaded_segments()) {
        if (s.bytes.data() < copy || s.bytes.data() + s.bytes.size() > copy + size)
            std::abort();
        if (s.size < s.bytes.size() || s.offset > k->init_size || s.size > k->init_size - s.offset)
            std::abort();
    }
    if (k->entry_offset >= k->init_size || k->alignment < 4096 || (k->alignment & (k->alignment - 1)) != 0)
        std::abort();
    std::free(copy);
    return 0;
}
