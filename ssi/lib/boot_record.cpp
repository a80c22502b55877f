// A partition's last boot, for `atoll restart` (boot_record.hpp).
#include "atoll/ssi/boot_record.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <vector>

namespace atl::ssi {

namespace {

std::string path_of(std::uint32_t id, const std::string& dir) {
    return dir + "/partition-" + std::to_string(id) + ".boot";
}

// One "key value" line per field, in this order: kernel, one initrd line
// per archive, cmdline. A value runs to the end of its line (an empty
// command line is written as "cmdline ").
bool take(const std::string& line, const std::string& key, std::string& value) {
    if (line.size() < key.size() + 1 || line.compare(0, key.size(), key) != 0 || line[key.size()] != ' ')
        return false;
    value = line.substr(key.size() + 1);
    return true;
}

bool one_line(const std::string& s) { return s.find('\n') == std::string::npos; }

}  // namespace

bool remember_boot(std::uint32_t id, const BootImages& images, const std::string& dir) {
    if (!one_line(images.kernel_path) || !one_line(images.cmdline) || images.initrd_paths.empty())
        return false;
    for (const auto& p : images.initrd_paths)
        if (!one_line(p))
            return false;
    ::mkdir(dir.c_str(), 0700);
    const std::string path = path_of(id, dir);
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << "kernel " << images.kernel_path << "\n";
        for (const auto& p : images.initrd_paths)
            out << "initrd " << p << "\n";
        out << "cmdline " << images.cmdline << "\n";
        if (!out.flush())
            return false;
    }
    return std::rename(tmp.c_str(), path.c_str()) == 0;   // whole or not at all
}

std::optional<BootImages> last_boot(std::uint32_t id, const std::string& dir) {
    std::ifstream in(path_of(id, dir));
    if (!in)
        return std::nullopt;
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    BootImages b;
    b.initrd_paths.clear();
    std::size_t i = 0;
    if (lines.empty() || !take(lines[i++], "kernel", b.kernel_path) || b.kernel_path.empty())
        return std::nullopt;
    for (std::string p; i < lines.size() && take(lines[i], "initrd", p); ++i) {
        if (p.empty())
            return std::nullopt;
        b.initrd_paths.push_back(p);
    }
    // The command line is the last line: nothing may follow it.
    if (b.initrd_paths.empty() || i + 1 != lines.size() || !take(lines[i], "cmdline", b.cmdline))
        return std::nullopt;
    return b;
}

}  // namespace atl::ssi
