// /dev/atoll ioctls for the atoll tool.
#include "atoll/ssi/control.hpp"
#include "atoll/ssi/cpio.hpp"
#include "atoll/ssi/mapped_image.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "atoll/abi/lagoon.h"
#include "atoll/ssi/failure.hpp"

namespace atl::ssi {

std::string default_kernel_path() {
    constexpr const char* vmlinux = "/usr/share/atoll/vmlinux";
    return ::access(vmlinux, R_OK) == 0 ? vmlinux : "/usr/share/atoll/bzImage";
}

std::vector<std::string> default_initrd_paths(const std::string& dropin_dir) {
    std::vector<std::string> paths{"/usr/share/atoll/rootfs.cpio.gz"};
    std::vector<std::string> extra;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dropin_dir, ec)) {
        // Editor backups and hidden files are not meant to be booted.
        const std::string name = e.path().filename().string();
        if (e.is_regular_file(ec) && name[0] != '.' && name.back() != '~')
            extra.push_back(e.path().string());
    }
    std::sort(extra.begin(), extra.end());
    paths.insert(paths.end(), extra.begin(), extra.end());
    return paths;
}

// One read() per chunk into a buffer sized from fstat: images are tens of
// MiB, and a character-at-a-time stream read of them was a visible part of
// a partition's boot under emulation.
std::vector<char> read_file(const std::string& path, const char* what) {
    const auto fail = [&](const std::string& why) { return Failure(std::string(what) + " " + path + ": " + why); };
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw fail(std::strerror(errno));
    struct stat st{};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        const int e = errno;
        ::close(fd);
        throw fail(S_ISREG(st.st_mode) ? std::strerror(e) : "not a regular file");
    }
    std::vector<char> data(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < data.size()) {
        const ssize_t n = ::read(fd, data.data() + got, data.size() - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const int e = n < 0 ? errno : 0;
            ::close(fd);
            throw fail(e ? std::strerror(e) : "the file shrank while it was read");
        }
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (data.empty())
        throw fail("the file is empty");
    return data;
}

void check_initramfs(std::span<const char> data, const std::string& path) {
    if (data.size() < 2 || static_cast<unsigned char>(data[0]) != 0x1f ||
        static_cast<unsigned char>(data[1]) != 0x8b)
        return;   // not gzip: the kernel's structural check is all there is
    // Concatenated gzip members are legal in an initramfs; inflate them all.
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        throw Failure("initramfs " + path + ": zlib failed to start");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    std::vector<unsigned char> sink(1 << 16);
    int rc = Z_OK;
    while (true) {
        z.next_out = sink.data();
        z.avail_out = static_cast<uInt>(sink.size());
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            if (z.avail_in == 0)
                break;
            inflateReset(&z);   // next member
            continue;
        }
        if (rc != Z_OK)
            break;
    }
    std::string msg = z.msg ? z.msg : "unexpected end of data";
    inflateEnd(&z);
    if (rc != Z_STREAM_END)
        throw Failure("initramfs " + path + " is corrupt or truncated (" + msg + ")");
}

Control::Control(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ < 0) {
        const int e = errno;
        if (e == ENOENT || e == ENODEV || e == ENXIO)
            throw Failure(path + " not found: is atoll.ko loaded? (this is not an Atoll host)");
        if (e == EACCES || e == EPERM)
            throw Failure(path + ": permission denied (run as root)");
        throw Failure(path + ": " + std::strerror(e));
    }
}

Control::~Control() {
    if (fd_ >= 0)
        ::close(fd_);
}

atoll_status Control::status() const {
    atoll_status s{};
    s.size = sizeof(s);
    if (::ioctl(fd_, ATOLL_IOC_STATUS, &s) != 0)
        throw Failure(std::string("status request failed: ") + std::strerror(errno) +
                      (errno == EINVAL ? " (atoll.ko and this tool of different revisions?)" : ""));
    return s;
}

atoll_list Control::list() const {
    atoll_list l{};
    l.size = sizeof(l);
    if (::ioctl(fd_, ATOLL_IOC_LIST, &l) != 0)
        throw Failure(std::string("list: ") + std::strerror(errno));
    return l;
}

atoll_machine Control::machine() const {
    atoll_machine m{};
    m.size = sizeof(m);
    if (::ioctl(fd_, ATOLL_IOC_MACHINE, &m) != 0)
        throw Failure(std::string("machine: ") + std::strerror(errno));
    return m;
}

std::uint64_t Control::ping(std::uint32_t partition) const {
    atoll_ping p{};
    p.size = sizeof(p);
    p.partition_id = partition;
    if (::ioctl(fd_, ATOLL_IOC_PING, &p) != 0) {
        int e = errno;
        p.error[sizeof(p.error) - 1] = 0;
        throw Failure("ping: " + (p.error[0] ? std::string(p.error) : std::string(std::strerror(e))));
    }
    return p.rtt_ns;
}

void Control::stop(std::uint32_t partition, std::uint32_t how) const {
    atoll_stop s{};
    s.size = sizeof(s);
    s.partition_id = partition;
    s.how = how;
    if (::ioctl(fd_, ATOLL_IOC_STOP, &s) != 0) {
        int e = errno;
        s.error[sizeof(s.error) - 1] = 0;
        throw Failure(s.error[0] ? std::string(s.error) : std::string(std::strerror(e)));
    }
}

namespace {

// Inflating a whole initramfs costs a noticeable part of a partition's boot,
// and the same file is booted again and again (every partition, every
// restart). A file verified once is remembered by device, inode, size and
// modification time in /run (tmpfs: forgotten at the host's reboot).
constexpr const char* verified_list = "/run/atoll/verified-initramfs";

std::string identity_of(const std::string& path) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0)
        return {};
    return std::to_string(st.st_dev) + " " + std::to_string(st.st_ino) + " " +
           std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec);
}

bool verified_before(const std::string& id) {
    std::ifstream in(verified_list);
    std::string line;
    while (std::getline(in, line))
        if (line == id)
            return true;
    return false;
}

void remember_verified(const std::string& id) {
    ::mkdir("/run/atoll", 0700);
    std::ofstream(verified_list, std::ios::app) << id << "\n";
}

}  // namespace

void Control::boot(const nk::Partition& p, const BootImages& images) const {
    // The cluster key travels as a small archive appended to the initramfs.
    std::vector<char> key_archive;
    struct stat key_st{};
    if (!images.cluster_key_path.empty() && ::stat(images.cluster_key_path.c_str(), &key_st) == 0) {
        const auto key = read_file(images.cluster_key_path, "cluster key");
        key_archive = cpio_newc({{"etc", 040755, ""},
                                 {"etc/atoll", 040755, ""},
                                 {"etc/atoll/cluster.key", 0100600, std::string(key.begin(), key.end())}});
    }
    const MappedImage kernel(images.kernel_path, "kernel image");
    MappedImage initrd(images.initrd_paths, "initramfs", key_archive.size());
    for (std::size_t i = 0; i < images.initrd_paths.size(); ++i) {
        const std::string& path = images.initrd_paths[i];
        const std::string id = identity_of(path);
        if (id.empty() || !verified_before(id)) {
            check_initramfs(initrd.part(i), path);
            if (!id.empty())
                remember_verified(id);
        }
    }
    if (!key_archive.empty())
        initrd.append4(key_archive);
    std::string cmdline = images.cmdline;

    atoll_boot_request r{};
    r.size = sizeof(r);
    r.partition_id = p.id.value();
    r.numa_node = p.node.value();
    auto cpus = p.cpu_list();
    auto mem = p.memory_list();
    if (cpus.size() > ATOLL_MAX_PARTITION_CPUS || mem.size() > ATOLL_MAX_MEM_RANGES)
        throw Failure("partition " + std::to_string(p.id.value()) + ": too many CPUs or ranges");
    r.cpu_count = static_cast<std::uint32_t>(cpus.size());
    for (std::size_t i = 0; i < cpus.size(); i++)
        r.apic_ids[i] = cpus[i].value();
    r.mem_range_count = static_cast<std::uint32_t>(mem.size());
    for (std::size_t i = 0; i < mem.size(); i++)
        r.mem_ranges[i] = {mem[i].start.value(), mem[i].end.value()};
    r.kernel_ptr = reinterpret_cast<std::uintptr_t>(kernel.bytes().data());
    r.kernel_size = kernel.bytes().size();
    r.initrd_ptr = reinterpret_cast<std::uintptr_t>(initrd.bytes().data());
    r.initrd_size = initrd.bytes().size();
    r.cmdline_ptr = reinterpret_cast<std::uintptr_t>(cmdline.c_str());
    r.cmdline_size = cmdline.size() + 1;
    if (::ioctl(fd_, ATOLL_IOC_BOOT, &r) != 0) {
        int e = errno;
        r.error[sizeof(r.error) - 1] = 0;
        throw Failure("partition " + std::to_string(p.id.value()) + " not booted: " +
                      (r.error[0] ? std::string(r.error) : std::string(std::strerror(e))));
    }
}

const char* state_name(std::uint32_t state) {
    switch (state) {
    case ATOLL_PSTATE_FREE: return "free";
    case ATOLL_PSTATE_LOADED: return "loaded";
    case ATOLL_PSTATE_BOOTING: return "booting";
    case ATOLL_PSTATE_RUNNING: return "running";
    case ATOLL_PSTATE_STOPPING: return "stopping";
    case ATOLL_PSTATE_STOPPED: return "stopped";
    case ATOLL_PSTATE_HUNG: return "hung";
    }
    return "unknown";
}

const char* reason_name(std::uint32_t reason) {
    switch (reason) {
    case ATOLL_PREASON_NONE: return "";
    case ATOLL_PREASON_REQUESTED: return "stop requested";
    case ATOLL_PREASON_POWEROFF: return "powered off";
    case ATOLL_PREASON_REBOOT: return "rebooted";
    case ATOLL_PREASON_PANIC: return "panic";
    case ATOLL_PREASON_WATCHDOG: return "heartbeat lost";
    case ATOLL_PREASON_FORCED: return "force-stopped";
    case ATOLL_PREASON_ROOT: return "root unavailable";
    }
    return "unknown";
}

}  // namespace atl::ssi
