// A boot image (kernel or initramfs) mapped from its file rather than read
// into a buffer: the bytes are the page cache's own, mapped read-only and
// populated in one call. Reading tens of MiB into fresh heap memory costs a
// page fault per page, which under emulation was about half of `atoll
// boot`'s own time. Room for a small trailer (the cluster key's archive,
// appended to an initramfs) can be asked for: the file's last page is made
// a private copy and anonymous pages follow it, so the file is never written.
//
// Several files can be mapped one after the other into one range, each from
// a page boundary: an initramfs made of several archives. The bytes between
// one file's end and the next page are zeros (the tail of a file's last
// page reads as zeros), which the kernel skips between concatenated
// archives (Documentation/driver-api/early-userspace/buffer-format.rst).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace atl::ssi {

class MappedImage {
public:
    // Maps the whole file `path` with room for `extra` bytes after it (and
    // the padding to 4 bytes an archive needs). Throws Failure naming the
    // file, `what` it is and the reason; an empty file is refused.
    MappedImage(const std::string& path, const char* what, std::size_t extra = 0);
    // Maps every file of `paths` (at least one) in order, each from a page
    // boundary; throws Failure naming the first file that cannot be mapped.
    MappedImage(const std::vector<std::string>& paths, const char* what, std::size_t extra = 0);
    ~MappedImage();
    MappedImage(const MappedImage&) = delete;
    MappedImage& operator=(const MappedImage&) = delete;

    [[nodiscard]] std::span<const char> bytes() const { return {base_, size_}; }
    // The bytes of file `i` of the constructor's list, alone.
    [[nodiscard]] std::span<const char> part(std::size_t i) const {
        return {base_ + parts_.at(i).offset, parts_.at(i).size};
    }
    [[nodiscard]] std::size_t part_count() const { return parts_.size(); }

    // Pads the image to a multiple of 4 bytes with NULs and appends `data`
    // (the kernel unpacks concatenated archives, compressed or not, in
    // order); throws Failure when more than the `extra` asked for.
    void append4(std::span<const char> data);

private:
    struct Part {
        std::size_t offset = 0;   // from base_, a whole number of pages
        std::size_t size = 0;
    };

    char* base_ = nullptr;
    std::size_t size_ = 0;       // bytes in use: the files, then anything appended
    std::size_t files_end_ = 0;  // end of the last file's last page
    std::size_t mapped_ = 0;     // bytes reserved, a whole number of pages
    std::vector<Part> parts_;
    std::string path_;           // the last file's, for messages
};

}  // namespace atl::ssi
