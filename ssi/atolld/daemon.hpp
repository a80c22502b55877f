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

    // Connects to `node` and proves the key (client side of the handshake).
    using Dialed = std::function<void(std::shared_ptr<Conn>, const wire::Welcome&)>;
    using Failed = std::function<void(const std::string& why)>;
    void dial(const NodeAddress& node, Dialed ok, Failed fail);

    void log(const std::string& line) const;

private:
    struct Peer {
        NodeAddress addr;
        std::shared_ptr<Conn> conn;
        bool dialing = false;
        std::optional<wire::Status> status;
        std::chrono::steady_clock::time_point answered{};
        std::string last_error;
    };

    void accept_tcp();
    void accept_local();
    void tick();
    void watch_children();
    // The box's partition table: read here on the host, the host's last
    // STATUS elsewhere; nullopt when the host has not answered lately.
    [[nodiscard]] std::optional<std::vector<wire::PartitionState>> partition_table() const;
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
};

}  // namespace atl::atolld
