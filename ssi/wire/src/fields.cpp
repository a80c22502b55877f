// Payload fields (atoll/wire/fields.hpp).
#include "atoll/wire/fields.hpp"

#include "atoll/abi/atolld.h"

namespace atl::wire {

Writer& Writer::u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        buf_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return *this;
}

Writer& Writer::u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i)
        buf_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return *this;
}

Writer& Writer::str(std::string_view s) {
    if (s.size() > ATOLL_WIRE_MAX_STR)
        s = s.substr(0, ATOLL_WIRE_MAX_STR);
    u32(static_cast<std::uint32_t>(s.size()));
    buf_.insert(buf_.end(), s.begin(), s.end());
    return *this;
}

Writer& Writer::bytes(std::span<const std::uint8_t> b) {
    buf_.insert(buf_.end(), b.begin(), b.end());
    return *this;
}

bool Reader::take(std::size_t n, const std::uint8_t*& at) {
    if (!ok_ || rest_.size() < n) {
        ok_ = false;
        return false;
    }
    at = rest_.data();
    rest_ = rest_.subspan(n);
    return true;
}

std::uint32_t Reader::u32() {
    const std::uint8_t* p = nullptr;
    if (!take(4, p))
        return 0;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
        v |= std::uint32_t{p[i]} << (8 * i);
    return v;
}

std::uint64_t Reader::u64() {
    const std::uint8_t* p = nullptr;
    if (!take(8, p))
        return 0;
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v |= std::uint64_t{p[i]} << (8 * i);
    return v;
}

std::string Reader::str() {
    const std::uint32_t n = u32();
    if (n > ATOLL_WIRE_MAX_STR) {
        ok_ = false;
        return {};
    }
    const std::uint8_t* p = nullptr;
    if (!take(n, p))
        return {};
    return std::string(reinterpret_cast<const char*>(p), n);
}

std::span<const std::uint8_t> Reader::rest() {
    if (!ok_)
        return {};
    auto r = rest_;
    rest_ = {};
    return r;
}

std::uint32_t Reader::count(std::uint32_t limit, std::size_t min_item) {
    const std::uint32_t n = u32();
    if (!ok_ || n > limit || (min_item != 0 && n > rest_.size() / min_item)) {
        ok_ = false;
        return 0;
    }
    return n;
}

}  // namespace atl::wire
