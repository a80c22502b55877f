// `atoll mpirun`: an MPI job over the cluster's nodes (doc/mpi.md). The
// placement and the launcher's command line come from ssi/mpi_plan; this
// asks atolld for the nodes and then becomes the launcher (exec), so the
// job's status, signals and standard streams are the launcher's own.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "atoll/ssi/failure.hpp"
#include "atoll/ssi/mpi_plan.hpp"
#include "cli.hpp"
#include "daemon_link.hpp"

namespace atl::cli {
namespace {

void print_help() {
    std::cout <<
R"(NAME
    atoll mpirun - run an MPI program over the cluster's kernels

SYNOPSIS
    atoll mpirun [-n N] [--nodes NODE[,NODE...] | --per-node K]
                 [--mpi mpich|openmpi] [--oversubscribe] [--tag-output]
                 [--print] [--] PROGRAM [ARG]...

DESCRIPTION
    Starts PROGRAM as N MPI ranks over the nodes atoll nodes shows as up
    (the host and the partitions), with Debian's MPICH (the default) or
    Open MPI, launched through atolld: the MPI launcher reaches every node
    with `atoll exec` (/usr/lib/atoll/mpi-agent), not ssh.

    Placement: each node has as many slots as CPUs (or K with --per-node),
    and each is filled before the next: ranks 0..k-1 on the first node, and
    so on. Without --nodes, the up nodes are taken alternating the NUMA
    nodes of atoll nodes (its first node on each NUMA node in turn, then
    the second on each, ...), so that a job smaller than the cluster
    spreads over the machine's memory; with --nodes, in the order given.
    N defaults to every slot. More ranks than slots is an error unless
    --oversubscribe, which goes round the nodes again.

    Transport: ranks of one node share memory; ranks of different nodes
    talk TCP over the cluster network. Every rank starts through
    /usr/lib/atoll/mpi-rank, which points UCX (MPICH's and Open MPI's
    transport) at the interface holding the node's address in
    /etc/atoll/nodes (vnet0 in a partition, br0 on the box's host), unless
    UCX_NET_DEVICES is set already.

    PROGRAM must be at the same path on every node (the shared root, or
    /home), and the working directory must exist on every node too (the
    MPI launchers change into it): run from /home, or from /. A program
    built for MPICH does not run under Open MPI: the example comes as
    /usr/lib/atoll/examples/mpi-ring (MPICH) and mpi-ring.openmpi.

    Standard input goes to rank 0. The exit status is the job's. When
    atoll mpirun ends (a rank failed, Ctrl-C, a lost node), atolld ends
    every process of the job on every node: nothing is left behind.

OPTIONS
    -n N            the number of ranks
    --nodes LIST    only these nodes, in this order (names as atoll nodes
                    shows them)
    --per-node K    K slots per node instead of its CPUs
    --mpi M         mpich (default) or openmpi
    --oversubscribe allow more ranks than slots
    --tag-output    prefix every line of output with its rank
    --print         print the launcher's command line instead of running
                    it (for scripts that run MPI themselves: doc/mpi.md)

EXAMPLES
    atoll mpirun /usr/lib/atoll/examples/mpi-ring
    atoll mpirun -n 4 --nodes host,p1,p2,p3 -- /usr/lib/atoll/examples/mpi-ring 10
    atoll mpirun --mpi openmpi /usr/lib/atoll/examples/mpi-ring.openmpi
    cd /home/me && mpicc -o hello hello.c && atoll mpirun ./hello

EXIT STATUS
    the job's status; 1 when the job cannot be placed (an unknown or
    stopped node, too many ranks) or the local atolld does not answer;
    2 usage error
)";
}

std::uint32_t positive(std::string_view option, std::string_view v) {
    return count_argument(option, std::string(v));
}

int run_mpirun(const Args& args) {
    ssi::MpiRequest req;
    req.as_root = ::geteuid() == 0;
    bool print_only = false;
    std::size_t i = 0;
    auto value = [&](std::string_view a, std::string_view name) -> std::string {
        if (a.size() > name.size() && a[name.size()] == '=')
            return std::string(a.substr(name.size() + 1));
        if (i + 1 >= args.size())
            throw UsageError(std::string(name) + " wants a value");
        return std::string(args[++i]);
    };
    auto is = [](std::string_view a, std::string_view name) {
        return a == name || (a.starts_with(name) && a.size() > name.size() && a[name.size()] == '=');
    };
    for (; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (a == "--") {
            ++i;
            break;
        }
        if (a == "--help" || a == "-h") {
            print_help();
            return exit_ok;
        }
        if (is(a, "-n")) {
            req.ranks = positive("-n", value(a, "-n"));
        } else if (is(a, "--nodes")) {
            req.nodes = node_list(value(a, "--nodes"));
        } else if (is(a, "--per-node")) {
            req.per_node = positive("--per-node", value(a, "--per-node"));
        } else if (is(a, "--mpi")) {
            const std::string m = value(a, "--mpi");
            if (m == "mpich")
                req.mpi = ssi::Mpi::mpich;
            else if (m == "openmpi")
                req.mpi = ssi::Mpi::openmpi;
            else
                throw UsageError("--mpi is mpich or openmpi, not '" + m + "'");
        } else if (a == "--oversubscribe") {
            req.oversubscribe = true;
        } else if (a == "--tag-output") {
            req.tag_output = true;
        } else if (a == "--print") {
            print_only = true;
        } else if (a.starts_with("-")) {
            throw UsageError("unknown option '" + std::string(a) + "'");
        } else {
            break;   // the program
        }
    }
    for (; i < args.size(); ++i)
        req.program.emplace_back(args[i]);
    if (req.program.empty())
        throw UsageError("no program: atoll mpirun [OPTIONS] [--] PROGRAM [ARG]...");

    std::vector<ssi::MpiNode> nodes;
    for (const auto& e : node_table().nodes)
        nodes.push_back({e.name, e.state == ATOLL_NODE_UP, e.status.cpus,
                         e.status.numa_node == ATOLL_NUMA_UNKNOWN ? std::nullopt
                                                                   : std::optional<std::uint32_t>(e.status.numa_node)});
    std::string why;
    const auto plan = ssi::plan_mpi(nodes, req, why);
    if (!plan)
        throw ssi::Failure(why);
    if (print_only) {
        for (std::size_t k = 0; k < plan->argv.size(); ++k)
            std::cout << (k ? " " : "") << plan->argv[k];
        std::cout << "\n";
        return exit_ok;
    }
    std::vector<char*> argv;
    for (const auto& w : plan->argv)
        argv.push_back(const_cast<char*>(w.c_str()));
    argv.push_back(nullptr);
    std::cout.flush();
    ::execvp(argv[0], argv.data());
    throw ssi::Failure("cannot run " + plan->argv[0] + ": " + std::strerror(errno) +
                       (errno == ENOENT ? std::string(" (is ") + (req.mpi == ssi::Mpi::mpich ? "mpich" : "openmpi-bin") +
                                              " installed?)"
                                        : std::string()));
}

}  // namespace

const Command mpirun_command{"mpirun", "run an MPI program over the cluster's kernels (MPICH or Open MPI)",
                             run_mpirun};

}  // namespace atl::cli
