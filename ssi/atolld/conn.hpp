// One atolld connection (TCP between daemons, or the local Unix socket):
// frames in and out over a Boost.Asio stream socket, a write queue, and a
// liveness check (TCP: a PING every second; five seconds without any frame
// from the peer ends the connection). Single-threaded: everything runs on
// the daemon's one io_context.
#pragma once

#include "asio.hpp"

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "atoll/wire/frame.hpp"

namespace atl::atolld {

namespace asio = boost::asio;
using Socket = asio::generic::stream_protocol::socket;

class Conn : public std::enable_shared_from_this<Conn> {
public:
    using OnFrame = std::function<void(wire::Frame&)>;
    using OnClose = std::function<void(const std::string& why)>;

    // `send_dir`: the direction of the frames this side sends.
    Conn(Socket socket, char send_dir, std::string peer);
    ~Conn();

    // Starts reading.
    void start(OnFrame on_frame, OnClose on_close);
    // New handlers (after a handshake another owner takes over).
    void set_handlers(OnFrame on_frame, OnClose on_close) {
        on_frame_ = std::move(on_frame);
        on_close_ = std::move(on_close);
    }
    // Bytes queued and not yet written (flow control for command output).
    [[nodiscard]] std::size_t backlog() const { return backlog_; }
    // Between daemons, once the handshake is done: PING every second, and
    // end the connection after five seconds without a frame.
    void keepalive();
    void send(std::uint16_t type, std::span<const std::uint8_t> payload = {});
    // MACs from now on, both ways (the handshake is done).
    void secure(const wire::Key& session);
    // Ends the connection once (idempotent): the close handler runs with `why`.
    void close(const std::string& why);
    // Ends it after what is queued has been written.
    void close_after_send(const std::string& why);

    [[nodiscard]] bool closed() const { return closed_; }
    // Closed, or closing once what is queued is written: serves nothing more.
    [[nodiscard]] bool ending() const { return closed_ || closing_; }
    [[nodiscard]] const std::string& peer() const { return peer_; }

private:
    void read();
    void write_next();
    void tick();

    Socket socket_;
    std::string peer_;
    wire::Framer framer_;
    wire::Deframer deframer_;
    OnFrame on_frame_;
    OnClose on_close_;
    std::deque<wire::Bytes> out_;
    std::size_t backlog_ = 0;
    bool writing_ = false;
    bool closing_ = false;
    bool closed_ = false;
    std::string closing_why_;
    std::array<std::uint8_t, 64 * 1024> in_{};
    asio::steady_timer timer_;
    std::chrono::steady_clock::time_point heard_{};
};

inline constexpr auto ping_every = std::chrono::seconds(1);
inline constexpr auto silence_limit = std::chrono::seconds(5);

}  // namespace atl::atolld
