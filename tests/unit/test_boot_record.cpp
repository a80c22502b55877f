// A partition's last boot, recorded for `atoll restart`: written whole,
// read back exactly, and anything damaged or absent reads as no record.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "atoll/ssi/boot_record.hpp"

namespace atl::ssi {
namespace {

class BootRecordTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/atoll-bootrec-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string dir_;
};

TEST_F(BootRecordTest, ReadsBackWhatWasRecorded) {
    BootImages b;
    b.kernel_path = "/usr/share/atoll/bzImage";
    b.initrd_paths = {"/srv/p 3/initrd.cpio"};
    b.cmdline = "atoll.busy_read=200 quiet";
    ASSERT_TRUE(remember_boot(3, b, dir_));
    const auto r = last_boot(3, dir_);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->kernel_path, b.kernel_path);
    EXPECT_EQ(r->initrd_paths, b.initrd_paths);
    EXPECT_EQ(r->cmdline, b.cmdline);
    EXPECT_FALSE(last_boot(4, dir_).has_value());
}

TEST_F(BootRecordTest, AnEmptyCommandLineIsRecordedAsSuch) {
    BootImages b;
    b.kernel_path = "k";
    b.initrd_paths = {"i"};
    ASSERT_TRUE(remember_boot(1, b, dir_));
    const auto r = last_boot(1, dir_);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->cmdline, "");
}

TEST_F(BootRecordTest, KeepsEveryArchiveOfTheInitramfsInOrder) {
    BootImages b;
    b.kernel_path = "k";
    b.initrd_paths = {"/usr/share/atoll/rootfs.cpio.gz", "/etc/atoll/initrd.d/50-tools.cpio.gz", "/a"};
    ASSERT_TRUE(remember_boot(6, b, dir_));
    const auto r = last_boot(6, dir_);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->initrd_paths, b.initrd_paths);
    b.initrd_paths.clear();
    EXPECT_FALSE(remember_boot(7, b, dir_));   // no initramfs: nothing to boot again
}

TEST_F(BootRecordTest, ADamagedRecordIsNoRecord) {
    std::ofstream(dir_ + "/partition-2.boot") << "kernel /k\ninitrd /i\n";   // cut short
    EXPECT_FALSE(last_boot(2, dir_).has_value());
    std::ofstream(dir_ + "/partition-2.boot", std::ios::trunc) << "initrd /i\nkernel /k\ncmdline \n";
    EXPECT_FALSE(last_boot(2, dir_).has_value());
    std::ofstream(dir_ + "/partition-2.boot", std::ios::trunc) << "kernel \ninitrd /i\ncmdline \n";
    EXPECT_FALSE(last_boot(2, dir_).has_value());
    std::ofstream(dir_ + "/partition-2.boot", std::ios::trunc) << "kernel /k\ncmdline \n";   // no initrd
    EXPECT_FALSE(last_boot(2, dir_).has_value());
    std::ofstream(dir_ + "/partition-2.boot", std::ios::trunc) << "kernel /k\ninitrd /i\ninitrd \ncmdline \n";
    EXPECT_FALSE(last_boot(2, dir_).has_value());
    std::ofstream(dir_ + "/partition-2.boot", std::ios::trunc) << "kernel /k\ninitrd /i\ncmdline \ninitrd /j\n";
    EXPECT_FALSE(last_boot(2, dir_).has_value());
}

TEST_F(BootRecordTest, ValuesWithNewlinesAreNotRecorded) {
    BootImages b;
    b.cmdline = "a\nkernel /evil";
    EXPECT_FALSE(remember_boot(5, b, dir_));
    EXPECT_FALSE(last_boot(5, dir_).has_value());
}

}  // namespace
}  // namespace atl::ssi
