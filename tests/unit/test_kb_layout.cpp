// Placement of the boot pieces in partition RAM: below and above 4 GiB,
// pref_address, tight fits, misfits and every input refusal.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "atoll/kb/layout.hpp"
#include "kb_test_support.hpp"

namespace atl::kb {
namespace {

using test::range;
using test::text_of;

constexpr std::uint64_t M2 = 2 * MiB;
constexpr std::uint64_t page = 4096;

KernelImage image(std::uint32_t init_size = 32 * MiB, std::uint64_t pref = 16 * MiB, bool above_4g = true,
                  std::uint32_t align = 2 * MiB) {
    KernelImage k;
    k.init_size = init_size;
    k.pref_address = pref;
    k.alignment = align;
    k.xloadflags = ATOLL_BP_XLF_KERNEL_64 | (above_4g ? ATOLL_BP_XLF_CAN_BE_LOADED_ABOVE_4G : 0);
    k.initrd_addr_max = 0x7fffffff;
    k.cmdline_size = 2047;
    k.entry_offset = 0x200;   // a bzImage's 64-bit entry
    return k;
}

LayoutSizes sizes(std::uint64_t initrd = 20 * MiB) { return LayoutSizes{initrd, 100, 552}; }

constexpr std::uint64_t round_page(std::uint64_t n) { return (n + page - 1) & ~(page - 1); }

// The invariants every accepted layout keeps.
void expect_sound(const BootLayout& l, std::span<const PhysRange> ram, const KernelImage& k, const LayoutSizes& s) {
    const std::array<PhysRange, 5> pieces{
        range(l.kernel.start.value(), l.kernel.start.value() + round_page(l.kernel.size())),
        range(l.initrd.start.value(), l.initrd.start.value() + round_page(l.initrd.size())),
        l.boot_params,
        range(l.cmdline.start.value(), l.cmdline.start.value() + round_page(l.cmdline.size())),
        range(l.setup_data.start.value(), l.setup_data.start.value() + round_page(l.setup_data.size())),
    };
    EXPECT_EQ(l.kernel.size(), k.init_size);
    EXPECT_EQ(l.initrd.size(), s.initrd);
    EXPECT_EQ(l.boot_params.size(), page);
    EXPECT_EQ(l.cmdline.size(), s.cmdline);
    EXPECT_EQ(l.setup_data.size(), s.setup_data);
    EXPECT_EQ(l.entry.value(), l.kernel.start.value() + 0x200);
    EXPECT_TRUE(l.kernel.start.aligned(k.alignment));
    EXPECT_GE(l.kernel.start.value(), k.pref_address);
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        EXPECT_TRUE(pieces[i].start.aligned(page)) << i;
        bool inside = false;
        for (const PhysRange& r : ram)
            inside = inside || r.contains(pieces[i]);
        EXPECT_TRUE(inside) << "piece " << i << " outside RAM";
        for (std::size_t j = 0; j < i; ++j)
            EXPECT_FALSE(pieces[i].overlaps(pieces[j])) << i << " overlaps " << j;
        if (!k.can_load_above_4g()) {
            EXPECT_LE(pieces[i].end.value(), 4 * GiB) << i;
        }
    }
}

Result<BootLayout> plan(std::span<const PhysRange> ram, const KernelImage& k, const LayoutSizes& s, LayoutRefusal& why) {
    const auto r = plan_layout(ram, k, s, why);
    if (r.ok()) {
        expect_sound(*r, ram, k, s);
    } else {
        EXPECT_EQ(r.error(), layout_error_code(why.reason));
    }
    return r;
}

TEST(KbLayout, BelowFourGiB) {
    const std::array ram{range(1 * GiB, 1 * GiB + 256 * MiB)};
    const auto k = image();
    LayoutRefusal why{LayoutError::no_room};
    const auto l = plan(ram, k, sizes(), why);
    ASSERT_TRUE(l.ok()) << text_of(why);
    EXPECT_EQ(why.reason, LayoutError::none);
    EXPECT_EQ(l->kernel.start.value(), 1 * GiB);                       // lowest
    EXPECT_EQ(l->initrd.end.value(), 1 * GiB + 256 * MiB);             // highest
    EXPECT_EQ(l->boot_params.start.value(), 1 * GiB + 32 * MiB);       // right after the kernel
    EXPECT_EQ(l->cmdline.start.value(), 1 * GiB + 32 * MiB + page);
    EXPECT_EQ(l->setup_data.start.value(), 1 * GiB + 32 * MiB + 2 * page);
}

TEST(KbLayout, EntirelyAboveFourGiB) {
    const std::array ram{range(4 * GiB, 4 * GiB + 512 * MiB), range(6 * GiB, 7 * GiB)};
    const auto k = image();
    LayoutRefusal why;
    const auto l = plan(ram, k, sizes(600 * MiB), why);
    ASSERT_TRUE(l.ok()) << text_of(why);
    EXPECT_EQ(l->kernel.start.value(), 4 * GiB);
    EXPECT_EQ(l->initrd.end.value(), 7 * GiB);
    EXPECT_EQ(l->entry.value(), 4 * GiB + 0x200);
}

TEST(KbLayout, AboveFourGiBNeedsTheImageFlag) {
    const std::array ram{range(4 * GiB, 5 * GiB)};
    LayoutRefusal why;
    const auto l = plan(ram, image(32 * MiB, 16 * MiB, false), sizes(), why);
    ASSERT_FALSE(l.ok());
    EXPECT_EQ(why.reason, LayoutError::needs_low_memory);
    EXPECT_EQ(why.piece, Piece::kernel);
    EXPECT_EQ(why.want, 4 * GiB);
    EXPECT_NE(text_of(why).find("XLF_CAN_BE_LOADED_ABOVE_4G"), std::string::npos);
}

TEST(KbLayout, WithoutTheFlagEverythingStaysLowWhenItFits) {
    const std::array ram{range(3 * GiB, 3 * GiB + 128 * MiB), range(4 * GiB, 8 * GiB)};
    auto k = image(32 * MiB, 16 * MiB, false);
    k.initrd_addr_max = 0xffffffff;
    LayoutRefusal why;
    const auto l = plan(ram, k, sizes(), why);
    ASSERT_TRUE(l.ok()) << text_of(why);
    EXPECT_EQ(l->initrd.end.value(), 3 * GiB + 128 * MiB);
}

TEST(KbLayout, WithoutTheFlagTheInitrdStaysBelowInitrdAddrMax) {
    const std::array ram{range(1 * GiB, 3 * GiB)};
    const auto k = image(32 * MiB, 16 * MiB, false);   // initrd_addr_max 0x7fffffff
    LayoutRefusal why;
    const auto l = plan(ram, k, sizes(), why);
    ASSERT_TRUE(l.ok()) << text_of(why);
    EXPECT_EQ(l->initrd.end.value(), 2 * GiB);
    // With the flag, initrd_addr_max does not apply (kexec_file ignores it too).
    const auto high = plan(ram, image(), sizes(), why);
    ASSERT_TRUE(high.ok());
    EXPECT_EQ(high->initrd.end.value(), 3 * GiB);
}

TEST(KbLayout, InitrdThatFitsOnlyAboveInitrdAddrMaxIsRefusedAsLowMemory) {
    const std::array ram{range(1 * GiB, 3 * GiB)};
    LayoutRefusal why;
    const auto l = plan(ram, image(32 * MiB, 16 * MiB, false), sizes(1 * GiB), why);
    ASSERT_FALSE(l.ok());
    EXPECT_EQ(why.reason, LayoutError::needs_low_memory);
    EXPECT_EQ(why.piece, Piece::initrd);
    EXPECT_EQ(why.want, 2 * GiB);
}

TEST(KbLayout, PrefAddressHonouredWhenInRam) {
    const std::array ram{range(2 * MiB, 256 * MiB)};
    LayoutRefusal why;
    const auto l = plan(ram, image(), sizes(), why);
    ASSERT_TRUE(l.ok()) << text_of(why);
    EXPECT_EQ(l->kernel.start.value(), 16 * MiB);
    // The small pieces use the RAM below the kernel.
    EXPECT_EQ(l->boot_params.start.value(), 2 * MiB);
}

TEST(KbLayout, UnalignedPrefAddressIsRoundedUp) {
    const std::array ram{range(2 * MiB, 256 * MiB)};
    LayoutRefusal why;
    const auto l = plan(ram, image(32 * MiB, 17 * MiB), sizes(), why);
    ASSERT_TRUE(l.ok()) << text_of(why);
    EXPECT_EQ(l->kernel.start.value(), 18 * MiB);
}

TEST(KbLayout, KernelNeverGoesBelowPrefAddress) {
    // Room below pref_address only: a relocatable kernel loaded there would
    // move itself up to 128 MiB, outside this partition.
    const std::array ram{range(2 * MiB, 96 * MiB)};
    LayoutRefusal why;
    const auto l = plan(ram, image(32 * MiB, 128 * MiB), sizes(), why);
    ASSERT_FALSE(l.ok());
    EXPECT_EQ(why.reason, LayoutError::below_pref_address);
    EXPECT_EQ(why.want, 128 * MiB);
    // pref_address inside RAM but too near its end: the kernel goes to the
    // next range above it.
    const std::array two{range(2 * MiB, 40 * MiB), range(64 * MiB, 256 * MiB)};
    const auto m = plan(two, image(32 * MiB, 16 * MiB), sizes(), why);
    ASSERT_TRUE(m.ok()) << text_of(why);
    EXPECT_EQ(m->kernel.start.value(), 64 * MiB);
}

TEST(KbLayout, LargeKernelAlignment) {
    const std::array ram{range(1 * GiB + 2 * MiB, 2 * GiB)};
    LayoutRefusal why;
    const auto l = plan(ram, image(32 * MiB, 16 * MiB, true, 16 * MiB), sizes(), why);
    ASSERT_TRUE(l.ok()) << text_of(why);
    EXPECT_EQ(l->kernel.start.value(), 1 * GiB + 16 * MiB);
}

TEST(KbLayout, TightFitUsesEveryPage) {
    // Kernel 32 MiB + initrd 20 MiB + three pages of boot data, exactly.
    const std::uint64_t need = 32 * MiB + 20 * MiB + 3 * page;
    const std::uint64_t base = 1 * GiB;
    // Ranges are 2 MiB aligned in a real plan; layout itself needs only pages.
    const std::array ram{range(base, base + need)};
    LayoutRefusal why;
    const auto l = plan(ram, image(), sizes(), why);
    ASSERT_TRUE(l.ok()) << text_of(why);
    // One byte more initrd does not fit.
    const auto m = plan(ram, image(), sizes(20 * MiB + 1), why);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(why.reason, LayoutError::too_small);
}

TEST(KbLayout, TooSmallSaysWhatItHadToHold) {
    const std::array ram{range(1 * GiB, 1 * GiB + 128 * MiB)};
    LayoutRefusal why;
    const auto l = plan(ram, image(30 * MiB), sizes(100 * MiB), why);
    ASSERT_FALSE(l.ok());
    EXPECT_EQ(why.reason, LayoutError::too_small);
    EXPECT_EQ(text_of(why),
              "partition memory 128M cannot hold kernel init_size 30M + initramfs 100M + boot data 12K");
    // Sizes beyond all RAM are refused before any arithmetic could wrap.
    const auto huge = plan(ram, image(), sizes(~std::uint64_t{0}), why);
    ASSERT_FALSE(huge.ok());
    EXPECT_EQ(why.reason, LayoutError::too_small);
}

TEST(KbLayout, FragmentedRamRefusesTheInitrd) {
    const std::array ram{range(1 * GiB, 1 * GiB + 64 * MiB), range(2 * GiB, 2 * GiB + 64 * MiB)};
    LayoutRefusal why;
    const auto l = plan(ram, image(40 * MiB), sizes(70 * MiB), why);
    ASSERT_FALSE(l.ok());
    EXPECT_EQ(why.reason, LayoutError::no_room);
    EXPECT_EQ(why.piece, Piece::initrd);
    EXPECT_EQ(why.want, 70 * MiB);
    EXPECT_EQ(why.got, 64 * MiB);
    EXPECT_EQ(text_of(why), "no room for the initramfs: needs 70M contiguous, largest free block is 64M");
}

TEST(KbLayout, FragmentedRamRefusesTheKernel) {
    const std::array ram{range(1 * GiB, 1 * GiB + 32 * MiB), range(2 * GiB, 2 * GiB + 32 * MiB)};
    LayoutRefusal why;
    const auto l = plan(ram, image(40 * MiB), sizes(1 * MiB), why);
    ASSERT_FALSE(l.ok());
    EXPECT_EQ(why.reason, LayoutError::no_room);
    EXPECT_EQ(why.piece, Piece::kernel);
    EXPECT_EQ(why.got, 32 * MiB);
}

TEST(KbLayout, InitrdUsesTheRestOfTheKernelsRange) {
    // The kernel takes the start of the first range; the initrd fits only
    // in what the kernel leaves of it, and the small pieces go between.
    const std::array ram{range(1 * GiB, 1 * GiB + 128 * MiB), range(2 * GiB, 2 * GiB + 16 * MiB)};
    LayoutRefusal why;
    const auto l = plan(ram, image(32 * MiB), sizes(90 * MiB), why);
    ASSERT_TRUE(l.ok()) << text_of(why);
    EXPECT_EQ(l->initrd.end.value(), 1 * GiB + 128 * MiB);
    EXPECT_EQ(l->initrd.start.value(), 1 * GiB + 38 * MiB);
    EXPECT_EQ(l->boot_params.start.value(), 1 * GiB + 32 * MiB);
}

TEST(KbLayout, RefusesBadRamInput) {
    LayoutRefusal why;
    const auto k = image();
    EXPECT_FALSE(plan(std::span<const PhysRange>{}, k, sizes(), why).ok());
    EXPECT_EQ(why.reason, LayoutError::no_ram);

    std::vector<PhysRange> many;
    for (std::uint64_t i = 0; i < 9; ++i)
        many.push_back(range((i + 1) * GiB, (i + 1) * GiB + 64 * MiB));
    EXPECT_FALSE(plan(many, k, sizes(), why).ok());
    EXPECT_EQ(why.reason, LayoutError::too_many_ranges);
    EXPECT_EQ(why.got, 9u);

    const std::array empty{range(1 * GiB, 2 * GiB), range(3 * GiB, 3 * GiB)};
    EXPECT_FALSE(plan(empty, k, sizes(), why).ok());
    EXPECT_EQ(why.reason, LayoutError::empty_range);
    EXPECT_EQ(why.index, 1u);

    const std::array unsorted{range(3 * GiB, 4 * GiB), range(1 * GiB, 2 * GiB)};
    EXPECT_FALSE(plan(unsorted, k, sizes(), why).ok());
    EXPECT_EQ(why.reason, LayoutError::unsorted_ranges);

    const std::array overlapping{range(1 * GiB, 2 * GiB), range(2 * GiB - M2, 3 * GiB)};
    EXPECT_FALSE(plan(overlapping, k, sizes(), why).ok());
    EXPECT_EQ(why.reason, LayoutError::unsorted_ranges);

    const std::array low{range(0, 256 * MiB)};
    EXPECT_FALSE(plan(low, k, sizes(), why).ok());
    EXPECT_EQ(why.reason, LayoutError::low_memory);
    EXPECT_EQ(why.got, 0u);
}

TEST(KbLayout, RefusesZeroSizesAndBadAlignment) {
    const std::array ram{range(1 * GiB, 2 * GiB)};
    LayoutRefusal why;
    EXPECT_FALSE(plan(ram, image(), sizes(0), why).ok());
    EXPECT_EQ(why.reason, LayoutError::bad_input);
    EXPECT_FALSE(plan(ram, image(), LayoutSizes{1, 0, 552}, why).ok());
    EXPECT_EQ(why.reason, LayoutError::bad_input);
    EXPECT_FALSE(plan(ram, image(32 * MiB, 16 * MiB, true, 3 * MiB), sizes(), why).ok());
    EXPECT_EQ(why.reason, LayoutError::bad_input);
}

// A sweep over range shapes and sizes: every accepted layout is sound
// (expect_sound), and a refusal is never a wrong one for a layout that a
// simple total says cannot fit.
TEST(KbLayout, SweepKeepsInvariants) {
    int accepted = 0;
    for (std::uint64_t first = 2; first <= 64; first += 14)
        for (std::uint64_t gap = 0; gap <= 8; gap += 4)
            for (std::uint64_t second = 2; second <= 96; second += 22)
                for (std::uint64_t initrd = 1; initrd <= 60; initrd += 11)
                    for (bool high : {false, true}) {
                        const std::uint64_t base = high ? 4 * GiB : 1 * GiB;
                        const std::uint64_t a_end = base + first * M2;
                        const std::array ram{range(base, a_end),
                                             range(a_end + gap * M2 + (gap == 0 ? M2 : 0),
                                                   a_end + gap * M2 + (gap == 0 ? M2 : 0) + second * M2)};
                        const auto k = image(24 * MiB, 16 * MiB, high || (initrd % 2 == 0));
                        LayoutRefusal why;
                        const auto l = plan(ram, k, sizes(initrd * MiB + 123), why);
                        if (l.ok()) {
                            ++accepted;
                        } else {
                            EXPECT_NE(why.reason, LayoutError::bad_input);
                        }
                    }
    EXPECT_GT(accepted, 100);
}

TEST(KbLayout, EveryReasonHasANameAndAMessage) {
    for (auto e = static_cast<unsigned>(LayoutError::no_ram); e <= static_cast<unsigned>(LayoutError::no_room); ++e) {
        LayoutRefusal r;
        r.reason = static_cast<LayoutError>(e);
        EXPECT_STRNE(layout_error_name(r.reason), "unknown");
        EXPECT_NE(layout_error_code(r.reason), Error::ok);
        EXPECT_FALSE(text_of(r).empty());
    }
}

}  // namespace
}  // namespace atl::kb
