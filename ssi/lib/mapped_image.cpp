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

MappedImage::MappedImage(const std::string& path, const char* what, std::size_t extra)
    : MappedImage(std::vector<std::string>{path}, what, extra) {}

MappedImage::MappedImage(const std::vector<std::string>& paths, const char* what, std::size_t extra) {
    if (paths.empty())
        throw Failure(std::string(what) + ": no file named");
    // Open and size every file first: nothing is reserved for a list with a
    // bad member.
    struct Open {
        int fd = -1;
        std::size_t size = 0;
    };
    std::vector<Open> files;
    const auto close_all = [&] {
        for (const Open& f : files)
            ::close(f.fd);
    };
    const std::size_t page = page_size();
    std::size_t total = 0;
    for (const std::string& path : paths) {
        const auto fail = [&](const std::string& why) {
            close_all();
            return Failure(std::string(what) + " " + path + ": " + why);
        };
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            throw fail(std::strerror(errno));
        files.push_back({fd, 0});
        struct stat st{};
        if (::fstat(fd, &st) != 0)
            throw fail(std::strerror(errno));
        if (!S_ISREG(st.st_mode) || st.st_size == 0)
            throw fail(S_ISREG(st.st_mode) ? "the file is empty" : "not a regular file");
        files.back().size = static_cast<std::size_t>(st.st_size);
        parts_.push_back({round_up(total, page), files.back().size});
        total = parts_.back().offset + files.back().size;
    }
    path_ = paths.back();
    size_ = total;
    files_end_ = round_up(total, page);
    mapped_ = round_up(total + (extra ? extra + 3 : 0), page);
    // Reserve the whole range anonymous, then lay each file over its part:
    // pages past a file's last one would fault (SIGBUS) if file-backed.
    void* base = ::mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        const int e = errno;
        close_all();
        throw Failure(std::string(what) + " " + path_ + ": cannot reserve memory: " + std::strerror(e));
    }
    base_ = static_cast<char*>(base);
    for (std::size_t i = 0; i < files.size(); ++i) {
        // Read-only: populating a writable private mapping would copy each page.
        void* file = ::mmap(base_ + parts_[i].offset, round_up(files[i].size, page), PROT_READ,
                            MAP_PRIVATE | MAP_FIXED | MAP_POPULATE, files[i].fd, 0);
        if (file == MAP_FAILED) {
            const int e = errno;
            close_all();
            ::munmap(base_, mapped_);
            base_ = nullptr;
            throw Failure(std::string(what) + " " + paths[i] + ": cannot map: " + std::strerror(e));
        }
    }
    close_all();
}

MappedImage::~MappedImage() {
    if (base_ != nullptr)
        ::munmap(base_, mapped_);
}

void MappedImage::append4(std::span<const char> data) {
    const std::size_t at = round_up(size_, 4);
    if (at + data.size() > mapped_)
        throw Failure(path_ + ": no room to append " + std::to_string(data.size()) + " bytes");
    // File-backed pages from the one holding size_ to the last file's last
    // become private copies; the pages after them are anonymous and
    // writable already.
    const std::size_t page = page_size();
    const std::size_t first = size_ / page * page;
    if (first < files_end_ && ::mprotect(base_ + first, files_end_ - first, PROT_READ | PROT_WRITE) != 0)
        throw Failure(path_ + ": cannot append: " + std::strerror(errno));
    std::memset(base_ + size_, 0, at - size_);
    std::memcpy(base_ + at, data.data(), data.size());
    size_ = at + data.size();
}

}  // namespace atl::ssi
