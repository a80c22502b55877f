// Test support for the kernel-mode bootloader: a synthetic bzImage built
// byte by byte at the offsets Documentation/arch/x86/boot.rst gives
// (written independently of the code under test's le.hpp), and small
// readers for checking what the writers produced.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "atoll/core/strong.hpp"
#include "atoll/nk/fmt.hpp"

namespace atl::kb::test {

struct ImageSpec {
    std::uint8_t setup_sects = 4;
    std::uint16_t boot_flag = 0xaa55;
    std::uint32_t magic = 0x53726448;   // "HdrS"
    std::uint16_t version = 0x020f;
    std::uint32_t header_end = 0x26c;   // as 6.12 has it
    std::uint8_t loadflags = 0x01;      // LOADED_HIGH
    std::uint16_t xloadflags = 0x03;    // KERNEL_64 | CAN_BE_LOADED_ABOVE_4G
    std::uint8_t relocatable = 1;
    std::uint32_t alignment = 2 * 1024 * 1024;
    std::uint8_t min_alignment = 21;
    std::uint32_t cmdline_size = 2047;
    std::uint64_t pref_address = 0x1000000;
    std::uint32_t init_size = 8 * 1024 * 1024;
    std::uint32_t initrd_addr_max = 0x7fffffff;
    std::uint32_t payload_bytes = 64 * 1024;   // a multiple of 16 (syssize)
    std::uint32_t trailing_bytes = 0;          // appended after the payload
};

inline void put8(std::vector<std::byte>& b, std::size_t off, std::uint64_t v) {
    b[off] = static_cast<std::byte>(v & 0xff);
}
inline void put_le(std::vector<std::byte>& b, std::size_t off, std::uint64_t v, int width) {
    for (int i = 0; i < width; ++i)
        b[off + i] = static_cast<std::byte>((v >> (8 * i)) & 0xff);
}
inline std::uint64_t get_le(std::span<const std::byte> b, std::size_t off, int width) {
    std::uint64_t v = 0;
    for (int i = 0; i < width; ++i)
        v |= std::uint64_t{static_cast<std::uint8_t>(b[off + i])} << (8 * i);
    return v;
}

// Setup sectors carry a recognisable pattern; the payload another, so a
// test can tell which bytes a span points at.
inline std::vector<std::byte> make_bzimage(const ImageSpec& s = {}) {
    const std::size_t sects = s.setup_sects == 0 ? 4 : s.setup_sects;
    const std::size_t payload_off = (sects + 1) * 512;
    std::vector<std::byte> b(payload_off + s.payload_bytes + s.trailing_bytes);
    for (std::size_t i = 0; i < payload_off; ++i)
        b[i] = static_cast<std::byte>(0x11);
    for (std::size_t i = payload_off; i < b.size(); ++i)
        b[i] = static_cast<std::byte>((i * 7) & 0xff);
    // The header region is zero except for the fields set below.
    for (std::size_t i = 0x1f1; i < s.header_end && i < 0x290; ++i)
        b[i] = std::byte{0};
    put8(b, 0x1f1, s.setup_sects);
    put_le(b, 0x1f4, s.payload_bytes / 16, 4);   // syssize
    put_le(b, 0x1fe, s.boot_flag, 2);
    put8(b, 0x200, 0xeb);                        // jmp short
    put8(b, 0x201, s.header_end - 0x202);
    put_le(b, 0x202, s.magic, 4);
    put_le(b, 0x206, s.version, 2);
    put8(b, 0x211, s.loadflags);
    put_le(b, 0x22c, s.initrd_addr_max, 4);
    put_le(b, 0x230, s.alignment, 4);
    put8(b, 0x234, s.relocatable);
    put8(b, 0x235, s.min_alignment);
    put_le(b, 0x236, s.xloadflags, 2);
    put_le(b, 0x238, s.cmdline_size, 4);
    put_le(b, 0x258, s.pref_address, 8);
    put_le(b, 0x260, s.init_size, 4);
    return b;
}

template <class Refusal>
std::string text_of(const Refusal& r) {
    nk::FixedText<256> t;
    describe(r, t);
    return t.c_str();
}

inline std::vector<std::byte> bytes_of(std::initializer_list<int> v, std::size_t pad_to = 0) {
    std::vector<std::byte> b;
    for (int x : v)
        b.push_back(static_cast<std::byte>(x));
    while (b.size() < pad_to)
        b.push_back(std::byte{0});
    return b;
}

constexpr PhysRange range(std::uint64_t start, std::uint64_t end) { return PhysRange{PhysAddr{start}, PhysAddr{end}}; }

}  // namespace atl::kb::test
