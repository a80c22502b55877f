// `atoll mpirun`'s placement and command line (atoll/ssi/mpi_plan.hpp).
#include "atoll/ssi/mpi_plan.hpp"

#include <algorithm>

namespace atl::ssi {

namespace {

std::string join_names(const std::vector<MpiNode>& nodes) {
    std::string s;
    for (const auto& n : nodes)
        s += (s.empty() ? "" : ", ") + n.name;
    return s;
}

// The up nodes, alternating NUMA nodes (mpi_plan.hpp).
std::vector<const MpiNode*> numa_interleaved(const std::vector<MpiNode>& nodes) {
    std::vector<std::optional<std::uint32_t>> keys;           // NUMA nodes, in order of first appearance
    std::vector<std::vector<const MpiNode*>> groups;
    for (const auto& n : nodes) {
        if (!n.up)
            continue;
        auto it = std::find(keys.begin(), keys.end(), n.numa_node);
        if (it == keys.end()) {
            keys.push_back(n.numa_node);
            groups.emplace_back();
            it = keys.end() - 1;
        }
        groups[static_cast<std::size_t>(it - keys.begin())].push_back(&n);
    }
    std::vector<const MpiNode*> out;
    for (std::size_t k = 0; out.size() < nodes.size(); ++k) {
        bool any = false;
        for (const auto& g : groups)
            if (k < g.size()) {
                out.push_back(g[k]);
                any = true;
            }
        if (!any)
            break;
    }
    return out;
}

// The nodes asked for (every up node by default), each with its slots.
std::optional<std::vector<MpiPlacement>> slots_of(const std::vector<MpiNode>& nodes, const MpiRequest& req,
                                                 std::string& why) {
    std::vector<MpiPlacement> out;
    auto slots = [&](const MpiNode& n) { return req.per_node.value_or(std::max<std::uint32_t>(n.cpus, 1)); };
    if (req.nodes.empty()) {
        for (const MpiNode* n : numa_interleaved(nodes))
            out.push_back({n->name, slots(*n)});
        if (out.empty())
            return why = "no node is up (atoll nodes)", std::nullopt;
        return out;
    }
    for (const auto& want : req.nodes) {
        const auto it = std::find_if(nodes.begin(), nodes.end(), [&](const MpiNode& n) { return n.name == want; });
        if (it == nodes.end())
            return why = "no node '" + want + "' in the cluster (nodes: " + join_names(nodes) + ")", std::nullopt;
        if (!it->up)
            return why = "node '" + want + "' is not up (atoll nodes)", std::nullopt;
        if (std::any_of(out.begin(), out.end(), [&](const MpiPlacement& p) { return p.node == want; }))
            return why = "node '" + want + "' is listed twice", std::nullopt;
        out.push_back({it->name, slots(*it)});
    }
    return out;
}

}  // namespace

std::optional<MpiPlan> plan_mpi(const std::vector<MpiNode>& nodes, const MpiRequest& req, std::string& why) {
    if (req.program.empty())
        return why = "no program", std::nullopt;
    if (req.per_node && *req.per_node == 0)
        return why = "--per-node must be at least 1", std::nullopt;
    if (req.ranks && *req.ranks == 0)
        return why = "-n must be at least 1", std::nullopt;
    auto slots = slots_of(nodes, req, why);
    if (!slots)
        return std::nullopt;
    std::uint32_t total = 0;
    for (const auto& s : *slots)
        total += s.ranks;
    const std::uint32_t want = req.ranks.value_or(total);
    if (want > total && !req.oversubscribe)
        return why = std::to_string(want) + " ranks, but only " + std::to_string(total) + " slots on " +
                     std::to_string(slots->size()) + " node(s) (one per CPU; --per-node K, or --oversubscribe)",
               std::nullopt;

    // Fill each node's slots in order, then (oversubscribed) go round again.
    MpiPlan plan;
    plan.ranks = want;
    std::vector<std::uint32_t> count(slots->size(), 0);
    for (std::uint32_t left = want; left > 0;)
        for (std::size_t i = 0; i < slots->size() && left > 0; ++i) {
            const std::uint32_t take = std::min(left, (*slots)[i].ranks);
            count[i] += take;
            left -= take;
        }
    for (std::size_t i = 0; i < slots->size(); ++i)
        if (count[i] > 0)
            plan.placement.push_back({(*slots)[i].node, count[i]});

    // The launcher's host list, with the counts as slots: both MPIs then
    // place consecutive ranks on each host in order, as computed above.
    std::string hosts;
    for (const auto& p : plan.placement)
        hosts += (hosts.empty() ? "" : ",") + p.node + ":" + std::to_string(p.ranks);
    auto& a = plan.argv;
    if (req.mpi == Mpi::mpich) {
        a = {"mpiexec.hydra", "-launcher", "rsh", "-launcher-exec", mpi_agent_path, "-hosts", hosts,
             "-n", std::to_string(want)};
        if (req.tag_output)
            a.push_back("-prepend-rank");
    } else {
        a = {"mpirun.openmpi"};
        if (req.as_root)
            a.push_back("--allow-run-as-root");
        // The agent's command must end with the remote orted: without this
        // flag orted daemonizes, and atolld kills what outlives the agent.
        // No tree spawn: the agent is on every node, but one level is
        // enough for a box, and errors then come from the first launcher.
        for (const char* w : {"--leave-session-attached", "--mca", "plm_rsh_agent", mpi_agent_path, "--mca",
                              "plm_rsh_no_tree_spawn", "1", "--host"})
            a.push_back(w);
        a.push_back(hosts);
        for (const char* w : {"--map-by", "slot", "-np"})
            a.push_back(w);
        a.push_back(std::to_string(want));
        if (req.oversubscribe)
            a.push_back("--oversubscribe");
        if (req.tag_output)
            a.push_back("--tag-output");
    }
    a.push_back(mpi_rank_wrapper_path);
    a.insert(a.end(), req.program.begin(), req.program.end());
    return plan;
}

}  // namespace atl::ssi
