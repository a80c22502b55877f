// Frame encoding and decoding (atoll/wire/frame.hpp).
#include "atoll/wire/frame.hpp"

#include "atoll/abi/atolld.h"
#include "atoll/wire/messages.hpp"

namespace atl::wire {

namespace {

constexpr std::size_t header_size = sizeof(atoll_wire_header);

}  // namespace

Bytes Framer::encode(std::uint16_t type, std::span<const std::uint8_t> payload) {
    if (payload.size() > ATOLL_WIRE_MAX_PAYLOAD)
        payload = payload.first(ATOLL_WIRE_MAX_PAYLOAD);
    Writer w;
    w.u32(ATOLL_WIRE_MAGIC).u32(ATOLL_WIRE_VERSION | (std::uint32_t{type} << 16));
    w.u32(static_cast<std::uint32_t>(payload.size())).u32(0);
    w.bytes(payload);
    Bytes out = w.take();
    if (secure_) {
        const Mac m = frame_mac(session_, dir_, seq_, std::span(out).first(header_size), payload);
        out.insert(out.end(), m.begin(), m.end());
    }
    ++seq_;
    return out;
}

void Deframer::feed(std::span<const std::uint8_t> bytes) {
    if (!error_.empty())
        return;
    // Drop what was consumed before growing: the buffer holds one frame at most.
    if (start_ != 0) {
        buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(start_));
        start_ = 0;
    }
    buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

Deframer::Next Deframer::fail(std::string why) {
    error_ = std::move(why);
    buf_.clear();
    start_ = 0;
    return Next::bad;
}

Deframer::Next Deframer::next(Frame& out) {
    if (!error_.empty())
        return Next::bad;
    const std::span<const std::uint8_t> in = std::span(buf_).subspan(start_);
    if (in.size() < header_size)
        return Next::need_more;
    Reader r(in.first(header_size));
    const std::uint32_t magic = r.u32();
    const std::uint32_t vt = r.u32();
    const std::uint32_t length = r.u32();
    const std::uint32_t reserved = r.u32();
    if (magic != ATOLL_WIRE_MAGIC)
        return fail("not an atolld frame (bad magic)");
    if ((vt & 0xffff) != ATOLL_WIRE_VERSION)
        return fail("wire version " + std::to_string(vt & 0xffff) + " (this side speaks " +
                    std::to_string(ATOLL_WIRE_VERSION) + ")");
    if (length > ATOLL_WIRE_MAX_PAYLOAD)
        return fail("frame of " + std::to_string(length) + " bytes, above the limit of " +
                    std::to_string(ATOLL_WIRE_MAX_PAYLOAD));
    if (reserved != 0)
        return fail("reserved header field set");
    const std::size_t total = header_size + length + (secure_ ? ATOLL_WIRE_MAC_SIZE : 0);
    if (in.size() < total)
        return Next::need_more;
    const auto header = in.first(header_size);
    const auto payload = in.subspan(header_size, length);
    if (secure_) {
        const Mac m = frame_mac(session_, dir_, seq_, header, payload);
        if (!same(m, in.subspan(header_size + length, ATOLL_WIRE_MAC_SIZE)))
            return fail("a frame failed its MAC (wrong key, or altered)");
    }
    ++seq_;
    out.type = static_cast<std::uint16_t>(vt >> 16);
    out.payload.assign(payload.begin(), payload.end());
    start_ += total;
    return Next::frame;
}

}  // namespace atl::wire
