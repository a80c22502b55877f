// vmlinux (ELF64) parsing: see elf_kernel.hpp for the rules and why.
#include "atoll/kb/elf_kernel.hpp"

#include <array>

#include "atoll/abi/elf.h"
#include "atoll/core/strong.hpp"
#include "atoll/kb/le.hpp"

namespace atl::kb {

namespace {

// head64.c refuses (spins) when its load delta is not PMD aligned.
constexpr std::uint64_t kernel_alignment = 2 * MiB;
// The kernel image's virtual window on x86-64 (KERNEL_IMAGE_SIZE) is at
// most 1 GiB: a bigger span is not a kernel, whatever its headers say.
constexpr std::uint64_t max_span = 1 * GiB;
constexpr std::uint16_t max_program_headers = 64;
constexpr std::uint32_t linux_cmdline_size = 2047;   // x86 COMMAND_LINE_SIZE 2048, NUL excluded
constexpr std::uint16_t protocol_2_15 = 0x020f;
constexpr std::uint8_t alignment_log2 = 21;
constexpr std::array<std::byte, 6> linux_note_name{std::byte{'L'}, std::byte{'i'}, std::byte{'n'},
                                                   std::byte{'u'}, std::byte{'x'}, std::byte{0}};

constexpr std::size_t header_len = ATOLL_BP_HEADER_MIN_END - ATOLL_BP_SETUP_HEADER;
constexpr std::size_t at(std::size_t bp_offset) { return bp_offset - ATOLL_BP_SETUP_HEADER; }

constexpr std::array<std::byte, header_len> make_setup_header() {
    std::array<std::byte, header_len> h{};
    const std::span<std::byte> s{h};
    store_le16(s, at(ATOLL_BP_BOOT_FLAG), ATOLL_BP_BOOT_FLAG_MAGIC);
    // "jmp short" over the header, as a bzImage has it; its displacement is
    // how a reader finds the header's end.
    store_u8(s, at(ATOLL_BP_JUMP), 0xeb);
    store_u8(s, at(ATOLL_BP_JUMP) + 1, static_cast<std::uint8_t>(ATOLL_BP_HEADER_MIN_END - ATOLL_BP_JUMP - 2));
    store_le32(s, at(ATOLL_BP_HEADER_MAGIC), ATOLL_BP_HEADER_MAGIC_HDRS);
    store_le16(s, at(ATOLL_BP_VERSION), protocol_2_15);
    store_u8(s, at(ATOLL_BP_LOADFLAGS), ATOLL_BP_LF_LOADED_HIGH);
    store_le32(s, at(ATOLL_BP_KERNEL_ALIGNMENT), static_cast<std::uint32_t>(kernel_alignment));
    store_u8(s, at(ATOLL_BP_RELOCATABLE), 1);
    store_u8(s, at(ATOLL_BP_MIN_ALIGNMENT), alignment_log2);
    store_le16(s, at(ATOLL_BP_XLOADFLAGS), ATOLL_BP_XLF_KERNEL_64 | ATOLL_BP_XLF_CAN_BE_LOADED_ABOVE_4G);
    store_le32(s, at(ATOLL_BP_CMDLINE_SIZE), linux_cmdline_size);
    store_le32(s, at(ATOLL_BP_INITRD_ADDR_MAX), 0x7fffffff);
    return h;
}

constexpr std::array<std::byte, header_len> elf_setup_header = make_setup_header();

constexpr std::uint64_t align4(std::uint64_t n) { return (n + 3) & ~std::uint64_t{3}; }

struct Checker {
    ImageRefusal& why;

    Error refuse(ImageError e, std::uint64_t got = 0, std::uint64_t want = 0) {
        why = ImageRefusal{e, got, want};
        return image_error_code(e);
    }
};

// [off, off + len) inside a file of `size` bytes, without overflow.
constexpr bool inside(std::uint64_t off, std::uint64_t len, std::uint64_t size) {
    return off <= size && len <= size - off;
}

// A note segment holds notes back to back: header, name, descriptor, each
// padded to 4 bytes. The build-salt note every kernel has is named "Linux".
bool has_linux_note(std::span<const std::byte> notes) {
    std::uint64_t pos = 0;
    const std::uint64_t end = notes.size();
    while (inside(pos, ATOLL_ELF_NHDR_SIZE, end)) {
        const std::uint64_t namesz = load_le32(notes, pos + ATOLL_ELF_N_NAMESZ);
        const std::uint64_t descsz = load_le32(notes, pos + ATOLL_ELF_N_DESCSZ);
        const std::uint64_t name = pos + ATOLL_ELF_NHDR_SIZE;
        if (!inside(name, namesz, end))
            return false;
        if (namesz == linux_note_name.size()) {
            bool same = true;
            for (std::size_t i = 0; i < linux_note_name.size(); ++i)
                same = same && notes[name + i] == linux_note_name[i];
            if (same)
                return true;
        }
        pos = name + align4(namesz) + align4(descsz);
    }
    return false;
}

struct Segment {
    std::uint64_t offset, paddr, filesz, memsz;
};

}  // namespace

bool looks_like_elf(std::span<const std::byte> image) {
    return image.size() >= 4 && load_le32(image, 0) == ATOLL_ELF_MAGIC;
}

Result<KernelImage> parse_elf_kernel(std::span<const std::byte> image, ImageRefusal& why) {
    Checker c{why};
    const std::uint64_t size = image.size();
    if (size < ATOLL_ELF_HEADER_SIZE)
        return c.refuse(ImageError::elf_too_small, size, ATOLL_ELF_HEADER_SIZE);
    if (!looks_like_elf(image) || load_u8(image, ATOLL_ELF_CLASS) != ATOLL_ELF_CLASS64 ||
        load_u8(image, ATOLL_ELF_DATA) != ATOLL_ELF_DATA_LSB || load_u8(image, ATOLL_ELF_IDENT_VERSION) != 1)
        return c.refuse(ImageError::elf_not_x86_64, load_u8(image, ATOLL_ELF_CLASS), ATOLL_ELF_CLASS64);
    if (const std::uint16_t m = load_le16(image, ATOLL_ELF_MACHINE); m != ATOLL_ELF_MACHINE_X86_64)
        return c.refuse(ImageError::elf_not_x86_64, m, ATOLL_ELF_MACHINE_X86_64);
    if (const std::uint16_t t = load_le16(image, ATOLL_ELF_TYPE); t != ATOLL_ELF_TYPE_EXEC)
        return c.refuse(ImageError::elf_not_executable, t, ATOLL_ELF_TYPE_EXEC);

    const std::uint16_t entsize = load_le16(image, ATOLL_ELF_PHENTSIZE);
    if (entsize != ATOLL_ELF_PHDR_SIZE)
        return c.refuse(ImageError::elf_bad_headers, entsize, ATOLL_ELF_PHDR_SIZE);
    const std::uint64_t phoff = load_le64(image, ATOLL_ELF_PHOFF);
    const std::uint16_t phnum = load_le16(image, ATOLL_ELF_PHNUM);
    if (phnum == 0 || phnum > max_program_headers)
        return c.refuse(ImageError::elf_bad_headers, phnum, max_program_headers);
    if (!inside(phoff, std::uint64_t{phnum} * ATOLL_ELF_PHDR_SIZE, size))
        return c.refuse(ImageError::elf_bad_headers, phoff, size);

    std::array<Segment, max_kernel_segments> loads{};
    std::size_t count = 0;
    bool linux_note = false;
    std::uint64_t prev_end = 0;
    for (std::uint16_t i = 0; i < phnum; ++i) {
        const std::uint64_t ph = phoff + std::uint64_t{i} * ATOLL_ELF_PHDR_SIZE;
        const std::uint32_t type = load_le32(image, ph + ATOLL_ELF_P_TYPE);
        if (type != ATOLL_ELF_PT_LOAD && type != ATOLL_ELF_PT_NOTE)
            continue;
        const Segment s{load_le64(image, ph + ATOLL_ELF_P_OFFSET), load_le64(image, ph + ATOLL_ELF_P_PADDR),
                        load_le64(image, ph + ATOLL_ELF_P_FILESZ), load_le64(image, ph + ATOLL_ELF_P_MEMSZ)};
        if (!inside(s.offset, s.filesz, size))
            return c.refuse(ImageError::elf_segment_outside, s.offset + s.filesz, size);
        if (type == ATOLL_ELF_PT_NOTE) {
            linux_note = linux_note || has_linux_note(image.subspan(s.offset, s.filesz));
            continue;
        }
        if (s.memsz < s.filesz || s.paddr > ~std::uint64_t{0} - s.memsz || (count > 0 && s.paddr < prev_end))
            return c.refuse(ImageError::elf_bad_segment, s.paddr);
        if (count < loads.size())
            loads[count] = s;
        ++count;
        prev_end = s.paddr + s.memsz;
    }
    if (count > loads.size())
        return c.refuse(ImageError::elf_many_segments, count, loads.size());
    if (count == 0)
        return c.refuse(ImageError::elf_no_segments);
    const std::uint64_t base = loads[0].paddr;
    if (base % kernel_alignment != 0)
        return c.refuse(ImageError::elf_misaligned, base, kernel_alignment);
    const std::uint64_t span = prev_end - base;
    if (span > max_span)
        return c.refuse(ImageError::elf_too_big, span, max_span);
    const std::uint64_t entry = load_le64(image, ATOLL_ELF_ENTRY);
    if (entry < base || entry - base >= loads[0].filesz)
        return c.refuse(ImageError::elf_bad_entry, entry);
    if (!linux_note)
        return c.refuse(ImageError::elf_not_linux);

    KernelImage k;
    k.format = KernelFormat::elf;
    k.setup_header = elf_setup_header;
    for (std::size_t i = 0; i < count; ++i)
        k.segments[i] = KernelSegment{image.subspan(loads[i].offset, loads[i].filesz), loads[i].paddr - base,
                                      loads[i].memsz};
    k.segment_count = static_cast<std::uint8_t>(count);
    k.entry_offset = entry - base;
    // Never below the link-time address: the kernel was built to run at or
    // above it (CONFIG_PHYSICAL_START), as a bzImage's pref_address says.
    k.pref_address = base;
    k.init_size = static_cast<std::uint32_t>(span);
    k.alignment = kernel_alignment;
    k.cmdline_size = linux_cmdline_size;
    k.initrd_addr_max = load_le32(elf_setup_header, at(ATOLL_BP_INITRD_ADDR_MAX));
    k.version = protocol_2_15;
    k.xloadflags = load_le16(elf_setup_header, at(ATOLL_BP_XLOADFLAGS));
    k.loadflags = ATOLL_BP_LF_LOADED_HIGH;
    k.min_alignment_log2 = alignment_log2;
    why = ImageRefusal{};
    return k;
}

}  // namespace atl::kb
