// boot_params and setup_data writers (Documentation/arch/x86/boot.rst,
// "the zero page" and "setup_data").
#include "atoll/kb/bootparams.hpp"

#include "atoll/kb/le.hpp"
#include "atoll/nk/handoff.hpp"

namespace atl::kb {

namespace {

constexpr std::size_t header_min = ATOLL_BP_HEADER_MIN_END - ATOLL_BP_SETUP_HEADER;
constexpr std::size_t header_max = ATOLL_BP_HEADER_MAX_END - ATOLL_BP_SETUP_HEADER;

constexpr std::uint32_t lo32(std::uint64_t v) { return static_cast<std::uint32_t>(v); }
constexpr std::uint32_t hi32(std::uint64_t v) { return static_cast<std::uint32_t>(v >> 32); }

Status check_spec(const BootParamsSpec& s) {
    if (s.setup_header.size() < header_min || s.setup_header.size() > header_max)
        return Error::bad_size;
    // One slot stays free for the lagoon.
    if (s.ram.empty() || s.ram.size() >= ATOLL_BP_E820_MAX)
        return Error::invalid_argument;
    for (std::size_t i = 0; i < s.ram.size(); ++i) {
        if (s.ram[i].empty())
            return Error::invalid_argument;
        if (i > 0 && s.ram[i].start < s.ram[i - 1].end)
            return Error::overlap;
        if (!s.lagoon.empty() && s.lagoon.overlaps(s.ram[i]))
            return Error::overlap;
    }
    if (s.initrd.empty() || s.cmdline.value() == 0 || s.setup_data.value() == 0)
        return Error::invalid_argument;
    return Error::ok;
}

void put_e820(std::span<std::byte> page, std::size_t slot, const PhysRange& r, std::uint32_t type) {
    const std::size_t at = ATOLL_BP_E820_TABLE + slot * ATOLL_BP_E820_ENTRY_SIZE;
    store_le64(page, at + ATOLL_BP_E820_ADDR, r.start.value());
    store_le64(page, at + ATOLL_BP_E820_LEN, r.size());
    store_le32(page, at + ATOLL_BP_E820_TYPE, type);
}

// RAM in order, the lagoon slotted in where its address puts it: Linux
// sanitises an unsorted map, but a sorted one reads the same in every log.
void put_e820_map(const BootParamsSpec& s, std::span<std::byte> page) {
    std::size_t slot = 0;
    bool lagoon_done = s.lagoon.empty();
    for (const PhysRange& r : s.ram) {
        if (!lagoon_done && s.lagoon.start < r.start) {
            put_e820(page, slot++, s.lagoon, ATOLL_BP_E820_RESERVED);
            lagoon_done = true;
        }
        put_e820(page, slot++, r, ATOLL_BP_E820_RAM);
    }
    if (!lagoon_done)
        put_e820(page, slot++, s.lagoon, ATOLL_BP_E820_RESERVED);
    store_u8(page, ATOLL_BP_E820_ENTRIES, static_cast<std::uint8_t>(slot));
}

}  // namespace

Status fill_boot_params(const BootParamsSpec& spec, std::span<std::byte> page) {
    if (page.size() != ATOLL_BP_SIZE)
        return Error::bad_size;
    ATOLL_TRY(check_spec(spec));

    for (std::byte& b : page)
        b = std::byte{0};
    // The setup header as the image has it (boot.rst: copy it into a clean
    // page), so fields we do not set keep the kernel's own values. The
    // sentinel at 0x1ef lies before it and stays 0.
    for (std::size_t i = 0; i < spec.setup_header.size(); ++i)
        page[ATOLL_BP_SETUP_HEADER + i] = spec.setup_header[i];

    store_u8(page, ATOLL_BP_TYPE_OF_LOADER, ATOLL_BP_LOADER_UNKNOWN);
    // LOADED_HIGH: the payload is not at 0x10000. CAN_USE_HEAP only matters
    // to the real-mode setup code, which the 64-bit entry never runs; set
    // anyway, as GRUB does, so the page reads like any modern loader's.
    const std::uint8_t loadflags = load_u8(page, ATOLL_BP_LOADFLAGS);
    store_u8(page, ATOLL_BP_LOADFLAGS,
             static_cast<std::uint8_t>(loadflags | ATOLL_BP_LF_LOADED_HIGH | ATOLL_BP_LF_CAN_USE_HEAP));

    store_le32(page, ATOLL_BP_CMD_LINE_PTR, lo32(spec.cmdline.value()));
    store_le32(page, ATOLL_BP_EXT_CMD_LINE_PTR, hi32(spec.cmdline.value()));
    store_le32(page, ATOLL_BP_RAMDISK_IMAGE, lo32(spec.initrd.start.value()));
    store_le32(page, ATOLL_BP_EXT_RAMDISK_IMAGE, hi32(spec.initrd.start.value()));
    store_le32(page, ATOLL_BP_RAMDISK_SIZE, lo32(spec.initrd.size()));
    store_le32(page, ATOLL_BP_EXT_RAMDISK_SIZE, hi32(spec.initrd.size()));
    store_le64(page, ATOLL_BP_SETUP_DATA, spec.setup_data.value());
    put_e820_map(spec, page);
    return Error::ok;
}

Status write_setup_data(const atoll_handoff& handoff, std::span<std::byte> buf) {
    if (buf.size() < setup_data_bytes)
        return Error::bad_size;
    ATOLL_TRY(nk::handoff_validate(handoff));

    store_le64(buf, offsetof(atoll_setup_data_header, next), 0);
    store_le32(buf, offsetof(atoll_setup_data_header, type), ATOLL_SETUP_DATA_TYPE);
    store_le32(buf, offsetof(atoll_setup_data_header, len), sizeof(atoll_handoff));
    // The record is the ABI struct itself (x86-64 is little-endian, the
    // partition reads it with a plain copy); copied bytewise so `buf` needs
    // no alignment.
    const auto* src = reinterpret_cast<const std::byte*>(&handoff);
    for (std::size_t i = 0; i < sizeof(atoll_handoff); ++i)
        buf[sizeof(atoll_setup_data_header) + i] = src[i];
    return Error::ok;
}

}  // namespace atl::kb
