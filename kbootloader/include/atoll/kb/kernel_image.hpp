// A partition kernel as the loader sees it, whichever file it came from.
//
// Two formats are accepted:
//  - a bzImage (bzimage.hpp): its payload is copied to the load address and
//    entered at +0x200, where the kernel's own decompressor runs first;
//  - an uncompressed ELF `vmlinux` (elf_kernel.hpp): its PT_LOAD segments
//    are copied as they will run and entered at the kernel's startup_64
//    directly, so the partition skips the decompressor (under TCG, the XZ
//    decompressor is the biggest single part of a partition's boot).
// Both end in one descriptor: segments to copy, where to enter, how much
// RAM from the load address the kernel needs, and the setup header that goes
// into boot_params.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/abi/bootparams.h"
#include "atoll/core/result.hpp"
#include "atoll/nk/fmt.hpp"

namespace atl::kb {

// Why an image was refused: bzImage reasons in the order parse_bzimage()
// checks, then ELF reasons in the order parse_elf_kernel() checks.
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
    empty_payload,      // payload (syssize) ends at or before the 64-bit entry (got, want)
    truncated,          // payload needs more bytes than the image has (got, want)
    bad_init_size,      // init_size smaller than the payload (got, want)
    bad_alignment,      // kernel_alignment not a power of two >= 4 KiB (got)
    bad_cmdline_size,   // cmdline_size == 0
    elf_too_small,      // shorter than an ELF64 header (got size, want bytes)
    elf_not_x86_64,     // not ELF64 little-endian for x86-64 (got class or machine, want)
    elf_not_executable, // e_type is not EXEC (got)
    elf_bad_headers,    // program header table outside the file or of the wrong entry size (got, want)
    elf_segment_outside,// a segment's bytes run past the end of the file (got end, want file size)
    elf_bad_segment,    // memsz < filesz, or segments unsorted or overlapping (got paddr)
    elf_many_segments,  // more PT_LOAD segments than the loader carries (got, want)
    elf_no_segments,    // no PT_LOAD segment
    elf_misaligned,     // the first segment's physical address is not 2 MiB aligned (got, want)
    elf_too_big,        // the segments span more than a kernel may (got, want)
    elf_bad_entry,      // the entry point is outside the first segment's bytes (got)
    elf_not_linux,      // no "Linux" ELF note: not a Linux kernel
};

struct ImageRefusal {
    ImageError reason = ImageError::none;
    std::uint64_t got = 0;
    std::uint64_t want = 0;
};

enum class KernelFormat : std::uint8_t { bzimage, elf };

// One piece of the kernel: `bytes` go to load address + `offset`, and the
// `size - bytes.size()` bytes after them are zeroed (an ELF segment's bss).
struct KernelSegment {
    std::span<const std::byte> bytes{};
    std::uint64_t offset = 0;
    std::uint64_t size = 0;   // >= bytes.size()
};

inline constexpr std::size_t max_kernel_segments = 8;   // vmlinux of 6.12 has 4

// What the loader needs from an accepted image. The spans point into the
// caller's image buffer (or, for an ELF kernel's setup header, at static
// data), which must outlive the descriptor.
struct KernelImage {
    KernelFormat format = KernelFormat::bzimage;
    std::span<const std::byte> setup_header{};  // [0x1f1, header end): goes into boot_params
    std::span<const std::byte> payload{};       // bzImage: the protected-mode kernel; ELF: empty
    std::uint64_t payload_offset = 0;           // bzImage: (setup_sects + 1) * 512
    std::array<KernelSegment, max_kernel_segments> segments{};
    std::uint8_t segment_count = 0;             // bzImage: 1, the payload
    std::uint64_t entry_offset = 0;             // entry point, from the load address
    std::uint64_t pref_address = 0;             // floor: the lowest load address the kernel accepts
    std::uint32_t init_size = 0;                // bytes needed from the load address, >= every segment's end
    std::uint32_t alignment = 0;                // load address alignment: power of two >= 4 KiB
    std::uint32_t cmdline_size = 0;             // command line chars, NUL excluded
    std::uint32_t initrd_addr_max = 0;          // highest initrd byte, for images below 4 GiB only
    std::uint16_t version = 0;                  // boot protocol, 0x020c = 2.12
    std::uint16_t xloadflags = 0;               // ATOLL_BP_XLF_*
    std::uint8_t loadflags = 0;                 // ATOLL_BP_LF_* as the image has them
    std::uint8_t min_alignment_log2 = 0;        // 0 when the image does not say

    [[nodiscard]] constexpr bool can_load_above_4g() const {
        return (xloadflags & ATOLL_BP_XLF_CAN_BE_LOADED_ABOVE_4G) != 0;
    }
    [[nodiscard]] constexpr std::span<const KernelSegment> loaded_segments() const {
        return {segments.data(), segment_count};
    }
};

// An ELF file (by its magic) is parsed as a vmlinux, anything else as a
// bzImage. On failure `why` names the first rule broken.
[[nodiscard]] Result<KernelImage> parse_kernel(std::span<const std::byte> image, ImageRefusal& why);

// The generic error code a refusal surfaces as.
[[nodiscard]] Error image_error_code(ImageError e);

// Short kebab-case name ("not-relocatable"), for logs and tests.
[[nodiscard]] const char* image_error_name(ImageError e);

// One line for people, with the offending values, e.g.
// "not a bzImage: boot sector signature 0x0 (want 0xaa55)".
void describe(const ImageRefusal& r, nk::TextWriter& out);

}  // namespace atl::kb
