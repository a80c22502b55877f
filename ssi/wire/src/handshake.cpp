// The handshake state machines (atoll/wire/handshake.hpp).
#include "atoll/wire/handshake.hpp"

#include <cstring>

namespace atl::wire {

namespace {

constexpr std::string_view server_label = "atolld-server";
constexpr std::string_view client_label = "atolld-client";
constexpr std::string_view session_label = "atolld-session";

Key session_of(const Key& key, const Nonce& c, const Nonce& s) {
    const Proof p = derive(key, session_label, c, s);
    Key k{};
    std::memcpy(k.data(), p.data(), k.size());
    return k;
}

}  // namespace

Step ServerHandshake::refuse(std::string why) {
    state_ = State::refused;
    Step s;
    s.refused = std::move(why);
    s.send.emplace_back(ATOLL_WIRE_REFUSED, Text{s.refused}.encode());
    return s;
}

Step ServerHandshake::on(const Frame& f) {
    switch (state_) {
    case State::hello: {
        if (f.type != ATOLL_WIRE_HELLO || f.payload.size() != c_.size())
            return refuse("expected HELLO, got " + type_name(f.type));
        std::memcpy(c_.data(), f.payload.data(), c_.size());
        s_ = fresh_nonce();
        const Proof mine = derive(key_, server_label, c_, s_);
        Bytes challenge(s_.begin(), s_.end());
        challenge.insert(challenge.end(), mine.begin(), mine.end());
        state_ = State::proof;
        Step s;
        s.send.emplace_back(ATOLL_WIRE_CHALLENGE, std::move(challenge));
        return s;
    }
    case State::proof: {
        const Proof want = derive(key_, client_label, c_, s_);
        if (f.type != ATOLL_WIRE_PROOF || !same(f.payload, want))
            return refuse("wrong cluster key");
        state_ = State::done;
        Step s;
        s.secure = session_of(key_, c_, s_);
        s.send_secured.emplace_back(ATOLL_WIRE_WELCOME, me_.encode());
        s.done = true;
        return s;
    }
    case State::done:
    case State::refused: break;
    }
    return refuse("handshake already over");
}

std::pair<std::uint16_t, Bytes> ClientHandshake::hello() {
    c_ = fresh_nonce();
    return {ATOLL_WIRE_HELLO, Bytes(c_.begin(), c_.end())};
}

Step ClientHandshake::fail(std::string why) {
    state_ = State::refused;
    Step s;
    s.refused = std::move(why);
    return s;
}

Step ClientHandshake::on(const Frame& f) {
    if (f.type == ATOLL_WIRE_REFUSED) {
        const auto t = Text::decode(f.payload);
        return fail("refused by the server: " + (t ? t->text : std::string("(no reason)")));
    }
    switch (state_) {
    case State::challenge: {
        if (f.type != ATOLL_WIRE_CHALLENGE || f.payload.size() != s_.size() + sizeof(Proof))
            return fail("expected CHALLENGE, got " + type_name(f.type));
        std::memcpy(s_.data(), f.payload.data(), s_.size());
        const Proof want = derive(key_, server_label, c_, s_);
        if (!same(std::span(f.payload).subspan(s_.size()), want))
            return fail("the server does not hold the cluster key");
        state_ = State::welcome;
        Step s;
        s.send.emplace_back(ATOLL_WIRE_PROOF, [&] {
            const Proof p = derive(key_, client_label, c_, s_);
            return Bytes(p.begin(), p.end());
        }());
        s.secure = session_of(key_, c_, s_);
        return s;
    }
    case State::welcome: {
        auto w = f.type == ATOLL_WIRE_WELCOME ? Welcome::decode(f.payload) : std::nullopt;
        if (!w)
            return fail("expected WELCOME, got " + type_name(f.type));
        peer_ = *w;
        state_ = State::done;
        Step s;
        s.done = true;
        return s;
    }
    case State::done:
    case State::refused: break;
    }
    return fail("unexpected " + type_name(f.type) + " after the handshake");
}

}  // namespace atl::wire
