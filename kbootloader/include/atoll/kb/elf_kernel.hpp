// An uncompressed Linux kernel (`vmlinux`, an ELF64 executable), parsed and
// checked against what the Atoll bootloader needs to start it without its
// decompressor:
//  - ELF64, little-endian, x86-64, an executable with a "Linux" note;
//  - PT_LOAD segments inside the file, sorted and disjoint by physical
//    address, the first on a 2 MiB boundary, spanning at most 1 GiB;
//  - the entry point (vmlinux's ELF entry is startup_64's physical address)
//    inside the first segment.
// The loader then copies the segments to a 2 MiB-aligned address of its
// choosing, at the same distances from each other as their physical
// addresses, and enters at startup_64 in long mode with RSI = boot_params,
// as the decompressor would. An x86-64 kernel fixes up its own page tables
// for a physical address other than its link-time one (phys_base, head64.c),
// which is why the address must be 2 MiB aligned; its virtual addresses stay
// the link-time ones, so no relocation is applied (and so no KASLR: the
// decompressor is what randomises).
//
// A vmlinux has no setup header; the descriptor carries a fixed one, what a
// bzImage of a 64-bit relocatable kernel says (protocol 2.15, loaded high,
// 2 MiB alignment, a 2047-character command line). The kernel proper reads
// none of its sizes; they are the decompressor's.
#pragma once

#include <cstddef>
#include <span>

#include "atoll/kb/kernel_image.hpp"

namespace atl::kb {

// Parses and checks `image` (a whole vmlinux file). On failure `why` names
// the first rule broken and the result carries image_error_code(reason);
// on success `why` is cleared.
[[nodiscard]] Result<KernelImage> parse_elf_kernel(std::span<const std::byte> image, ImageRefusal& why);

// True when `image` starts with the ELF magic: parse_kernel's dispatch.
[[nodiscard]] bool looks_like_elf(std::span<const std::byte> image);

}  // namespace atl::kb
