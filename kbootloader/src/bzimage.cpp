// bzImage header parsing (Documentation/arch/x86/boot.rst).
#include "atoll/kb/bzimage.hpp"

#include "atoll/kb/le.hpp"

namespace atl::kb {

namespace {

constexpr std::uint32_t min_kernel_alignment = 4096;
constexpr std::uint32_t default_setup_sects = 4;   // setup_sects == 0 means 4 (boot.rst)
constexpr std::uint32_t paragraph = 16;            // syssize unit

struct Checker {
    ImageRefusal& why;

    Error refuse(ImageError e, std::uint64_t got = 0, std::uint64_t want = 0) {
        why = ImageRefusal{e, got, want};
        return image_error_code(e);
    }
};

constexpr bool power_of_two(std::uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

// The checks run in the order of ImageError: first that this is a boot
// sector with a protocol header at all, then that the header is one we can
// read (2.12 has xloadflags, and init_size ends at 0x264), then the policy:
// we only ever enter at the 64-bit entry point and load at an address of our
// choosing, so the kernel must be 64-bit and relocatable.
Result<KernelImage> parse_bzimage(std::span<const std::byte> image, ImageRefusal& why) {
    Checker c{why};
    const std::uint64_t size = image.size();
    if (size < ATOLL_BP_HEADER_MIN_END)
        return c.refuse(ImageError::too_small, size, ATOLL_BP_HEADER_MIN_END);
    if (const std::uint16_t flag = load_le16(image, ATOLL_BP_BOOT_FLAG); flag != ATOLL_BP_BOOT_FLAG_MAGIC)
        return c.refuse(ImageError::bad_boot_flag, flag, ATOLL_BP_BOOT_FLAG_MAGIC);
    if (const std::uint32_t m = load_le32(image, ATOLL_BP_HEADER_MAGIC); m != ATOLL_BP_HEADER_MAGIC_HDRS)
        return c.refuse(ImageError::bad_header_magic, m, ATOLL_BP_HEADER_MAGIC_HDRS);

    KernelImage k;
    k.format = KernelFormat::bzimage;
    k.version = load_le16(image, ATOLL_BP_VERSION);
    if (k.version < ATOLL_BP_MIN_VERSION)
        return c.refuse(ImageError::old_protocol, k.version, ATOLL_BP_MIN_VERSION);
    // The jump at 0x200 is "jmp short": its displacement byte says where
    // the header ends, which is how much of it a loader copies.
    const std::uint32_t header_end = ATOLL_BP_JUMP + 2 + load_u8(image, ATOLL_BP_JUMP + 1);
    if (header_end < ATOLL_BP_HEADER_MIN_END || header_end > ATOLL_BP_HEADER_MAX_END)
        return c.refuse(ImageError::bad_header_length, header_end, ATOLL_BP_HEADER_MIN_END);
    if (header_end > size)
        return c.refuse(ImageError::too_small, size, header_end);

    k.loadflags = load_u8(image, ATOLL_BP_LOADFLAGS);
    if ((k.loadflags & ATOLL_BP_LF_LOADED_HIGH) == 0)
        return c.refuse(ImageError::not_bzimage, k.loadflags);
    k.xloadflags = load_le16(image, ATOLL_BP_XLOADFLAGS);
    if ((k.xloadflags & ATOLL_BP_XLF_KERNEL_64) == 0)
        return c.refuse(ImageError::not_64bit, k.xloadflags);
    if (load_u8(image, ATOLL_BP_RELOCATABLE) == 0)
        return c.refuse(ImageError::not_relocatable);

    std::uint32_t setup_sects = load_u8(image, ATOLL_BP_SETUP_SECTS);
    if (setup_sects == 0)
        setup_sects = default_setup_sects;
    const std::uint64_t payload_offset = std::uint64_t{setup_sects + 1} * ATOLL_BP_SECTOR;
    // syssize gives the payload's length; bytes after it (an appended
    // signature, for one) are not ours to copy.
    const std::uint64_t payload_size = std::uint64_t{load_le32(image, ATOLL_BP_SYSSIZE)} * paragraph;
    // The entry is 0x200 into the payload: a shorter one would send the CPU
    // past the kernel's own bytes.
    if (payload_size <= ATOLL_BP_ENTRY64_OFFSET)
        return c.refuse(ImageError::empty_payload, payload_size, ATOLL_BP_ENTRY64_OFFSET);
    if (payload_offset + payload_size > size)
        return c.refuse(ImageError::truncated, size, payload_offset + payload_size);

    k.init_size = load_le32(image, ATOLL_BP_INIT_SIZE);
    if (k.init_size < payload_size)
        return c.refuse(ImageError::bad_init_size, k.init_size, payload_size);
    k.alignment = load_le32(image, ATOLL_BP_KERNEL_ALIGNMENT);
    if (!power_of_two(k.alignment) || k.alignment < min_kernel_alignment)
        return c.refuse(ImageError::bad_alignment, k.alignment, min_kernel_alignment);
    k.cmdline_size = load_le32(image, ATOLL_BP_CMDLINE_SIZE);
    if (k.cmdline_size == 0)
        return c.refuse(ImageError::bad_cmdline_size);

    k.min_alignment_log2 = load_u8(image, ATOLL_BP_MIN_ALIGNMENT);
    k.initrd_addr_max = load_le32(image, ATOLL_BP_INITRD_ADDR_MAX);
    k.pref_address = load_le64(image, ATOLL_BP_PREF_ADDRESS);
    k.setup_header = image.subspan(ATOLL_BP_SETUP_HEADER, header_end - ATOLL_BP_SETUP_HEADER);
    k.payload = image.subspan(payload_offset, payload_size);
    k.payload_offset = payload_offset;
    k.segments[0] = KernelSegment{k.payload, 0, k.payload.size()};
    k.segment_count = 1;
    k.entry_offset = ATOLL_BP_ENTRY64_OFFSET;
    why = ImageRefusal{};
    return k;
}

}  // namespace atl::kb
