// The host kernel parameters that keep the pool away from the host.
#include "atoll/ssi/render.hpp"
#include "atoll/ssi/size.hpp"

namespace atl::ssi {

std::vector<std::string> host_kernel_params(const nk::Plan& plan) {
    // memmap=nn[KMG]$ss[KMG] marks a region reserved (Documentation/
    // admin-guide/kernel-parameters.txt); the address may be 0x-hex.
    std::vector<std::string> params;
    for (const auto& r : plan.pool_list())
        params.push_back("memmap=" + format_size(r.size()) + "$" + format_hex(r.start.value()));
    return params;
}

}  // namespace atl::ssi
