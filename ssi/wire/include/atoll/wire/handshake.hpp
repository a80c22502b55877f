// The handshake of a connection between daemons (atoll/abi/atolld.h), as
// two small state machines with no I/O: each takes the peer's frames and
// says what to send, when to secure the connection (the session key), and
// when it is done or refused. The daemon drives them over sockets; the
// unit tests drive them against each other and against liars.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "atoll/wire/auth.hpp"
#include "atoll/wire/frame.hpp"
#include "atoll/wire/messages.hpp"

namespace atl::wire {

struct Step {
    std::vector<std::pair<std::uint16_t, Bytes>> send;   // before securing...
    std::optional<Key> secure;                           // ...then this session key...
    std::vector<std::pair<std::uint16_t, Bytes>> send_secured;   // ...then these
    bool done = false;
    std::string refused;   // non-empty: the connection ends (REFUSED sent if we are the server)
};

class ServerHandshake {
public:
    ServerHandshake(const Key& key, Welcome me) : key_(key), me_(std::move(me)) {}
    [[nodiscard]] Step on(const Frame& f);
    [[nodiscard]] bool done() const { return state_ == State::done; }

private:
    enum class State { hello, proof, done, refused };
    Step refuse(std::string why);

    Key key_;
    Welcome me_;
    State state_ = State::hello;
    Nonce c_{}, s_{};
};

class ClientHandshake {
public:
    explicit ClientHandshake(const Key& key) : key_(key) {}
    // The HELLO that opens the connection.
    [[nodiscard]] std::pair<std::uint16_t, Bytes> hello();
    [[nodiscard]] Step on(const Frame& f);
    [[nodiscard]] bool done() const { return state_ == State::done; }
    // The server's identity, once done.
    [[nodiscard]] const Welcome& peer() const { return peer_; }

private:
    enum class State { challenge, welcome, done, refused };
    Step fail(std::string why);

    Key key_;
    State state_ = State::challenge;
    Nonce c_{}, s_{};
    Welcome peer_;
};

}  // namespace atl::wire
