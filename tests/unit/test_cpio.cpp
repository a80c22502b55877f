// newc cpio archives appended to a partition's initramfs (the cluster key).
#include <gtest/gtest.h>

#include <string>

#include "atoll/ssi/cpio.hpp"

namespace atl::ssi {
namespace {

TEST(Cpio, NewcEntriesAlignedAndTerminated) {
    const auto a = cpio_newc({{"etc/atoll", 040755, ""}, {"etc/atoll/cluster.key", 0100600, "abc\n"}});
    const std::string s(a.begin(), a.end());
    EXPECT_EQ(s.size() % 4, 0u);
    EXPECT_EQ(s.substr(0, 6), "070701");
    // The key's entry: mode 0100600, 4 bytes, a 22-byte name (with its NUL).
    const auto at = s.find("etc/atoll/cluster.key");
    ASSERT_NE(at, std::string::npos);
    const std::string h = s.substr(s.rfind("070701", at), 110);
    EXPECT_EQ(h.substr(14, 8), "00008180");   // mode
    EXPECT_EQ(h.substr(54, 8), "00000004");   // filesize
    EXPECT_EQ(h.substr(94, 8), "00000016");   // namesize
    EXPECT_NE(s.find("abc\n"), std::string::npos);
    EXPECT_NE(s.find("TRAILER!!!"), std::string::npos);
}

}  // namespace
}  // namespace atl::ssi
