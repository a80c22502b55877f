// `atoll boot`: start partitions from a plan file or from explicit values.
#include <chrono>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include "atoll/abi/lagoon.h"
#include "atoll/nk/plan.hpp"
#include "atoll/ssi/boot_record.hpp"
#include "atoll/ssi/control.hpp"
#include "atoll/ssi/failure.hpp"
#include "atoll/ssi/planfile.hpp"
#include "atoll/ssi/size.hpp"
#include "cli.hpp"
#include "partition_wait.hpp"

namespace atl::cli {
namespace {

void print_help() {
    std::cout <<
R"(NAME
    atoll boot - start Linux partitions on CPUs and memory lent by the host

SYNOPSIS
    atoll boot --plan FILE [--id N]... [OPTIONS]
    atoll boot --id N --cpus APICS --memory ADDRESS SIZE[,ADDRESS SIZE]...
               [--node NODE] [OPTIONS]

DESCRIPTION
    Asks the host's kernel-mode bootloader (atoll.ko, /dev/atoll) to start
    each partition: the host takes the partition's CPUs offline, loads the
    kernel, initramfs and command line into the partition's own RAM with an
    e820 map of that RAM and an Atoll hand-off record, and starts the first
    CPU with INIT-SIPI-SIPI. The partition kernel starts any further CPUs
    itself.

    With --plan, boots every partition of the plan file (see atoll plan),
    or only those named with --id. Otherwise boots one partition described
    on the command line. CPUs are APIC IDs (atoll plan shows them).

    Before anything changes the host checks the whole request: the plan with
    the new partition added (CPUs exist, are online, are not the host's boot
    CPU and not another partition's; memory is 2 MiB aligned, inside the
    pool, disjoint from other partitions and the lagoon), the kernel image
    (an x86-64 Linux vmlinux, or a 64-bit relocatable bzImage), the initramfs (this tool also inflates a
    gzip initramfs completely to catch truncation) and the placement. A
    refused boot changes nothing.

    By default waits until every started partition's kernel has attached to
    the lagoon (its heartbeat is seen), printing progress.

OPTIONS
    --plan FILE          boot the partitions of this plan file
    --id N               partition id (1-15); with --plan, selects partitions
    --cpus APICS         APIC IDs, e.g. 1 or 2,3 or 2-3
    --memory RANGES      ADDRESS SIZE pairs, comma separated
    --node NODE          NUMA node of the CPUs and memory (default 0)
    --kernel FILE        kernel: an uncompressed vmlinux (ELF, started
                         directly) or a bzImage (started through its
                         decompressor); default /usr/share/atoll/vmlinux,
                         or /usr/share/atoll/bzImage where that is absent
    --initrd FILE        an archive of the initramfs; repeat it to boot
                         several, unpacked in the order given (a later
                         file's entries replace an earlier one's). Default:
                         /usr/share/atoll/rootfs.cpio.gz, then every file
                         of /etc/atoll/initrd.d/ in name order
    --cmdline TEXT       extra kernel command line; Atoll adds
                         atoll.partition=N 8250.nr_uarts=0 swiotlb=noforce
                         panic=-1 no5lvl
    --no-wait            return once the CPU has started
    --timeout SECONDS    how long to wait for each partition (default 300)
    --help               print this help and exit

EXIT STATUS
    0  every partition started (and attached, unless --no-wait)
    1  a partition was refused or did not come up; the message says why
    2  usage error

EXAMPLES
    atoll plan --partitions 3 --write /tmp/box.plan
    atoll boot --plan /tmp/box.plan
    atoll boot --id 1 --cpus 1 --memory 0x40600000 512M --cmdline quiet
)";
}

// "ADDRESS SIZE[,ADDRESS SIZE]..." through the plan-file parser, so the
// syntax is exactly the plan file's.
void parse_memory(nk::Partition& p, const std::string& text) {
    auto plan = ssi::parse_plan("lagoon 0 2M\npartition 1 node 0 cpus 0 memory " + text + "\n",
                                "--memory");
    for (const auto& r : plan.partition_list()[0].memory_list())
        if (!p.add_memory(r))
            throw UsageError("--memory: too many ranges");
}

void parse_cpus(nk::Partition& p, const std::string& text) {
    auto plan = ssi::parse_plan("lagoon 0 2M\npartition 1 node 0 cpus " + text +
                                    " memory 0 2M\n", "--cpus");
    for (auto a : plan.partition_list()[0].cpu_list())
        if (!p.add_cpu(a))
            throw UsageError("--cpus: too many CPUs");
}

int run(const Args& args) {
    ArgReader in(args);
    std::optional<std::string> plan_file, cpus, memory;
    std::vector<std::uint32_t> ids;
    std::uint32_t node = 0;
    ssi::BootImages images;
    bool initrd_given = false;
    bool wait = true;
    int timeout_s = 300;
    while (!in.done()) {
        if (in.flag("--help")) {
            print_help();
            return exit_ok;
        } else if (auto o_plan = in.option("--plan")) {
            plan_file = *o_plan;
        } else if (auto o_id = in.option("--id")) {
            ids.push_back(count_argument("--id", *o_id));
        } else if (auto o_cpus = in.option("--cpus")) {
            cpus = *o_cpus;
        } else if (auto o_memory = in.option("--memory")) {
            memory = *o_memory;
        } else if (auto o_node = in.option("--node")) {
            node = count_argument("--node", *o_node);
        } else if (auto o_kernel = in.option("--kernel")) {
            images.kernel_path = *o_kernel;
        } else if (auto o_initrd = in.option("--initrd")) {
            if (!initrd_given)
                images.initrd_paths.clear();   // the first --initrd replaces the default list
            initrd_given = true;
            images.initrd_paths.push_back(*o_initrd);
        } else if (auto o_cmdline = in.option("--cmdline")) {
            images.cmdline = *o_cmdline;
        } else if (in.flag("--no-wait")) {
            wait = false;
        } else if (auto o_timeout = in.option("--timeout")) {
            timeout_s = static_cast<int>(count_argument("--timeout", *o_timeout));
        } else {
            in.unknown();
        }
    }

    std::vector<nk::Partition> parts;
    if (plan_file) {
        if (cpus || memory)
            throw UsageError("--plan and --cpus/--memory exclude each other");
        auto plan = ssi::read_plan_file(*plan_file);
        for (const auto& p : plan.partition_list()) {
            bool wanted = ids.empty();
            for (auto id : ids)
                wanted = wanted || id == p.id.value();
            if (wanted)
                parts.push_back(p);
        }
        for (auto id : ids) {
            bool found = false;
            for (const auto& p : parts)
                found = found || p.id.value() == id;
            if (!found)
                throw UsageError("--id " + std::to_string(id) + ": no such partition in " + *plan_file);
        }
    } else {
        if (ids.size() != 1 || !cpus || !memory)
            throw UsageError("give --plan FILE, or --id N with --cpus and --memory");
        nk::Partition p{};
        p.id = PartitionId{ids[0]};
        p.node = NodeId{node};
        parse_cpus(p, *cpus);
        parse_memory(p, *memory);
        parts.push_back(p);
    }
    if (parts.empty())
        throw UsageError("the plan has no partitions");

    ssi::Control ctl;
    for (const auto& p : parts) {
        std::cout << "partition " << p.id.value() << ": starting on APIC";
        for (auto a : p.cpu_list())
            std::cout << ' ' << a.value();
        std::cout << ", " << ssi::format_size(p.memory_bytes()) << " on node " << p.node.value()
                  << std::endl;
        ctl.boot(p, images);
        ssi::remember_boot(p.id.value(), images);   // atoll restart's defaults
    }
    if (!wait)
        return exit_ok;
    for (const auto& p : parts)
        if (!wait_running(ctl, p.id.value(), timeout_s))
            return exit_refused;
    return exit_ok;
}

}  // namespace

const Command boot_command{"boot", "start partitions from a plan or explicit CPUs and memory", run};

}  // namespace atl::cli
