// Where a rank runs, for the MPI examples (mpi_ring.cpp, mpi_pingpong.cpp):
// its node name, the first 8 characters of its kernel's boot id (which
// differs between partitions, so it tells kernels apart), and its CPU. A
// plain struct, so that ranks can gather it as MPI_BYTE.
#pragma once

#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

namespace atoll_example {

constexpr int name_len = 64;

struct Where {
    char node[name_len];
    char boot_id[name_len];
    int cpu;
};

inline Where where_am_i() {
    Where w{};
    if (::gethostname(w.node, sizeof w.node - 1) != 0)
        std::strcpy(w.node, "?");
    std::string id;
    std::ifstream("/proc/sys/kernel/random/boot_id") >> id;
    std::snprintf(w.boot_id, sizeof w.boot_id, "%.8s", id.empty() ? "?" : id.c_str());
    w.cpu = ::sched_getcpu();
    return w;
}

}  // namespace atoll_example
