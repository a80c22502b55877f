// Test support for the kernel-mode bootloader: a synthetic bzImage built
// byte by byte at the offsets Documentation/arch/x86/boot.rst gives
// (written independently of the code under test's le.hpp), and small
// readers for checking what the writers produced.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "atoll/core/strong.hpp"
#include "atoll/kb/boot_plan.hpp"
#include "atoll/kb/kernel_image.hpp"
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

// A synthetic vmlinux: an ELF64 header, program headers, then each
// segment's bytes (a pattern of its own) and a note segment, laid out from
// the gABI's offsets written out here, not from the code under test.
struct ElfSegmentSpec {
    std::uint64_t paddr;
    std::uint64_t filesz;
    std::uint64_t memsz;
};

struct ElfSpec {
    std::uint8_t elf_class = 2;         // ELFCLASS64
    std::uint8_t data = 1;              // little-endian
    std::uint16_t type = 2;             // ET_EXEC
    std::uint16_t machine = 62;         // EM_X86_64
    std::uint16_t phentsize = 56;
    std::uint64_t entry = 0x1000000;    // startup_64, physical
    // As vmlinux of 6.12 has them: text, data, percpu, init + bss.
    std::vector<ElfSegmentSpec> loads{{0x1000000, 0x9000, 0x9000},
                                      {0x1a00000, 0x2000, 0x2000},
                                      {0x1a02000, 0x1000, 0x1000},
                                      {0x1a04000, 0x1000, 0x5000}};
    std::string note_name = "Linux";    // empty: no note segment
    bool note_first = true;             // the PT_NOTE header before the PT_LOADs
};

inline std::vector<std::byte> make_vmlinux(const ElfSpec& s = {}) {
    const bool note = !s.note_name.empty();
    const std::size_t phnum = s.loads.size() + (note ? 1 : 0);
    const std::size_t phoff = 64;
    std::size_t data_off = phoff + phnum * 56;
    // A note: namesz, descsz, type, name padded to 4, a 4-byte descriptor.
    const std::size_t namesz = s.note_name.size() + 1;
    const std::size_t note_bytes = note ? 12 + ((namesz + 3) & ~std::size_t{3}) + 4 : 0;
    std::size_t total = data_off + note_bytes;
    for (const auto& l : s.loads)
        total += l.filesz;
    std::vector<std::byte> b(total);
    put_le(b, 0, 0x464c457f, 4);
    put8(b, 4, s.elf_class);
    put8(b, 5, s.data);
    put8(b, 6, 1);
    put_le(b, 16, s.type, 2);
    put_le(b, 18, s.machine, 2);
    put_le(b, 20, 1, 4);
    put_le(b, 24, s.entry, 8);
    put_le(b, 32, phoff, 8);
    put_le(b, 52, 64, 2);
    put_le(b, 54, s.phentsize, 2);
    put_le(b, 56, phnum, 2);
    std::size_t ph = phoff;
    auto header = [&](std::uint32_t type, std::uint64_t off, std::uint64_t paddr, std::uint64_t filesz,
                      std::uint64_t memsz) {
        put_le(b, ph + 0, type, 4);
        put_le(b, ph + 8, off, 8);
        put_le(b, ph + 16, 0xffffffff80000000ull + paddr, 8);   // vaddr: not read
        put_le(b, ph + 24, paddr, 8);
        put_le(b, ph + 32, filesz, 8);
        put_le(b, ph + 40, memsz, 8);
        ph += 56;
    };
    const std::size_t note_off = data_off;
    data_off += note_bytes;
    if (note && s.note_first)
        header(4, note_off, 0, note_bytes, note_bytes);
    for (std::size_t i = 0; i < s.loads.size(); ++i) {
        const auto& l = s.loads[i];
        header(1, data_off, l.paddr, l.filesz, l.memsz);
        for (std::size_t k = 0; k < l.filesz; ++k)
            b[data_off + k] = static_cast<std::byte>(0x40 + i);
        data_off += l.filesz;
    }
    if (note && !s.note_first)
        header(4, note_off, 0, note_bytes, note_bytes);
    if (note) {
        put_le(b, note_off, namesz, 4);
        put_le(b, note_off + 4, 4, 4);
        put_le(b, note_off + 8, 0x100, 4);
        for (std::size_t k = 0; k < s.note_name.size(); ++k)
            b[note_off + 12 + k] = static_cast<std::byte>(s.note_name[k]);
    }
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

// A whole boot request for partition 2 of the box (RAM only above 4 GiB),
// with a synthetic bzImage unless a test puts another kernel in.
struct BootRequestSpec {
    std::vector<std::byte> kernel = make_bzimage();
    std::vector<std::byte> initrd = bytes_of({0x1f, 0x8b, 0x08, 0x00}, 3 * MiB + 5);
    std::string cmdline = "console=ttyS1 earlyprintk=serial,ttyS1 no5lvl";
    std::array<ApicId, 2> cpus{ApicId{4}, ApicId{6}};
    // Partition 2 of the box: RAM only above 4 GiB.
    std::array<PhysRange, 2> ram{range(0x1'0000'0000, 0x1'2000'0000), range(0x1'4000'0000, 0x1'6000'0000)};

    BootRequest get() const {
        BootRequest r;
        r.kernel = kernel;
        r.initrd = initrd;
        r.cmdline = std::span<const char>(cmdline.data(), cmdline.size());
        r.handoff.partition = PartitionId{2};
        r.handoff.cpus = cpus;
        r.handoff.host_apic = ApicId{0};
        r.handoff.numa_node = NodeId{1};
        r.handoff.memory = ram;
        r.handoff.lagoon = range(0xc000'0000, 0xc040'0000);
        r.handoff.tsc_khz = 2'500'000;
        r.handoff.lapic_timer_hz = 1'000'000'000;
        r.handoff.ap_start = PhysAddr{0x9c000};
        r.handoff.wallclock_sec = 1'700'000'000;
        return r;
    }
};

// The refusal `parse` gives `img`, checked to carry its own error code.
inline ImageRefusal image_refusal(Result<KernelImage> (*parse)(std::span<const std::byte>, ImageRefusal&),
                                  const std::vector<std::byte>& img) {
    ImageRefusal why;
    const auto r = parse(std::span<const std::byte>(img), why);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.error(), image_error_code(why.reason));
    return why;
}

}  // namespace atl::kb::test
