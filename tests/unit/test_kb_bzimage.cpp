// bzImage parsing: the accepted descriptor and every refusal reason.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "atoll/kb/bzimage.hpp"
#include "kb_test_support.hpp"

namespace atl::kb {
namespace {

using test::ImageSpec;
using test::make_bzimage;
using test::text_of;

Result<KernelImage> parse(const std::vector<std::byte>& img, ImageRefusal& why) {
    return parse_bzimage(std::span<const std::byte>(img), why);
}

ImageRefusal refusal_for(const std::vector<std::byte>& img) { return test::image_refusal(parse_bzimage, img); }

ImageRefusal refusal_for(const ImageSpec& s) { return refusal_for(make_bzimage(s)); }

TEST(KbBzImage, AcceptsAndDescribesSyntheticImage) {
    ImageSpec s;
    s.setup_sects = 31;
    const auto img = make_bzimage(s);
    ImageRefusal why{ImageError::truncated, 1, 2};
    const auto k = parse(img, why);
    ASSERT_TRUE(k.ok()) << text_of(why);
    EXPECT_EQ(why.reason, ImageError::none);   // cleared on success
    EXPECT_EQ(k->version, 0x020f);
    EXPECT_EQ(k->xloadflags, 0x03);
    EXPECT_TRUE(k->can_load_above_4g());
    EXPECT_EQ(k->loadflags, 0x01);
    EXPECT_EQ(k->init_size, 8u * 1024 * 1024);
    EXPECT_EQ(k->alignment, 2u * 1024 * 1024);
    EXPECT_EQ(k->min_alignment_log2, 21);
    EXPECT_EQ(k->pref_address, 0x1000000u);
    EXPECT_EQ(k->cmdline_size, 2047u);
    EXPECT_EQ(k->initrd_addr_max, 0x7fffffffu);
    // The header span is [0x1f1, 0x26c) of the image itself.
    EXPECT_EQ(k->setup_header.data(), img.data() + 0x1f1);
    EXPECT_EQ(k->setup_header.size(), 0x26cu - 0x1f1);
    // The payload starts after the boot sector and 31 setup sectors.
    EXPECT_EQ(k->payload.data(), img.data() + 32 * 512);
    EXPECT_EQ(k->payload_offset, 32u * 512);
    EXPECT_EQ(k->payload.size(), 64u * 1024);
}

TEST(KbBzImage, SetupSectsZeroMeansFour) {
    ImageSpec s;
    s.setup_sects = 0;
    const auto img = make_bzimage(s);
    ImageRefusal why;
    const auto k = parse(img, why);
    ASSERT_TRUE(k.ok()) << text_of(why);
    EXPECT_EQ(k->payload.data(), img.data() + 5 * 512);
}

TEST(KbBzImage, PayloadIsSyssizeNotTheRestOfTheFile) {
    ImageSpec s;
    s.trailing_bytes = 4096;   // an appended signature, say
    const auto img = make_bzimage(s);
    ImageRefusal why;
    const auto k = parse(img, why);
    ASSERT_TRUE(k.ok()) << text_of(why);
    EXPECT_EQ(k->payload.size(), s.payload_bytes);
}

TEST(KbBzImage, AcceptsImageThatCannotGoAbove4G) {
    ImageSpec s;
    s.xloadflags = 0x01;
    ImageRefusal why;
    const auto img = make_bzimage(s);
    const auto k = parse(img, why);
    ASSERT_TRUE(k.ok());
    EXPECT_FALSE(k->can_load_above_4g());
}

TEST(KbBzImage, RefusesTooSmall) {
    const auto why = refusal_for(std::vector<std::byte>(0x200));
    EXPECT_EQ(why.reason, ImageError::too_small);
    EXPECT_EQ(why.got, 0x200u);
    EXPECT_EQ(why.want, 0x264u);
    EXPECT_EQ(refusal_for(std::vector<std::byte>{}).reason, ImageError::too_small);
}

TEST(KbBzImage, RefusesHeaderRunningPastTheFile) {
    auto img = make_bzimage();
    img.resize(0x268);   // holds init_size, not the whole 0x26c header
    const auto why = refusal_for(img);
    EXPECT_EQ(why.reason, ImageError::too_small);
    EXPECT_EQ(why.want, 0x26cu);
}

TEST(KbBzImage, RefusesBadBootFlag) {
    ImageSpec s;
    s.boot_flag = 0;
    const auto why = refusal_for(s);
    EXPECT_EQ(why.reason, ImageError::bad_boot_flag);
    EXPECT_EQ(text_of(why), "not a kernel image (vmlinux or bzImage): boot sector signature 0x0 (want 0xaa55)");
}

TEST(KbBzImage, RefusesBadHeaderMagic) {
    ImageSpec s;
    s.magic = 0x12345678;
    const auto why = refusal_for(s);
    EXPECT_EQ(why.reason, ImageError::bad_header_magic);
    EXPECT_EQ(why.got, 0x12345678u);
}

TEST(KbBzImage, RefusesOldProtocol) {
    ImageSpec s;
    s.version = 0x020b;
    const auto why = refusal_for(s);
    EXPECT_EQ(why.reason, ImageError::old_protocol);
    EXPECT_EQ(text_of(why), "kernel boot protocol 2.11 is too old (want 2.12 or later)");
}

TEST(KbBzImage, RefusesHeaderLengthOutsideTheKnownRange) {
    ImageSpec s;
    s.header_end = 0x260;   // ends before init_size
    EXPECT_EQ(refusal_for(s).reason, ImageError::bad_header_length);
    s.header_end = 0x2a0;   // would run into edd_mbr_sig_buffer
    EXPECT_EQ(refusal_for(s).reason, ImageError::bad_header_length);
    s.header_end = 0x290;   // the largest we accept
    ImageRefusal why;
    EXPECT_TRUE(parse(make_bzimage(s), why).ok());
}

TEST(KbBzImage, RefusesZImage) {
    ImageSpec s;
    s.loadflags = 0;
    EXPECT_EQ(refusal_for(s).reason, ImageError::not_bzimage);
}

TEST(KbBzImage, RefusesKernelWithout64BitEntry) {
    ImageSpec s;
    s.xloadflags = 0x02;
    const auto why = refusal_for(s);
    EXPECT_EQ(why.reason, ImageError::not_64bit);
    EXPECT_NE(text_of(why).find("XLF_KERNEL_64"), std::string::npos);
}

TEST(KbBzImage, RefusesNonRelocatableKernel) {
    ImageSpec s;
    s.relocatable = 0;
    const auto why = refusal_for(s);
    EXPECT_EQ(why.reason, ImageError::not_relocatable);
    EXPECT_NE(text_of(why).find("CONFIG_RELOCATABLE"), std::string::npos);
}

TEST(KbBzImage, RefusesEmptyPayload) {
    ImageSpec s;
    s.payload_bytes = 0;
    EXPECT_EQ(refusal_for(s).reason, ImageError::empty_payload);
    s.payload_bytes = 0x200;   // ends where the entry would be
    EXPECT_EQ(refusal_for(s).reason, ImageError::empty_payload);
}

TEST(KbBzImage, RefusesTruncatedPayload) {
    auto img = make_bzimage();   // 5 * 512 + 65536 bytes
    img.resize(img.size() - 100);
    const auto why = refusal_for(img);
    EXPECT_EQ(why.reason, ImageError::truncated);
    EXPECT_EQ(why.want, 5u * 512 + 65536);
    EXPECT_EQ(why.got, 5u * 512 + 65536 - 100);
    EXPECT_EQ(text_of(why), "kernel truncated: payload needs 68096 bytes, image has 67996");
}

TEST(KbBzImage, RefusesInitSizeSmallerThanPayload) {
    ImageSpec s;
    s.init_size = s.payload_bytes - 16;
    const auto why = refusal_for(s);
    EXPECT_EQ(why.reason, ImageError::bad_init_size);
    EXPECT_EQ(why.want, s.payload_bytes);
}

TEST(KbBzImage, RefusesBadAlignment) {
    ImageSpec s;
    s.alignment = 3 * 1024 * 1024;   // not a power of two
    EXPECT_EQ(refusal_for(s).reason, ImageError::bad_alignment);
    s.alignment = 2048;              // below a page
    EXPECT_EQ(refusal_for(s).reason, ImageError::bad_alignment);
    s.alignment = 0;
    EXPECT_EQ(refusal_for(s).reason, ImageError::bad_alignment);
    s.alignment = 16 * 1024 * 1024;  // CONFIG_PHYSICAL_ALIGN's largest
    ImageRefusal why;
    EXPECT_TRUE(parse(make_bzimage(s), why).ok());
}

TEST(KbBzImage, RefusesZeroCmdlineSize) {
    ImageSpec s;
    s.cmdline_size = 0;
    EXPECT_EQ(refusal_for(s).reason, ImageError::bad_cmdline_size);
}

TEST(KbBzImage, EveryReasonHasADistinctNameAMessageAndAnErrorCode) {
    std::set<std::string> names;
    for (auto e = static_cast<unsigned>(ImageError::too_small); e <= static_cast<unsigned>(ImageError::bad_cmdline_size);
         ++e) {
        const auto reason = static_cast<ImageError>(e);
        EXPECT_TRUE(names.insert(image_error_name(reason)).second) << e;
        EXPECT_NE(image_error_code(reason), Error::ok) << e;
        EXPECT_FALSE(text_of(ImageRefusal{reason, 1, 2}).empty()) << e;
    }
    EXPECT_EQ(names.size(), 13u);
    EXPECT_EQ(image_error_code(ImageError::none), Error::ok);
}

}  // namespace
}  // namespace atl::kb
