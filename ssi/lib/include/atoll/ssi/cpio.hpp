// A "newc" cpio archive in memory, the format the kernel unpacks into its
// initramfs (Documentation/driver-api/early-userspace/buffer-format.rst):
// to hand a partition a few files (its cluster key) appended to the image
// it boots, without rebuilding that image.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace atl::ssi {

struct CpioFile {
    std::string path;   // without a leading '/', e.g. "etc/atoll/cluster.key"
    std::uint32_t mode = 0100644;   // type and permission bits
    std::string data;               // directories: empty
};

// The archive (entries in order, then the trailer), padded to 4 bytes.
[[nodiscard]] std::vector<char> cpio_newc(const std::vector<CpioFile>& files);

}  // namespace atl::ssi
