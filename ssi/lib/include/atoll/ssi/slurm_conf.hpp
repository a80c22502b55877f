// `atoll slurm conf`'s decisions (doc/slurm.md), apart from reading or
// writing anything: the box's kernels as the nodes of a Slurm cluster.
//
// Slurm 22.05 cannot add a node to a running slurmctld ("node count has
// changed ... you have to restart slurmctld", found in the box): so every
// kernel that can ever exist (every line of /etc/atoll/nodes except the
// controller) is declared from the start, State=FUTURE until it has been
// up once. Then it gets its real CPUs and memory, and `scontrol
// reconfigure` brings it in without a restart. A node that was up once and
// is down now keeps its line: Slurm shows it down, and it returns when its
// slurmd registers again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atl::ssi {

// A line of /etc/atoll/nodes: "ID NAME ADDRESS".
struct ClusterNode {
    std::uint32_t id = 0;
    std::string name;
    std::string address;
};

// /etc/atoll/nodes: nullopt with `why` (line number and what is wrong) for
// a malformed line, a repeated id or name; '#' starts a comment.
[[nodiscard]] std::optional<std::vector<ClusterNode>> parse_cluster_nodes(std::string_view text, std::string& why);

// What a node has, as Slurm counts it.
struct SlurmNodeSize {
    std::uint32_t cpus = 0;
    std::uint64_t real_memory_mib = 0;
    bool operator==(const SlurmNodeSize&) const = default;
};

// A node as atolld sees it now.
struct SlurmLiveNode {
    std::string name;
    bool up = false;
    SlurmNodeSize size;
};

// The sizes of the nodes a previous slurm.conf declared for real (not
// State=FUTURE), by name: what a node that is down now had when it was up.
struct SlurmKnownNode {
    std::string name;
    SlurmNodeSize size;
};
[[nodiscard]] std::vector<SlurmKnownNode> known_slurm_nodes(std::string_view previous_conf);

struct SlurmConfInput {
    std::vector<ClusterNode> nodes;       // /etc/atoll/nodes
    std::string controller;               // the node that runs slurmctld (a name of `nodes`)
    std::vector<SlurmLiveNode> live;      // atolld's table now
    std::vector<SlurmKnownNode> known;    // from the previous slurm.conf
    std::string partition = "lagoon";     // Slurm's partition (queue) of every node
};

struct SlurmConf {
    std::string text;               // slurm.conf
    std::uint32_t up = 0;           // nodes up now
    std::uint32_t down = 0;         // up once, not now
    std::uint32_t future = 0;       // never seen
};

// The whole slurm.conf, or nullopt with `why`: an unknown controller, or
// no node has ever been up (a cluster with no node to run a job on).
[[nodiscard]] std::optional<SlurmConf> render_slurm_conf(const SlurmConfInput& in, std::string& why);

}  // namespace atl::ssi
