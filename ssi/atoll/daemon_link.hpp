// The atoll command's connection to its local atolld (the Unix socket):
// frames without MACs (the socket is root's alone), blocking or driven by
// poll(2).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "atoll/ssi/failure.hpp"
#include "atoll/wire/frame.hpp"
#include "atoll/wire/messages.hpp"

namespace atl::cli {

inline constexpr const char* atolld_socket = "/run/atolld.sock";

class DaemonLink {
public:
    // Connects (to $ATOLLD_SOCKET if set, for tests and several daemons on
    // one machine); throws ssi::Failure saying what to do when atolld is not there.
    DaemonLink();
    explicit DaemonLink(const std::string& path);
    ~DaemonLink();
    DaemonLink(const DaemonLink&) = delete;
    DaemonLink& operator=(const DaemonLink&) = delete;

    void send(std::uint16_t type, std::span<const std::uint8_t> payload = {});
    // Waits up to `timeout_ms` (-1: forever) for the next frame: nullopt
    // with `why` on a timeout, a closed connection or a bad frame.
    std::optional<wire::Frame> receive(std::string& why, int timeout_ms = -1);
    // For a poll loop: reads what is there (call when fd() is readable);
    // false with `why` once the connection is over.
    bool pump(std::string& why);
    // A whole frame already read, if any.
    bool next(wire::Frame& f);
    // Why the frames read are not frames ("" while they are).
    [[nodiscard]] const std::string& error() const { return deframer_.error(); }

    [[nodiscard]] int fd() const { return fd_; }

private:
    int fd_ = -1;
    wire::Framer framer_{wire::from_client};
    wire::Deframer deframer_{wire::from_server};
};

// A request with one answer of type `want`; throws ssi::Failure on an
// ERROR answer or anything else.
wire::Frame ask(DaemonLink& link, std::uint16_t type, std::span<const std::uint8_t> payload, std::uint16_t want);

// The cluster's node table (NODES_REQ to the local daemon).
[[nodiscard]] wire::Nodes node_table();
// A node of `table` by name or id; throws ssi::Failure naming the nodes.
[[nodiscard]] const wire::NodeEntry& find_node(const wire::Nodes& table, std::string_view name_or_id);
// An ATOLL_NODE_* state as `atoll nodes` writes it (up, daemon-down, ...).
[[nodiscard]] const char* node_state_word(std::uint32_t state);
// A new connection to the local daemon, routed to node `id`.
[[nodiscard]] std::unique_ptr<DaemonLink> routed_link(std::uint32_t id);

// The daemon knows no node of that name (ROUTE_NAME's E_NO_NODE).
class UnknownNode : public ssi::Failure {
public:
    using ssi::Failure::Failure;
};
// A new connection routed to the node named `name_or_id`, resolved by the
// daemon as it routes (no node table first: one connection, one round
// trip less). `who` gets the node's id and name from its WELCOME. Throws
// UnknownNode, or ssi::Failure when the node cannot be reached.
// `behind` sends the first frames right behind the ROUTE_NAME, before its
// answer (one round trip less): a daemon that refuses the route ends the
// connection and serves none of them, and a daemon of another wire version
// refuses the first frame (every header carries the version).
[[nodiscard]] std::unique_ptr<DaemonLink> routed_link(const std::string& name_or_id, wire::NodeEntry& who,
                                                      const std::function<void(DaemonLink&)>& behind = {});

}  // namespace atl::cli
