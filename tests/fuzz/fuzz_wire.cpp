// libFuzzer: atolld's wire decoder (atoll/abi/atolld.h) facing a hostile
// peer. The input is a byte stream, fed in pieces of input-chosen sizes to
// a Deframer, plain or secured with a fixed session key (then nearly every
// frame fails its MAC: the interesting part is that it fails cleanly); every
// frame that comes out is decoded as every payload kind.
#include <cstddef>
#include <cstdint>
#include <span>

#include "atoll/wire/frame.hpp"
#include "atoll/wire/messages.hpp"

using namespace atl::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2)
        return 0;
    Deframer d(from_client);
    if ((data[0] & 1) != 0) {
        Key k{};
        k[0] = 1;
        d.secure(k);
    }
    const std::size_t piece = 1 + data[1] % 64;
    std::span<const std::uint8_t> in(data + 2, size - 2);
    while (!in.empty()) {
        const std::size_t n = in.size() < piece ? in.size() : piece;
        d.feed(in.first(n));
        in = in.subspan(n);
        Frame f;
        Deframer::Next r;
        while ((r = d.next(f)) == Deframer::Next::frame) {
            const Payload p(f.payload);
            (void)Welcome::decode(p);
            (void)ErrorMsg::decode(p);
            (void)Text::decode(p);
            (void)Number::decode(p);
            (void)Status::decode(p);
            (void)Nodes::decode(p);
            (void)Exec::decode(p);
            (void)Exit::decode(p);
            (void)Winsize::decode(p);
            (void)Processes::decode(p);
            (void)Kill::decode(p);
            (void)type_name(f.type);
        }
        if (r == Deframer::Next::bad)
            break;
    }
    return 0;
}
