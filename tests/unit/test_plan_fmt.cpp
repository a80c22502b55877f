// The freestanding text formatter.
#include <gtest/gtest.h>

#include "atoll/nk/fmt.hpp"
#include "atoll/nk/topology.hpp"

namespace atl::nk {
namespace {

TEST(PlanFmt, FormatsNumbersSizesAndRanges) {
    FixedText<128> t;
    t.str("n=").dec(0).ch(' ').dec(18446744073709551615ull).ch(' ').hex(0).ch(' ').hex(0xdeadbeef);
    EXPECT_STREQ(t.c_str(), "n=0 18446744073709551615 0x0 0xdeadbeef");
    FixedText<128> s;
    s.size(2 * GiB).ch(' ').size(512 * MiB).ch(' ').size(4 * KiB).ch(' ').size(1000).ch(' ').size(0);
    EXPECT_STREQ(s.c_str(), "2G 512M 4K 1000 0");
    FixedText<64> r;
    r.range(range_at(0x100000000, GiB));
    EXPECT_STREQ(r.c_str(), "[0x100000000, 0x140000000)");
}

TEST(PlanFmt, TruncatesWithoutOverflow) {
    FixedText<8> t;
    t.str("0123456789");
    EXPECT_STREQ(t.c_str(), "0123456");
    EXPECT_TRUE(t.truncated());
    EXPECT_EQ(t.length(), 7u);
    TextWriter none(nullptr, 0);
    none.str("x").dec(5);
    EXPECT_STREQ(none.c_str(), "");
    EXPECT_TRUE(none.truncated());
}

TEST(PlanFmt, TextEqual) {
    EXPECT_TRUE(text_equal("abc", "abc"));
    EXPECT_FALSE(text_equal("abc", "abd"));
    EXPECT_FALSE(text_equal("ab", "abc"));
}

}  // namespace
}  // namespace atl::nk
