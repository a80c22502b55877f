// The nodes file (config.hpp).
#include "config.hpp"

#include <arpa/inet.h>

#include <sstream>

#include "atoll/abi/abi.h"

namespace atl::atolld {

std::optional<std::vector<NodeAddress>> parse_nodes(const std::string& text, std::string& why) {
    std::vector<NodeAddress> out;
    std::istringstream in(text);
    std::string line;
    for (int no = 1; std::getline(in, line); ++no) {
        if (const auto hash = line.find('#'); hash != std::string::npos)
            line.erase(hash);
        std::istringstream words(line);
        std::string id, name, address, extra;
        if (!(words >> id))
            continue;
        const auto bad = [&](const std::string& what) {
            why = "line " + std::to_string(no) + ": " + what + " (want: ID NAME ADDRESS)";
            return std::nullopt;
        };
        if (!(words >> name >> address) || (words >> extra))
            return bad("three words");
        char* end = nullptr;
        const unsigned long v = std::strtoul(id.c_str(), &end, 10);
        if (*end != '\0' || id.empty() || v > 0xffffu)
            return bad("ID '" + id + "' is not a number up to 65535");
        unsigned char buf[16];
        if (::inet_pton(AF_INET, address.c_str(), buf) != 1 && ::inet_pton(AF_INET6, address.c_str(), buf) != 1)
            return bad("'" + address + "' is not an IP address");
        for (const auto& n : out)
            if (n.id == v || n.name == name)
                return bad("node " + id + " (" + name + ") listed twice");
        out.push_back({static_cast<std::uint32_t>(v), name, address});
    }
    return out;
}

const NodeAddress* find_node(const std::vector<NodeAddress>& nodes, std::uint32_t id) {
    for (const auto& n : nodes)
        if (n.id == id)
            return &n;
    return nullptr;
}

}  // namespace atl::atolld
