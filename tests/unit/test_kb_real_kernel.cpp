// The project's own kernel, when it has been built: the bzImage `make
// kernel` produces and the vmlinux `make images` strips from it must be
// images the bootloader accepts. Skipped when absent (a fresh checkout);
// ATOLL_BZIMAGE and ATOLL_VMLINUX name other images to check.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "atoll/kb/bzimage.hpp"
#include "atoll/kb/elf_kernel.hpp"
#include "kb_test_support.hpp"

namespace atl::kb {
namespace {

std::string image_path(const char* env_name = "ATOLL_BZIMAGE", const char* file = "bzImage") {
    if (const char* env = std::getenv(env_name))
        return env;
    // ATOLL_TEST_DATA is tests/unit/data in the source tree.
    return std::string(ATOLL_TEST_DATA) + "/../../../build/images/" + file;
}

std::vector<std::byte> read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f)
        return {};
    const std::vector<char> raw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::vector<std::byte> out(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i)
        out[i] = static_cast<std::byte>(raw[i]);
    return out;
}

TEST(KbRealKernel, ProjectKernelIsABootable64BitRelocatableImage) {
    const std::string path = image_path();
    const std::vector<std::byte> img = read_file(path);
    if (img.empty())
        GTEST_SKIP() << "no kernel image at " << path << " (run `make kernel`)";

    ImageRefusal why;
    const auto k = parse_bzimage(img, why);
    ASSERT_TRUE(k.ok()) << path << ": " << test::text_of(why)
                        << "\n*** The partition kernel cannot be booted by the Atoll bootloader. ***";
    EXPECT_NE(k->xloadflags & ATOLL_BP_XLF_KERNEL_64, 0);
    EXPECT_TRUE(k->can_load_above_4g()) << "partitions 2 and 3 of the box have RAM only above 4 GiB";
    EXPECT_GE(k->init_size, k->payload.size());
    EXPECT_GE(k->alignment, 2u * 1024 * 1024);
    EXPECT_EQ(k->alignment & (k->alignment - 1), 0u);
    EXPECT_GE(k->cmdline_size, 255u);
    RecordProperty("init_size", std::to_string(k->init_size));
    RecordProperty("kernel_alignment", std::to_string(k->alignment));
    RecordProperty("xloadflags", std::to_string(k->xloadflags));
}

TEST(KbRealKernel, ProjectVmlinuxStartsWithoutItsDecompressor) {
    const std::string path = image_path("ATOLL_VMLINUX", "vmlinux");
    const std::vector<std::byte> img = read_file(path);
    if (img.empty())
        GTEST_SKIP() << "no vmlinux at " << path << " (run `make images`)";

    ImageRefusal why;
    const auto k = parse_elf_kernel(img, why);
    ASSERT_TRUE(k.ok()) << path << ": " << test::text_of(why)
                        << "\n*** Partitions cannot start the kernel without its decompressor. ***";
    EXPECT_EQ(k->format, KernelFormat::elf);
    EXPECT_GE(k->segment_count, 2);
    EXPECT_EQ(k->entry_offset, 0u) << "vmlinux's entry is startup_64, its first byte";
    EXPECT_EQ(k->pref_address, 16u * 1024 * 1024) << "CONFIG_PHYSICAL_START";
    EXPECT_GT(k->init_size, 8u * 1024 * 1024);
    RecordProperty("segments", std::to_string(k->segment_count));
    RecordProperty("span", std::to_string(k->init_size));
}

}  // namespace
}  // namespace atl::kb
