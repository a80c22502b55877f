// The machine probe: a Topology of the running Linux, read from /proc and
// /sys (and libnuma where it serves the real root). Throws Failure with a
// message naming what could not be read.
#pragma once

#include <filesystem>
#include <optional>

#include "atoll/abi/ioctl.h"

#include "atoll/nk/topology.hpp"

namespace atl::ssi {

// `root` prefixes every path read, so tests can point the probe at a fake
// tree ("/" reads the running system). What is read:
//   proc/cpuinfo                     "processor" -> "apicid"; cpu 0 is the boot CPU
//   sys/devices/system/node/online   nodes, nodeN/cpulist their CPUs (libnuma on "/");
//                                    without it, one node 0 holding every CPU
//   sys/devices/system/cpu/cpuN/topology/thread_siblings_list
//                                    SMT siblings (core = lowest sibling); missing: unknown
//   proc/iomem                       top-level "System RAM" (needs root for addresses)
//   proc/zoneinfo                    each node's PFN span; RAM ∩ span = the node's RAM
[[nodiscard]] nk::Topology probe_machine(const std::filesystem::path& root = "/");

// The NUMA node of CPU 0 (the boot CPU, where the host's daemons run):
// the node whose sys/devices/system/node/nodeN/cpulist holds it; nullopt
// without NUMA in sysfs. Only for the host: a partition's kernel sees one
// made-up node 0, whatever node its CPUs are on.
[[nodiscard]] std::optional<unsigned> boot_cpu_numa_node(const std::filesystem::path& root = "/");

// On a running Atoll host, CPUs lent to partitions are offline and the pool
// is reserved, so /proc and /sys no longer show them: add them back from
// atoll.ko's view of the machine (ATOLL_IOC_MACHINE). Pure, for the tests.
void add_lent_resources(nk::Topology& topo, const atoll_machine& m);

}  // namespace atl::ssi
