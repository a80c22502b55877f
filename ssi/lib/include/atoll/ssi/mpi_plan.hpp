// `atoll mpirun`'s decisions (doc/mpi.md), apart from running anything:
// which nodes take how many ranks, and the launcher's command line for
// MPICH (hydra) or Open MPI, both through atolld's launcher agent. One
// source for the command and its unit tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace atl::ssi {

enum class Mpi { mpich, openmpi };

// A node as `atoll nodes` shows it.
struct MpiNode {
    std::string name;
    bool up = false;
    std::uint32_t cpus = 0;
    std::optional<std::uint32_t> numa_node;   // the host NUMA node of its CPUs and RAM, if known
};

struct MpiRequest {
    std::optional<std::uint32_t> ranks;      // -n; default: every slot
    std::vector<std::string> nodes;          // --nodes; default: every node that is up
    std::optional<std::uint32_t> per_node;   // --per-node; default: the node's CPUs
    bool oversubscribe = false;              // more ranks than slots: wrap around the nodes again
    bool tag_output = false;                 // prefix every line with its rank
    Mpi mpi = Mpi::mpich;
    std::vector<std::string> program;        // PROGRAM [ARG]...
    bool as_root = false;                    // Open MPI refuses root without a flag
};

struct MpiPlacement {
    std::string node;
    std::uint32_t ranks = 0;   // consecutive ranks, in the order of the list
};

struct MpiPlan {
    std::vector<MpiPlacement> placement;   // nodes that get ranks, in rank order
    std::uint32_t ranks = 0;
    std::vector<std::string> argv;         // the launcher's command line
};

// Where the agent and the per-rank wrapper are installed.
inline constexpr const char* mpi_agent_path = "/usr/lib/atoll/mpi-agent";
inline constexpr const char* mpi_rank_wrapper_path = "/usr/lib/atoll/mpi-rank";

// Placement (doc/mpi.md, "Placement"): each node gets as many ranks as
// slots, one node after the other. Without --nodes, the up nodes are taken
// alternating NUMA nodes (the first node of each NUMA node in turn, in the
// order given, then the second of each, ...; nodes of unknown NUMA node
// count as one more), so that a job smaller than the cluster spreads over
// the machine's memory controllers instead of filling one. --nodes keeps
// the order asked.
//
// The plan, or nullopt with `why` (a message for a person: an unknown or
// down node, more ranks than slots, no node up).
[[nodiscard]] std::optional<MpiPlan> plan_mpi(const std::vector<MpiNode>& nodes, const MpiRequest& req,
                                              std::string& why);

}  // namespace atl::ssi
