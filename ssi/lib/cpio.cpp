// newc cpio archives (atoll/ssi/cpio.hpp).
#include "atoll/ssi/cpio.hpp"

#include <cstdio>

namespace atl::ssi {

namespace {

void pad4(std::vector<char>& out) {
    while (out.size() % 4 != 0)
        out.push_back('\0');
}

void entry(std::vector<char>& out, std::uint32_t ino, const std::string& name, std::uint32_t mode,
           const std::string& data) {
    char h[111];
    // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor,
    // rdevmajor, rdevminor, namesize (with its NUL), check
    std::snprintf(h, sizeof h, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino, mode, 0u, 0u,
                  1u, 0u, static_cast<unsigned>(data.size()), 0u, 0u, 0u, 0u,
                  static_cast<unsigned>(name.size() + 1), 0u);
    out.insert(out.end(), h, h + 110);
    out.insert(out.end(), name.begin(), name.end());
    out.push_back('\0');
    pad4(out);
    out.insert(out.end(), data.begin(), data.end());
    pad4(out);
}

}  // namespace

std::vector<char> cpio_newc(const std::vector<CpioFile>& files) {
    std::vector<char> out;
    std::uint32_t ino = 1;
    for (const auto& f : files)
        entry(out, ino++, f.path, f.mode, f.data);
    entry(out, 0, "TRAILER!!!", 0, "");
    return out;
}

}  // namespace atl::ssi
