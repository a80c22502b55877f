// Boot images mapped from their files: the bytes are the file's, an
// appended trailer lands after 4-byte padding, and the file itself never
// changes.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "atoll/ssi/failure.hpp"
#include "atoll/ssi/mapped_image.hpp"

namespace atl::ssi {
namespace {

class MappedImageTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/atoll-mapped-XXXXXX";
        const int fd = ::mkstemp(tmpl);
        ASSERT_GE(fd, 0);
        ::close(fd);
        path_ = tmpl;
    }
    void TearDown() override { ::unlink(path_.c_str()); }

    std::string write(std::size_t n) {
        std::string s(n, '\0');
        for (std::size_t i = 0; i < n; ++i)
            s[i] = static_cast<char>('a' + i % 26);
        std::ofstream(path_, std::ios::binary | std::ios::trunc) << s;
        return s;
    }
    std::string on_disk() const {
        std::ifstream in(path_, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

    std::string path_;
};

TEST_F(MappedImageTest, MapsTheWholeFile) {
    const std::string s = write(10000);
    const MappedImage m(path_, "kernel image");
    EXPECT_EQ(std::string(m.bytes().begin(), m.bytes().end()), s);
}

TEST_F(MappedImageTest, AppendsAfterPaddingAndLeavesTheFileAlone) {
    // A size inside a page, one on a page boundary, and a tiny one.
    for (const std::size_t n : {std::size_t{5001}, std::size_t{8192}, std::size_t{1}}) {
        const std::string s = write(n);
        const std::string trailer = "070701-trailer";
        MappedImage m(path_, "initramfs", trailer.size());
        m.append4(trailer);
        const std::size_t padded = (n + 3) / 4 * 4;
        ASSERT_EQ(m.bytes().size(), padded + trailer.size()) << n;
        EXPECT_EQ(std::string(m.bytes().data(), n), s) << n;
        EXPECT_EQ(std::string(m.bytes().data() + n, padded - n), std::string(padded - n, '\0')) << n;
        EXPECT_EQ(std::string(m.bytes().data() + padded, trailer.size()), trailer) << n;
        EXPECT_EQ(on_disk(), s) << n;
    }
}

TEST_F(MappedImageTest, RefusesMoreThanTheRoomAskedFor) {
    write(100);
    MappedImage m(path_, "initramfs", 8);
    EXPECT_THROW(m.append4(std::string(5000, 'x')), Failure);
    EXPECT_EQ(m.bytes().size(), 100u);
}

TEST_F(MappedImageTest, RefusesAnEmptyOrMissingFileByName) {
    write(0);
    try {
        const MappedImage m(path_, "kernel image");
        FAIL() << "an empty file was mapped";
    } catch (const Failure& f) {
        EXPECT_EQ(std::string(f.what()), "kernel image " + path_ + ": the file is empty");
    }
    EXPECT_THROW(MappedImage("/nonexistent/vmlinux", "kernel image"), Failure);
    EXPECT_THROW(MappedImage("/tmp", "kernel image"), Failure);
}

}  // namespace
}  // namespace atl::ssi
