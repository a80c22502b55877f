// One connection accepted by the daemon: another daemon over TCP (the
// handshake first, keepalive after) or the local atoll command over the
// Unix socket. It serves STATUS_REQ, NODES_REQ and EXEC here, or relays the
// whole connection to another node (ROUTE).
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "atoll/wire/handshake.hpp"
#include "conn.hpp"
#include "exec_job.hpp"

namespace atl::atolld {

class Daemon;

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(Daemon& d, std::shared_ptr<Conn> conn, bool local);
    void start();

private:
    void on_frame(wire::Frame& f);
    void on_close(const std::string& why);
    void serve(wire::Frame& f);
    void route(std::uint32_t node);
    void exec(const wire::Exec& req);
    // An ERROR frame; `fatal` ends the connection after it.
    void error(std::uint32_t code, const std::string& message, bool fatal);

    Daemon& d_;
    std::shared_ptr<Conn> conn_;
    bool local_;
    std::optional<wire::ServerHandshake> hs_;
    // A peer that connects and never proves the key is dropped after this.
    asio::steady_timer handshake_deadline_;
    std::shared_ptr<ExecJob> job_;
    bool exec_asked_ = false;
    // The job's EXIT is sent: a connection from another daemon may carry
    // the next EXEC (one at a time); frames for the old job are ignored.
    bool job_done_ = false;
    // Relay: the connection to the node this one was routed to, and what
    // the client sent before it was up.
    bool routed_ = false;
    std::uint32_t route_node_ = 0;
    wire::Welcome upstream_welcome_;   // the node's, handed back with the connection
    std::shared_ptr<Conn> upstream_;
    std::vector<wire::Frame> early_;
    // The routed job's EXIT came back: once the client has gone, the
    // connection goes back to the daemon's idle ones (Daemon::give_back).
    bool upstream_exited_ = false;
};

}  // namespace atl::atolld
