// `atoll restart`: boot a stopped partition again on its CPUs and memory.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "atoll/ssi/boot_record.hpp"
#include "atoll/ssi/control.hpp"
#include "atoll/ssi/failure.hpp"
#include "cli.hpp"
#include "partition_wait.hpp"
#include "vcon_cli.hpp"

namespace atl::cli {
namespace {

void print_help() {
    std::cout <<
R"(NAME
    atoll restart - boot a stopped partition again

SYNOPSIS
    atoll restart N [--kernel FILE] [--initrd FILE] [--cmdline TEXT]
                    [--no-wait] [--timeout SECONDS]

DESCRIPTION
    Boots partition N again on the CPUs and memory it had, with the kernel,
    initramfs and command line of its last boot on this host (atoll boot or
    atoll restart; recorded in /run/atoll), or the defaults when there is no
    record; --kernel, --initrd (all of them) and --cmdline replace them one
    by one. The partition must be stopped (atoll stop N, or it stopped
    itself: powered off, rebooted, panicked); a running partition is
    refused. The request is validated as a whole like atoll boot, so a
    corrupt image is refused and the partition stays stopped.

OPTIONS
    --kernel FILE        kernel: an uncompressed vmlinux (ELF, started
                         directly) or a bzImage (started through its
                         decompressor); without a record of the last boot,
                         /usr/share/atoll/vmlinux, or /usr/share/atoll/bzImage
                         where that is absent
    --initrd FILE        an archive of the initramfs, repeatable as in
                         atoll boot (without a record: the default,
                         /usr/share/atoll/rootfs.cpio.gz, then every file
                         of /etc/atoll/initrd.d/ in name order)
    --cmdline TEXT       extra kernel command line ("" for none)
    --no-wait            return once the CPU has started
    --timeout SECONDS    how long to wait for the partition (default 300)
    --help               print this help and exit

EXIT STATUS
    0 running again; 1 refused or did not come up; 2 usage error.
)";
}

int run(const Args& args) {
    std::optional<PartitionId> id;
    std::optional<std::string> kernel, cmdline;
    std::vector<std::string> initrd;
    bool wait = true;
    int timeout_s = 300;
    for (std::size_t i = 0; i < args.size(); i++) {
        std::string_view a = args[i];
        auto value = [&](const char* what) {
            if (i + 1 == args.size())
                throw UsageError(std::string(a) + " needs " + what);
            return std::string(args[++i]);
        };
        if (a == "--help" || a == "-h") {
            print_help();
            return exit_ok;
        } else if (a == "--kernel") {
            kernel = value("a file");
        } else if (a == "--initrd") {
            initrd.push_back(value("a file"));
        } else if (a == "--cmdline") {
            cmdline = value("the extra parameters");
        } else if (a == "--no-wait") {
            wait = false;
        } else if (a == "--timeout") {
            timeout_s = static_cast<int>(count_argument("--timeout", value("seconds")));
        } else {
            positional_partition(id, a);
        }
    }
    required_partition(id, "atoll restart N");
    ssi::BootImages images = ssi::last_boot(id->value()).value_or(ssi::BootImages{});
    if (kernel)
        images.kernel_path = *kernel;
    if (!initrd.empty())
        images.initrd_paths = initrd;
    if (cmdline)
        images.cmdline = *cmdline;
    ssi::Control ctl;
    const auto info = find_partition(ctl, id->value());
    if (!info)
        throw ssi::Failure("no partition " + std::to_string(id->value()));
    nk::Partition p{};
    p.id = *id;
    p.node = NodeId{info->numa_node};
    for (std::uint32_t i = 0; i < info->cpu_count; i++)
        if (!p.add_cpu(ApicId{info->apic_ids[i]}))
            throw ssi::Failure("partition description too large");
    for (std::uint32_t i = 0; i < info->mem_range_count; i++)
        if (!p.add_memory({PhysAddr{info->mem_ranges[i].start}, PhysAddr{info->mem_ranges[i].end}}))
            throw ssi::Failure("partition description too large");
    std::cout << "partition " << id->value() << ": restarting" << std::endl;
    ctl.boot(p, images);
    ssi::remember_boot(id->value(), images);
    if (wait && !wait_running(ctl, id->value(), timeout_s))
        return exit_refused;
    return exit_ok;
}

}  // namespace

const Command restart_command{"restart", "boot a stopped partition again, same or new images", run};

}  // namespace atl::cli
