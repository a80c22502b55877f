// Initramfs structural checks: each known magic, and each refusal.
#include <gtest/gtest.h>

#include "atoll/kb/initrd.hpp"
#include "kb_test_support.hpp"

namespace atl::kb {
namespace {

using test::bytes_of;
using test::text_of;

Result<InitrdFormat> check(const std::vector<std::byte>& d, InitrdRefusal& why) {
    return check_initrd(std::span<const std::byte>(d), why);
}

InitrdRefusal refusal_for(const std::vector<std::byte>& d) {
    InitrdRefusal why;
    const auto r = check(d, why);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.error(), initrd_error_code(why.reason));
    return why;
}

void expect_format(const std::vector<std::byte>& d, InitrdFormat f) {
    InitrdRefusal why{InitrdError::empty, 0, 0};
    const auto r = check(d, why);
    ASSERT_TRUE(r.ok()) << text_of(why);
    EXPECT_EQ(*r, f) << initrd_format_name(f);
    EXPECT_EQ(why.reason, InitrdError::none);
}

TEST(KbInitrd, RecognisesEveryFormat) {
    expect_format(bytes_of({'0', '7', '0', '7', '0', '1'}, 512), InitrdFormat::cpio_newc);
    expect_format(bytes_of({'0', '7', '0', '7', '0', '2'}, 512), InitrdFormat::cpio_newc);
    expect_format(bytes_of({0x1f, 0x8b, 0x08, 0x00}, 64), InitrdFormat::gzip);
    expect_format(bytes_of({0x1f, 0x8b, 0x08, 0x08}, 64), InitrdFormat::gzip);   // FNAME, as gzip writes
    expect_format(bytes_of({'B', 'Z', 'h', '9'}, 64), InitrdFormat::bzip2);
    expect_format(bytes_of({0xfd, '7', 'z', 'X', 'Z', 0x00}, 64), InitrdFormat::xz);
    expect_format(bytes_of({0x28, 0xb5, 0x2f, 0xfd}, 64), InitrdFormat::zstd);
    expect_format(bytes_of({0x02, 0x21, 0x4c, 0x18}, 64), InitrdFormat::lz4_legacy);
}

TEST(KbInitrd, RefusesEmpty) {
    const auto why = refusal_for({});
    EXPECT_EQ(why.reason, InitrdError::empty);
    EXPECT_EQ(text_of(why), "initramfs is empty");
}

TEST(KbInitrd, RefusesUnknownFormat) {
    const auto why = refusal_for(bytes_of({0x7f, 'E', 'L', 'F'}, 256));
    EXPECT_EQ(why.reason, InitrdError::unknown_format);
    EXPECT_EQ(why.got, 0x7f454c46u);
    // The old binary and odc cpio formats are not the kernel's newc.
    EXPECT_EQ(refusal_for(bytes_of({'0', '7', '0', '7', '0', '7'}, 512)).reason, InitrdError::unknown_format);
    // bzip2's block size digit must be 1..9.
    EXPECT_EQ(refusal_for(bytes_of({'B', 'Z', 'h', '0'}, 64)).reason, InitrdError::unknown_format);
    EXPECT_EQ(refusal_for(bytes_of({'B', 'Z', 'h'})).reason, InitrdError::unknown_format);
    // A single byte is not a magic.
    EXPECT_EQ(refusal_for(bytes_of({0x1f})).reason, InitrdError::unknown_format);
}

TEST(KbInitrd, RefusesFileCutShortAfterItsMagic) {
    const auto why = refusal_for(bytes_of({'0', '7', '0', '7', '0', '1'}, 100));
    EXPECT_EQ(why.reason, InitrdError::truncated);
    EXPECT_EQ(why.got, 100u);
    EXPECT_EQ(why.want, 110u);
    EXPECT_EQ(refusal_for(bytes_of({0x1f, 0x8b, 0x08, 0x00}, 17)).reason, InitrdError::truncated);
}

TEST(KbInitrd, RefusesGzipWithAnotherMethod) {
    const auto why = refusal_for(bytes_of({0x1f, 0x8b, 0x07, 0x00}, 64));
    EXPECT_EQ(why.reason, InitrdError::gzip_method);
    EXPECT_EQ(why.got, 7u);
}

TEST(KbInitrd, RefusesGzipWithReservedFlags) {
    const auto why = refusal_for(bytes_of({0x1f, 0x8b, 0x08, 0x20}, 64));
    EXPECT_EQ(why.reason, InitrdError::gzip_flags);
    EXPECT_EQ(why.got, 0x20u);
    EXPECT_EQ(initrd_error_code(why.reason), Error::corrupt);
}

TEST(KbInitrd, EveryReasonHasANameAndAMessage) {
    for (auto e = static_cast<unsigned>(InitrdError::empty); e <= static_cast<unsigned>(InitrdError::gzip_flags); ++e) {
        const auto reason = static_cast<InitrdError>(e);
        EXPECT_STRNE(initrd_error_name(reason), "unknown");
        EXPECT_NE(initrd_error_code(reason), Error::ok);
        EXPECT_FALSE(text_of(InitrdRefusal{reason, 1, 2}).empty());
    }
}

}  // namespace
}  // namespace atl::kb
