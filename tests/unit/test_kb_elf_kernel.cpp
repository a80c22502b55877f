// vmlinux (ELF64) parsing: the accepted descriptor, the setup header it
// stands in for, every refusal reason, and a whole boot planned from it.
#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>

#include "atoll/kb/boot_plan.hpp"
#include "atoll/kb/bootparams.hpp"
#include "atoll/kb/elf_kernel.hpp"
#include "kb_test_support.hpp"

namespace atl::kb {
namespace {

using test::ElfSpec;
using test::get_le;
using test::make_bzimage;
using test::make_vmlinux;
using test::put_le;
using test::text_of;

Result<KernelImage> parse(const std::vector<std::byte>& img, ImageRefusal& why) {
    return parse_kernel(std::span<const std::byte>(img), why);
}

ImageRefusal refusal_for(const std::vector<std::byte>& img) { return test::image_refusal(parse_kernel, img); }

ImageRefusal refusal_for(const ElfSpec& s) { return refusal_for(make_vmlinux(s)); }

TEST(KbElfKernel, AcceptsAVmlinuxAndLaysItsSegmentsOutAsLinked) {
    const auto img = make_vmlinux();
    ImageRefusal why{ImageError::truncated, 1, 2};
    const auto k = parse(img, why);
    ASSERT_TRUE(k.ok()) << text_of(why);
    EXPECT_EQ(why.reason, ImageError::none);
    EXPECT_EQ(k->format, KernelFormat::elf);
    ASSERT_EQ(k->segment_count, 4);
    // Offsets from the load address are the distances of the physical
    // addresses; the last segment's bss is zeroed up to its memsz.
    EXPECT_EQ(k->segments[0].offset, 0u);
    EXPECT_EQ(k->segments[1].offset, 0xa00000u);
    EXPECT_EQ(k->segments[2].offset, 0xa02000u);
    EXPECT_EQ(k->segments[3].offset, 0xa04000u);
    EXPECT_EQ(k->segments[3].bytes.size(), 0x1000u);
    EXPECT_EQ(k->segments[3].size, 0x5000u);
    EXPECT_EQ(k->segments[1].bytes[0], std::byte{0x41});
    EXPECT_EQ(k->init_size, 0xa09000u);
    EXPECT_EQ(k->entry_offset, 0u);
    EXPECT_EQ(k->pref_address, 0x1000000u);
    EXPECT_EQ(k->alignment, 2u * 1024 * 1024);
    EXPECT_EQ(k->cmdline_size, 2047u);
    EXPECT_TRUE(k->can_load_above_4g());
    EXPECT_TRUE(k->payload.empty());
}

TEST(KbElfKernel, StandsInASetupHeaderLikeABzImages) {
    ImageRefusal why;
    const auto k = parse(make_vmlinux(), why);
    ASSERT_TRUE(k.ok()) << text_of(why);
    // Read back at boot_params offsets (header starts at 0x1f1).
    const auto h = k->setup_header;
    ASSERT_EQ(h.size(), 0x264u - 0x1f1);
    EXPECT_EQ(get_le(h, 0x1fe - 0x1f1, 2), 0xaa55u);
    EXPECT_EQ(get_le(h, 0x202 - 0x1f1, 4), 0x53726448u);   // "HdrS"
    EXPECT_EQ(get_le(h, 0x206 - 0x1f1, 2), 0x020fu);
    EXPECT_EQ(get_le(h, 0x211 - 0x1f1, 1), 0x01u);          // LOADED_HIGH, no KASLR_FLAG
    EXPECT_EQ(get_le(h, 0x236 - 0x1f1, 2), 0x03u);          // KERNEL_64 | CAN_BE_LOADED_ABOVE_4G
    EXPECT_EQ(get_le(h, 0x238 - 0x1f1, 4), 2047u);
}

TEST(KbElfKernel, ASegmentMayBeAllBss) {
    ElfSpec s;
    s.loads.push_back({0x1a0a000, 0, 0x3000});   // no bytes in the file
    ImageRefusal why;
    const auto k = parse(make_vmlinux(s), why);
    ASSERT_TRUE(k.ok()) << text_of(why);
    ASSERT_EQ(k->segment_count, 5);
    EXPECT_TRUE(k->segments[4].bytes.empty());
    EXPECT_EQ(k->segments[4].size, 0x3000u);
    EXPECT_EQ(k->init_size, 0xa0d000u);
}

TEST(KbElfKernel, NoteMayComeAfterTheSegments) {
    ElfSpec s;
    s.note_first = false;
    ImageRefusal why;
    EXPECT_TRUE(parse(make_vmlinux(s), why).ok()) << text_of(why);
}

TEST(KbElfKernel, TheDispatchSendsOtherFilesToTheBzImageParser) {
    ImageRefusal why;
    const auto k = parse(make_bzimage(), why);
    ASSERT_TRUE(k.ok()) << text_of(why);
    EXPECT_EQ(k->format, KernelFormat::bzimage);
    EXPECT_EQ(k->entry_offset, 0x200u);
    ASSERT_EQ(k->segment_count, 1);
    EXPECT_EQ(k->segments[0].bytes.data(), k->payload.data());
    std::vector<std::byte> junk(4096, std::byte{0x5a});
    EXPECT_EQ(refusal_for(junk).reason, ImageError::bad_boot_flag);
    EXPECT_EQ(text_of(refusal_for(junk)),
              "not a kernel image (vmlinux or bzImage): boot sector signature 0x5a5a (want 0xaa55)");
}

TEST(KbElfKernel, RefusesTruncatedHeader) {
    auto img = make_vmlinux();
    img.resize(40);
    const auto why = refusal_for(img);
    EXPECT_EQ(why.reason, ImageError::elf_too_small);
    EXPECT_EQ(text_of(why), "truncated vmlinux: 40 bytes, shorter than an ELF header (64 bytes)");
}

TEST(KbElfKernel, RefusesOtherClassesAndMachines) {
    ElfSpec s;
    s.elf_class = 1;
    EXPECT_EQ(refusal_for(s).reason, ImageError::elf_not_x86_64);
    s = {};
    s.data = 2;
    EXPECT_EQ(refusal_for(s).reason, ImageError::elf_not_x86_64);
    s = {};
    s.machine = 183;   // aarch64
    const auto why = refusal_for(s);
    EXPECT_EQ(why.reason, ImageError::elf_not_x86_64);
    EXPECT_EQ(why.got, 183u);
}

TEST(KbElfKernel, RefusesAnObjectFile) {
    ElfSpec s;
    s.type = 1;   // ET_REL: a kernel module, for one
    EXPECT_EQ(refusal_for(s).reason, ImageError::elf_not_executable);
}

TEST(KbElfKernel, RefusesProgramHeadersThatDoNotFit) {
    ElfSpec s;
    s.phentsize = 64;
    EXPECT_EQ(refusal_for(s).reason, ImageError::elf_bad_headers);
    auto img = make_vmlinux();
    put_le(img, 32, img.size() - 60, 8);   // phoff near the end
    EXPECT_EQ(refusal_for(img).reason, ImageError::elf_bad_headers);
    img = make_vmlinux();
    put_le(img, 32, ~std::uint64_t{0} - 10, 8);   // phoff + table wraps
    EXPECT_EQ(refusal_for(img).reason, ImageError::elf_bad_headers);
    img = make_vmlinux();
    put_le(img, 56, 0, 2);
    EXPECT_EQ(refusal_for(img).reason, ImageError::elf_bad_headers);
}

TEST(KbElfKernel, RefusesATruncatedSegment) {
    auto img = make_vmlinux();
    img.resize(img.size() - 1);
    const auto why = refusal_for(img);
    EXPECT_EQ(why.reason, ImageError::elf_segment_outside);
    EXPECT_EQ(why.want, img.size());
    // An offset so large that offset + filesz wraps.
    img = make_vmlinux();
    put_le(img, 64 + 56 + 8, ~std::uint64_t{0} - 4, 8);   // first PT_LOAD's p_offset
    EXPECT_EQ(refusal_for(img).reason, ImageError::elf_segment_outside);
}

TEST(KbElfKernel, RefusesOverlappingUnsortedOrShortSegments) {
    ElfSpec s;
    s.loads[2].paddr = 0x1a01000;   // inside the segment before it
    auto why = refusal_for(s);
    EXPECT_EQ(why.reason, ImageError::elf_bad_segment);
    EXPECT_EQ(why.got, 0x1a01000u);
    s = {};
    s.loads[1].memsz = 0x1000;   // fewer bytes in memory than in the file
    EXPECT_EQ(refusal_for(s).reason, ImageError::elf_bad_segment);
    s = {};
    s.loads[3].paddr = ~std::uint64_t{0} - 0x100;   // paddr + memsz wraps
    EXPECT_EQ(refusal_for(s).reason, ImageError::elf_bad_segment);
}

TEST(KbElfKernel, RefusesTooManyOrNoSegments) {
    ElfSpec s;
    s.loads.clear();
    for (std::uint64_t i = 0; i < 9; ++i)
        s.loads.push_back({0x1000000 + i * 0x1000, 0x1000, 0x1000});
    const auto why = refusal_for(s);
    EXPECT_EQ(why.reason, ImageError::elf_many_segments);
    EXPECT_EQ(why.got, 9u);
    s.loads.clear();
    EXPECT_EQ(refusal_for(s).reason, ImageError::elf_no_segments);
}

TEST(KbElfKernel, RefusesALinkAddressOffTheTwoMiBGrid) {
    ElfSpec s;
    for (auto& l : s.loads)
        l.paddr += 0x1000;
    s.entry += 0x1000;
    const auto why = refusal_for(s);
    EXPECT_EQ(why.reason, ImageError::elf_misaligned);
    EXPECT_EQ(why.got, 0x1001000u);
}

TEST(KbElfKernel, RefusesASpanBeyondOneGiB) {
    ElfSpec s;
    s.loads[3].memsz = 1ull << 30;
    EXPECT_EQ(refusal_for(s).reason, ImageError::elf_too_big);
}

TEST(KbElfKernel, RefusesAnEntryOutsideTheFirstSegment) {
    ElfSpec s;
    s.entry = 0x1a00000;   // the data segment
    EXPECT_EQ(refusal_for(s).reason, ImageError::elf_bad_entry);
    s.entry = 0xfff000;    // below the image
    EXPECT_EQ(refusal_for(s).reason, ImageError::elf_bad_entry);
}

TEST(KbElfKernel, RefusesAnExecutableThatIsNotLinux) {
    ElfSpec s;
    s.note_name = "GNU";
    EXPECT_EQ(refusal_for(s).reason, ImageError::elf_not_linux);
    s.note_name = "";
    EXPECT_EQ(refusal_for(s).reason, ImageError::elf_not_linux);
    // A note whose name runs past the segment is not a match.
    auto img = make_vmlinux();
    put_le(img, 64 + 56 + 0, 1, 4);   // keep the PT_NOTE
    const std::size_t note_off = 64 + 5 * 56;
    put_le(img, note_off, 0x7fffffff, 4);
    EXPECT_EQ(refusal_for(img).reason, ImageError::elf_not_linux);
}

TEST(KbElfKernel, EveryElfReasonHasADistinctNameAMessageAndAnErrorCode) {
    std::set<std::string> names;
    for (auto e = static_cast<unsigned>(ImageError::elf_too_small);
         e <= static_cast<unsigned>(ImageError::elf_not_linux); ++e) {
        const auto reason = static_cast<ImageError>(e);
        EXPECT_TRUE(names.insert(image_error_name(reason)).second) << e;
        EXPECT_NE(image_error_code(reason), Error::ok) << e;
        EXPECT_FALSE(text_of(ImageRefusal{reason, 1, 2}).empty()) << e;
        EXPECT_EQ(text_of(ImageRefusal{reason, 1, 2}).find("refused:"), std::string::npos) << e;
    }
    EXPECT_EQ(names.size(), 12u);
}

TEST(KbElfKernel, PlansAWholeBootWithTheEntryAtStartup64) {
    test::BootRequestSpec in;
    in.kernel = make_vmlinux();
    const BootRequest r = in.get();
    BootRefusal why;
    const auto plan = plan_boot(r, why);
    ASSERT_TRUE(plan.ok()) << text_of(why);
    const BootLayout& l = plan->layout();
    EXPECT_EQ(l.kernel.start.value(), 0x1'0000'0000u);
    EXPECT_EQ(l.kernel.size(), 0xa09000u);
    EXPECT_EQ(l.entry, l.kernel.start);
    EXPECT_EQ(plan->segments().size(), 4u);
    std::vector<std::byte> page(ATOLL_BP_SIZE);
    std::vector<std::byte> sd(setup_data_bytes);
    ASSERT_TRUE(write_boot_params(*plan, page, sd).ok());
    EXPECT_EQ(get_le(page, 0x202, 4), 0x53726448u);
    EXPECT_EQ(get_le(page, 0x210, 1), 0xffu);   // type_of_loader: undefined
    EXPECT_EQ(get_le(page, 0x228, 4), l.cmdline.start.value() & 0xffffffff);
}

}  // namespace
}  // namespace atl::kb
