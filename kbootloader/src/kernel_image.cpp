// The format dispatch and the names and codes of image refusals, shared by
// both formats.
#include "atoll/kb/kernel_image.hpp"

#include "atoll/kb/bzimage.hpp"
#include "atoll/kb/elf_kernel.hpp"

namespace atl::kb {

Result<KernelImage> parse_kernel(std::span<const std::byte> image, ImageRefusal& why) {
    return looks_like_elf(image) ? parse_elf_kernel(image, why) : parse_bzimage(image, why);
}

Error image_error_code(ImageError e) {
    switch (e) {
    case ImageError::none: return Error::ok;
    case ImageError::too_small:
    case ImageError::truncated:
    case ImageError::empty_payload:
    case ImageError::bad_init_size: return Error::bad_size;
    case ImageError::bad_boot_flag:
    case ImageError::bad_header_magic:
    case ImageError::not_bzimage: return Error::bad_signature;
    case ImageError::old_protocol:
    case ImageError::bad_header_length: return Error::bad_revision;
    case ImageError::bad_alignment: return Error::misaligned;
    case ImageError::not_64bit:
    case ImageError::not_relocatable:
    case ImageError::bad_cmdline_size: return Error::invalid_argument;
    case ImageError::elf_too_small:
    case ImageError::elf_segment_outside:
    case ImageError::elf_too_big: return Error::bad_size;
    case ImageError::elf_not_x86_64:
    case ImageError::elf_not_executable:
    case ImageError::elf_not_linux: return Error::bad_signature;
    case ImageError::elf_misaligned: return Error::misaligned;
    case ImageError::elf_bad_headers:
    case ImageError::elf_bad_segment:
    case ImageError::elf_many_segments:
    case ImageError::elf_no_segments:
    case ImageError::elf_bad_entry: return Error::invalid_argument;
    }
    return Error::invalid_argument;
}

const char* image_error_name(ImageError e) {
    switch (e) {
    case ImageError::none: return "none";
    case ImageError::too_small: return "too-small";
    case ImageError::bad_boot_flag: return "bad-boot-flag";
    case ImageError::bad_header_magic: return "bad-header-magic";
    case ImageError::old_protocol: return "old-protocol";
    case ImageError::bad_header_length: return "bad-header-length";
    case ImageError::not_bzimage: return "not-bzimage";
    case ImageError::not_64bit: return "not-64bit";
    case ImageError::not_relocatable: return "not-relocatable";
    case ImageError::empty_payload: return "empty-payload";
    case ImageError::truncated: return "truncated";
    case ImageError::bad_init_size: return "bad-init-size";
    case ImageError::bad_alignment: return "bad-alignment";
    case ImageError::bad_cmdline_size: return "bad-cmdline-size";
    case ImageError::elf_too_small: return "elf-too-small";
    case ImageError::elf_not_x86_64: return "elf-not-x86-64";
    case ImageError::elf_not_executable: return "elf-not-executable";
    case ImageError::elf_bad_headers: return "elf-bad-headers";
    case ImageError::elf_segment_outside: return "elf-segment-outside";
    case ImageError::elf_bad_segment: return "elf-bad-segment";
    case ImageError::elf_many_segments: return "elf-many-segments";
    case ImageError::elf_no_segments: return "elf-no-segments";
    case ImageError::elf_misaligned: return "elf-misaligned";
    case ImageError::elf_too_big: return "elf-too-big";
    case ImageError::elf_bad_entry: return "elf-bad-entry";
    case ImageError::elf_not_linux: return "elf-not-linux";
    }
    return "unknown";
}

}  // namespace atl::kb
