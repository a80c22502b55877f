// libFuzzer: arbitrary bytes as /etc/atoll/nodes and as a previous
// slurm.conf. The parsers must refuse or accept without reading past the
// input; whatever they accept must render a slurm.conf whose node count is
// the nodes file's minus the controller (slurmctld dies when it changes),
// and rendering again from that output must give the same text (a rewrite
// that changes nothing does not make slurmctld reread).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "atoll/ssi/slurm_conf.hpp"

using namespace atl::ssi;

namespace {

std::size_t node_lines(const std::string& t) {
    std::size_t n = 0;
    for (std::size_t at = t.find("\nNodeName="); at != std::string::npos; at = t.find("\nNodeName=", at + 1))
        ++n;
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The first half is the nodes file, the second the previous slurm.conf.
    const std::string a(reinterpret_cast<const char*>(data), size / 2);
    const std::string b(reinterpret_cast<const char*>(data) + size / 2, size - size / 2);
    std::string why;
    const auto nodes = parse_cluster_nodes(a, why);
    const auto known = known_slurm_nodes(b);
    if (!nodes || nodes->empty())
        return 0;
    SlurmConfInput in;
    in.nodes = *nodes;
    in.controller = (*nodes)[0].name;
    in.known = known;
    for (std::size_t i = 1; i < nodes->size(); i += 2)
        in.live.push_back({(*nodes)[i].name, true, {1 + static_cast<std::uint32_t>(i), 100 + i}});
    const auto conf = render_slurm_conf(in, why);
    if (!conf)
        return 0;
    if (node_lines(conf->text) != nodes->size() - 1)
        std::abort();
    in.known = known_slurm_nodes(conf->text);
    const auto again = render_slurm_conf(in, why);
    if (!again || again->text != conf->text)
        std::abort();
    return 0;
}
