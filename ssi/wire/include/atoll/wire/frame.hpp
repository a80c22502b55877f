// Frames on an atolld connection (atoll/abi/atolld.h): a Framer encodes
// one direction, a Deframer decodes the other. Before secure() frames carry
// no MAC (the handshake, and the local Unix socket); after it every frame
// carries the MAC of its direction and sequence number. A Deframer that
// met a bad frame stays failed: the connection must end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "atoll/wire/auth.hpp"
#include "atoll/wire/fields.hpp"

namespace atl::wire {

// Directions, as MAC'd.
inline constexpr char from_client = 'C';
inline constexpr char from_server = 'S';

struct Frame {
    std::uint16_t type = 0;
    Bytes payload;
};

class Framer {
public:
    explicit Framer(char dir) : dir_(dir) {}
    void secure(const Key& session) {
        session_ = session;
        secure_ = true;
    }
    // Header, payload and (secured) MAC. The payload must not exceed
    // ATOLL_WIRE_MAX_PAYLOAD (callers split data; this cuts).
    [[nodiscard]] Bytes encode(std::uint16_t type, std::span<const std::uint8_t> payload = {});

private:
    char dir_;
    bool secure_ = false;
    Key session_{};
    std::uint64_t seq_ = 0;
};

class Deframer {
public:
    // `dir`: the direction of the frames this one reads (the peer's).
    explicit Deframer(char dir) : dir_(dir) {}
    void secure(const Key& session) {
        session_ = session;
        secure_ = true;
    }

    void feed(std::span<const std::uint8_t> bytes);
    enum class Next { frame, need_more, bad };
    // The next whole frame into `out`; bad (see error()) ends the connection.
    [[nodiscard]] Next next(Frame& out);
    [[nodiscard]] const std::string& error() const { return error_; }
    // Bytes buffered, not yet a frame.
    [[nodiscard]] std::size_t pending() const { return buf_.size() - start_; }

private:
    Next fail(std::string why);

    char dir_;
    bool secure_ = false;
    Key session_{};
    std::uint64_t seq_ = 0;
    Bytes buf_;
    std::size_t start_ = 0;
    std::string error_;
};

}  // namespace atl::wire
