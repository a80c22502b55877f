// The default initramfs of a partition: the partition root, then the
// drop-in archives in name order, without hidden files, editor backups or
// folders.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "atoll/ssi/control.hpp"

namespace atl::ssi {
namespace {

constexpr const char* root_archive = "/usr/share/atoll/rootfs.cpio.gz";

TEST(DefaultInitrd, TheRootAloneWithoutADropInFolder) {
    EXPECT_EQ(default_initrd_paths("/nonexistent/initrd.d"), std::vector<std::string>{root_archive});
}

TEST(DefaultInitrd, DropInsFollowTheRootInNameOrder) {
    char tmpl[] = "/tmp/atoll-initrd-d-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    const std::string dir = tmpl;
    for (const char* name : {"50-testtools.cpio.gz", "10-site.cpio", ".hidden.cpio", "90-x.cpio~"})
        std::ofstream(dir + "/" + name) << "x";
    std::filesystem::create_directory(dir + "/20-folder");
    EXPECT_EQ(default_initrd_paths(dir),
              (std::vector<std::string>{root_archive, dir + "/10-site.cpio", dir + "/50-testtools.cpio.gz"}));
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace atl::ssi
