// atolld's configuration: who this node is, the cluster key, where peers
// are (the nodes file), where to listen.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "atoll/wire/auth.hpp"

namespace atl::atolld {

struct NodeAddress {
    std::uint32_t id = 0;
    std::string name;
    std::string address;   // an IPv4 or IPv6 literal
};

struct Config {
    std::uint32_t self = 0;
    std::string name;
    wire::Key key{};
    std::vector<NodeAddress> nodes;   // including this one
    std::string socket_path = "/run/atolld.sock";
    std::uint16_t port = ATOLL_WIRE_PORT;
    std::string listen = "::";        // all addresses (IPv4 too)
    bool host = false;                // partition 0: reads the partition table
};

// The nodes file: one node per line, "ID NAME ADDRESS"; '#' starts a
// comment. nullopt with `why` (naming the line) for anything else.
[[nodiscard]] std::optional<std::vector<NodeAddress>> parse_nodes(const std::string& text, std::string& why);

[[nodiscard]] const NodeAddress* find_node(const std::vector<NodeAddress>& nodes, std::uint32_t id);

}  // namespace atl::atolld
