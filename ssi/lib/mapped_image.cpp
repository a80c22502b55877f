// Boot images mapped from their files (mapped_image.hpp).
#include "atoll/ssi/mapped_image.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "atoll/ssi/failure.hpp"

namespace atl::ssi {

namespace {

std::size_t page_size() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }
std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

}  // namespace

MappedImage::MappedImage(const std::string& path, const char* what, std::size_t extra) : path_(path) {
    const auto fail = [&](const std::string& why) { return Failure(std::string(what) + " " + path + ": " + why); };
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw fail(std::strerror(errno));
    struct stat st{};
    if (::fstat(fd, &st) != 0) {
        const int e = errno;
        ::close(fd);
        throw fail(std::strerror(e));
    }
    if (!S_ISREG(st.st_mode) || st.st_size == 0) {
        ::close(fd);
        throw fail(S_ISREG(st.st_mode) ? "the file is empty" : "not a regular file");
    }
    file_size_ = size_ = static_cast<std::size_t>(st.st_size);
    const std::size_t page = page_size();
    const std::size_t file_pages = round_up(file_size_, page);
    mapped_ = round_up(file_size_ + (extra ? extra + 3 : 0), page);
    // Reserve the whole range anonymous, then lay the file over its start:
    // pages past the file's last one would fault (SIGBUS) if file-backed.
    void* base = ::mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        const int e = errno;
        ::close(fd);
        throw fail(std::string("cannot reserve memory: ") + std::strerror(e));
    }
    // Read-only: populating a writable private mapping would copy each page.
    void* file = ::mmap(base, file_pages, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_POPULATE, fd, 0);
    const int e = errno;
    ::close(fd);
    if (file == MAP_FAILED) {
        ::munmap(base, mapped_);
        throw fail(std::string("cannot map: ") + std::strerror(e));
    }
    base_ = static_cast<char*>(base);
}

MappedImage::~MappedImage() {
    if (base_ != nullptr)
        ::munmap(base_, mapped_);
}

void MappedImage::append4(std::span<const char> data) {
    const std::size_t at = round_up(size_, 4);
    if (at + data.size() > mapped_)
        throw Failure(path_ + ": no room to append " + std::to_string(data.size()) + " bytes");
    // File-backed pages from the one holding size_ to the file's last
    // become private copies; the pages after them are anonymous and
    // writable already.
    const std::size_t page = page_size();
    const std::size_t first = size_ / page * page;
    const std::size_t file_end = round_up(file_size_, page);
    if (first < file_end && ::mprotect(base_ + first, file_end - first, PROT_READ | PROT_WRITE) != 0)
        throw Failure(path_ + ": cannot append: " + std::strerror(errno));
    std::memset(base_ + size_, 0, at - size_);
    std::memcpy(base_ + at, data.data(), data.size());
    size_ = at + data.size();
}

}  // namespace atl::ssi
