// boot_params and setup_data writers: every field read back at the offset
// Documentation/arch/x86/boot.rst documents, and the ABI offsets checked
// against Linux's own <asm/bootparam.h> where the host has it.
#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <vector>

#include "atoll/abi/bootparams.h"
#include "atoll/kb/bootparams.hpp"
#include "atoll/kb/bzimage.hpp"
#include "atoll/nk/handoff.hpp"
#include "kb_test_support.hpp"

#if __has_include(<asm/bootparam.h>)
#include <asm/bootparam.h>
#define ATOLL_HAVE_LINUX_BOOTPARAM 1
#endif

namespace atl::kb {
namespace {

using test::get_le;
using test::make_bzimage;
using test::range;

#ifdef ATOLL_HAVE_LINUX_BOOTPARAM
// Our offsets are Linux's: a mismatch fails the build of this test.
static_assert(sizeof(struct boot_params) == ATOLL_BP_SIZE);
static_assert(offsetof(struct boot_params, hdr) == ATOLL_BP_SETUP_HEADER);
static_assert(offsetof(struct boot_params, hdr.setup_sects) == ATOLL_BP_SETUP_SECTS);
static_assert(offsetof(struct boot_params, hdr.syssize) == ATOLL_BP_SYSSIZE);
static_assert(offsetof(struct boot_params, hdr.boot_flag) == ATOLL_BP_BOOT_FLAG);
static_assert(offsetof(struct boot_params, hdr.jump) == ATOLL_BP_JUMP);
static_assert(offsetof(struct boot_params, hdr.header) == ATOLL_BP_HEADER_MAGIC);
static_assert(offsetof(struct boot_params, hdr.version) == ATOLL_BP_VERSION);
static_assert(offsetof(struct boot_params, hdr.type_of_loader) == ATOLL_BP_TYPE_OF_LOADER);
static_assert(offsetof(struct boot_params, hdr.loadflags) == ATOLL_BP_LOADFLAGS);
static_assert(offsetof(struct boot_params, hdr.ramdisk_image) == ATOLL_BP_RAMDISK_IMAGE);
static_assert(offsetof(struct boot_params, hdr.ramdisk_size) == ATOLL_BP_RAMDISK_SIZE);
static_assert(offsetof(struct boot_params, hdr.cmd_line_ptr) == ATOLL_BP_CMD_LINE_PTR);
static_assert(offsetof(struct boot_params, hdr.initrd_addr_max) == ATOLL_BP_INITRD_ADDR_MAX);
static_assert(offsetof(struct boot_params, hdr.kernel_alignment) == ATOLL_BP_KERNEL_ALIGNMENT);
static_assert(offsetof(struct boot_params, hdr.relocatable_kernel) == ATOLL_BP_RELOCATABLE);
static_assert(offsetof(struct boot_params, hdr.min_alignment) == ATOLL_BP_MIN_ALIGNMENT);
static_assert(offsetof(struct boot_params, hdr.xloadflags) == ATOLL_BP_XLOADFLAGS);
static_assert(offsetof(struct boot_params, hdr.cmdline_size) == ATOLL_BP_CMDLINE_SIZE);
static_assert(offsetof(struct boot_params, hdr.setup_data) == ATOLL_BP_SETUP_DATA);
static_assert(offsetof(struct boot_params, hdr.pref_address) == ATOLL_BP_PREF_ADDRESS);
static_assert(offsetof(struct boot_params, hdr.init_size) == ATOLL_BP_INIT_SIZE);
static_assert(offsetof(struct boot_params, ext_ramdisk_image) == ATOLL_BP_EXT_RAMDISK_IMAGE);
static_assert(offsetof(struct boot_params, ext_ramdisk_size) == ATOLL_BP_EXT_RAMDISK_SIZE);
static_assert(offsetof(struct boot_params, ext_cmd_line_ptr) == ATOLL_BP_EXT_CMD_LINE_PTR);
static_assert(offsetof(struct boot_params, e820_entries) == ATOLL_BP_E820_ENTRIES);
static_assert(offsetof(struct boot_params, sentinel) == ATOLL_BP_SENTINEL);
static_assert(offsetof(struct boot_params, e820_table) == ATOLL_BP_E820_TABLE);
static_assert(sizeof(struct boot_e820_entry) == ATOLL_BP_E820_ENTRY_SIZE);
static_assert(offsetof(struct boot_e820_entry, size) == ATOLL_BP_E820_LEN);
static_assert(offsetof(struct boot_e820_entry, type) == ATOLL_BP_E820_TYPE);
static_assert(E820_MAX_ENTRIES_ZEROPAGE == ATOLL_BP_E820_MAX);
static_assert(sizeof(struct setup_data) == sizeof(struct atoll_setup_data_header));
static_assert(XLF_KERNEL_64 == ATOLL_BP_XLF_KERNEL_64);
static_assert(XLF_CAN_BE_LOADED_ABOVE_4G == ATOLL_BP_XLF_CAN_BE_LOADED_ABOVE_4G);
static_assert(LOADED_HIGH == ATOLL_BP_LF_LOADED_HIGH && CAN_USE_HEAP == ATOLL_BP_LF_CAN_USE_HEAP &&
              KEEP_SEGMENTS == ATOLL_BP_LF_KEEP_SEGMENTS);
// The setup header ends, in 6.12, where our largest accepted end allows.
static_assert(ATOLL_BP_SETUP_HEADER + sizeof(struct setup_header) <= ATOLL_BP_HEADER_MAX_END);
#endif

TEST(KbBootParams, AbiOffsetsCheckedAgainstLinux) {
#ifndef ATOLL_HAVE_LINUX_BOOTPARAM
    GTEST_SKIP() << "no <asm/bootparam.h> on this host (linux-libc-dev)";
#endif
    SUCCEED();
}

struct Fixture {
    std::vector<std::byte> image = make_bzimage();
    KernelImage k{};
    std::array<PhysRange, 2> ram{range(4 * GiB, 5 * GiB), range(8 * GiB, 9 * GiB)};
    std::vector<std::byte> page = std::vector<std::byte>(ATOLL_BP_SIZE, std::byte{0x5a});   // stale bytes

    Fixture() {
        ImageRefusal why;
        const auto r = parse_bzimage(image, why);
        EXPECT_TRUE(r.ok());
        k = *r;
    }

    BootParamsSpec spec() const {
        BootParamsSpec s;
        s.setup_header = k.setup_header;
        s.cmdline = PhysAddr{0x1'2345'6000};
        s.initrd = range(0x2'0000'1000, 0x2'0000'1000 + 0x1'0000'0123);   // > 4 GiB long, too
        s.setup_data = PhysAddr{0x1'2345'7000};
        s.ram = ram;
        s.lagoon = range(6 * GiB, 6 * GiB + 4 * MiB);
        return s;
    }

    std::uint64_t at(std::size_t off, int width) const { return get_le(page, off, width); }
};

TEST(KbBootParams, FieldsAtTheirDocumentedOffsets) {
    Fixture f;
    ASSERT_TRUE(fill_boot_params(f.spec(), f.page).ok());
    EXPECT_EQ(f.at(0x1fe, 2), 0xaa55u);              // copied header: boot_flag
    EXPECT_EQ(f.at(0x202, 4), 0x53726448u);          // "HdrS"
    EXPECT_EQ(f.at(0x206, 2), 0x020fu);              // version
    EXPECT_EQ(f.at(0x230, 4), 2 * MiB);              // kernel_alignment, for the decompressor
    EXPECT_EQ(f.at(0x260, 4), 8 * MiB);              // init_size, likewise
    EXPECT_EQ(f.at(0x210, 1), 0xffu);                // type_of_loader
    EXPECT_EQ(f.at(0x211, 1), 0x81u);                // LOADED_HIGH | CAN_USE_HEAP
    EXPECT_EQ(f.at(0x228, 4), 0x2345'6000u);         // cmd_line_ptr
    EXPECT_EQ(f.at(0x0c8, 4), 0x1u);                 // ext_cmd_line_ptr
    EXPECT_EQ(f.at(0x218, 4), 0x0000'1000u);         // ramdisk_image
    EXPECT_EQ(f.at(0x0c0, 4), 0x2u);                 // ext_ramdisk_image
    EXPECT_EQ(f.at(0x21c, 4), 0x0000'0123u);         // ramdisk_size
    EXPECT_EQ(f.at(0x0c4, 4), 0x1u);                 // ext_ramdisk_size
    EXPECT_EQ(f.at(0x250, 8), 0x1'2345'7000u);       // setup_data
    EXPECT_EQ(f.at(0x1ef, 1), 0u);                   // sentinel
    // Everything outside the header and the fields we own is zero.
    for (std::size_t i = 0; i < 0x0c0; ++i)
        ASSERT_EQ(f.at(i, 1), 0u) << i;
    for (std::size_t i = 0x0cc; i < 0x1e8; ++i)
        ASSERT_EQ(f.at(i, 1), 0u) << i;
    for (std::size_t i = 0x1e9; i < 0x1f1; ++i)
        ASSERT_EQ(f.at(i, 1), 0u) << i;
    for (std::size_t i = 0x26c; i < ATOLL_BP_E820_TABLE; ++i)
        ASSERT_EQ(f.at(i, 1), 0u) << i;
    for (std::size_t i = ATOLL_BP_E820_TABLE + 3 * 20; i < ATOLL_BP_SIZE; ++i)
        ASSERT_EQ(f.at(i, 1), 0u) << i;
}

TEST(KbBootParams, KeepsTheImagesLoadFlags) {
    test::ImageSpec s;
    s.loadflags = 0x01 | 0x20;   // LOADED_HIGH | QUIET_FLAG
    Fixture f;
    f.image = make_bzimage(s);
    ImageRefusal why;
    f.k = *parse_bzimage(f.image, why);
    ASSERT_TRUE(fill_boot_params(f.spec(), f.page).ok());
    EXPECT_EQ(f.at(0x211, 1), 0xa1u);
}

struct E820 {
    std::uint64_t addr, size;
    std::uint32_t type;
    bool operator==(const E820&) const = default;
};

std::vector<E820> e820_of(const Fixture& f) {
    std::vector<E820> v;
    for (std::size_t i = 0; i < f.at(0x1e8, 1); ++i) {
        const std::size_t e = 0x2d0 + 20 * i;
        v.push_back({f.at(e, 8), f.at(e + 8, 8), static_cast<std::uint32_t>(f.at(e + 16, 4))});
    }
    return v;
}

TEST(KbBootParams, E820IsThePartitionsRamAndTheLagoonSorted) {
    Fixture f;
    ASSERT_TRUE(fill_boot_params(f.spec(), f.page).ok());
    const std::vector<E820> want{{4 * GiB, 1 * GiB, 1}, {6 * GiB, 4 * MiB, 2}, {8 * GiB, 1 * GiB, 1}};
    EXPECT_EQ(e820_of(f), want);
}

TEST(KbBootParams, E820LagoonFirstLastOrAbsent) {
    Fixture f;
    auto s = f.spec();
    s.lagoon = range(2 * GiB, 2 * GiB + 4 * MiB);
    ASSERT_TRUE(fill_boot_params(s, f.page).ok());
    EXPECT_EQ(e820_of(f).front(), (E820{2 * GiB, 4 * MiB, 2}));
    s.lagoon = range(10 * GiB, 10 * GiB + 4 * MiB);
    ASSERT_TRUE(fill_boot_params(s, f.page).ok());
    EXPECT_EQ(e820_of(f).back(), (E820{10 * GiB, 4 * MiB, 2}));
    EXPECT_EQ(e820_of(f).size(), 3u);
    s.lagoon = PhysRange{};
    ASSERT_TRUE(fill_boot_params(s, f.page).ok());
    const std::vector<E820> ram_only{{4 * GiB, 1 * GiB, 1}, {8 * GiB, 1 * GiB, 1}};
    EXPECT_EQ(e820_of(f), ram_only);
}

TEST(KbBootParams, RefusalsLeaveThePageUntouched) {
    Fixture f;
    const std::vector<std::byte> stale = f.page;
    auto s = f.spec();

    std::vector<std::byte> small(ATOLL_BP_SIZE - 1);
    EXPECT_EQ(fill_boot_params(s, small).error(), Error::bad_size);

    auto bad = s;
    bad.setup_header = f.k.setup_header.first(0x264 - 0x1f1 - 1);
    EXPECT_EQ(fill_boot_params(bad, f.page).error(), Error::bad_size);

    bad = s;
    const std::array unsorted{range(8 * GiB, 9 * GiB), range(4 * GiB, 5 * GiB)};
    bad.ram = unsorted;
    EXPECT_EQ(fill_boot_params(bad, f.page).error(), Error::overlap);

    bad = s;
    bad.lagoon = range(4 * GiB + 2 * MiB, 4 * GiB + 4 * MiB);   // inside RAM
    EXPECT_EQ(fill_boot_params(bad, f.page).error(), Error::overlap);

    bad = s;
    bad.ram = {};
    EXPECT_EQ(fill_boot_params(bad, f.page).error(), Error::invalid_argument);

    bad = s;
    bad.initrd = PhysRange{};
    EXPECT_EQ(fill_boot_params(bad, f.page).error(), Error::invalid_argument);

    EXPECT_EQ(f.page, stale);
}

nk::HandoffSpec handoff_spec(const std::array<PhysRange, 2>& ram, const std::array<ApicId, 2>& cpus) {
    nk::HandoffSpec s;
    s.partition = PartitionId{2};
    s.cpus = cpus;
    s.host_apic = ApicId{0};
    s.numa_node = NodeId{1};
    s.memory = ram;
    s.lagoon = range(6 * GiB, 6 * GiB + 4 * MiB);
    s.tsc_khz = 2'000'000;
    s.lapic_timer_hz = 1'000'000'000;
    s.ap_start = PhysAddr{0x9c000};
    s.wallclock_sec = 1'700'000'000;
    return s;
}

TEST(KbBootParams, SetupDataRecordParsesBackWithTheNanokernelParser) {
    const std::array ram{range(4 * GiB, 5 * GiB), range(8 * GiB, 9 * GiB)};
    const std::array cpus{ApicId{2}, ApicId{3}};
    const auto h = nk::handoff_build(handoff_spec(ram, cpus));
    ASSERT_TRUE(h.ok());
    // Odd offset: the writer must not need alignment.
    std::vector<std::byte> buf(setup_data_bytes + 1, std::byte{0x77});
    const std::span<std::byte> out = std::span<std::byte>(buf).subspan(1);
    ASSERT_TRUE(write_setup_data(*h, out).ok());
    EXPECT_EQ(get_le(out, 0, 8), 0u);                       // next
    EXPECT_EQ(get_le(out, 8, 4), ATOLL_SETUP_DATA_TYPE);    // type
    EXPECT_EQ(get_le(out, 12, 4), sizeof(atoll_handoff));   // len
    const auto back = nk::handoff_parse(out.data() + 16, get_le(out, 12, 4));
    ASSERT_TRUE(back.ok()) << error_name(back.error());
    EXPECT_EQ(back->partition_id, 2u);
    EXPECT_EQ(back->cpu_count, 2u);
    EXPECT_EQ(back->apic_ids[1], 3u);
    EXPECT_EQ(back->mem_ranges[1].start, 8 * GiB);
    EXPECT_EQ(back->lagoon_phys, 6 * GiB);
}

TEST(KbBootParams, SetupDataRefusesBadRecordAndShortBuffer) {
    const std::array ram{range(4 * GiB, 5 * GiB), range(8 * GiB, 9 * GiB)};
    const std::array cpus{ApicId{2}, ApicId{3}};
    auto h = *nk::handoff_build(handoff_spec(ram, cpus));
    std::vector<std::byte> buf(setup_data_bytes, std::byte{0x77});
    const auto stale = buf;
    std::vector<std::byte> short_buf(setup_data_bytes - 1);
    EXPECT_EQ(write_setup_data(h, short_buf).error(), Error::bad_size);
    h.partition_id = 0;   // the host: the nanokernel's validator refuses it
    EXPECT_EQ(write_setup_data(h, buf).error(), Error::invalid_argument);
    EXPECT_EQ(buf, stale);
}

}  // namespace
}  // namespace atl::kb
