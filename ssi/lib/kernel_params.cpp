// The host kernel parameters that keep the pool away from the host and tell
// atoll.ko where the pool and the lagoon are.
#include "atoll/ssi/render.hpp"
#include "atoll/ssi/size.hpp"

namespace atl::ssi {
namespace {

// The node whose RAM holds `r`'s first byte (0 when none says so).
std::uint32_t node_of(const nk::Topology& topo, const PhysRange& r) {
    for (const auto& n : topo.node_list())
        for (std::uint32_t i = 0; i < n.range_count; i++)
            if (!(r.start < n.ranges[i].start) && r.start < n.ranges[i].end)
                return n.id.value();
    return 0;
}

}  // namespace

std::vector<std::string> host_kernel_params(const nk::Topology& topo, const nk::Plan& plan) {
    // memmap=nn[KMG]$ss[KMG] marks a region reserved (Documentation/
    // admin-guide/kernel-parameters.txt); the address may be 0x-hex.
    std::vector<std::string> params;
    std::string pool;
    for (const auto& r : plan.pool_list()) {
        params.push_back("memmap=" + format_size(r.size()) + "$" + format_hex(r.start.value()));
        pool += (pool.empty() ? "" : ",") + std::to_string(node_of(topo, r)) + "@" +
                format_hex(r.start.value()) + "+" + format_size(r.size());
    }
    // Read by atoll.ko (module parameters lagoon= and pool=).
    params.push_back("atoll.lagoon=" + format_hex(plan.lagoon.start.value()) + "+" +
                     format_size(plan.lagoon.size()));
    params.push_back("atoll.pool=" + pool);
    return params;
}

}  // namespace atl::ssi
