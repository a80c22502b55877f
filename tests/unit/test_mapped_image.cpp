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

// Several archives in one range: each file from a page boundary, zeros
// between (what the kernel skips between concatenated archives), a trailer
// after the last; nothing on disk changes.
TEST_F(MappedImageTest, MapsSeveralFilesOneAfterAnother) {
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    const std::string first = write(5001);
    const std::string second_path = path_ + ".2";
    const std::string second(page, 'z');   // exactly one page: the next starts right after
    std::ofstream(second_path, std::ios::binary) << second;
    const std::string third_path = path_ + ".3";
    std::ofstream(third_path, std::ios::binary) << "abc";
    const std::string trailer = "070701-key";
    {
        MappedImage m({path_, second_path, third_path}, "initramfs", trailer.size());
        ASSERT_EQ(m.part_count(), 3u);
        EXPECT_EQ(std::string(m.part(0).begin(), m.part(0).end()), first);
        EXPECT_EQ(std::string(m.part(1).begin(), m.part(1).end()), second);
        EXPECT_EQ(std::string(m.part(2).begin(), m.part(2).end()), "abc");
        const std::size_t second_at = 2 * page;   // 5001 bytes round up to two pages
        EXPECT_EQ(m.part(1).data(), m.bytes().data() + second_at);
        EXPECT_EQ(m.part(2).data(), m.bytes().data() + second_at + page);
        EXPECT_EQ(std::string(m.bytes().data() + 5001, second_at - 5001), std::string(second_at - 5001, '\0'));
        m.append4(trailer);
        const std::size_t at = second_at + page + 4;   // "abc" padded to 4
        ASSERT_EQ(m.bytes().size(), at + trailer.size());
        EXPECT_EQ(m.bytes()[second_at + page + 3], '\0');
        EXPECT_EQ(std::string(m.bytes().data() + at, trailer.size()), trailer);
    }
    EXPECT_EQ(on_disk(), first);
    std::ifstream in(third_path, std::ios::binary);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()), "abc");
    ::unlink(second_path.c_str());
    ::unlink(third_path.c_str());
}

TEST_F(MappedImageTest, ABadFileInTheListIsNamed) {
    write(100);
    try {
        const MappedImage m({path_, "/nonexistent/tools.cpio.gz"}, "initramfs");
        FAIL() << "a missing file was mapped";
    } catch (const Failure& f) {
        EXPECT_EQ(std::string(f.what()).rfind("initramfs /nonexistent/tools.cpio.gz: ", 0), 0u) << f.what();
    }
    EXPECT_THROW(MappedImage(std::vector<std::string>{}, "initramfs"), Failure);
}

}  // namespace
}  // namespace atl::ssi
