// MAC addresses and routing by destination (see atoll/vnet/mac.hpp).
#include "atoll/vnet/mac.hpp"

namespace atl::vnet {

namespace {

Mac mac_at(const std::uint8_t* p) {
    Mac m;
    for (int i = 0; i < 6; ++i)
        m.b[i] = p[i];
    return m;
}

}  // namespace

Mac destination_of(const std::uint8_t* frame) { return mac_at(frame); }

Mac source_of(const std::uint8_t* frame) { return mac_at(frame + 6); }

Result<PartitionId> node_of(const Mac& m) {
    const Mac prefix = mac_of(PartitionId{0});
    for (int i = 0; i < 5; ++i)
        if (m.b[i] != prefix.b[i])
            return Error::not_found;
    if (m.b[5] >= ATOLL_VNET_MAX_NODES)
        return Error::not_found;
    return PartitionId{m.b[5]};
}

NodeSet route(const Mac& dst, PartitionId self, std::uint32_t node_count) {
    NodeSet out;
    if (is_group(dst)) {
        for (std::uint32_t n = 0; n < node_count && n < ATOLL_VNET_MAX_NODES; ++n)
            if (n != self.value())
                out.add(PartitionId{n});
        return out;
    }
    const auto node = node_of(dst);
    if (node && node->value() < node_count && *node != self)
        out.add(*node);
    // Not a vnet MAC: the host's uplink (a bridge to a real network), if any.
    if (!node && self.value() != 0 && node_count > 0)
        out.add(PartitionId{0});
    return out;
}

}  // namespace atl::vnet
