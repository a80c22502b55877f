// The box's kernels as a Slurm cluster (atoll/ssi/slurm_conf.hpp).
#include "atoll/ssi/slurm_conf.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace atl::ssi {

namespace {

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
            ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t')
            ++i;
        if (i > start)
            out.push_back(line.substr(start, i - start));
    }
    return out;
}

template <class T>
std::optional<T> number(std::string_view s) {
    T v{};
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size())
        return std::nullopt;
    return v;
}

// A name or address Slurm takes as one word of its configuration (and a
// host name): letters, digits, '-', '_', '.'; ':' in an (IPv6) address.
bool plain_word(std::string_view s, bool address = false) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [&](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
               c == '.' || (address && c == ':');
    });
}

template <class Each>
void for_each_line(std::string_view text, Each each) {
    std::size_t n = 0;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (!each(++n, line.substr(0, line.find('#'))))
            return;
    }
}

}  // namespace

std::optional<std::vector<ClusterNode>> parse_cluster_nodes(std::string_view text, std::string& why) {
    std::vector<ClusterNode> out;
    std::set<std::uint32_t> ids;
    std::set<std::string> names;
    bool ok = true;
    for_each_line(text, [&](std::size_t n, std::string_view line) {
        const auto w = words(line);
        if (w.empty())
            return true;
        const std::string where = "line " + std::to_string(n) + ": ";
        const auto id = w.size() == 3 ? number<std::uint32_t>(w[0]) : std::nullopt;
        if (!id || !plain_word(w[1]) || !plain_word(w[2], true))
            return ok = false, why = where + "expected 'ID NAME ADDRESS'", false;
        if (!ids.insert(*id).second)
            return ok = false, why = where + "id " + std::to_string(*id) + " is listed twice", false;
        if (!names.insert(std::string(w[1])).second)
            return ok = false, why = where + "name '" + std::string(w[1]) + "' is listed twice", false;
        out.push_back({*id, std::string(w[1]), std::string(w[2])});
        return true;
    });
    if (!ok)
        return std::nullopt;
    return out;
}

std::vector<SlurmKnownNode> known_slurm_nodes(std::string_view previous_conf) {
    std::vector<SlurmKnownNode> out;
    for_each_line(previous_conf, [&](std::size_t, std::string_view line) {
        const auto w = words(line);
        if (w.empty() || !w[0].starts_with("NodeName="))
            return true;
        SlurmKnownNode k{std::string(w[0].substr(9)), {}};
        bool future = false;
        for (const auto word : w) {
            if (word.starts_with("CPUs="))
                k.size.cpus = number<std::uint32_t>(word.substr(5)).value_or(0);
            else if (word.starts_with("RealMemory="))
                k.size.real_memory_mib = number<std::uint64_t>(word.substr(11)).value_or(0);
            else if (word.starts_with("State=") && word.substr(6) == "FUTURE")
                future = true;
        }
        // A line we would not have written (a hand edit, a range of
        // names) teaches nothing: that node starts again as never seen.
        if (!future && plain_word(k.name) && k.size.cpus > 0 && k.size.real_memory_mib > 0)
            out.push_back(std::move(k));
        return true;
    });
    return out;
}

std::optional<SlurmConf> render_slurm_conf(const SlurmConfInput& in, std::string& why) {
    const auto ctl = std::find_if(in.nodes.begin(), in.nodes.end(),
                                  [&](const ClusterNode& n) { return n.name == in.controller; });
    if (ctl == in.nodes.end())
        return why = "the controller '" + in.controller + "' is not a node of /etc/atoll/nodes", std::nullopt;
    if (!plain_word(in.partition))
        return why = "'" + in.partition + "' is not a valid partition name", std::nullopt;

    SlurmConf out;
    std::string nodes;
    for (const auto& n : in.nodes) {
        if (n.name == in.controller)
            continue;
        const auto live = std::find_if(in.live.begin(), in.live.end(),
                                       [&](const SlurmLiveNode& l) { return l.name == n.name; });
        const auto known = std::find_if(in.known.begin(), in.known.end(),
                                        [&](const SlurmKnownNode& k) { return k.name == n.name; });
        std::optional<SlurmNodeSize> size;
        if (live != in.live.end() && live->up && live->size.cpus > 0 && live->size.real_memory_mib > 0) {
            size = live->size;
            ++out.up;
        } else if (known != in.known.end()) {
            size = known->size;
            ++out.down;
        } else {
            ++out.future;
        }
        const std::string head = "NodeName=" + n.name + " NodeAddr=" + n.address;
        // Nothing in the text says whether a node is up now: the file
        // changes (and slurmctld rereads it) only when a node appears for
        // the first time or with another size. Up or down is Slurm's to see.
        if (size) {
            nodes += head + " CPUs=" + std::to_string(size->cpus) +
                     " RealMemory=" + std::to_string(size->real_memory_mib) + "\n";
        } else {
            nodes += head + " CPUs=1 RealMemory=1 State=FUTURE\n";
        }
    }
    if (out.up + out.down == 0)
        return why = "no partition has been up yet: a Slurm cluster needs at least one node (atoll nodes)",
               std::nullopt;

    out.text =
        "# slurm.conf of an Atoll box, generated by `atoll slurm conf` (doc/slurm.md).\n"
        "# Rewritten whenever a kernel comes up: edit the generator, not this file.\n"
        "ClusterName=atoll\n"
        "SlurmctldHost=" + ctl->name + "(" + ctl->address + ")\n"
        "# Partitions fetch this file from slurmctld (slurmd --conf-server).\n"
        "SlurmctldParameters=enable_configless\n"
        "# A node is what this file says, even if its slurmd counts less: a\n"
        "# kernel restarted with less RAM is not drained before the next rewrite.\n"
        "SlurmdParameters=config_overrides\n"
        "AuthType=auth/munge\n"
        "CredType=cred/munge\n"
        "SlurmUser=slurm\n"
        "StateSaveLocation=/var/spool/slurmctld\n"
        "SlurmdSpoolDir=/var/spool/slurmd\n"
        "ProctrackType=proctrack/linuxproc\n"
        "TaskPlugin=task/none\n"
        "# MPI over the kernels' link (vnet0), not the host's outside interface.\n"
        "TaskProlog=/usr/lib/atoll/slurm-task-prolog\n"
        "JobAcctGatherType=jobacct_gather/none\n"
        "AccountingStorageType=accounting_storage/none\n"
        "SelectType=select/cons_tres\n"
        "SelectTypeParameters=CR_Core\n"
        "MpiDefault=pmi2\n"
        "# A node that stopped answering returns to service when it registers.\n"
        "ReturnToService=2\n"
        "SlurmdTimeout=10\n"
        "# Every kernel that can exist, declared from the start: Slurm 22.05\n"
        "# cannot add a node to a running slurmctld. State=FUTURE: never up yet.\n" +
        nodes + "PartitionName=" + in.partition + " Nodes=ALL Default=YES State=UP MaxTime=INFINITE\n";
    return out;
}

}  // namespace atl::ssi
