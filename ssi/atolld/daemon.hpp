// atolld: the daemon of every kernel (doc/ssi.md). It accepts the local
// atoll command on a Unix socket and other daemons on TCP, keeps the
// membership table by asking every known node for its STATUS each second,
// runs commands (EXEC) and relays a local client to another node (ROUTE).
#pragma once

#include "asio.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "atoll/wire/messages.hpp"
#include "config.hpp"
#include "conn.hpp"

namespace atl::atolld {

class Daemon {
public:
    Daemon(asio::io_context& io, Config cfg);

    // Listens and starts the membership loop; throws on a listening failure.
    void start();

    [[nodiscard]] const Config& config() const { return cfg_; }
    [[nodiscard]] asio::io_context& io() { return io_; }

    // The membership table, this node first.
    [[nodiscard]] wire::Nodes nodes() const;
    // This node's STATUS, read again when older than a quarter second:
    // every peer asks each second, and so do `atoll nodes` and `atoll ps`.
    [[nodiscard]] const wire::Status& status() const;
    // A node of the membership table by name or id (as `atoll nodes`
    // shows them, its partitions that are not booted left out); nullptr
    // with `why` naming the nodes there are.
    [[nodiscard]] const NodeAddress* lookup(const std::string& name_or_id, std::string& why) const;

    // Connects to `node` and proves the key (client side of the handshake).
    using Dialed = std::function<void(std::shared_ptr<Conn>, const wire::Welcome&)>;
    using Failed = std::function<void(const std::string& why)>;
    void dial(const NodeAddress& node, Dialed ok, Failed fail);
    // A connection to `node` for a client routed there: an idle one when
    // there is one (a new one is dialed behind the last), else a fresh
    // dial. `ok` may run before this returns.
    void open_route(const NodeAddress& node, Dialed ok, Failed fail);
    // A routed connection whose job reported its EXIT and whose client has
    // gone: kept idle for the next client (at most max_idle per peer),
    // else closed. `w` is the WELCOME the node gave on it.
    void give_back(std::uint32_t node, std::shared_ptr<Conn> c, const wire::Welcome& w);

    void log(const std::string& line) const;

private:
    struct Peer {
        NodeAddress addr;
        std::shared_ptr<Conn> conn;
        bool dialing = false;
        std::optional<wire::Status> status;
        std::chrono::steady_clock::time_point answered{};
        std::string last_error;
        // Authenticated connections ready for a routed client, so that an
        // exec waits for no TCP connect and no handshake: one dialed ahead
        // of need, and those whose job is over (give_back). A connection
        // carries one job at a time, so "the link broke" still means "that
        // job's link".
        std::vector<std::shared_ptr<Conn>> idle;
        // The node's WELCOME (the same on each of its connections), for
        // the client that takes an idle one.
        wire::Welcome spare_welcome;
        bool spare_dialing = false;
    };

    void accept_tcp();
    void accept_local();
    void tick();
    [[nodiscard]] Peer* peer(std::uint32_t id);
    // Forgets p's idle connections that have closed.
    static void drop_closed_idle(Peer& p);
    void refill_spare(Peer& p);
    // Makes `c` one of p's idle connections (handlers that drop it when it
    // closes).
    void keep_idle(Peer& p, std::shared_ptr<Conn> c);
    void watch_children();
    // The box's partition table: read here on the host, the host's last
    // STATUS elsewhere; nullopt when the host has not answered lately.
    [[nodiscard]] std::optional<std::vector<wire::PartitionState>> partition_table() const;
    // Whether `atoll nodes` shows this peer (see nodes()).
    [[nodiscard]] bool shown(const Peer& p, const std::vector<wire::PartitionState>& table, bool table_known) const;
    [[nodiscard]] bool worth_dialing(const Peer& p,
                                     const std::optional<std::vector<wire::PartitionState>>& table) const;
    [[nodiscard]] std::uint32_t state_of(const Peer& p, const std::vector<wire::PartitionState>& table,
                                         bool table_known) const;

    asio::io_context& io_;
    Config cfg_;
    asio::ip::tcp::acceptor tcp_;
    asio::local::stream_protocol::acceptor local_;
    asio::steady_timer timer_;
    asio::signal_set children_;
    std::vector<Peer> peers_;
    mutable std::optional<wire::Status> status_;
    mutable std::optional<std::vector<wire::PartitionState>> own_table_;   // host: the lagoon's
    mutable std::chrono::steady_clock::time_point status_at_{};
};

}  // namespace atl::atolld
