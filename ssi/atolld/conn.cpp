// An atolld connection (conn.hpp).
#include "conn.hpp"

#include "atoll/abi/atolld.h"

namespace atl::atolld {

Conn::Conn(Socket socket, char send_dir, std::string peer)
    : socket_(std::move(socket)),
      peer_(std::move(peer)),
      framer_(send_dir),
      deframer_(send_dir == wire::from_client ? wire::from_server : wire::from_client),
      timer_(socket_.get_executor()) {}

Conn::~Conn() = default;

void Conn::start(OnFrame on_frame, OnClose on_close) {
    on_frame_ = std::move(on_frame);
    on_close_ = std::move(on_close);
    heard_ = std::chrono::steady_clock::now();
    read();
}

void Conn::keepalive() {
    heard_ = std::chrono::steady_clock::now();
    tick();
}

void Conn::secure(const wire::Key& session) {
    framer_.secure(session);
    deframer_.secure(session);
}

void Conn::tick() {
    timer_.expires_after(ping_every);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec || self->closed_)
            return;
        if (std::chrono::steady_clock::now() - self->heard_ > silence_limit) {
            self->close("no answer for " +
                        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(silence_limit).count()) +
                        " s");
            return;
        }
        self->send(ATOLL_WIRE_PING);
        self->tick();
    });
}

void Conn::read() {
    socket_.async_read_some(asio::buffer(in_), [self = shared_from_this()](const boost::system::error_code& ec,
                                                                           std::size_t n) {
        if (self->closed_)
            return;
        if (ec) {
            self->close(ec == asio::error::eof ? self->peer_ + " closed the connection"
                                               : "connection to " + self->peer_ + ": " + ec.message());
            return;
        }
        self->heard_ = std::chrono::steady_clock::now();
        self->deframer_.feed(std::span(self->in_).first(n));
        wire::Frame f;
        for (;;) {
            const auto r = self->deframer_.next(f);
            if (r == wire::Deframer::Next::need_more)
                break;
            if (r == wire::Deframer::Next::bad) {
                self->close(self->peer_ + ": " + self->deframer_.error());
                return;
            }
            if (f.type == ATOLL_WIRE_PING) {
                self->send(ATOLL_WIRE_PONG);
                continue;
            }
            if (f.type == ATOLL_WIRE_PONG)
                continue;
            // A copy: the handler may replace itself (set_handlers) or close.
            if (auto handler = self->on_frame_)
                handler(f);
            if (self->closed_)
                return;
        }
        self->read();
    });
}

void Conn::send(std::uint16_t type, std::span<const std::uint8_t> payload) {
    if (closed_ || closing_)
        return;
    out_.push_back(framer_.encode(type, payload));
    backlog_ += out_.back().size();
    if (!writing_)
        write_next();
}

void Conn::write_next() {
    if (out_.empty()) {
        writing_ = false;
        if (closing_)
            close(closing_why_);
        return;
    }
    writing_ = true;
    asio::async_write(socket_, asio::buffer(out_.front()),
                      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                          if (self->closed_)
                              return;
                          if (ec) {
                              self->close("writing to " + self->peer_ + ": " + ec.message());
                              return;
                          }
                          self->backlog_ -= self->out_.front().size();
                          self->out_.pop_front();
                          self->write_next();
                      });
}

void Conn::close_after_send(const std::string& why) {
    if (closed_ || closing_)
        return;
    closing_ = true;
    closing_why_ = why;
    if (!writing_)
        close(why);
}

void Conn::close(const std::string& why) {
    if (closed_)
        return;
    closed_ = true;
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.shutdown(Socket::shutdown_both, ignored);
    socket_.close(ignored);
    out_.clear();
    backlog_ = 0;
    // The handlers hold their owners (and so, often, this connection):
    // drop them, but not while one of them may be running: later.
    auto keep = shared_from_this();
    auto handler = std::move(on_close_);
    on_close_ = nullptr;
    asio::post(socket_.get_executor(), [keep] { keep->on_frame_ = nullptr; });
    if (handler)
        handler(why);
}

}  // namespace atl::atolld
