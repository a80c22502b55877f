// A boot image (kernel or initramfs) mapped from its file rather than read
// into a buffer: the bytes are the page cache's own, mapped read-only and
// populated in one call. Reading tens of MiB into fresh heap memory costs a
// page fault per page, which under emulation was about half of `atoll
// boot`'s own time. Room for a small trailer (the cluster key's archive,
// appended to an initramfs) can be asked for: the file's last page is made
// a private copy and anonymous pages follow it, so the file is never written.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace atl::ssi {

class MappedImage {
public:
    // Maps the whole file `path` with room for `extra` bytes after it (and
    // the padding to 4 bytes an archive needs). Throws Failure naming the
    // file, `what` it is and the reason; an empty file is refused.
    MappedImage(const std::string& path, const char* what, std::size_t extra = 0);
    ~MappedImage();
    MappedImage(const MappedImage&) = delete;
    MappedImage& operator=(const MappedImage&) = delete;

    [[nodiscard]] std::span<const char> bytes() const { return {base_, size_}; }

    // Pads the image to a multiple of 4 bytes with NULs and appends `data`
    // (the kernel unpacks concatenated archives, compressed or not, in
    // order); throws Failure when more than the `extra` asked for.
    void append4(std::span<const char> data);

private:
    char* base_ = nullptr;
    std::size_t size_ = 0;       // bytes in use: the file, then anything appended
    std::size_t file_size_ = 0;
    std::size_t mapped_ = 0;     // bytes reserved, a whole number of pages
    std::string path_;
};

}  // namespace atl::ssi
