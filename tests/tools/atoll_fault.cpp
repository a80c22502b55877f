// atoll-fault: fault injection for the system tests. Runs on the host of a
// box and scribbles on the lagoon through /dev/atoll's mapping, as a buggy
// or hostile kernel could, so a test can show the receivers drop, count and
// recover. Not installed with the product: the box's rootfs carries it for
// the tests only.
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>

#include "atoll/abi/atolld.h"
#include "atoll/abi/ioctl.h"
#include "atoll/abi/vnet.h"
#include "atoll/ssi/device.hpp"
#include "atoll/ssi/failure.hpp"
#include "atoll/vnet/segment.hpp"
#include "atoll/vnet/shared.hpp"
#include "atoll/wire/frame.hpp"
#include "atoll/wire/handshake.hpp"
#include "atoll/wire/messages.hpp"

namespace {

using namespace atl;

constexpr const char* usage =
R"(NAME
    atoll-fault - scribble on the lagoon, for fault-injection tests

SYNOPSIS
    atoll-fault vnet SENDER RECEIVER FIELD VALUE
    atoll-fault atolld ADDRESS garbage|wrong-key|oversized|exec-first
    atoll-fault --help

DESCRIPTION
    Run on the host of an Atoll box. Writes VALUE over FIELD of the vnet
    ring that carries frames from partition SENDER to partition RECEIVER
    (0 is the host), as a faulty kernel could, and prints the old and the
    new value. The receiver must drop what it cannot trust, count it
    (ip -s link show vnet0: rx/tx errors) and recover; nothing else in
    the box changes.

    FIELD is one of
      head     the sender's producer index (the receiver checks it)
      tail     the receiver's consumer index (the sender checks it)
      tail_gen the sender generation the receiver acknowledged
      kick_at  the receiver's request for a kick (its event index)
      space_at the sender's request for room (back-pressure)
      length   the length word of the record at the receiver's tail (the
               next one it reads; only meaningful while frames are queued)

    Whatever single field is written, traffic on the ring flows again
    within one link check of each kernel (500 ms, counted in
    /sys/class/net/vnet0/atoll/link_checks) and one round trip.

    VALUE is decimal or 0x-prefixed hexadecimal, or +N / -N: the field's
    current value plus or minus N.

    atolld: connects to the daemon at ADDRESS (port 7117) as a hostile
    client would and prints what the daemon answered before it closed the
    connection: garbage bytes; a handshake with a wrong key; a frame header
    announcing more than the 1 MiB limit; an EXEC before any handshake.
    The daemon must refuse each and keep serving everyone else.

EXIT STATUS
    0 written (vnet) or the daemon closed the connection (atolld); 1 no
    box, no such ring, a bad argument, or the daemon kept the connection
    open; nothing written.
)";

std::uint64_t number(std::string_view s, const char* what) {
    int base = 10;
    if (s.starts_with("0x") || s.starts_with("0X")) {
        s.remove_prefix(2);
        base = 16;
    }
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size())
        throw ssi::Failure(std::string("not a number for ") + what + ": '" + std::string(s) + "'");
    return v;
}

// VALUE relative to `old` (+N, -N) or absolute.
std::uint64_t value_for(std::string_view s, std::uint64_t old) {
    if (s.starts_with("+"))
        return old + number(s.substr(1), "VALUE");
    if (s.starts_with("-"))
        return old - number(s.substr(1), "VALUE");
    return number(s, "VALUE");
}

int fault_vnet(int argc, char** argv) {
    if (argc != 6)
        throw ssi::Failure("usage: atoll-fault vnet SENDER RECEIVER FIELD VALUE (see --help)");
    const PartitionId s{static_cast<std::uint32_t>(number(argv[2], "SENDER"))};
    const PartitionId r{static_cast<std::uint32_t>(number(argv[3], "RECEIVER"))};
    const std::string_view field = argv[4];
    auto map = ssi::LagoonMap::open_device(ATOLL_DEVICE_PATH);
    auto area = map.view().vnet();
    if (!area)
        throw ssi::Failure("the lagoon has no vnet region");
    auto seg = vnet::Segment::open(*area);
    if (!seg)
        throw ssi::Failure("the vnet segment is not formatted (is atoll.ko loaded on the host?)");
    atoll_vnet_ring* ring = seg->ring(s, r);
    if (ring == nullptr)
        throw ssi::Failure("no vnet ring from " + std::to_string(s.value()) + " to " + std::to_string(r.value()) +
                           " (ids 0.." + std::to_string(seg->node_count() - 1) + ", sender != receiver)");
    std::uint64_t* word64 = nullptr;
    std::uint32_t* word32 = nullptr;
    if (field == "head") {
        word64 = &ring->head;
    } else if (field == "tail") {
        word64 = &ring->tail;
    } else if (field == "tail_gen") {
        word64 = &ring->tail_gen;
    } else if (field == "kick_at") {
        word64 = &ring->kick_at;
    } else if (field == "space_at") {
        word64 = &ring->space_at;
    } else if (field == "length") {
        const std::uint64_t tail = vnet::load(ring->tail, std::memory_order_acquire);
        const std::uint64_t at = tail & (seg->geometry().ring_size - 1) & ~std::uint64_t{ATOLL_VNET_RECORD_ALIGN - 1};
        word32 = &reinterpret_cast<atoll_vnet_record*>(seg->ring_data(s, r) + at)->length;
    } else {
        throw ssi::Failure("unknown FIELD '" + std::string(field) +
                           "': head, tail, tail_gen, kick_at, space_at or length");
    }
    if (word64 != nullptr) {
        const std::uint64_t old = vnet::load(*word64, std::memory_order_relaxed);
        const std::uint64_t v = value_for(argv[5], old);
        vnet::shared(*word64).store(v, std::memory_order_seq_cst);
        std::printf("vnet ring %u->%u: %s 0x%llx -> 0x%llx\n", s.value(), r.value(), argv[4],
                    static_cast<unsigned long long>(old), static_cast<unsigned long long>(v));
    } else {
        const std::uint32_t old = vnet::load(*word32, std::memory_order_relaxed);
        const auto v = static_cast<std::uint32_t>(value_for(argv[5], old));
        vnet::shared(*word32).store(v, std::memory_order_seq_cst);
        std::printf("vnet ring %u->%u: record length 0x%x -> 0x%x\n", s.value(), r.value(), old, v);
    }
    return 0;
}

// atolld: one hostile connection; prints the daemon's answer.
int fault_atolld(int argc, char** argv) {
    if (argc != 4)
        throw ssi::Failure("usage: atoll-fault atolld ADDRESS garbage|wrong-key|oversized|exec-first");
    const std::string_view what = argv[3];
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* ai = nullptr;
    if (::getaddrinfo(argv[2], std::to_string(ATOLL_WIRE_PORT).c_str(), &hints, &ai) != 0 || ai == nullptr)
        throw ssi::Failure(std::string("cannot resolve ") + argv[2]);
    const int fd = ::socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        ::freeaddrinfo(ai);
        throw ssi::Failure(std::string("cannot connect to ") + argv[2] + ": " + std::strerror(errno));
    }
    ::freeaddrinfo(ai);
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    auto put = [&](const wire::Bytes& b) { (void)!::send(fd, b.data(), b.size(), MSG_NOSIGNAL); };
    wire::Framer f(wire::from_client);
    if (what == "garbage") {
        const std::string g = "GET / HTTP/1.0\r\n\r\n" + std::string(4096, '\x5a');
        put(wire::Bytes(g.begin(), g.end()));
    } else if (what == "wrong-key") {
        if (!wire::crypto_ready())
            throw ssi::Failure("libsodium");
        wire::ClientHandshake hs(wire::fresh_key());
        const auto [t, b] = hs.hello();
        put(f.encode(t, b));
        // The daemon's challenge fails our check (it holds the real key):
        // prove anyway, with our wrong key, as a liar would.
        put(f.encode(ATOLL_WIRE_PROOF, wire::Bytes(32, 0x42)));
    } else if (what == "oversized") {
        put(wire::Writer().u32(ATOLL_WIRE_MAGIC).u32(ATOLL_WIRE_VERSION | (ATOLL_WIRE_STDIN << 16))
                .u32(ATOLL_WIRE_MAX_PAYLOAD + 1).u32(0).take());
        put(wire::Bytes(64 * 1024, 0));
    } else if (what == "exec-first") {
        wire::Exec e;
        e.argv = {"touch", "/tmp/atoll-fault-was-here"};
        put(f.encode(ATOLL_WIRE_EXEC, e.encode()));
    } else {
        ::close(fd);
        throw ssi::Failure("unknown atolld fault '" + std::string(what) + "'");
    }
    // Read until the daemon closes; print the frames it sent.
    wire::Deframer d(wire::from_server);
    std::uint8_t buf[4096];
    bool closed = false;
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET)) {
            closed = true;
            break;
        }
        if (n < 0)
            break;   // timeout: the daemon kept the connection open
        d.feed(std::span(buf, static_cast<std::size_t>(n)));
        wire::Frame fr;
        while (d.next(fr) == wire::Deframer::Next::frame) {
            std::string text;
            if (fr.type == ATOLL_WIRE_REFUSED)
                if (auto t = wire::Text::decode(fr.payload))
                    text = ": " + t->text;
            std::printf("atolld answered %s%s\n", wire::type_name(fr.type).c_str(), text.c_str());
        }
    }
    ::close(fd);
    std::printf("atolld %s the connection\n", closed ? "closed" : "kept");
    return closed ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
            std::fputs(usage, argc < 2 ? stderr : stdout);
            return argc < 2 ? 1 : 0;
        }
        if (std::strcmp(argv[1], "vnet") == 0)
            return fault_vnet(argc, argv);
        if (std::strcmp(argv[1], "atolld") == 0)
            return fault_atolld(argc, argv);
        throw ssi::Failure(std::string("unknown fault '") + argv[1] + "' (see --help)");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "atoll-fault: %s\n", e.what());
        return 1;
    }
}
