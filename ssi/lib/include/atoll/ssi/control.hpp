// The host's partition controls through /dev/atoll: status, boot, list.
// (Console access through the lagoon mapping lives in device.hpp.)
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "atoll/abi/ioctl.h"
#include "atoll/nk/partition.hpp"

namespace atl::ssi {

// The kernel partitions boot when none is named: the uncompressed vmlinux
// when it is installed (started without its decompressor: a faster boot),
// else the bzImage.
std::string default_kernel_path();

// Where the archives added to every partition's default initramfs live.
inline constexpr const char* initrd_dropin_dir = "/etc/atoll/initrd.d";

// The initramfs partitions boot when none is named: the partition root
// /usr/share/atoll/rootfs.cpio.gz, then every regular file of `dropin_dir`
// in name order (archives an administrator or a package adds to every
// partition: tools, configuration). The kernel unpacks them in that order,
// a later file's entries replacing an earlier one's.
std::vector<std::string> default_initrd_paths(const std::string& dropin_dir = initrd_dropin_dir);

struct BootImages {
    std::string kernel_path = default_kernel_path();
    // The initramfs: one or more archives, unpacked in this order.
    std::vector<std::string> initrd_paths = default_initrd_paths();
    std::string cmdline;
    // The cluster key atolld proves (doc/ssi.md): appended to the initramfs
    // as /etc/atoll/cluster.key (0600) when this file exists; "" never.
    std::string cluster_key_path = "/etc/atoll/cluster.key";
};

// Reads a whole file; throws Failure naming the file and the reason.
std::vector<char> read_file(const std::string& path, const char* what);

// Full integrity check of a gzip-compressed initramfs (decompresses it);
// throws Failure on a truncated or corrupt archive. Other formats pass.
void check_initramfs(std::span<const char> data, const std::string& path);

class Control {
public:
    // Opens the device; throws Failure with advice when absent.
    explicit Control(const std::string& path = ATOLL_DEVICE_PATH);
    ~Control();
    Control(const Control&) = delete;
    Control& operator=(const Control&) = delete;

    [[nodiscard]] int fd() const { return fd_; }
    [[nodiscard]] atoll_status status() const;
    [[nodiscard]] atoll_list list() const;
    [[nodiscard]] atoll_machine machine() const;
    // Round trip host -> partition -> host through the interrupt pipeline,
    // in nanoseconds; throws Failure with the module's reason.
    [[nodiscard]] std::uint64_t ping(std::uint32_t partition) const;
    // ATOLL_STOP_CLEAN / _FORCE / _RELEASE; throws Failure with the reason.
    void stop(std::uint32_t partition, std::uint32_t how) const;
    // Starts one partition; throws Failure with the module's reason.
    void boot(const nk::Partition& p, const BootImages& images) const;

private:
    int fd_ = -1;
};

[[nodiscard]] const char* state_name(std::uint32_t state);
[[nodiscard]] const char* reason_name(std::uint32_t reason);

}  // namespace atl::ssi
