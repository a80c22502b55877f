// The extern "C" side of vcon_bridge.h: the C++ vcon core for vcon.c. No
// kernel headers here; the one console's endpoints are constant-initialised
// globals (no constructors run at load).
#include "vcon_bridge.h"

#include "atoll/vcon/input.hpp"
#include "atoll/vcon/writer.hpp"

namespace {

constinit atl::vcon::Writer g_writer;
constinit atl::vcon::InputReader g_input;

int code(atl::Error e) { return -1 - static_cast<int>(e); }

std::span<std::byte> span_of(void* p, unsigned long n) {
    return std::span<std::byte>(static_cast<std::byte*>(p), n);
}

}  // namespace

extern "C" int atoll_vcon_core_format(void* area, unsigned long size) {
    auto w = atl::vcon::Writer::format(span_of(area, size));
    if (!w)
        return code(w.error());
    auto in = atl::vcon::InputReader::open(span_of(area, size));
    if (!in)
        return code(in.error());
    g_writer = *w;
    g_input = *in;
    return 0;
}

extern "C" void atoll_vcon_core_detach(void) {
    g_writer.set_input_ready(false);
    g_writer = atl::vcon::Writer{};
    g_input = atl::vcon::InputReader{};
}

extern "C" void atoll_vcon_core_write(const char* buf, unsigned long len) {
    (void)g_writer.write(std::span<const std::byte>(reinterpret_cast<const std::byte*>(buf), len));
}

extern "C" unsigned long atoll_vcon_core_read_input(char* buf, unsigned long len) {
    return g_input.read(std::span<std::byte>(reinterpret_cast<std::byte*>(buf), len));
}

extern "C" void atoll_vcon_core_set_input_ready(int ready) { g_writer.set_input_ready(ready != 0); }

extern "C" unsigned long long atoll_vcon_core_head(void) { return g_writer.head(); }
