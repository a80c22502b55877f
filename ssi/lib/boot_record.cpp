// A partition's last boot, for `atoll restart` (boot_record.hpp).
#include "atoll/ssi/boot_record.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>

namespace atl::ssi {

namespace {

std::string path_of(std::uint32_t id, const std::string& dir) {
    return dir + "/partition-" + std::to_string(id) + ".boot";
}

// One "key value" line per field; a value runs to the end of its line (an
// empty command line is written as "cmdline ").
bool take(std::istream& in, const std::string& key, std::string& value) {
    std::string line;
    if (!std::getline(in, line) || line.size() < key.size() + 1 || line.compare(0, key.size(), key) != 0 ||
        line[key.size()] != ' ')
        return false;
    value = line.substr(key.size() + 1);
    return true;
}

bool one_line(const std::string& s) { return s.find('\n') == std::string::npos; }

}  // namespace

bool remember_boot(std::uint32_t id, const BootImages& images, const std::string& dir) {
    if (!one_line(images.kernel_path) || !one_line(images.initrd_path) || !one_line(images.cmdline))
        return false;
    ::mkdir(dir.c_str(), 0700);
    const std::string path = path_of(id, dir);
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << "kernel " << images.kernel_path << "\n"
            << "initrd " << images.initrd_path << "\n"
            << "cmdline " << images.cmdline << "\n";
        if (!out.flush())
            return false;
    }
    return std::rename(tmp.c_str(), path.c_str()) == 0;   // whole or not at all
}

std::optional<BootImages> last_boot(std::uint32_t id, const std::string& dir) {
    std::ifstream in(path_of(id, dir));
    if (!in)
        return std::nullopt;
    BootImages b;
    if (!take(in, "kernel", b.kernel_path) || !take(in, "initrd", b.initrd_path) ||
        !take(in, "cmdline", b.cmdline) || b.kernel_path.empty() || b.initrd_path.empty())
        return std::nullopt;
    return b;
}

}  // namespace atl::ssi
