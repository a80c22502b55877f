// Payload fields of atolld's wire format (atoll/abi/atolld.h): u32, u64,
// str and trailing bytes, little-endian, written and read in order. A
// Reader never reads past its span; any shortfall, an oversized string or
// bytes left over make it fail, and a failed Reader stays failed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace atl::wire {

using Bytes = std::vector<std::uint8_t>;

class Writer {
public:
    Writer& u32(std::uint32_t v);
    Writer& u64(std::uint64_t v);
    // At most ATOLL_WIRE_MAX_STR bytes: longer is cut (callers check first).
    Writer& str(std::string_view s);
    Writer& bytes(std::span<const std::uint8_t> b);
    [[nodiscard]] const Bytes& data() const { return buf_; }
    [[nodiscard]] Bytes take() { return std::move(buf_); }

private:
    Bytes buf_;
};

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> in) : rest_(in) {}

    std::uint32_t u32();
    std::uint64_t u64();
    std::string str();
    // All that is left (may be empty).
    std::span<const std::uint8_t> rest();
    // A count of items still to read, each at least `min_item` bytes: 0 and
    // a failure when the payload cannot hold that many, or above `limit`.
    std::uint32_t count(std::uint32_t limit, std::size_t min_item);

    // Everything read was there and nothing is left.
    [[nodiscard]] bool done() const { return ok_ && rest_.empty(); }
    [[nodiscard]] bool ok() const { return ok_; }

private:
    bool take(std::size_t n, const std::uint8_t*& at);

    std::span<const std::uint8_t> rest_;
    bool ok_ = true;
};

}  // namespace atl::wire
